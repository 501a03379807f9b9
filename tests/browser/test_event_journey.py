"""DOMAIN.md journey 1: a teacher books 20 seats for her class, the event fills, later bookings
wait, and a cancellation promotes the next in line, who is told by mail and in the app."""
import re
import uuid
from datetime import timedelta

import pytest

from tests.conftest import password_hash

pytestmark = pytest.mark.browser

PASSWORD = "Laboratori-aperti-2024"


def make_people_and_event(live_server):
    """A school with its teacher, two citizens, and next week's 21-seat event in a lab."""
    from civiclab.accounts.models import (
        Membership,
        MembershipStatus,
        Organisation,
        OrganisationVerification,
        ParticipantType,
        User,
    )
    from civiclab.core.time import utcnow
    from civiclab.events.models import Event, EventState
    from civiclab.extensions import db
    from civiclab.places.models import City, Lab

    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        def person(name, kind=ParticipantType.CITTADINO):
            user = User(email=f"{name.split()[0].lower()}-{tag}@example.org", display_name=name,
                        participant_type=kind, password_hash=password_hash(PASSWORD),
                        privacy_consent_at=utcnow(), email_confirmed_at=utcnow())
            db.session.add(user)
            return user

        teacher = person("Giulia Neri", ParticipantType.SCUOLA)
        school = Organisation(name=f"Istituto Comprensivo 12 {tag}", name_key=f"istituto comprensivo 12 {tag}",
                              kind=ParticipantType.SCUOLA, verification=OrganisationVerification.VERIFIED)
        db.session.add_all([school, Membership(organisation=school, user=teacher,
                                               status=MembershipStatus.ACTIVE, decided_at=utcnow())])
        marco, sara = person("Marco Bianchi"), person("Sara Verdi")
        city = City(name=f"Bologna {tag}", slug=f"bologna-{tag}", region="Emilia-Romagna")
        lab = Lab(city=city, name=f"Laboratorio aperto {tag}", slug=f"lab-{tag}",
                  venue="Sala Borsa", address="Piazza del Nettuno 3, Bologna")
        starts = utcnow() + timedelta(days=7)
        event = Event(lab=lab, title=f"Robotica per le scuole {tag}", description="Robot in classe.",
                      starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=21,
                      max_seats_per_booking=25, state=EventState.PUBLISHED, published_at=utcnow())
        db.session.add(event)
        db.session.commit()
        return {"teacher": teacher.email, "marco": marco.email, "sara": sara.email,
                "event_id": event.id, "title": event.title}


def log_in(browser, live_server, email):
    context = browser.new_context(locale="it-IT", base_url=live_server.url)
    page = context.new_page()
    page.goto("/account/accedi")
    page.get_by_label("Indirizzo email").fill(email)
    page.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def open_event(page, title):
    """Find the event as a person would: from the events list, by its title."""
    page.goto("/eventi")
    page.get_by_role("link", name=title).first.click()
    page.wait_for_url(re.compile(r".*/eventi/\d+$"))


def test_a_class_fills_the_event_and_a_cancellation_promotes_the_next_in_line(browser, live_server):
    world = make_people_and_event(live_server)
    contexts = []
    try:
        # The teacher books 20 seats for her class.
        context, teacher = log_in(browser, live_server, world["teacher"])
        contexts.append(context)
        open_event(teacher, world["title"])
        assert "21" in teacher.locator("main").inner_text()
        teacher.get_by_label(re.compile("posti", re.I)).first.fill("20")
        teacher.get_by_label(re.compile("gruppo", re.I)).first.fill("Classe 3B")
        teacher.locator("main").get_by_role("button", name="Prenota").click()
        teacher.wait_for_load_state()
        text = teacher.locator("main").inner_text()
        assert "Confermata" in text and "Classe 3B" in text
        code = re.search(r"\b[A-HJ-NP-Z2-9]{8}\b", text).group(0)
        assert live_server.mails_to(world["teacher"]) and code in live_server.mails_to(world["teacher"])[-1].body

        # Marco takes the last seat: the event is full.
        context, marco = log_in(browser, live_server, world["marco"])
        contexts.append(context)
        open_event(marco, world["title"])
        marco.locator("main").get_by_role("button", name="Prenota il tuo posto").click()
        marco.wait_for_load_state()
        assert "Confermata" in marco.locator("main").inner_text()

        # Sara comes later: she joins the waiting list.
        context, sara = log_in(browser, live_server, world["sara"])
        contexts.append(context)
        open_event(sara, world["title"])
        assert "lista d’attesa" in sara.locator("main").inner_text().replace("'", "’")
        sara.locator("main").get_by_role("button", name="Entra in lista d’attesa").click()
        sara.wait_for_load_state()
        assert "In lista d'attesa" in sara.locator("main").inner_text().replace("’", "'")
        mails_before = len(live_server.mails_to(world["sara"]))

        # Marco cancels from his events page; Sara is promoted and told.
        marco.goto("/account/eventi")
        marco.locator("main").get_by_role("button", name=re.compile("Annulla")).first.click()
        marco.wait_for_load_state()
        assert live_server.mails_to(world["sara"])[mails_before:] == []  # the first click asks again
        marco.locator("main").get_by_role("button", name="Sì, annulla l’iscrizione").click()
        marco.wait_for_load_state()

        promoted = live_server.mails_to(world["sara"])[mails_before:]
        assert len(promoted) == 1 and world["title"] in promoted[0].body
        sara.goto(f"/eventi/{world['event_id']}")
        assert "Confermata" in sara.locator("main").inner_text()
        bell = sara.locator("a.cl-bell")
        assert re.search(r"Notifiche, \d+ non lett", bell.get_attribute("aria-label"))
        bell.click()
        sara.wait_for_url("**/notifiche")
        assert world["title"] in sara.locator("main").inner_text()

        # The event is full again, and nobody is left waiting.
        sara.goto("/eventi")
        card = sara.locator("main").get_by_text(world["title"]).first
        assert card.is_visible()
    finally:
        for context in contexts:
            context.close()
