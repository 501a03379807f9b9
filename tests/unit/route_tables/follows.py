"""Route walk rows for follows, notification preferences, search: endpoint -> (method, url built from the world, status per role).

The world (tests/unit/test_route_permissions.py `world` and `codesign_world`) has: call (the lab's
call on the project, proposals phase), proposal (accepted, by `author`), submitted, own_draft (the
participant's), others_draft, comment (on the proposal), project_comment, report (open, on comment),
project, lab, city, users. The facilitator runs the world's lab; staff is the city's.
"""
from tests.unit.route_tables.common import admins_only, everyone, managers, signed_in  # noqa: F401

ROUTES = {
    # any signed-in user follows what they can see and comes back to its page (following what
    # they cannot see is 404: tests/unit/follows)
    "follows.follow": ("POST", lambda w: f"/segui/progetto/{w['project'].id}", signed_in(302)),
    "follows.unfollow": ("POST", lambda w: f"/non-seguire/call/{w['call'].id}", signed_in(302)),
    "follows.index": ("GET", lambda w: "/account/cosa-seguo", signed_in(200)),
    # everyone chooses their own mail preferences; the search is public
    "notifications.preferences": ("GET", lambda w: "/notifiche/preferenze", signed_in(200)),
    "search.search": ("GET", lambda w: "/cerca?q=proposta", everyone(200)),
}
