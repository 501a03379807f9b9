"""The organiser's dashboard of a lab: its events, bookings, waiting list, attendance by type."""
from datetime import timedelta

import pytest

from civiclab.accounts.models import ParticipantType
from civiclab.core.time import utcnow
from civiclab.events import stats
from civiclab.events.models import EventState, RegistrationState
from tests.conftest import login


@pytest.fixture
def book(register):
    """Registrations straight in the database: (participant type, seats, state, attended)."""

    def factory(event, *bookings):
        for n, (kind, seats, state, attended) in enumerate(bookings):
            register(event, guest_name=f"Persona {n}", guest_email=f"p{event.id}-{n}@example.org",
                     participant_type=kind, seats=seats, state=state,
                     attended_at=utcnow() if attended else None)

    return factory


C, W, X = RegistrationState.CONFIRMED, RegistrationState.WAITING, RegistrationState.CANCELLED


@pytest.fixture
def lab_events(make_lab, make_event, make_facilitator, book):
    lab = make_lab()
    soon = make_event(lab=lab, title="Robotica per le scuole", capacity=25, max_seats_per_booking=25)
    book(soon,
         (ParticipantType.SCUOLA, 20, C, True),
         (ParticipantType.CITTADINO, 1, C, False),
         (ParticipantType.CITTADINO, 1, C, True),
         (ParticipantType.IMPRESA, 3, W, False),
         (ParticipantType.CITTADINO, 1, X, False))
    started = utcnow() - timedelta(days=30)
    past = make_event(lab=lab, title="Open data day", starts_at=started, state=EventState.FINISHED)
    book(past, (ParticipantType.UNIVERSITA, 2, C, True), (ParticipantType.ENTE_PUBBLICO, 1, C, False))
    draft = make_event(lab=lab, title="Bozza di evento", state=EventState.DRAFT, published_at=None)
    other_lab_event = make_event(title="Evento di un altro laboratorio")
    book(other_lab_event, (ParticipantType.SCUOLA, 5, C, True))
    return {"lab": lab, "soon": soon, "past": past, "draft": draft, "facilitator": make_facilitator(lab)}


def _dashboard(client, lab, **args):
    return client.get(f"/gestione/laboratori/{lab.id}/eventi", query_string=args)


def test_the_figures_of_an_event_count_seats_bookings_waiting_and_presence_by_type(lab_events):
    figures = stats.attendance_of_event(lab_events["soon"].id)
    assert (figures.confirmed.bookings, figures.confirmed.seats) == (3, 22)
    assert (figures.confirmed.present_bookings, figures.confirmed.present_seats) == (2, 21)
    assert (figures.waiting_bookings, figures.waiting_seats) == (1, 3)
    assert figures.by_type[ParticipantType.SCUOLA] == stats.Tally(1, 20, 1, 20)
    assert figures.by_type[ParticipantType.CITTADINO] == stats.Tally(2, 2, 1, 1)
    assert figures.by_type[ParticipantType.IMPRESA] == stats.Tally()  # waiting is not confirmed
    assert figures.types_present == [ParticipantType.CITTADINO, ParticipantType.SCUOLA]


def test_the_lab_totals_add_up_its_events_and_only_its_own(lab_events):
    totals = stats.attendance_of_lab(lab_events["lab"].id)
    assert (totals.confirmed.seats, totals.confirmed.present_seats) == (25, 23)
    assert totals.by_type[ParticipantType.SCUOLA].seats == 20  # not the other lab's class of 5
    assert totals.by_type[ParticipantType.UNIVERSITA] == stats.Tally(1, 2, 1, 2)


def test_an_event_nobody_booked_has_zeros(make_event):
    event = make_event()
    assert stats.attendance_by_event([event.id])[event.id].confirmed == stats.Tally()
    assert stats.attendance_by_event([]) == {}


def test_the_facilitator_sees_upcoming_events_drafts_included_with_their_figures(client, lab_events):
    login(client, lab_events["facilitator"])
    response = _dashboard(client, lab_events["lab"])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Robotica per le scuole" in page and "Bozza di evento" in page
    assert "Open data day" not in page and "Evento di un altro laboratorio" not in page
    row = page[page.index("Robotica per le scuole"):]
    row = row[:row.index("</tr>")]
    assert "20 / 20" in row  # schools: present seats / confirmed seats
    assert "1 / 2" in row    # citizens
    assert "1 prenotazione" in row and "3 posti" in row  # the waiting company
    assert f"/eventi/{lab_events['soon'].id}/accoglienza" in row
    assert f"/eventi/{lab_events['soon'].id}/presenze.csv" in row


def test_past_events_are_on_their_own_tab(client, lab_events):
    login(client, lab_events["facilitator"])
    page = _dashboard(client, lab_events["lab"], quando="passati").get_data(as_text=True)
    assert "Open data day" in page and "Robotica per le scuole" not in page
    row = page[page.index("Open data day"):]
    assert "2 / 2" in row[:row.index("</tr>")]


def test_the_totals_cover_all_the_labs_events(client, lab_events):
    login(client, lab_events["facilitator"])
    page = _dashboard(client, lab_events["lab"]).get_data(as_text=True)
    totals = page[page.index("Totali di tutti gli eventi"):]
    totals = totals[:totals.index("</table>")]
    assert "25 posti" in totals and "23 posti" in totals


def test_the_dashboard_links_to_creating_an_event(app, client, lab_events):
    if "events.event_new" not in app.view_functions:
        pytest.skip("the event form is not there yet")
    login(client, lab_events["facilitator"])
    page = _dashboard(client, lab_events["lab"]).get_data(as_text=True)
    assert f"/gestione/laboratori/{lab_events['lab'].id}/eventi/nuovo" in page


def test_the_city_management_page_links_to_each_labs_dashboard(client, lab_events, make_staff):
    login(client, make_staff(lab_events["lab"].city))
    page = client.get("/gestione").get_data(as_text=True)
    assert f"/gestione/laboratori/{lab_events['lab'].id}/eventi" in page


@pytest.mark.parametrize("who", ["participant", "other_facilitator", "other_staff"])
def test_who_does_not_run_the_lab_is_refused(client, lab_events, make_user, make_facilitator, make_lab,
                                               make_staff, make_city, who):
    user = {"participant": lambda: make_user(), "other_facilitator": lambda: make_facilitator(make_lab()),
            "other_staff": lambda: make_staff(make_city())}[who]()
    login(client, user)
    assert _dashboard(client, lab_events["lab"]).status_code == 403


def test_an_unknown_lab_is_not_found(client, make_user):
    login(client, make_user(is_admin=True))
    assert client.get("/gestione/laboratori/999999/eventi").status_code == 404


def test_the_dashboard_takes_the_same_queries_for_2_or_20_events(
        client, lab_events, make_event, book, count_queries):
    lab = lab_events["lab"]
    login(client, lab_events["facilitator"])
    _dashboard(client, lab)
    with count_queries() as few:
        _dashboard(client, lab)
    for n in range(18):
        event = make_event(lab=lab, starts_at=utcnow() + timedelta(days=n + 1), capacity=10)
        book(event, (list(ParticipantType)[n % 6], 2, C, n % 2 == 0), (ParticipantType.CITTADINO, 1, W, False))
    with count_queries() as many:
        response = _dashboard(client, lab)
    assert response.status_code == 200 and response.get_data(as_text=True).count("/accoglienza") == 20
    assert len(many) == len(few)
