"""Every route, walked by every role: who gets the page (200), a redirect (302), a refusal (403)
or nothing at all (404).

The table below is the one place that says who may reach what. A new route that is not in it
fails `test_every_route_is_in_the_table`, so nobody adds a page without deciding who sees it.
POST routes are sent an empty form: a role that may act gets past the permission check and
meets the form's own answer (a redirect back, 400 or 422); a role that may not gets 403 before
any form is read. Anonymous visitors of a signed-in page are sent to the login page (302).
"""
from collections import ChainMap

import pytest
import sqlalchemy as sa

from tests.conftest import use_sign_in
from tests.fixtures.database import Rows, building_on
from tests.fixtures.factories import factories_on
from tests.unit.route_tables import (
    admin,
    api,
    audit,
    comments,
    dashboard,
    follows,
    jobs,
    moderation,
    oidc,
    opendata,
    ops,
    outcomes,
    pagecache,
    participation,
    proposals,
    rooms,
)
from tests.unit.route_tables.common import ROLES, admins_only, everyone, managers, signed_in

# endpoint -> (method, url built from the world, expected status per role)
ROUTES = {
    "pages.home": ("GET", lambda w: "/", everyone(200)),
    "core.accessibility": ("GET", lambda w: "/accessibilita", everyone(200)),
    "core.privacy": ("GET", lambda w: "/privacy", everyone(200)),
    "core.set_language": ("POST", lambda w: "/lingua", everyone(302)),
    "static": ("GET", lambda w: "/static/css/civiclab.css", everyone(200)),
    # accounts: signed-in pages send anonymous visitors to the login page
    "accounts.register": ("GET", lambda w: "/account/registrati", signed_in(302, anonymous=200)),
    "accounts.registered": ("GET", lambda w: "/account/registrati/controlla-email", everyone(200)),
    "accounts.confirm": ("GET", lambda w: "/account/conferma/not-a-token", everyone(400)),
    "accounts.resend_confirmation": ("POST", lambda w: "/account/conferma/invia-di-nuovo", signed_in(302)),
    "accounts.login": ("GET", lambda w: "/account/accedi", signed_in(302, anonymous=200)),
    "accounts.logout": ("GET", lambda w: "/account/esci", signed_in(200)),
    "accounts.reset_request": ("GET", lambda w: "/account/password-dimenticata", everyone(200)),
    "accounts.reset_sent": ("GET", lambda w: "/account/password-dimenticata/inviata", everyone(200)),
    "accounts.reset": ("GET", lambda w: "/account/nuova-password/not-a-token", everyone(400)),
    "accounts.change_password": ("GET", lambda w: "/account/password", signed_in(200)),
    "accounts.profile": ("GET", lambda w: "/account/profilo", signed_in(200)),
    "accounts.edit_profile": ("GET", lambda w: "/account/profilo/modifica", signed_in(200)),
    "accounts.export": ("GET", lambda w: "/account/i-miei-dati.json", signed_in(200)),
    "accounts.delete": ("GET", lambda w: "/account/elimina", signed_in(200)),
    # one's own sign-in sessions only: another's is not found
    "accounts.end_session": (
        "POST", lambda w: f"/account/sessioni/{w['participant_session'].id}/esci",
        {**signed_in(404), "participant": 302},
    ),
    "accounts.end_other_sessions": ("POST", lambda w: "/account/sessioni/esci-ovunque", signed_in(302)),
    "accounts.organisations": ("GET", lambda w: "/organizzazioni", everyone(200)),
    "accounts.organisation": ("GET", lambda w: f"/organizzazioni/{w['organisation'].id}", everyone(200)),
    # only a confirmed participant of the organisation's kind may ask to join (the walk's users
    # are all citizens, so everybody is refused; joining is tested in accounts/test_organisations)
    "accounts.join_organisation": (
        "POST", lambda w: f"/organizzazioni/{w['organisation'].id}/adesione", signed_in(403),
    ),
    # a member or any municipality staff decides; an empty decision is a bad request (400)
    "accounts.decide_membership": (
        "POST",
        lambda w: f"/organizzazioni/{w['organisation'].id}/richieste/{w['membership'].id}",
        managers(400, other_staff=400),
    ),
    # the organisations waiting for verification: any municipality staff sees the page (listing
    # their own city's); only the organisation's city's staff decide (an empty decision is a 400)
    "accounts.organisations_to_verify": (
        "GET", lambda w: "/gestione/organizzazioni", managers(200, other_staff=200),
    ),
    "accounts.verify_organisation": (
        "POST", lambda w: f"/gestione/organizzazioni/{w['new_organisation'].id}/verifica", managers(400),
    ),
    # places (a city's and a lab's page and the dashboard show several domains: they are pages')
    "places.cities": ("GET", lambda w: "/citta", everyone(200)),
    "pages.city": ("GET", lambda w: f"/citta/{w['city'].slug}", everyone(200)),
    "places.labs": ("GET", lambda w: "/laboratori", everyone(200)),
    "pages.lab": ("GET", lambda w: f"/citta/{w['city'].slug}/laboratori/{w['lab'].slug}", everyone(200)),
    "places.lab_new": ("GET", lambda w: f"/citta/{w['city'].slug}/laboratori/nuovo", managers(200)),
    "places.lab_edit": (
        "GET", lambda w: f"/citta/{w['city'].slug}/laboratori/{w['lab'].slug}/modifica", managers(200),
    ),
    # the dashboard is for whoever manages some city: the other city's staff too
    "pages.manage": ("GET", lambda w: "/gestione", managers(200, other_staff=200)),
    "places.staff": ("GET", lambda w: f"/gestione/citta/{w['city'].slug}/ruoli", managers(200)),
    "places.staff_add": ("POST", lambda w: f"/gestione/citta/{w['city'].slug}/personale", admins_only(422)),
    "places.staff_remove": (
        "POST", lambda w: f"/gestione/citta/{w['city'].slug}/personale/{w['staff'].id}/rimuovi",
        admins_only(302),
    ),
    "places.facilitator_add": ("POST", lambda w: f"/gestione/citta/{w['city'].slug}/facilitatori", managers(422)),
    "places.facilitator_remove": (
        "POST", lambda w: f"/gestione/laboratori/{w['lab'].id}/facilitatori/{w['facilitator'].id}/rimuovi",
        managers(302),
    ),
    # programmes: a draft sheet does not exist for whoever may not edit it
    "programmes.projects": ("GET", lambda w: "/progetti", everyone(200)),
    "programmes.project": ("GET", lambda w: f"/progetti/{w['project'].code}", everyone(200)),
    "programmes.project_new": ("GET", lambda w: f"/citta/{w['city'].slug}/progetti/nuovo", managers(200)),
    "programmes.project_edit": ("GET", lambda w: f"/progetti/{w['project'].code}/modifica", managers(200)),
    # events: the lab's facilitators, the city's staff and administrators run them; publishing the
    # world's draft sends back to its page
    "events.events": ("GET", lambda w: "/eventi", everyone(200)),
    "events.event": ("GET", lambda w: f"/eventi/{w['door_event'].id}", everyone(200)),
    "events.event_new": (
        "GET", lambda w: f"/gestione/laboratori/{w['lab'].id}/eventi/nuovo", {**managers(200), "facilitator": 200},
    ),
    "events.event_edit": (
        "GET", lambda w: f"/eventi/{w['door_event'].id}/modifica", {**managers(200), "facilitator": 200},
    ),
    "events.event_publish": (
        "POST", lambda w: f"/eventi/{w['draft_event'].id}/pubblica", {**managers(302), "facilitator": 302},
    ),
    "events.event_cancel": (
        "GET", lambda w: f"/eventi/{w['door_event'].id}/annulla", {**managers(200), "facilitator": 200},
    ),
    # registration: any signed-in participant books (an empty form is 422); a registration's page
    # and its cancelling are for its owner (the world's teacher) and who runs the event
    "events.book": ("POST", lambda w: f"/eventi/{w['door_event'].id}/iscrizione", signed_in(422)),
    "events.registration": (
        "GET", lambda w: f"/iscrizioni/{w['door_registration'].id}", {**managers(200), "facilitator": 200},
    ),
    "events.cancel_registration": (
        "POST", lambda w: f"/iscrizioni/{w['door_registration'].id}/annulla", {**managers(200), "facilitator": 200},
    ),
    "events.my_events": ("GET", lambda w: "/account/eventi", signed_in(200)),
    # guests: only visitors without an account ask for a link (signed-in people are sent back to
    # the event page); a link that is not ours is a bad request for everyone
    "events.guest_book": (
        "POST", lambda w: f"/eventi/{w['door_event'].id}/iscrizione-ospite", {**everyone(302), "anonymous": 422},
    ),
    "events.guest_sent": ("GET", lambda w: f"/eventi/{w['door_event'].id}/iscrizione-ospite/inviata", everyone(200)),
    "events.guest_confirm": ("GET", lambda w: "/iscrizioni/ospite/conferma/not-a-token", everyone(400)),
    "events.guest_registration": ("GET", lambda w: "/iscrizioni/ospite/not-a-token", everyone(400)),
    "events.guest_cancel": ("POST", lambda w: "/iscrizioni/ospite/not-a-token/annulla", everyone(400)),
    # calendars are public (a draft's .ics exists only for who runs it, see tests/unit/events)
    "events.event_ics": ("GET", lambda w: f"/eventi/{w['door_event'].id}.ics", everyone(200)),
    "events.city_feed": ("GET", lambda w: f"/citta/{w['city'].slug}/eventi.ics", everyone(200)),
    "events.lab_feed": (
        "GET", lambda w: f"/citta/{w['city'].slug}/laboratori/{w['lab'].slug}/eventi.ics", everyone(200),
    ),
    # events at the door: the lab's facilitators, the city's staff and administrators; an empty
    # attendance form is a bad request (400)
    "events.check_in": (
        "GET", lambda w: f"/eventi/{w['door_event'].id}/accoglienza", {**managers(200), "facilitator": 200},
    ),
    "events.set_attendance": (
        "POST", lambda w: f"/eventi/{w['door_event'].id}/accoglienza/{w['door_registration'].id}",
        {**managers(400), "facilitator": 400},
    ),
    "events.attendance_csv": (
        "GET", lambda w: f"/eventi/{w['door_event'].id}/presenze.csv", {**managers(200), "facilitator": 200},
    ),
    "events.dashboard": (
        "GET", lambda w: f"/gestione/laboratori/{w['lab'].id}/eventi", {**managers(200), "facilitator": 200},
    ),
    # notifications: everyone sees their own; somebody else's does not exist (the participant's here)
    "notifications.index": ("GET", lambda w: "/notifiche", signed_in(200)),
    "notifications.mark_all_read": ("POST", lambda w: "/notifiche/lette", signed_in(302)),
    "notifications.mark_read": (
        "POST", lambda w: f"/notifiche/{w['notification'].id}/letta", {**signed_in(404), "participant": 302},
    ),
    "notifications.follow": (
        "GET", lambda w: f"/notifiche/{w['notification'].id}/apri", {**signed_in(404), "participant": 302},
    ),
}
# The co-design domains keep their rows in tests/unit/route_tables/<domain>.py.
for table in (proposals.ROUTES, comments.ROUTES, moderation.ROUTES, follows.ROUTES, rooms.ROUTES,
              participation.ROUTES, opendata.ROUTES, dashboard.ROUTES, outcomes.ROUTES, pagecache.ROUTES,
              api.ROUTES, admin.ROUTES, ops.ROUTES, oidc.ROUTES, audit.ROUTES, jobs.ROUTES):
    assert not set(table) & set(ROUTES), "an endpoint is in two tables"
    ROUTES.update(table)

