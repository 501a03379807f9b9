"""DOMAIN.md journey 3: during a lab event, a participant and the facilitator talk in the event's
live room; the facilitator removes an abusive message and it disappears from every screen at once;
someone who joins late reads the history, the placeholder where the message was.

Two browser contexts talk over Socket.IO served by the live server (werkzeug, threaded: the
WebSocket transport works there, as it does under gunicorn); a third joins late. Everything is
done with the keyboard where a person would (Enter sends), and the aria-live region must say what
arrived.
"""
import re
import uuid
from datetime import timedelta

import pytest

from tests.browser.codesign_world import PASSWORD, log_in
from tests.browser.conftest import WATCH_CSP
from tests.conftest import password_hash

pytestmark = pytest.mark.browser

LIVE = 10_000  # ms: what "at once" may take on a loaded test machine
WELCOME = "Benvenuti! Durante l'incontro scrivete qui domande e proposte."
ABUSE = "Siete tutti degli incapaci e dei ladri, vergognatevi!"
REASON = "Insulti verso gli altri partecipanti: qui ci si confronta con rispetto."
QUESTION = "Scusate lo sfogo. Le slide saranno disponibili dopo l'incontro?"
PLACEHOLDER = "Messaggio eliminato dai moderatori"


def make_event_under_way(live_server):
    """A lab with its facilitator, an event that started half an hour ago and two people with a
    confirmed booking of it (one will be late)."""
    from civiclab.accounts.models import ParticipantType, User
    from civiclab.core.time import utcnow
    from civiclab.events.models import Event, EventState, Registration, RegistrationState
    from civiclab.extensions import db
    from civiclab.places.models import City, Lab, LabFacilitator

    tag = uuid.uuid4().hex[:6]
    now = utcnow()
    with live_server.app.app_context():
        def person(name):
            user = User(email=f"{name.split()[0].lower()}-{tag}@example.org", display_name=name,
                        participant_type=ParticipantType.CITTADINO, password_hash=password_hash(PASSWORD),
                        privacy_consent_at=now, email_confirmed_at=now)
            db.session.add(user)
            return user

        facilitator, marco, sara = person("Paola Facilitatrice"), person("Marco Bianchi"), person("Sara Verdi")
        city = City(name=f"Bologna {tag}", slug=f"bologna-{tag}", region="Emilia-Romagna")
        lab = Lab(city=city, name=f"Laboratorio aperto {tag}", slug=f"lab-{tag}", venue="Sala Borsa")
        db.session.add(LabFacilitator(user=facilitator, lab=lab))
        starts = now - timedelta(minutes=30)
        event = Event(lab=lab, title=f"Mappare i bisogni del quartiere {tag}", description="Mappa.",
                      starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=20, confirmed_seats=2,
                      max_seats_per_booking=1, state=EventState.PUBLISHED, published_at=now - timedelta(days=7))
        for user in (marco, sara):
            db.session.add(Registration(event=event, user=user, seats=1, state=RegistrationState.CONFIRMED,
                                        confirmed_at=now - timedelta(days=2),
                                        participant_type=ParticipantType.CITTADINO))
        db.session.add(event)
        db.session.commit()
        return {"event_id": event.id, "title": event.title, "facilitator": facilitator.email,
                "facilitator_name": facilitator.display_name, "marco": marco.email, "marco_name": marco.display_name,
                "sara": sara.email}


def deletion_logged(live_server, message_id):
    """(the stored text, the reason on the message, the reason in the moderation log)."""
    import sqlalchemy as sa

    from civiclab.extensions import db
    from civiclab.moderation.models import ModerationAction
    from civiclab.rooms.models import Message

    with live_server.app.app_context():
        message = db.session.get(Message, message_id)
        entry = db.session.scalars(sa.select(ModerationAction).filter_by(room_message_id=message_id)).one()
        assert entry.action == "delete_message" and entry.actor_id == message.deleted_by_id
        return message.body, message.delete_reason, entry.reason


def messages(page):
    return page.locator("#room-messages")


def item_with(page, text):
    return page.locator("#room-messages > li", has_text=text)


def send_with_enter(page, text):
    """Type in the message box as a keyboard user would and press Enter (no click)."""
    box = page.get_by_label("Il tuo messaggio", exact=True)
    box.focus()
    box.fill(text)
    box.press("Enter")


