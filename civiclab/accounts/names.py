"""Display names: cleaned by the one normaliser (core/text.py), and never a name that passes for
an institution or a role.

A participant's name may not equal, once cleaned and compared case- and space-insensitively
(`core.text.name_key`), a reserved word ("Amministratore", "Facilitatore", "Comune"...), the
deleted accounts' "Utente eliminato", the name of an organisation they are not an active member
of, or a municipality ("Comune di Bologna"; the names come from the domains that know them,
through `reserved_names`, so accounts need not import places). Staff may take their own city's
"Comune di ..." name. Role badges beside staff names (templates/macros/ui.html `author`) do the
rest: a look-alike still has no badge.
"""
import unicodedata

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civiclab.accounts.models import Membership, MembershipStatus, Organisation
from civiclab.core.errors import DomainError
from civiclab.core.registry import Registry
from civiclab.core.text import TextProblem, clean_line, clean_name, clean_text, name_key
from civiclab.extensions import db

DISPLAY_NAME_MAX = 80

RESERVED_WORDS = (
    "Amministratore", "Amministratrice", "Amministrazione", "Admin", "Administrator", "Amministratori",
    "Facilitatore", "Facilitatrice", "Facilitazione", "Facilitator", "Facilitatori",
    "Moderatore", "Moderatrice", "Moderazione", "Moderator", "Moderatori",
    "Comune", "Municipality", "Staff", "CivicLab", "Sistema", "System", "Supporto",
    "Utente eliminato", "Deleted user",
)

# name -> source(user) -> names that `user` (None while registering) may not take as display
# name; the domains that know such names add them from their connect() (places: the municipalities).
reserved_names = Registry("reserved names")


def _taken_organisation(user, name, allowed_keys):
    """An organisation named `name` that `user` is not an active member of, or None."""
    keys = {Organisation.key_for(name), Organisation.key_for(unicodedata.normalize("NFKC", name))} - allowed_keys
    if not keys:
        return None
    query = sa.select(Organisation).where(Organisation.name_key.in_(keys))
    if user is not None and user.id is not None:
        mine = sa.select(Membership.organisation_id).where(Membership.user_id == user.id,
                                                           Membership.status == MembershipStatus.ACTIVE)
        query = query.where(Organisation.id.not_in(mine))
    return db.session.scalars(query.limit(1)).first()


def check_display_name(user, name, *, allowed=()):
    """The cleaned display name, or DomainError on the field `display_name`. `allowed`: names
    the user may take anyway (the organisation they are creating)."""
    try:
        name = clean_name(name, max_length=DISPLAY_NAME_MAX)
    except TextProblem as problem:
        raise DomainError(problem.message, field="display_name") from None
    key = name_key(name)
    allowed_keys = {name_key(other) for other in allowed if other}
    if key in allowed_keys:
        return name
    reserved = {name_key(word) for word in RESERVED_WORDS}
    for source in reserved_names.values():
        reserved.update(name_key(other) for other in source(user))
    if key in reserved:
        raise DomainError(_l("Questo nome è riservato: scegli un nome che non si confonda con il Comune, "
                             "l'amministrazione o i facilitatori."), field="display_name")
    if _taken_organisation(user, name, {Organisation.key_for(other) for other in allowed if other}) is not None:
        raise DomainError(_l("È il nome di un'organizzazione di cui non fai parte: scegli un altro nome."),
                          field="display_name")
    return name


def check_organisation_name(name, field="new_organisation_name"):
    """A new organisation's cleaned name, or DomainError on `field`."""
    try:
        return clean_name(name, max_length=160)
    except TextProblem as problem:
        raise DomainError(problem.message, field=field) from None


def check_line(text, field):
    """A one-line free text (an organisation's town) cleaned, or DomainError on `field`."""
    try:
        return clean_line(text)
    except TextProblem as problem:
        raise DomainError(problem.message, field=field) from None


def check_text(text, field):
    """A longer free text (a presentation) cleaned, or DomainError on `field`."""
    try:
        return clean_text(text)
    except TextProblem as problem:
        raise DomainError(problem.message, field=field) from None
