"""Route walk rows for follows, notification preferences, search: endpoint -> (method, url built from the world, status per role).

The world (tests/unit/test_route_permissions.py `world` and `codesign_world`) has: call (the lab's
call on the project, proposals phase), proposal (accepted, by `author`), submitted, own_draft (the
participant's), others_draft, comment (on the proposal), project_comment, report (open, on comment),
project, lab, city, users. The facilitator runs the world's lab; staff is the city's.
"""
from tests.unit.route_tables.common import admins_only, everyone, managers, signed_in  # noqa: F401

ROUTES = {
}