def test_an_abusive_message_is_removed_from_every_screen_and_a_late_joiner_reads_the_history(
        browser, live_server):
    world = make_event_under_way(live_server)
    contexts, problems, websockets = [], [], []

    def signed_in(email):
        context, page = log_in(browser, live_server, email, WATCH_CSP)
        contexts.append(context)
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("websocket", lambda ws: websockets.append(ws.url))
        page.on("request", lambda r: not r.url.startswith((live_server.url, live_server.url.replace("http", "ws")))
                and problems.append(f"foreign request {r.url}"))
        return page

    def open_room(page):
        """From the event's page, by the link to its room, as a person would; connected once the
        people present are listed."""
        page.goto(f"/eventi/{world['event_id']}")
        page.get_by_role("link", name="Stanza dell'evento").click()
        page.wait_for_url(re.compile(r".*/stanze/\d+"))
        page.locator("#room-presence li").first.wait_for(timeout=LIVE)
        # A marker that a reload would wipe: what follows must happen without one.
        page.evaluate("window.__sameDocument = true")

    def same_document(page):
        return page.evaluate("window.__sameDocument === true")

    try:
        paola = signed_in(world["facilitator"])
        open_room(paola)
        marco = signed_in(world["marco"])
        open_room(marco)
        room_url = marco.url
        # Each sees the other among the people present.
        paola.locator("#room-presence", has_text=world["marco_name"]).wait_for(timeout=LIVE)
        marco.locator("#room-presence", has_text=world["facilitator_name"]).wait_for(timeout=LIVE)

        # The facilitator opens the conversation with the keyboard: Enter sends.
        send_with_enter(paola, WELCOME)
        item_with(paola, WELCOME).locator(".cl-room-state", has_text="inviato").wait_for(timeout=LIVE)
        assert paola.get_by_label("Il tuo messaggio", exact=True).input_value() == ""
        item_with(marco, WELCOME).wait_for(timeout=LIVE)
        # …and Marco's screen reader hears it.
        marco.locator("#room-announcer", has_text=f"Nuovo messaggio da {world['facilitator_name']}").wait_for(
            timeout=LIVE)
        assert WELCOME in marco.locator("#room-announcer").inner_text()
        assert marco.locator("#room-announcer").get_attribute("aria-live") == "polite"

        # Marco, a confirmed participant, writes something abusive: it reaches the facilitator live.
        send_with_enter(marco, ABUSE)
        abusive = item_with(paola, ABUSE)
        abusive.wait_for(timeout=LIVE)
        paola.locator("#room-announcer", has_text=f"Nuovo messaggio da {world['marco_name']}").wait_for(timeout=LIVE)
        assert same_document(paola) and same_document(marco)
        message_id = abusive.get_attribute("data-id")
        assert message_id and message_id.isdigit()

        # The facilitator deletes it with a reason, from the controls under the message.
        abusive.locator("summary", has_text="Elimina").click()
        abusive.get_by_label("Perché elimini questo messaggio?").fill(REASON)
        abusive.get_by_role("button", name="Elimina il messaggio").click()

        # Marco's screen drops it at once, without a reload: the placeholder stands in its place.
        gone = marco.locator(f"#messaggio-{message_id}")
        gone.locator(".cl-room-deleted", has_text=PLACEHOLDER).wait_for(timeout=LIVE)
        assert ABUSE not in messages(marco).inner_text()
        assert same_document(marco)
        # The facilitator's screen too (the delete form posts, and the page comes back to the message).
        paola.locator(f"#messaggio-{message_id} .cl-room-deleted", has_text=PLACEHOLDER).wait_for(timeout=LIVE)
        assert ABUSE not in messages(paola).inner_text()
        paola.locator(".alert-success", has_text="Messaggio eliminato").wait_for(timeout=LIVE)
        assert deletion_logged(live_server, int(message_id)) == (ABUSE, REASON, REASON)

        # The conversation goes on, live again on the facilitator's reloaded page.
        paola.locator("#room-presence", has_text=world["marco_name"]).wait_for(timeout=LIVE)
        send_with_enter(marco, QUESTION)
        item_with(paola, QUESTION).wait_for(timeout=LIVE)

        # Sara arrives late and reads the history: the welcome, the placeholder, the question.
        sara = signed_in(world["sara"])
        sara.goto(room_url)
        history = messages(sara)
        history.locator("li", has_text=QUESTION).wait_for(timeout=LIVE)
        text = history.inner_text()
        assert text.index(WELCOME) < text.index(PLACEHOLDER) < text.index(QUESTION)
        assert ABUSE not in sara.content()
        assert sara.locator(f"#messaggio-{message_id} .cl-room-deleted").count() == 1
        # Her arrival is live for the others, and she can write (a confirmed participant).
        paola.locator("#room-presence", has_text="Sara Verdi").wait_for(timeout=LIVE)
        assert sara.get_by_label("Il tuo messaggio", exact=True).is_enabled()

        assert problems == []
        # The live server upgraded to WebSocket (polling is only the fallback).
        assert any("/socket.io/" in url and "transport=websocket" in url for url in websockets), websockets
        for page in (paola, marco, sara):
            assert page.evaluate("window.__cspViolations") == []
    finally:
        for context in contexts:
            context.close()

