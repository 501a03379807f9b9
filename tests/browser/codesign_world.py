"""Set-up shared by the co-design browser tests: a lab with its facilitator, a project, a call
for ideas taking proposals, a published proposal under it, participants; signing in."""
import re
import uuid
from datetime import timedelta

from tests.conftest import password_hash

PASSWORD = "Laboratori-aperti-2024"
DAY = timedelta(days=1)
# Start of each phase relative to now: proposals, review, supports, closed.
PHASES = {
    "proposals": (-DAY, DAY, 2 * DAY, 3 * DAY),
    "supports": (-3 * DAY, -2 * DAY, -timedelta(hours=1), 3 * DAY),
}


def make_codesign_world(live_server, people=("Giulia Neri", "Marco Bianchi")):
    """Returns ids and emails: facilitator, the `people` (first names, lower case, as keys), the
    call and a proposal already published under it by the last of `people`."""
    from civiclab.accounts.models import ParticipantType, User
    from civiclab.core.sanitize import render_markdown
    from civiclab.core.time import utcnow
    from civiclab.extensions import db
    from civiclab.places.models import City, Lab, LabFacilitator
    from civiclab.programmes.models import Action, Axis, Programme, Project
    from civiclab.proposals.models import Call, CallTheme, Proposal, ProposalState

    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        def person(name):
            user = User(email=f"{name.split()[0].lower()}-{tag}@example.org", display_name=name,
                        participant_type=ParticipantType.CITTADINO, password_hash=password_hash(PASSWORD),
                        privacy_consent_at=utcnow(), email_confirmed_at=utcnow())
            db.session.add(user)
            return user

        facilitator = person("Paola Facilitatrice")
        users = {name.split()[0].lower(): person(name) for name in people}
        city = City(name=f"Bologna {tag}", slug=f"bologna-{tag}", region="Emilia-Romagna")
        lab = Lab(city=city, name=f"Laboratorio aperto {tag}", slug=f"lab-{tag}", venue="Sala Borsa")
        db.session.add(LabFacilitator(user=facilitator, lab=lab))
        programme = Programme(code=f"PON-{tag}", slug=f"pon-{tag}", name="PON Metro 2014-2020", period="2014-2020")
        action = Action(axis=Axis(programme=programme, number=3, name="Servizi per l'inclusione sociale"),
                        code="3.3.1", name="Innovazione sociale")
        project = Project(city=city, action=action, code=f"BO-{tag}", title="Accelerazione civica",
                          implementing_body="Comune di Bologna")
        call = Call(city=city, project=project, lab=lab, title=f"Idee per il Laboratorio aperto {tag}",
                    description="Proponi le tue idee.", description_html="<p>Proponi le tue idee.</p>",
                    published=True, **phase_times("proposals", utcnow()))
        call.themes = [CallTheme(name="Verde", position=0), CallTheme(name="Mobilità", position=1)]
        body = "Cassoni rialzati curati dalle classi e dai residenti."
        now = utcnow()
        published = Proposal(call=call, author=users[people[-1].split()[0].lower()],
                             title="Un orto condiviso nel cortile della scuola", body=body,
                             body_html=render_markdown(body), theme=call.themes[0],
                             state=ProposalState.ACCEPTED, submitted_at=now, published_at=now)
        db.session.add_all([call, published])
        db.session.commit()
        return {"tag": tag, "facilitator": facilitator.email, "call_id": call.id, "call_title": call.title,
                "published_title": published.title, "published_id": published.id,
                **{key: user.email for key, user in users.items()},
                **{f"{key}_name": user.display_name for key, user in users.items()}}


def phase_times(phase, now):
    return dict(zip(("proposals_from", "review_from", "supports_from", "closes_at"),
                    (now + offset for offset in PHASES[phase]), strict=True))


def set_call_phase(live_server, call_id, phase):
    """Move the call's dates so that `phase` is the current one."""
    from civiclab.core.time import utcnow
    from civiclab.extensions import db
    from civiclab.proposals.models import Call

    with live_server.app.app_context():
        call = db.session.get(Call, call_id)
        for name, moment in phase_times(phase, utcnow()).items():
            setattr(call, name, moment)
        db.session.commit()


def log_in(browser, live_server, email, watch_script=None, **context_options):
    """A new browser context signed in as `email`, and its page (on the home page)."""
    context = browser.new_context(locale="it-IT", base_url=live_server.url, **context_options)
    if watch_script:
        context.add_init_script(watch_script)
    page = context.new_page()
    page.goto("/account/accedi")
    page.get_by_label("Indirizzo email").fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page
