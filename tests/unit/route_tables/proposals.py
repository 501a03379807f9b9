"""Route walk rows for calls and proposals: endpoint -> (method, url built from the world, status per role).

The world (tests/unit/test_route_permissions.py `world` and `codesign_world`) has: call (the lab's
call on the project, proposals phase), proposal (accepted, by `author`), submitted, own_draft (the
participant's), others_draft, comment (on the proposal), project_comment, report (open, on comment),
project, lab, city, users. The facilitator runs the world's lab; staff is the city's.
"""
from tests.unit.route_tables.common import admins_only, everyone, managers, signed_in  # noqa: F401

# The participant's own draft, and its attachment, exist for nobody else (moderators included).
OWN_DRAFT = {**signed_in(404), "participant": 200}

ROUTES = {
    # calls: public pages; the city's staff and administrators write and publish them (an empty
    # publish form is enough: only its CSRF token, off in tests)
    "proposals.calls": ("GET", lambda w: "/call", everyone(200)),
    "proposals.call": ("GET", lambda w: f"/call/{w['call'].id}", everyone(200)),
    "proposals.similar": ("GET", lambda w: f"/call/{w['call'].id}/proposte-simili?titolo=orti", everyone(200)),
    "proposals.call_new": ("GET", lambda w: f"/gestione/citta/{w['city'].slug}/call/nuova", managers(200)),
    "proposals.call_edit": ("GET", lambda w: f"/call/{w['call'].id}/modifica", managers(200)),
    "proposals.call_publish": ("POST", lambda w: f"/call/{w['call'].id}/pubblica", managers(302)),
    "proposals.call_unpublish": ("POST", lambda w: f"/call/{w['call'].id}/ritira-pubblicazione", managers(302)),
    # proposals: any confirmed participant writes one; the world's call is in its proposals phase,
    # so supporting is refused by the rules (422), not by permissions
    "proposals.proposal_new": ("GET", lambda w: f"/call/{w['call'].id}/proponi", signed_in(200)),
    "proposals.proposal": ("GET", lambda w: f"/proposte/{w['proposal'].id}", everyone(200)),
    "proposals.support": ("POST", lambda w: f"/proposte/{w['proposal'].id}/sostieni", signed_in(422)),
    "proposals.withdraw_support": (
        "POST", lambda w: f"/proposte/{w['proposal'].id}/ritira-sostegno", signed_in(422),
    ),
    # reporting a proposal is moderation's (moderation.report_proposal), at the proposal's address
    "moderation.report_proposal": ("POST", lambda w: f"/proposte/{w['proposal'].id}/segnala", signed_in(422)),
    # only its author withdraws a published proposal (the world's is somebody else's)
    "proposals.withdraw": ("GET", lambda w: f"/proposte/{w['proposal'].id}/ritira", signed_in(403)),
    "proposals.proposal_edit": ("GET", lambda w: f"/proposte/{w['own_draft'].id}/modifica", OWN_DRAFT),
    "proposals.submit": (
        "POST", lambda w: f"/proposte/{w['own_draft'].id}/invia", {**OWN_DRAFT, "participant": 302},
    ),
    "proposals.attachment": (
        "GET", lambda w: f"/proposte/{w['own_draft'].id}/allegati/{w['attachment'].id}",
        {**OWN_DRAFT, "anonymous": 404},
    ),
    "proposals.attachment_delete": (
        "POST", lambda w: f"/proposte/{w['own_draft'].id}/allegati/{w['attachment'].id}/elimina",
        {**OWN_DRAFT, "participant": 302},
    ),
    "proposals.mine": ("GET", lambda w: "/proposte/mie", signed_in(200)),
}
