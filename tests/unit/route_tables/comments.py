"""Route walk rows for comments: endpoint -> (method, url built from the world, status per role).

The world (tests/unit/test_route_permissions.py `world` and `codesign_world`) has: call (the lab's
call on the project, proposals phase), proposal (accepted, by `author`), submitted, own_draft (the
participant's), others_draft, comment (on the proposal), project_comment, report (open, on comment),
project, lab, city, users. The facilitator runs the world's lab; staff is the city's.
"""
from tests.unit.route_tables.common import admins_only, everyone, managers, signed_in  # noqa: F401

# Who moderates the world's comments: the lab's facilitator (the call's lab; a lab of the project's
# city), the city's staff, administrators.
MODERATORS = ("facilitator", "staff", "admin")


def moderators(allowed, refused=403):
    return {**signed_in(refused), **dict.fromkeys(MODERATORS, allowed)}


ROUTES = {
    # a comment's address sends everyone to its place on the proposal's page
    "comments.comment": ("GET", lambda w: f"/commenti/{w['comment'].id}", everyone(302)),
    # any signed-in confirmed user posts; a form naming no subject is a bad request, an empty reply 422
    "comments.post": ("POST", lambda w: "/commenti", signed_in(400)),
    "comments.reply": ("POST", lambda w: f"/commenti/{w['comment'].id}/risposta", signed_in(422)),
    # only the author edits and deletes (nobody of the walk wrote the world's comment)
    "comments.edit": ("GET", lambda w: f"/commenti/{w['comment'].id}/modifica", signed_in(403)),
    "comments.delete": ("POST", lambda w: f"/commenti/{w['comment'].id}/elimina", signed_in(403)),
    # voting without a value is a bad request
    "comments.vote": ("POST", lambda w: f"/commenti/{w['comment'].id}/voto", signed_in(400)),
    "comments.report": ("GET", lambda w: f"/commenti/{w['comment'].id}/segnala", signed_in(200)),
    # moderators: the form to hide; restoring without a reason is 422
    "comments.hide": ("GET", lambda w: f"/commenti/{w['project_comment'].id}/nascondi", moderators(200)),
    "comments.restore": ("POST", lambda w: f"/commenti/{w['comment'].id}/ripristina", moderators(422)),
}