# Anonymous redirects that are not "log in first".
GOES_HOME = {"core.set_language", "core.choose_language", "accounts.logout", "comments.comment"}

# Pages whose answer depends on the object's state, walked once more with that state.
DRAFT_PROJECT = managers(200, refused=404, anonymous=404)
DRAFT_EVENT = {**managers(200, refused=404, anonymous=404), "facilitator": 200}


@pytest.fixture(scope="module")
def built_world(app, module_connection):
    """The world, built once for the module: each walk runs in a savepoint of it, rolled back."""
    with building_on(app, module_connection) as session:
        made = factories_on(session)
        return Rows(build_world(session, made.make_user, made.make_city, made.make_lab, made.make_staff,
                                made.make_facilitator, made.make_project, made.make_event, made.make_call,
                                made.make_proposal))


@pytest.fixture
def world(app, built_world, db_session):
    """The world's rows, loaded in this test's session (what the test adds to it stays in the
    test). What the world keeps outside the database is put back as a fresh world would have it:
    the attachment's file (a walk may delete it), the rooms' rate-limit counters and presence."""
    from civiclab.proposals import attachments

    stored = attachments.path_of(built_world["attachment"])
    if not stored.exists():
        stored.write_bytes(PDF)
    app.extensions["civiclab_rooms_limiter"].storage.reset()
    app.extensions["civiclab_rooms_presence"].clear()
    return ChainMap({}, built_world)


