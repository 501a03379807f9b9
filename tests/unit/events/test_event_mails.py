"""Mails and in-app notifications of events: who hears what, in their language, with the code."""
import smtplib
from datetime import datetime, timedelta

import sqlalchemy as sa
from icalendar import Calendar

from civiclab.core.time import ROME
from civiclab.events import services
from civiclab.events.models import Registration, RegistrationState
from civiclab.notifications.models import Notification
from tests.conftest import login


def notifications_of(db_session, user):
    return list(db_session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def mails_to(outbox, address):
    return [message for message in outbox if message.recipients == [address]]


def calendar_of(message):
    [attachment] = [a for a in message.attachments if a.content_type == "text/calendar"]
    assert attachment.filename.endswith(".ics") and attachment.content_type == "text/calendar"
    return Calendar.from_ical(attachment.data)


def test_a_confirmed_booking_mails_the_code_the_link_and_the_events_calendar(
        in_request, db_session, make_event, make_user, outbox):
    event = make_event()
    user = make_user()
    registration = services.book(user, event)
    [message] = mails_to(outbox, user.email)
    assert message.subject == f"Iscrizione confermata: {event.title}"
    assert registration.code in message.body
    assert f"/iscrizioni/{registration.id}" in message.body
    [entry] = calendar_of(message).walk("VEVENT")
    assert str(entry["uid"]) == f"event-{event.id}@localhost"
    assert entry.decoded("dtstart") == event.starts_at.replace(microsecond=0)  # iCalendar keeps seconds
    [notification] = notifications_of(db_session, user)
    assert notification.kind == "registration_confirmed"
    assert notification.detail == registration.code and registration.code in notification.message
    assert notification.url == f"/iscrizioni/{registration.id}"


def test_a_waiting_booking_is_told_its_position(in_request, db_session, make_event, make_user, outbox):
    event = make_event(capacity=1)
    services.book(make_user(), event)
    services.book(make_user(), event)
    third = make_user()
    services.book(third, event)
    [message] = mails_to(outbox, third.email)
    assert message.subject.startswith("Sei in lista d'attesa")
    assert "in posizione 2" in message.body
    assert message.attachments == []
    [notification] = notifications_of(db_session, third)
    assert notification.kind == "registration_waiting" and "posizione 2" in notification.message


def test_the_promoted_person_is_told_by_mail_and_in_app_with_the_code(in_request, db_session, make_event,
                                                                      make_user, outbox):
    event = make_event(capacity=1)
    holder, next_in_line = make_user(), make_user()
    held = services.book(holder, event)
    waiting = services.book(next_in_line, event)
    outbox.clear()
    services.cancel_registration(holder, held)
    [message] = mails_to(outbox, next_in_line.email)
    assert message.subject.startswith("Si è liberato un posto")
    assert waiting.code in message.body
    assert calendar_of(message)
    promoted = notifications_of(db_session, next_in_line)[-1]
    assert promoted.kind == "registration_promoted" and promoted.detail == waiting.code
    assert mails_to(outbox, holder.email) == []  # who cancels knows it already


def test_a_registration_cancelled_by_who_runs_the_event_is_told(in_request, db_session, make_event,
                                                                make_user, make_facilitator, outbox):
    event = make_event()
    user = make_user()
    registration = services.book(user, event)
    outbox.clear()
    services.cancel_registration(make_facilitator(event.lab), registration)
    [message] = mails_to(outbox, user.email)
    assert "è stata annullata" in message.subject
    assert notifications_of(db_session, user)[-1].kind == "registration_cancelled"


def test_a_change_of_time_reaches_every_active_registrant_on_romes_clock(
        in_request, db_session, make_event, make_user, admin, outbox):
    event = make_event(capacity=1)
    confirmed, waiting, gone = make_user(), make_user(), make_user()
    services.book(confirmed, event)
    services.book(waiting, event)
    left = services.book(gone, event)
    services.cancel_registration(gone, left)
    outbox.clear()
    new_start = datetime(2031, 7, 17, 18, 30, tzinfo=ROME)  # 16:30 UTC, summer time
    services.update_event(admin, event, {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)})

    assert {m.recipients[0] for m in outbox} == {confirmed.email, waiting.email}
    message = mails_to(outbox, confirmed.email)[0]
    assert message.subject == f"Cambiamenti all'evento {event.title}"
    assert "la data o l'orario" in message.body
    assert "giovedì 17 luglio 2031, 18:30 – 20:30" in message.body
    [entry] = calendar_of(message).walk("VEVENT")
    assert entry.decoded("dtstart") == new_start and int(entry["sequence"]) == event.sequence == 1
    notification = notifications_of(db_session, waiting)[-1]
    assert notification.kind == "event_changed" and "17 luglio 2031, 18:30" in notification.message
    assert notifications_of(db_session, gone)[-1].kind != "event_changed"


def test_a_change_of_description_alone_disturbs_nobody(in_request, make_event, make_user, admin, outbox):
    event = make_event()
    services.book(make_user(), event)
    outbox.clear()
    services.update_event(admin, event, {"description": "<p>Porta il portatile.</p>"})
    assert outbox == []


