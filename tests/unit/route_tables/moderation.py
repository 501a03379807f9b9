"""Route walk rows for moderation queues, reports, blocks: endpoint -> (method, url built from the world, status per role).

The world (tests/unit/test_route_permissions.py `world` and `codesign_world`) has: call (the lab's
call on the project, proposals phase), proposal (accepted, by `author`), submitted, own_draft (the
participant's), others_draft, comment (on the proposal), project_comment, report (open, on comment),
block (an active block of someone), project, lab, city, users. The facilitator runs the world's
lab; staff is the city's.
"""
from tests.unit.route_tables.common import admins_only, everyone, managers, signed_in  # noqa: F401


def moderators(status, other_staff=403):
    """The world lab's facilitator, the city's staff and administrators; `other_staff` (staff of
    another city) moderates nothing of this city but has queues of their own."""
    return {**managers(status, other_staff=other_staff), "facilitator": status}


ROUTES = {
    # the queue: whoever moderates some call (the other city's staff sees an empty one)
    "moderation.proposal_queue": ("GET", lambda w: "/moderazione/proposte", moderators(200, other_staff=200)),
    # one proposal: only who moderates its call
    "moderation.proposal_decision": (
        "GET", lambda w: f"/moderazione/proposte/{w['submitted'].id}", moderators(200),
    ),
    "moderation.reports": ("GET", lambda w: "/moderazione/segnalazioni", moderators(200, other_staff=200)),
    # resolving the reports of the world's comment: an empty form is 422 for who moderates it
    "moderation.resolve_reports": (
        "POST", lambda w: f"/moderazione/segnalazioni/commento/{w['comment'].id}", moderators(422),
    ),
    # a block is site-wide, but placed by the moderators of a city where the person is active
    # (the author writes in the world's city, not in the other staff's)
    "moderation.block_user": (
        "GET", lambda w: f"/moderazione/utenti/{w['author'].id}/blocca", moderators(200),
    ),
    "moderation.blocks": ("GET", lambda w: "/moderazione/blocchi", moderators(200, other_staff=200)),
    # the world's block was placed by its facilitator: they, the city's staff and administrators
    # lift it (an empty form is 422); another city's staff may not
    "moderation.lift_block": (
        "POST", lambda w: f"/moderazione/blocchi/{w['block'].id}/revoca", moderators(422),
    ),
    "moderation.log": ("GET", lambda w: "/moderazione/registro", moderators(200, other_staff=200)),
}