def build_world(db_session, make_user, make_city, make_lab, make_staff, make_facilitator, make_project, make_event,
                make_call, make_proposal):
    from civiclab.accounts.models import (
        Membership,
        MembershipStatus,
        Organisation,
        OrganisationVerification,
        ParticipantType,
    )
    from civiclab.events.models import EventState

    city, other_city = make_city(), make_city()
    lab = make_lab(city=city)
    member, applicant = (make_user(participant_type=ParticipantType.SCUOLA) for _ in range(2))
    organisation = Organisation(name="Istituto Aldini Valeriani", name_key="istituto aldini valeriani",
                                kind=ParticipantType.SCUOLA, verification=OrganisationVerification.VERIFIED)
    db_session.add_all([
        organisation,
        Membership(organisation=organisation, user=member, status=MembershipStatus.ACTIVE),
    ])
    new_organisation = Organisation(name="Scuola appena registrata", name_key="scuola appena registrata",
                                    kind=ParticipantType.SCUOLA, city_id=city.id)
    membership = Membership(organisation=organisation, user=applicant, status=MembershipStatus.PENDING)
    db_session.add_all([membership, new_organisation])
    db_session.commit()
    users = {
        "anonymous": None,
        "participant": make_user(),
        "facilitator": make_facilitator(lab),
        "other_staff": make_staff(other_city),
        "staff": make_staff(city),
        "admin": make_user(is_admin=True),
    }
    from civiclab.accounts.sessions import open_session

    participant_session = open_session(users["participant"], user_agent="Firefox")  # another device
    # Each role signed in once, as login() would do: a case only puts the session in its cookie.
    tokens = {role: open_session(user, user_agent="pytest") and user.get_id()
              for role, user in users.items() if user is not None}
    db_session.commit()
    door_event, door_registration, notification = _door_world(db_session, lab, member, organisation,
                                                               users["participant"])
    project = make_project(city=city)
    codesign = codesign_world(db_session, project, lab, users, make_user, make_call, make_proposal)
    return {
        **codesign,
        "door_event": door_event, "door_registration": door_registration, "notification": notification,
        "participant_session": participant_session, "tokens": tokens,
        "draft_event": make_event(lab=lab, state=EventState.DRAFT, published_at=None),
        "city": city, "lab": lab, "organisation": organisation, "membership": membership,
        "new_organisation": new_organisation,
        "project": project, "draft": make_project(city=city, published=False),
        "users": users, "staff": users["staff"], "facilitator": users["facilitator"],
    }


