"""Who may moderate, report, block whom, lift a block, and read which entries of the log (pure
functions): the one place moderation's "who may" rules are written.

- **Moderating.** Administrators, municipality staff and facilitators moderate something: they
  have the moderation pages. Who moderates a given content is its owner's rule, read through
  moderation/reportable.py (`can_moderate_content`).
- **Reporting.** Confirmed accounts report what others wrote (proposals, comments, messages).

A block is site-wide (the person may not comment, propose or write in rooms anywhere), but the
people who place it answer to one city. So the rules are:

- **Blocking.** Nobody blocks themselves. An administrator may block anyone else. Municipality
  staff and facilitators block only *ordinary participants* (no role: not an administrator, not
  municipality staff, not a facilitator, of any city) who are *active in a city they moderate*
  (wrote a proposal, a comment or a room message there): the staff of their city, the
  facilitators of a lab of that city. Someone with a role is dealt with by who gave it: the
  city's staff remove a facilitator's role, an administrator removes a staff member's (and only
  an administrator blocks a person who holds a role). The block is placed in the name of the
  city (`block_city_id`); an administrator's block belongs to no city.
- **Lifting.** An administrator lifts any block; the municipality staff of the block's city lift
  the blocks placed in its name; the person who placed a block lifts it while they still
  moderate its city. A facilitator never lifts a colleague's block, and nobody lifts a block
  of another city.
- **Reading the log.** Administrators read every entry. Other moderators read the entries of
  the cities they moderate (the city is stored on the entry, so it survives the deletion of the
  content or of its author), and every block and its lifting, since a block applies in every
  city. An entry whose city is unknown is for administrators only.
"""
from civiclab.core.permissions import is_admin, is_authenticated
from civiclab.moderation.reportable import kind_of
from civiclab.proposals.permissions import can_contribute

BLOCK_ACTIONS = ("block_user", "lift_block")


def moderated_city_ids(user):
    """The cities whose content `user` moderates: as municipality staff, or as facilitator of one
    of its labs (administrators moderate every city; this set holds only their own roles)."""
    if not is_authenticated(user):
        return set()
    return set(user.staff_city_ids) | {role.lab.city_id for role in user.facilitator_roles}


def holds_a_role(user):
    """An administrator, municipality staff or a facilitator of any city."""
    return bool(user.is_admin or user.staff_roles or user.facilitator_roles)


def can_moderate_anything(user):
    """Administrators, municipality staff and facilitators: whoever moderates something (the
    moderation pages: the queues, the blocks, the log; and the menu's entry to them). Read from
    the roles alone (no query): the same people as those with `moderated_city_ids`."""
    if not is_authenticated(user):
        return False
    return is_admin(user) or bool(user.staff_roles) or bool(user.facilitator_roles)


def can_moderate_content(user, content):
    """Whether `user` moderates a reported content (a comment, a proposal, a room message): the
    rule of the domain that owns it."""
    return is_authenticated(user) and kind_of(content).may_moderate(user, content)


def can_report(user, content=None):
    """Confirmed accounts report content, not their own (the service says why, to who tries)."""
    if not can_contribute(user):
        return False
    return content is None or content.author_id != user.id


def block_city_id(actor, active_city_ids):
    """The city in whose name `actor` blocks someone active in `active_city_ids`: the first
    one they moderate, or None (an administrator's block, or no such city)."""
    if is_admin(actor):
        return None
    shared = moderated_city_ids(actor) & set(active_city_ids)
    return min(shared) if shared else None


def can_block_user(actor, target, active_city_ids):
    """Whether `actor` may block `target`, who is active in the cities `active_city_ids` (see the
    module's rule)."""
    if not is_authenticated(actor) or target is None or target.deleted_at is not None:
        return False
    if target.id == actor.id:
        return False
    if is_admin(actor):
        return True
    if holds_a_role(target):
        return False
    return block_city_id(actor, active_city_ids) is not None


def can_lift_block(actor, block):
    """Whether `actor` may lift `block` (see the module's rule)."""
    if not is_authenticated(actor):
        return False
    if is_admin(actor):
        return True
    if block.city_id is None:
        return False
    if block.city_id in actor.staff_city_ids:
        return True
    return block.blocked_by_id == actor.id and block.city_id in moderated_city_ids(actor)


def can_read_log_entry(user, entry):
    """Whether `user` reads `entry` of the moderation log (`queries.log_select` says the same in SQL)."""
    if not is_authenticated(user):
        return False
    if is_admin(user):
        return True
    if not can_moderate_anything(user):
        return False
    return entry.action in BLOCK_ACTIONS or (entry.city_id is not None and entry.city_id in moderated_city_ids(user))
