"""The demo data (seed-demo) served live for the browser tests that walk the whole site: its roles,
the URL arguments it fills, every page of the URL map, signing in as a role in a language."""
from urllib.parse import urlsplit

DEMO_PASSWORD = "civiclab-demo"

ROLES = {
    "visitor": None,
    "participant": "cittadino@example.org",
    "teacher": "scuola@example.org",  # a school's active member
    "facilitator": "facilitatore@example.org",
    "staff": "comune.bologna@example.org",  # municipality staff of Bologna
    "admin": "admin@example.org",
}

# GET endpoints that are not pages, with the reason. POST-only endpoints are actions, never pages:
# the forms that send them are on pages that are checked.
SKIPPED = {
    "static": "static files",
    "accounts.export": "a JSON download",
    "events.event_ics": "a calendar download",
    "events.city_feed": "a calendar download",
    "events.lab_feed": "a calendar download",
    "events.attendance_csv": "a CSV download",
    "proposals.attachment": "a file download",
    "notifications.follow": "marks a notification read and redirects to its subject",
    "proposals.similar": "a fragment the proposal form's script puts into the page, not a page",
    "outcomes.attachment": "a file download",
    "opendata.download": "a CSV or JSON download",
    "opendata.archive": "a ZIP download",
    "opendata.catalogue_file": "an RDF download",
    "pages.city_participation_csv": "a CSV download",
    "pages.city_participation_json": "a JSON download",
    "pages.lab_participation_csv": "a CSV download",
    "pages.lab_participation_json": "a JSON download",
    "core.choose_language": "sets the page language and redirects back (the links are on every visitor page)",
    "health.healthz": "a JSON health check for the proxy, not a page",
    "health.readyz": "a JSON health check for the proxy, not a page",
    "accounts.identity_return": "the SPID/CIE gateway's return: needs a provider round trip "
                                "(tests/browser/test_spid_login.py checks the pages around it)",
    "audit.export": "a CSV download",
}
# The API answers JSON, not pages: its endpoints are skipped, except its HTML pages (the
# documentation, marked `html_page`).
API_PREFIX = "/api/"


# Pages the URL map alone does not reach: states of a page that a query string selects.
EXTRA_URLS = ["/cerca?q=laboratorio", "/cerca?q=nessun-risultato-possibile"]
EXTRA_URLS += ["/gestione/registro?numero=abc"]  # the audit log's filters with an error on the form

def demo_token(user):
    """A personal access token of `user` (the demo makes none), so the token list shows a row and
    its revoke page has an id; made once per database."""
    import sqlalchemy as sa

    from civiclab.api.auth import new_secret
    from civiclab.api.models import AccessToken
    from civiclab.extensions import db

    token = db.session.scalars(sa.select(AccessToken).filter_by(user_id=user.id)).first()
    if token is None:
        _secret, digest, prefix = new_secret()
        token = AccessToken(user_id=user.id, name="Cruscotto di quartiere", scopes="read",
                            token_hash=digest, prefix=prefix)
        db.session.add(token)
        db.session.commit()
    return token