def codesign_world(db_session, project, lab, users, make_user, make_call, make_proposal):
    """A call of the world's lab on its project (proposals phase) with an accepted proposal by
    someone else (with a comment), a submitted one, the participant's own draft, an open report, an
    active block of someone placed by the facilitator in the city's name."""
    from civiclab.accounts.blocks import UserBlock
    from civiclab.comments.models import Comment
    from civiclab.moderation.models import Report
    from civiclab.proposals.models import ProposalState

    author = make_user()
    call = make_call(project=project, lab=lab, phase="proposals")
    proposal = make_proposal(call=call, author=author)
    comment = Comment(proposal=proposal, author=author, body="Bella idea", body_html="<p>Bella idea</p>")
    project_comment = Comment(project=project, author=author, body="Quando?", body_html="<p>Quando?</p>")
    db_session.add_all([comment, project_comment])
    db_session.flush()
    report = Report(comment=comment, reporter=make_user(), reason="Offensivo")
    block = UserBlock(user=make_user(), reason="Spam ripetuto", blocked_by=users["facilitator"],
                      city_id=project.city_id)
    db_session.add_all([report, block])
    db_session.commit()
    return {
        "call": call, "proposal": proposal, "author": author, "comment": comment,
        "project_comment": project_comment, "report": report, "block": block,
        "submitted": make_proposal(call=call, author=author, state=ProposalState.SUBMITTED),
        "own_draft": (own_draft := make_proposal(call=call, author=users["participant"],
                                                 state=ProposalState.DRAFT)),
        "attachment": _draft_attachment(db_session, own_draft),
        "others_draft": make_proposal(call=call, author=author, state=ProposalState.DRAFT),
    }


