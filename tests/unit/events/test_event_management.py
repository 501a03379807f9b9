"""Facilitators and municipality staff create, edit, publish and cancel events through the forms."""
import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.models import ParticipantType
from civiclab.core import signals
from civiclab.core.time import utcnow
from civiclab.events.models import Event, EventState, Registration, RegistrationState
from tests.conftest import login


def event_form(**changes):
    values = {
        "title": "Mappe di comunità", "description": "Disegniamo insieme il **quartiere**.",
        "start_date": "2030-07-17", "start_time": "18:00", "end_date": "2030-07-17", "end_time": "20:00",
        "capacity": "30", "max_seats_per_booking": "25", "reminder_hours_before": "24",
        "opens_date": "", "opens_time": "", "closes_date": "", "closes_time": "", "online_url": "",
    }
    values.update(changes)
    return values


def events_count(db_session):
    return db_session.scalar(sa.select(sa.func.count()).select_from(Event))


def create(client, lab, **changes):
    data = event_form(**{"lab_id": str(lab.id), **changes})
    return client.post(f"/gestione/laboratori/{lab.id}/eventi/nuovo", data=data)


# ---- creating --------------------------------------------------------------------------------

def test_a_facilitator_creates_a_draft_event_entered_on_rome_time(client, db_session, lab, facilitator):
    login(client, facilitator)

    form = client.get(f"/gestione/laboratori/{lab.id}/eventi/nuovo")
    assert form.status_code == 200
    assert f'<option selected value="{lab.id}">' in form.text  # the lab it was opened from

    response = create(client, lab, audience=["scuola", "universita"])
    assert response.status_code == 302
    event = db_session.scalar(sa.select(Event).filter_by(lab_id=lab.id))
    assert response.headers["Location"] == f"/eventi/{event.id}"
    assert event.state is EventState.DRAFT and event.created_by_id == facilitator.id
    # 18:00 in Rome in July is summer time (UTC+2): stored 16:00 UTC, shown 18:00.
    assert event.starts_at == datetime(2030, 7, 17, 16, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 7, 17, 18, 0, tzinfo=UTC)
    assert (event.capacity, event.max_seats_per_booking, event.reminder_hours_before) == (30, 25, 24)
    assert event.audience == {ParticipantType.SCUOLA, ParticipantType.UNIVERSITA}
    assert event.registration_opens_at is None and event.registration_closes_at is None
    page = client.get(response.headers["Location"])
    assert "18:00" in page.text and "20:00" in page.text and "16:00" not in page.text
    assert "Bozza" in page.text and "<strong>quartiere</strong>" in page.text


def test_winter_times_are_one_hour_ahead_of_utc(client, db_session, lab, facilitator):
    login(client, facilitator)

    create(client, lab, start_date="17/01/2030", end_date="17/01/2030",
           opens_date="2030-01-02", opens_time="09:00", closes_date="2030-01-16", closes_time="23:59")

    event = db_session.scalar(sa.select(Event).filter_by(lab_id=lab.id))
    assert event.starts_at == datetime(2030, 1, 17, 17, 0, tzinfo=UTC)
    assert event.registration_opens_at == datetime(2030, 1, 2, 8, 0, tzinfo=UTC)
    assert event.registration_closes_at == datetime(2030, 1, 16, 22, 59, tzinfo=UTC)


def test_an_event_across_the_change_to_winter_time_keeps_both_wall_clocks(client, db_session, lab, facilitator):
    login(client, facilitator)

    # Clocks go back on 27 October 2030: 22:00 on the 26th is UTC+2, 10:00 on the 27th UTC+1.
    create(client, lab, start_date="2030-10-26", start_time="22:00", end_date="2030-10-27", end_time="10:00")

    event = db_session.scalar(sa.select(Event).filter_by(lab_id=lab.id))
    assert event.starts_at == datetime(2030, 10, 26, 20, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 10, 27, 9, 0, tzinfo=UTC)


def test_the_description_is_markdown_shown_sanitised(client, db_session, lab, facilitator):
    login(client, facilitator)

    create(client, lab, description='**Ciao** a [tutti](https://example.org)\n\n<p onclick="x()">x</p>'
                                    '<script>alert(1)</script> [clic](javascript:alert(1))')

    event = db_session.scalar(sa.select(Event).filter_by(lab_id=lab.id))
    page = client.get(f"/eventi/{event.id}").get_data(as_text=True)
    assert "<strong>Ciao</strong>" in page and "**Ciao**" not in page
    assert '<a href="https://example.org" rel="nofollow noopener ugc">tutti</a>' in page
    assert "<script>alert(1)" not in page and "<p onclick" not in page and 'href="javascript' not in page