def demo_values(app):
    """URL argument -> the demo values it is tried with; endpoint-specific values under
    "<endpoint>:<argument>". Several values where a page shows different states (a published
    proposal, one sent back for changes, one in review)."""
    import sqlalchemy as sa

    from civiclab.accounts.models import Organisation, User
    from civiclab.accounts.tokens import reset_token
    from civiclab.comments.models import Comment
    from civiclab.events.models import Event, Registration
    from civiclab.events.tokens import booking_token, registration_token
    from civiclab.extensions import db
    from civiclab.outcomes.models import Milestone, Outcome
    from civiclab.places.models import City, Lab
    from civiclab.programmes.models import Axis, Programme, Project
    from civiclab.proposals.models import Call, Proposal, ProposalState
    from civiclab.rooms.models import Room

    def one(model, **by):
        return db.session.scalars(sa.select(model).filter_by(**by)).first()

    with app.test_request_context():
        bologna = one(City, slug="bologna")
        lab = one(Lab, city_id=bologna.id)
        user = {email: one(User, email=email) for email in ROLES.values() if email}
        school_event = one(Event, title="Robotica educativa: una mattina per le scuole")
        full_event = one(Event, title="Mappare i bisogni del quartiere")
        past_event = one(Event, title="Presentazione dell'Accelerazione civica")
        guest = db.session.scalars(sa.select(Registration).where(
            Registration.event_id == full_event.id, Registration.guest_email.is_not(None))
            .order_by(Registration.id.desc())).first()  # the last guest: on the waiting list
        proposals = [db.session.scalars(sa.select(Proposal).filter_by(state=state).order_by(Proposal.id)).first()
                     for state in (ProposalState.ACCEPTED, ProposalState.CHANGES_REQUESTED,
                                   ProposalState.SUBMITTED)]
        rooms = [one(Room, lab_id=lab.id), one(Room, event_id=school_event.id)]
        milestone = db.session.scalars(sa.select(Milestone).order_by(Milestone.id)).first()
        return {
            "slug": [bologna.slug],
            "city_slug": [bologna.slug],
            "lab_slug": [lab.slug],
            "lab_id": [lab.id],
            "code": [one(Project, city_id=bologna.id).code],
            # The administration pages: the demo's programme (Bologna has its plan) and its first axis.
            "programme_id": [db.session.scalars(sa.select(Programme).order_by(Programme.id)).first().id],
            "axis_id": [db.session.scalars(sa.select(Axis).order_by(Axis.id)).first().id],
            "org_id": [one(Organisation, name="Scuola demo CivicLab").id],
            "event_id": [school_event.id, full_event.id, past_event.id],
            # The teacher's first booking (the demo leaves next week's school event to journey 1,
            # so it may be elsewhere or none) and the citizen's on the full event.
            "registration_id": [registration.id for registration in (
                db.session.scalars(sa.select(Registration).where(
                    Registration.user_id == user["scuola@example.org"].id).order_by(Registration.id)).first(),
                one(Registration, event_id=full_event.id, user_id=user["cittadino@example.org"].id),
            ) if registration is not None],
            "call_id": [call.id for call in db.session.scalars(sa.select(Call).order_by(Call.id))],
            "proposal_id": [proposal.id for proposal in proposals if proposal is not None],
            "comment_id": [db.session.scalars(sa.select(Comment).order_by(Comment.id)).first().id],
            "room_id": [room.id for room in rooms if room is not None],
            "user_id": [user["cittadino@example.org"].id],
            # The demo's outcome tree: the parent and a sub-result; a milestone and its outcome.
            "outcome_id": [outcome.id for outcome in db.session.scalars(
                sa.select(Outcome).order_by(Outcome.parent_id.is_not(None), Outcome.id).limit(2))],
            "milestone_id": [milestone.id],
            "outcomes.milestone_edit:outcome_id": [milestone.outcome_id],
            "token_id": [demo_token(user["cittadino@example.org"]).id],  # the citizen's; another's is 404
            "accounts.confirm:token": ["not-a-token"],
            "accounts.identity_start:kind": ["spid"],  # no gateway in the demo: back to the login page
            "accounts.reset:token": [reset_token(user["cittadino@example.org"]), "not-a-token"],
            "events.guest_confirm:token": [booking_token(full_event, "Ospite nuova", "ospite.nuova@example.org")],
            "events.guest_registration:token": [registration_token(guest)],
        }


def pages(app, values):
    """Every (endpoint, URL) to visit, from the URL map; fails on an argument without values."""
    from itertools import product

    from flask import url_for

    found, missing = [], []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in SKIPPED:
                continue
            if rule.rule.startswith(API_PREFIX) and not getattr(app.view_functions[rule.endpoint], "html_page", False):
                continue
            arguments = sorted(rule.arguments)
            choices = []
            for name in arguments:
                choice = values.get(f"{rule.endpoint}:{name}", values.get(name))
                if not choice:
                    missing.append(f"{rule.endpoint} <{name}>")
                choices.append(choice or [])
            for combination in product(*choices):
                url = url_for(rule.endpoint, **dict(zip(arguments, combination, strict=True)))
                found.append((rule.endpoint, urlsplit(url)._replace(scheme="", netloc="").geturl()))
    assert not missing, (
        "no demo value for these URL arguments: add them to demo_values() or the endpoint to SKIPPED "
        "with its reason: " + ", ".join(missing))
    return found + [("extra", url) for url in EXTRA_URLS]


def seed(app):
    from civiclab.demo import seed_demo
    from civiclab.extensions import db

    with app.app_context():
        seed_demo()
        db.session.commit()


def open_as(browser, server, email, language, init_scripts=(), **context_options):
    """A context signed in as `email` (or a visitor's, for None) reading `language`, and its page."""
    context = browser.new_context(locale="it-IT", base_url=server.url, **context_options)
    for script in init_scripts:
        context.add_init_script(path=str(script))
    page = context.new_page()
    if email:
        page.goto("/account/accedi")
        page.locator("main input[name=email]").fill(email)
        page.locator("main input[name=password]").fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(f"{server.url}/")
    else:
        page.goto("/")
    # Switched, not assumed: an account keeps the language it last chose (another test's).
    if page.locator("html").get_attribute("lang") != language:
        with page.expect_navigation():
            page.locator(f".cl-lang-switch [lang={language}]").click()  # a link for visitors, a button signed in
    assert page.locator("html").get_attribute("lang") == language
    return context, page
