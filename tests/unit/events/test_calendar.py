"""Calendars: the .ics of an event and the feeds of a city and a lab, read back with icalendar."""
from datetime import datetime, timedelta

from icalendar import Calendar

from civiclab.core.time import ROME, utcnow
from civiclab.events import services
from civiclab.events.models import EventState
from tests.conftest import login


def parse(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith('.ics"')
    return Calendar.from_ical(response.data)


def entries(calendar):
    return {str(entry["summary"]): entry for entry in calendar.walk("VEVENT")}


def test_an_events_ics_carries_what_a_calendar_app_needs(client, make_event, lab):
    start = datetime(2031, 3, 29, 10, 0, tzinfo=ROME)  # the day before summer time starts
    event = make_event(lab=lab, title="Mappiamo il quartiere", starts_at=start,
                       ends_at=start + timedelta(days=1, hours=2),
                       description="Un laboratorio & una **passeggiata**.\n\n- Porta il telefono")
    response = client.get(f"/eventi/{event.id}.ics")
    calendar = parse(response)
    assert response.headers["Content-Disposition"] == f'attachment; filename="evento-{event.id}.ics"'
    assert str(calendar["method"]) == "PUBLISH"
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["tzid"]) == "Europe/Rome"
    [entry] = calendar.walk("VEVENT")
    assert str(entry["uid"]) == f"event-{event.id}@localhost"
    assert entry["dtstart"].params["TZID"] == "Europe/Rome"
    assert entry.decoded("dtstart") == start
    assert entry.decoded("dtend") == datetime(2031, 3, 30, 12, 0, tzinfo=ROME)  # summer time, still 12:00
    assert entry.decoded("dtend").utcoffset() == timedelta(hours=2)
    assert "dtstamp" in entry
    assert str(entry["summary"]) == "Mappiamo il quartiere"
    assert str(entry["description"]) == "Un laboratorio & una passeggiata.\nPorta il telefono"  # no Markdown marks
    assert str(entry["location"]) == "Urban Center, Sala Borsa, Piazza del Nettuno 3, Bologna, " + lab.city.name
    assert str(entry["url"]) == f"http://localhost/eventi/{event.id}"
    assert int(entry["sequence"]) == 0
    assert str(entry["status"]) == "CONFIRMED"


def test_an_online_event_is_located_online(client, make_event):
    event = make_event(is_online=True, online_url="https://meet.example.org/segreto")
    body = client.get(f"/eventi/{event.id}.ics").get_data(as_text=True)
    [entry] = Calendar.from_ical(body).walk("VEVENT")
    assert str(entry["location"]) == "Online"
    assert "meet.example.org" not in body  # the link is for confirmed participants only


def test_the_uid_stays_and_the_sequence_grows_when_the_event_changes(client, db_session, make_event,
                                                                    make_user):
    event = make_event()
    [before] = parse(client.get(f"/eventi/{event.id}.ics")).walk("VEVENT")
    later = event.starts_at + timedelta(hours=3)
    with client.application.test_request_context():
        services.update_event(make_user(is_admin=True), event,
                              {"title": "Nuovo titolo", "starts_at": later, "ends_at": later + timedelta(hours=1)})
        db_session.commit()
    [after] = parse(client.get(f"/eventi/{event.id}.ics")).walk("VEVENT")
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) > int(before["sequence"])
    assert str(after["summary"]) == "Nuovo titolo"
    assert after.decoded("dtstart") == later.replace(microsecond=0)


def test_a_cancelled_event_stays_in_calendars_as_cancelled(client, db_session, make_event, make_user, lab):
    event = make_event(lab=lab)
    with client.application.test_request_context():
        services.cancel_event(make_user(is_admin=True), event, "Sala inagibile")
        db_session.commit()
    [entry] = parse(client.get(f"/eventi/{event.id}.ics")).walk("VEVENT")
    assert str(entry["status"]) == "CANCELLED" and int(entry["sequence"]) == 1
    assert "Sala inagibile" in str(entry["description"])
    feed = entries(parse(client.get(f"/citta/{lab.city.slug}/eventi.ics")))
    assert str(feed[event.title]["status"]) == "CANCELLED"


def test_a_draft_has_no_calendar_but_for_who_runs_it(client, make_event, make_user, make_facilitator, lab):
    draft = make_event(lab=lab, state=EventState.DRAFT, published_at=None)
    assert client.get(f"/eventi/{draft.id}.ics").status_code == 404
    login(client, make_user())
    assert client.get(f"/eventi/{draft.id}.ics").status_code == 404
    login(client, make_facilitator(lab))
    assert client.get(f"/eventi/{draft.id}.ics").status_code == 200


def test_the_city_feed_holds_its_labs_upcoming_and_recent_public_events(client, make_event, make_lab, lab):
    other_lab_same_city = make_lab(city=lab.city)
    now = utcnow()
    make_event(lab=lab, title="Prossimo")
    make_event(lab=other_lab_same_city, title="Nell'altro laboratorio")
    make_event(lab=lab, title="Il mese scorso", state=EventState.FINISHED, starts_at=now - timedelta(days=30))
    make_event(lab=lab, title="Troppo vecchio", state=EventState.FINISHED, starts_at=now - timedelta(days=120))
    make_event(lab=lab, title="Bozza", state=EventState.DRAFT, published_at=None)
    make_event(title="Altra città")
    response = client.get(f"/citta/{lab.city.slug}/eventi.ics")
    calendar = parse(response)
    assert str(calendar["method"]) == "PUBLISH"
    assert lab.city.name in str(calendar["x-wr-calname"])
    assert set(entries(calendar)) == {"Prossimo", "Nell'altro laboratorio", "Il mese scorso"}
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_the_lab_feed_holds_only_that_labs_events(client, make_event, make_lab, lab):
    make_event(lab=lab, title="Qui")
    make_event(lab=make_lab(city=lab.city), title="Altrove")
    calendar = parse(client.get(f"/citta/{lab.city.slug}/laboratori/{lab.slug}/eventi.ics"))
    assert set(entries(calendar)) == {"Qui"}
    assert client.get(f"/citta/{lab.city.slug}/laboratori/nessuno/eventi.ics").status_code == 404
    assert client.get("/citta/nessuna/eventi.ics").status_code == 404


def test_a_feed_costs_the_same_queries_for_two_events_or_twenty(client, make_event, lab, count_queries):
    for _ in range(2):
        make_event(lab=lab)
    url = f"/citta/{lab.city.slug}/eventi.ics"
    with count_queries() as few:
        client.get(url)
    for _ in range(18):
        make_event(lab=lab)
    with count_queries() as many:
        assert len(parse(client.get(url)).walk("VEVENT")) == 20
    assert len(many) == len(few)