def test_no_audience_checked_admits_everybody(client, db_session, lab, facilitator):
    login(client, facilitator)

    create(client, lab)

    event = db_session.scalar(sa.select(Event).filter_by(lab_id=lab.id))
    assert event.audience == set() and event.admits(ParticipantType.IMPRESA)


@pytest.mark.parametrize("changes, field, message", [
    ({"start_date": "31/02/2030"}, "start_date", "Data non valida"),
    ({"start_date": "domani"}, "start_date", "Data non valida"),
    ({"end_time": "25:00"}, "end_time", "Ora non valida"),
    ({"start_date": ""}, "start_date", "Indica la data di inizio."),
    ({"end_date": "2030-07-17", "end_time": "17:00"}, "end_date", "La fine deve essere dopo l'inizio."),
    ({"capacity": "0"}, "capacity", "I posti devono essere almeno 1"),
    ({"capacity": "trenta"}, "capacity", "Scrivi un numero intero"),
    ({"max_seats_per_booking": "31"}, "max_seats_per_booking", "Non può superare i posti disponibili."),
    ({"reminder_hours_before": "400"}, "reminder_hours_before", "Da 0 a 336 ore"),
    ({"title": ""}, "title", "Il titolo è obbligatorio."),
    ({"opens_date": "2030-07-01"}, "opens_time", "Indica anche l'ora."),
    ({"closes_time": "12:00"}, "closes_date", "Indica anche la data."),
    ({"closes_date": "2030-07-18", "closes_time": "09:00"}, "closes_date", "Le iscrizioni non possono chiudere"),
    ({"is_online": "y"}, "online_url", "Un evento online ha bisogno del link"),
    ({"is_online": "y", "online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"is_online": "y", "online_url": "ftp://files.example.org/x"}, "online_url", "https://"),
    ({"is_online": "y", "online_url": "https://riunione"}, "online_url", "Il link non è valido"),
    # 02:30 on 31 March 2030 does not exist in Rome: clocks jump from 02:00 to 03:00.
    ({"start_date": "2030-03-31", "start_time": "02:30", "end_date": "2030-03-31"}, "start_time",
     "Quest'ora non esiste quel giorno"),
])
def test_bad_event_data_is_a_form_error_and_nothing_is_saved(client, db_session, lab, facilitator,
                                                           changes, field, message):
    login(client, facilitator)

    response = create(client, lab, **changes)

    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert f'href="#{field}"' in response.text  # the summary links to the field in error
    assert events_count(db_session) == 0


def test_an_online_event_keeps_its_link(client, db_session, lab, facilitator):
    login(client, facilitator)

    create(client, lab, is_online="y", online_url="https://meet.example.org/mappe")

    event = db_session.scalar(sa.select(Event).filter_by(lab_id=lab.id))
    assert event.is_online and event.online_url == "https://meet.example.org/mappe"


def test_a_link_without_the_online_box_is_not_kept(client, db_session, lab, facilitator):
    login(client, facilitator)

    create(client, lab, online_url="https://meet.example.org/mappe")

    event = db_session.scalar(sa.select(Event).filter_by(lab_id=lab.id))
    assert not event.is_online and event.online_url == ""


def test_staff_choose_among_their_city_labs_only(client, db_session, lab, make_lab, make_staff):
    other_lab_same_city = make_lab(city=lab.city, name="Piazza Lucio Dalla")
    foreign_lab = make_lab(name="Laboratorio di Ferrara")
    login(client, make_staff(lab.city))

    form = client.get(f"/gestione/laboratori/{lab.id}/eventi/nuovo")
    assert "Piazza Lucio Dalla" in form.text and "Laboratorio di Ferrara" not in form.text

    moved = create(client, lab, lab_id=str(other_lab_same_city.id))
    assert moved.status_code == 302
    assert db_session.scalar(sa.select(Event.lab_id)) == other_lab_same_city.id

    refused = create(client, lab, lab_id=str(foreign_lab.id))
    assert refused.status_code == 422
    assert events_count(db_session) == 1


@pytest.mark.parametrize("who", ["facilitator of another lab", "participant", "staff of another city"])
def test_who_does_not_run_the_lab_cannot_create_its_events(client, db_session, lab, make_lab, make_facilitator,
                                                          make_user, make_staff, who):
    user = {
        "facilitator of another lab": lambda: make_facilitator(make_lab(city=lab.city)),
        "participant": make_user,
        "staff of another city": lambda: make_staff(make_lab().city),
    }[who]()
    login(client, user)

    assert client.get(f"/gestione/laboratori/{lab.id}/eventi/nuovo").status_code == 403
    assert create(client, lab).status_code == 403
    assert events_count(db_session) == 0


def test_anonymous_visitors_are_sent_to_log_in(client, db_session, lab):
    response = create(client, lab)
    assert response.status_code == 302 and "/account/accedi" in response.headers["Location"]
    assert events_count(db_session) == 0


# ---- editing ---------------------------------------------------------------------------------

def edit_data(event, **changes):
    """The edit form as the browser sends it back, with `changes`."""
    from civiclab.events.forms import EventForm

    data = EventForm.data_from(event)
    values = {key: ("" if value is None else value.isoformat()[:5] if key.endswith("_time")
                    else value.isoformat() if key.endswith("_date") else value)
              for key, value in data.items()}
    values["is_online"] = "y" if event.is_online else ""
    if not event.is_online:
        values.pop("is_online")
    values.update(changes)
    return values


def test_the_edit_form_shows_the_event_on_rome_time(client, db_session, lab, facilitator, make_event):
    event = make_event(lab=lab, starts_at=datetime(2030, 7, 17, 16, 0, tzinfo=UTC))
    login(client, facilitator)

    page = client.get(f"/eventi/{event.id}/modifica")

    assert page.status_code == 200
    assert 'value="2030-07-17"' in page.text and 'value="18:00"' in page.text
    assert f'value="{event.title}"' in page.text


def test_a_facilitator_edits_the_event(client, db_session, lab, facilitator, make_event):
    event = make_event(lab=lab, audience=[ParticipantType.SCUOLA])
    login(client, facilitator)

    response = client.post(f"/eventi/{event.id}/modifica",
                           data=edit_data(event, title="Mappe di comunità (seconda parte)", capacity="40",
                                          start_time="09:30", audience=[]))

    assert response.status_code == 302
    db_session.refresh(event)
    assert event.title == "Mappe di comunità (seconda parte)" and event.capacity == 40
    assert event.audience == set()
    assert event.starts_at.astimezone(UTC).minute == 30


def test_capacity_below_the_confirmed_seats_is_refused_on_its_field(client, db_session, lab, facilitator,
                                                                    make_event, make_user):
    event = make_event(lab=lab, capacity=30, confirmed_seats=12)
    db_session.add(Registration(event=event, user=make_user(), seats=12, state=RegistrationState.CONFIRMED,
                                participant_type=ParticipantType.CITTADINO, confirmed_at=utcnow()))
    db_session.commit()
    login(client, facilitator)

    response = client.post(f"/eventi/{event.id}/modifica",
                           data=edit_data(event, capacity="10", title="Nuovo titolo"))

    assert response.status_code == 422
    assert "Ci sono già 12 posti confermati" in response.text
    assert 'id="capacity-error"' in response.text
    db_session.refresh(event)
    assert event.capacity == 30 and event.title != "Nuovo titolo"


def test_a_malformed_date_when_editing_changes_nothing(client, db_session, lab, facilitator, make_event):
    event = make_event(lab=lab)
    before = event.starts_at
    login(client, facilitator)

    response = client.post(f"/eventi/{event.id}/modifica",
                           data=edit_data(event, start_date="2030-13-45", title="Altro titolo"))

    assert response.status_code == 422 and "Data non valida" in response.text
    db_session.refresh(event)
    assert event.starts_at == before and event.title != "Altro titolo"


def test_a_facilitator_of_another_lab_cannot_edit_publish_or_cancel(client, db_session, lab, make_lab,
                                                                     make_facilitator, make_event):
    event = make_event(lab=lab, state=EventState.DRAFT, published_at=None)
    login(client, make_facilitator(make_lab(city=lab.city)))

    assert client.get(f"/eventi/{event.id}/modifica").status_code == 403
    assert client.post(f"/eventi/{event.id}/modifica", data=edit_data(event, title="Preso")).status_code == 403
    assert client.post(f"/eventi/{event.id}/pubblica").status_code == 403
    assert client.get(f"/eventi/{event.id}/annulla").status_code == 403
    assert client.post(f"/eventi/{event.id}/annulla", data={"reason": "Perché sì"}).status_code == 403
    db_session.refresh(event)
    assert event.state is EventState.DRAFT and event.title != "Preso"


def test_a_cancelled_event_is_not_edited_any_more(client, db_session, lab, facilitator, make_event):
    event = make_event(lab=lab, state=EventState.CANCELLED, cancel_reason="Maltempo")
    login(client, facilitator)

    response = client.get(f"/eventi/{event.id}/modifica")

    assert response.status_code == 302 and response.headers["Location"] == f"/eventi/{event.id}"
    assert "non si modifica più" in client.get(response.headers["Location"]).text


# ---- publishing and cancelling ---------------------------------------------------------------

def test_publishing_a_draft_makes_it_public(app, client, db_session, lab, facilitator, make_event):
    event = make_event(lab=lab, state=EventState.DRAFT, published_at=None)
    visitor = app.test_client()
    assert visitor.get(f"/eventi/{event.id}").status_code == 404
    login(client, facilitator)

    response = client.post(f"/eventi/{event.id}/pubblica")

    assert response.status_code == 302
    db_session.refresh(event)
    assert event.state is EventState.PUBLISHED and event.published_at is not None
    assert visitor.get(f"/eventi/{event.id}").status_code == 200


def test_publishing_twice_is_refused_with_a_message(client, db_session, lab, facilitator, make_event):
    event = make_event(lab=lab)
    login(client, facilitator)

    response = client.post(f"/eventi/{event.id}/pubblica")

    assert response.status_code == 422
    assert "non può passare" in response.text


def test_an_event_that_has_ended_is_not_published(client, db_session, lab, facilitator, make_event):
    event = make_event(lab=lab, state=EventState.DRAFT, published_at=None,
                       starts_at=utcnow() - timedelta(days=2))
    login(client, facilitator)

    response = client.post(f"/eventi/{event.id}/pubblica")

    assert response.status_code == 422 and "già concluso non si pubblica" in response.text
    db_session.refresh(event)
    assert event.state is EventState.DRAFT


def test_cancelling_asks_for_a_reason_and_tells_the_registrants(client, db_session, lab, facilitator,
                                                              make_event, make_user):
    event = make_event(lab=lab, capacity=5, confirmed_seats=2)
    people = [make_user() for _ in range(3)]
    db_session.add_all([
        Registration(event=event, user=people[0], seats=2, state=RegistrationState.CONFIRMED,
                     participant_type=ParticipantType.CITTADINO, confirmed_at=utcnow(), code="AAAAAAAA"),
        Registration(event=event, user=people[1], seats=1, state=RegistrationState.WAITING,
                     participant_type=ParticipantType.CITTADINO, code="BBBBBBBB"),
    ])
    db_session.commit()
    login(client, facilitator)
    heard = []

    def listener(sender, registrations):
        heard.append((sender.id, sorted(r.user_id for r in registrations)))

    page = client.get(f"/eventi/{event.id}/annulla")
    assert page.status_code == 200 and "2 iscrizioni attive (3 posti)" in page.text

    with signals.event_cancelled.connected_to(listener):
        refused = client.post(f"/eventi/{event.id}/annulla", data={"reason": "  "})
        assert refused.status_code == 422 and "Scrivi il motivo" in refused.text
        db_session.refresh(event)
        assert event.state is EventState.PUBLISHED and heard == []

        response = client.post(f"/eventi/{event.id}/annulla", data={"reason": "Il laboratorio è allagato."})

    assert response.status_code == 302
    db_session.refresh(event)
    assert event.state is EventState.CANCELLED and event.cancel_reason == "Il laboratorio è allagato."
    assert heard == [(event.id, sorted([people[0].id, people[1].id]))]
    states = db_session.scalars(sa.select(Registration.state).filter_by(event_id=event.id)).all()
    assert set(states) == {RegistrationState.CANCELLED}
    shown = client.get(f"/eventi/{event.id}")
    assert "Questo evento è stato annullato." in shown.text and "Il laboratorio è allagato." in shown.text
    assert "Modifica l’evento" not in shown.text


@pytest.mark.parametrize("day", ["0001-01-01", "31/12/9999"])
def test_a_date_out_of_any_sane_range_is_a_form_error(client, db_session, lab, facilitator, day):
    login(client, facilitator)
    response = create(client, lab, start_date=day, end_date=day, start_time="00:10")
    assert response.status_code == 422 and "intervallo" in response.text
    assert events_count(db_session) == 0
