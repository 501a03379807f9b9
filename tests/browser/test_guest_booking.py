"""A visitor without an account books a seat from the event page, confirms it from the mail and
sees the registration code with its QR image; the page loads nothing from elsewhere."""
import re
import uuid
from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/iscrizioni/ospite/conferma/\S+")


def published_event(app):
    from civiclab.core.time import utcnow
    from civiclab.events.models import Event, EventState
    from civiclab.extensions import db
    from civiclab.places.models import City, Lab

    suffix = uuid.uuid4().hex[:6]
    with app.app_context():
        city = City(name=f"Ferrara {suffix}", slug=f"ferrara-{suffix}", region="Emilia-Romagna")
        lab = Lab(city=city, name="Laboratorio aperto Ferrara", slug=f"lab-{suffix}", venue="ex Teatro Verdi",
                  address="Via Castelnuovo 10")
        starts = utcnow() + timedelta(days=5)
        event = Event(lab=lab, title=f"Mobilità sostenibile {suffix}", description="Una mattina insieme.",
                      starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=10,
                      state=EventState.PUBLISHED, published_at=utcnow())
        db.session.add(event)
        db.session.commit()
        return event.id, event.title


def test_a_guest_books_confirms_from_the_mail_and_sees_the_code(page, live_server):
    browser_page = page.page
    event_id, title = published_event(live_server.app)
    email = f"ospite-{uuid.uuid4().hex[:8]}@example.org"

    browser_page.goto(f"/eventi/{event_id}")
    browser_page.get_by_role("link", name="Prenota senza account").click()  # the form has a page of its own
    browser_page.get_by_label("Nome e cognome").fill("Luca Bianchi")
    browser_page.get_by_label("Indirizzo email").fill(email)
    browser_page.get_by_text("Ho letto l'informativa sulla privacy").click()
    browser_page.get_by_role("button", name="Mandami il link per prenotare").click()
    browser_page.wait_for_url(f"**/eventi/{event_id}/iscrizione-ospite/inviata")

    (mail,) = live_server.mails_to(email)
    browser_page.goto(CONFIRM_LINK.search(mail.body).group(0))
    browser_page.get_by_role("button", name="Conferma la prenotazione").click()
    browser_page.wait_for_url("**/iscrizioni/ospite/*")

    code = browser_page.locator(".cl-code-big").inner_text()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code)
    qr = browser_page.get_by_role("img", name=f"Codice QR dell’iscrizione {code}")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    assert code in live_server.mails_to(email)[-1].body
    assert page.foreign_requests == [] and page.csp_violations() == [] and page.failed_requests == []