def test_cancelling_the_event_tells_everybody_registered_with_the_reason(
        client, db_session, make_event, make_user, admin, outbox):
    event = make_event(capacity=1)
    confirmed, waiting = make_user(), make_user()
    with client.application.test_request_context():
        services.book(confirmed, event)
        services.book(waiting, event)
        db_session.commit()
    client.post(f"/eventi/{event.id}/iscrizione-ospite",
                data={"name": "Ospite", "email": "ospite@example.org", "privacy_consent": "y"})
    outbox.clear()
    with client.application.test_request_context():
        services.cancel_event(admin, event, "Sala allagata")
    assert {m.recipients[0] for m in outbox} == {confirmed.email, waiting.email}  # the guest held nothing
    for message in outbox:
        assert message.subject == f"Evento annullato: {event.title}"
        assert "Sala allagata" in message.body
        [entry] = calendar_of(message).walk("VEVENT")
        assert str(entry["status"]) == "CANCELLED"
    for user in (confirmed, waiting):
        notification = notifications_of(db_session, user)[-1]
        assert notification.kind == "event_cancelled" and "Sala allagata" in notification.message
        assert notification.url == f"/eventi/{event.id}"


def test_a_guest_hears_of_a_cancelled_event_by_mail_only(client, db_session, make_event, admin, outbox):
    from tests.unit.events.test_guests import ask, link_in

    event = make_event()
    ask(client, event)
    client.post(link_in(outbox[-1], "/iscrizioni/ospite/conferma/"))
    outbox.clear()
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Notification))
    with client.application.test_request_context():
        services.cancel_event(admin, event, "Sciopero dei trasporti")
    [message] = outbox
    assert message.recipients == ["marta.rossi@example.org"] and "Sciopero dei trasporti" in message.body
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Notification)) == before


def test_facilitators_are_told_at_half_most_and_all_of_the_seats(in_request, db_session, make_event,
                                                                 make_user, make_facilitator, outbox):
    event = make_event(capacity=10)
    facilitator = make_facilitator(event.lab)
    for _ in range(10):
        services.book(make_user(), event)
    alerts = [m for m in mails_to(outbox, facilitator.email)]
    assert [m.subject for m in alerts] == [
        f"{event.title}: posti occupati al 50%",
        f"{event.title}: posti occupati al 80%",
        f"{event.title}: posti occupati al 100%",
    ]
    assert "al completo" in alerts[-1].body
    assert [n.kind for n in notifications_of(db_session, facilitator)] == ["seats_threshold"] * 3
    assert "(5 su 10)" in notifications_of(db_session, facilitator)[0].message


def test_mail_goes_out_in_the_recipients_language(in_request, make_event, make_user, outbox):
    event = make_event()
    user = make_user(locale="en")
    services.book(user, event)
    assert mails_to(outbox, user.email)[0].body.startswith(f"Hello {user.display_name},")


def test_a_mail_server_failure_does_not_undo_the_booking(client, db_session, make_event, make_user,
                                                         monkeypatch):
    from civiclab.extensions import mail

    def refuse(message):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(mail, "send", refuse)
    event = make_event()
    user = make_user()
    login(client, user)
    response = client.post(f"/eventi/{event.id}/iscrizione", data={"seats": "1"})
    assert response.status_code == 302
    registration = db_session.scalar(sa.select(Registration).where(Registration.user_id == user.id))
    assert registration.state is RegistrationState.CONFIRMED
    assert notifications_of(db_session, user)[0].detail == registration.code  # the code still reaches them


def test_listeners_are_connected_once_however_many_apps_there_are(app, in_request, make_event, make_user,
                                                                  outbox, database_url):
    from tests.conftest import make_app

    make_app(database_url)  # a second app in the same process
    user = make_user()
    services.book(user, make_event())
    assert len(mails_to(outbox, user.email)) == 1


def test_the_confirmation_and_promotion_mails_carry_the_codes_qr_image(in_request, make_event, make_user,
                                                                       outbox):
    event = make_event(capacity=1)
    first, second = make_user(), make_user()
    held = services.book(first, event)
    waiting = services.book(second, event)
    services.cancel_registration(first, held)
    for user, code in ((first, held.code), (second, waiting.code)):
        message = [m for m in mails_to(outbox, user.email) if m.attachments][0]
        [image] = [a for a in message.attachments if a.content_type == "image/png"]
        assert image.filename == f"codice-{code}.png"
        assert image.data.startswith(b"\x89PNG")


def test_the_notifications_page_shows_the_codes_qr_image(client, in_request, make_event, make_user):
    event, user = make_event(), make_user()
    registration = services.book(user, event)
    login(client, user)
    html = client.get("/notifiche").get_data(as_text=True)
    assert registration.code in html
    assert 'src="data:image/svg+xml' in html and f"Codice QR dell’iscrizione {registration.code}" in html