PDF = b"%PDF-1.4\n%%EOF\n"


def _draft_attachment(db_session, proposal):
    """A PDF attached to `proposal`, its file in the (temporary) upload folder."""
    from civiclab.proposals import attachments
    from civiclab.proposals.models import Attachment

    checked = attachments.CheckedUpload("programma.pdf", "application/pdf", "pdf", PDF)
    attachment = Attachment(proposal_id=proposal.id, filename=checked.filename,
                            content_type=checked.content_type, stored_name=attachments.store(checked),
                            size=checked.size)
    db_session.add(attachment)
    db_session.commit()
    return attachment


def _door_world(db_session, lab, member, organisation, participant):
    """An event of the world's lab with a confirmed class booking, and a participant's notification."""
    from datetime import timedelta

    from civiclab.accounts.models import ParticipantType
    from civiclab.core.time import utcnow
    from civiclab.events.models import Event, EventState, Registration, RegistrationState
    from civiclab.notifications.models import Notification

    starts = utcnow() + timedelta(days=3)
    event = Event(lab=lab, title="Open day", starts_at=starts, ends_at=starts + timedelta(hours=2),
                  capacity=30, confirmed_seats=20, max_seats_per_booking=25, state=EventState.PUBLISHED,
                  published_at=utcnow())
    registration = Registration(event=event, user=member, organisation=organisation, group_name="Classe 3B",
                                seats=20, participant_type=ParticipantType.SCUOLA,
                                state=RegistrationState.CONFIRMED, confirmed_at=utcnow())
    notification = Notification(user=participant, kind="test", message="Iscrizione confermata", url="/")
    db_session.add_all([event, registration, notification])
    db_session.commit()
    return event, registration, notification


def visit(client, world, role, method, url):
    if role in world["tokens"]:
        use_sign_in(client, world["tokens"][role])
    return client.open(url, method=method, data={} if method == "POST" else None)


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ROUTES) == set(), "decide who may reach these routes and add them to ROUTES"
    assert set(ROUTES) - endpoints == set(), "these routes no longer exist: remove them from ROUTES"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_who_reaches_each_route(client, world, endpoint, role):
    method, url, expected = ROUTES[endpoint]
    response = visit(client, world, role, method, url(world))
    assert response.status_code == expected[role], f"{role} {method} {url(world)}"
    if role == "anonymous" and response.status_code == 302 and endpoint not in GOES_HOME:
        assert response.headers["Location"].startswith("/account/accedi"), response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_project_exists_only_for_who_may_edit_it(client, world, role):
    response = visit(client, world, role, "GET", f"/progetti/{world['draft'].code}")
    assert response.status_code == DRAFT_PROJECT[role]


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_event_exists_only_for_who_runs_it(client, world, role):
    response = visit(client, world, role, "GET", f"/eventi/{world['draft_event'].id}")
    assert response.status_code == DRAFT_EVENT[role]


@pytest.mark.parametrize("role", ROLES)
def test_refused_writes_change_nothing(client, db_session, world, role):
    """A role refused the removal of a facilitator leaves the appointment in place."""
    from civiclab.places.models import LabFacilitator

    url = f"/gestione/laboratori/{world['lab'].id}/facilitatori/{world['facilitator'].id}/rimuovi"
    response = visit(client, world, role, "POST", url)
    remaining = db_session.scalar(sa.select(sa.func.count()).select_from(LabFacilitator)
                                  .filter_by(lab_id=world["lab"].id))
    assert remaining == (0 if role in ("staff", "admin") else 1), response.status_code
