"""At the door: the check-in list, marking who came, the counts, and the attendance CSV."""
import csv
import html
import io
from datetime import UTC, datetime

import pytest

from civiclab.accounts.models import ParticipantType
from civiclab.events import door_routes
from civiclab.events.models import RegistrationState
from tests.conftest import login


@pytest.fixture
def door(make_lab, make_event, make_facilitator, make_user, register, teacher):
    """An event with a class of 20, a citizen, a guest, someone waiting and someone who cancelled."""
    lab = make_lab()
    event = make_event(lab=lab, capacity=25, max_seats_per_booking=25, title="Laboratorio di robotica")
    teacher, school = teacher
    citizen = make_user(display_name="Marco Rossi")
    return {
        "lab": lab, "event": event, "facilitator": make_facilitator(lab),
        "class": register(event, teacher, seats=20, group_name="Classe 3B", organisation=school),
        "citizen": register(event, citizen),
        "guest": register(event, guest_name="Anna Bianchi"),
        "waiting": register(event, make_user(display_name="Carla Verdi"), state=RegistrationState.WAITING),
        "cancelled": register(event, make_user(display_name="Dario Blu"), state=RegistrationState.CANCELLED),
    }


def _url(door, suffix=""):
    return f"/eventi/{door['event'].id}/accoglienza{suffix}"


def test_the_facilitator_sees_every_confirmed_registration_and_nobody_else(client, door):
    login(client, door["facilitator"])
    page = client.get(_url(door)).get_data(as_text=True)
    for name in ("Giulia Neri", "Marco Rossi", "Anna Bianchi"):
        assert name in page
    assert "Carla Verdi" not in page and "Dario Blu" not in page
    assert "Classe 3B" in page and "IC 12 Bologna" in page and door["class"].code in page
    assert "3 iscrizioni confermate" in page


@pytest.mark.parametrize("search, found", [
    ("rossi", "Marco Rossi"),          # part of an account's name, any case
    ("BIANCHI", "Anna Bianchi"),       # a guest's name
    ("classe 3b", "Giulia Neri"),      # the group
])
def test_search_by_name_or_group_ignores_case(client, door, search, found):
    login(client, door["facilitator"])
    page = client.get(_url(door), query_string={"q": search}).get_data(as_text=True)
    assert found in page
    others = {"Marco Rossi", "Anna Bianchi", "Giulia Neri"} - {found}
    assert not any(name in page for name in others)


def test_search_by_code_as_typed_at_the_door(client, door):
    login(client, door["facilitator"])
    code = door["citizen"].code
    typed = f"{code[:4].lower()} {code[4:].lower()}"
    page = client.get(_url(door), query_string={"q": typed}).get_data(as_text=True)
    assert "Marco Rossi" in page and "Giulia Neri" not in page


def test_a_search_that_finds_nobody_says_so(client, door):
    login(client, door["facilitator"])
    page = client.get(_url(door), query_string={"q": "Nessuno%_"}).get_data(as_text=True)
    assert "Nessuna iscrizione confermata corrisponde alla ricerca" in page


def test_marking_present_goes_back_to_the_same_search_and_counts_the_seats(client, db_session, door):
    login(client, door["facilitator"])
    response = client.post(_url(door, f"/{door['class'].id}"), data={"attended": "1", "q": "classe", "page": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{_url(door)}?q=classe#r{door['class'].id}"
    db_session.refresh(door["class"])
    assert door["class"].attended_at is not None
    page = client.get(_url(door)).get_data(as_text=True)
    assert "20 posti presenti su 22 confermati" in page
    assert "1 prenotazioni presenti su 3" in page
    assert "Annulla presenza" in page and "Giulia Neri: presente." in page


def test_the_counts_are_by_participant_type(client, door):
    login(client, door["facilitator"])
    client.post(_url(door, f"/{door['class'].id}"), data={"attended": "1"})
    page = client.get(_url(door)).get_data(as_text=True)
    table = page[page.index("Presenti e confermati per tipo di partecipante"):]
    table = table[:table.index("</table>")]
    school_row = table[table.index("Scuola"):]
    assert "20 / 20" in school_row[:school_row.index("</tr>")]
    citizen_row = table[table.index("Cittadino"):]
    assert "0 / 2" in citizen_row[:citizen_row.index("</tr>")]


def test_a_presence_can_be_undone(client, db_session, door):
    login(client, door["facilitator"])
    client.post(_url(door, f"/{door['guest'].id}"), data={"attended": "1"})
    client.post(_url(door, f"/{door['guest'].id}"), data={"attended": "0"})
    db_session.refresh(door["guest"])
    assert door["guest"].attended_at is None


def test_someone_waiting_cannot_be_marked_present(client, db_session, door):
    login(client, door["facilitator"])
    response = client.post(_url(door, f"/{door['waiting'].id}"), data={"attended": "1"}, follow_redirects=True)
    assert "Solo un'iscrizione confermata può essere segnata presente." in html.unescape(response.get_data(as_text=True))
    db_session.refresh(door["waiting"])
    assert door["waiting"].attended_at is None


def test_a_registration_of_another_event_is_not_found_here(client, make_event, door, register, make_user):
    other = register(make_event(lab=door["lab"]), make_user())
    login(client, door["facilitator"])
    assert client.post(_url(door, f"/{other.id}"), data={"attended": "1"}).status_code == 404


def test_a_tampered_button_is_a_bad_request(client, door):
    login(client, door["facilitator"])
    assert client.post(_url(door, f"/{door['guest'].id}"), data={"attended": "yes"}).status_code == 400


def test_marking_present_needs_the_csrf_token(app, client, db_session, door, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, door["facilitator"])
    assert client.post(_url(door, f"/{door['guest'].id}"), data={"attended": "1"}).status_code == 400
    db_session.refresh(door["guest"])
    assert door["guest"].attended_at is None


@pytest.mark.parametrize("who", ["participant", "other_facilitator"])
def test_who_does_not_run_the_lab_is_refused_and_changes_nothing(
        client, db_session, door, make_user, make_facilitator, make_lab, who):
    user = make_user() if who == "participant" else make_facilitator(make_lab())
    login(client, user)
    assert client.get(_url(door)).status_code == 403
    assert client.post(_url(door, f"/{door['guest'].id}"), data={"attended": "1"}).status_code == 403
    assert client.get(f"/eventi/{door['event'].id}/presenze.csv").status_code == 403
    db_session.refresh(door["guest"])
    assert door["guest"].attended_at is None


def test_the_city_staff_may_check_people_in(client, door, make_staff):
    login(client, make_staff(door["lab"].city))
    assert client.get(_url(door)).status_code == 200


def test_the_list_is_paginated(client, door, register, make_user, monkeypatch):
    monkeypatch.setattr(door_routes, "CHECK_IN_PER_PAGE", 2)
    login(client, door["facilitator"])
    first = client.get(_url(door)).get_data(as_text=True)
    second = client.get(_url(door), query_string={"page": 2}).get_data(as_text=True)
    assert "Anna Bianchi" in first and "Giulia Neri" in first and "Marco Rossi" not in first
    assert "Marco Rossi" in second


def test_the_page_takes_the_same_queries_for_3_or_40_registrations(
        client, door, register, make_user, count_queries):
    login(client, door["facilitator"])
    client.get(_url(door))
    with count_queries() as few:
        client.get(_url(door))
    door["event"].capacity = 70
    for n in range(37):
        register(door["event"], make_user(), participant_type=list(ParticipantType)[n % 6])
    with count_queries() as many:
        assert client.get(_url(door)).status_code == 200
    assert len(many) == len(few)


# ---- the attendance sheet ------------------------------------------------------------------

def _rows(response):
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_has_a_row_per_confirmed_registration_with_attendance_in_rome_time(client, db_session, door):
    door["class"].attended_at = datetime(2030, 7, 1, 8, 5, tzinfo=UTC)  # 10:05 in Rome (summer)
    db_session.commit()
    login(client, door["facilitator"])
    response = client.get(f"/eventi/{door['event'].id}/presenze.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = _rows(response)
    assert header[:3] == ["Nome", "Email", "Gruppo"] and "Presente" in header
    by_name = {row[0]: dict(zip(header, row)) for row in rows}
    assert set(by_name) == {"Anna Bianchi", "Giulia Neri", "Marco Rossi"}
    group = by_name["Giulia Neri"]
    assert group["Gruppo"] == "Classe 3B" and group["Organizzazione"] == "IC 12 Bologna"
    assert group["Tipo di partecipante"] == "Scuola" and group["Posti"] == "20"
    assert group["Codice"] == door["class"].code
    assert group["Email"] == door["class"].user.email
    assert group["Presente"] == "sì" and group["Presente dalle"] == "2030-07-01 10:05"
    assert by_name["Marco Rossi"]["Presente"] == "no" and by_name["Marco Rossi"]["Presente dalle"] == ""
    assert by_name["Anna Bianchi"]["Email"] == "anna@example.org"


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)"])
def test_the_csv_does_not_let_a_spreadsheet_run_a_name_as_a_formula(client, door, register, name):
    register(door["event"], guest_name=name, guest_email="formula@example.org")
    login(client, door["facilitator"])
    names = [row[0] for row in _rows(client.get(f"/eventi/{door['event'].id}/presenze.csv"))[1:]]
    assert "'" + name in names and name not in names


def test_the_csv_quotes_commas_and_quotes(client, door, register):
    register(door["event"], guest_name='Rossi, "Pippo"', guest_email="pippo@example.org")
    login(client, door["facilitator"])
    response = client.get(f"/eventi/{door['event'].id}/presenze.csv")
    assert '"Rossi, ""Pippo"""' in response.data.decode("utf-8")
    assert 'Rossi, "Pippo"' in [row[0] for row in _rows(response)]


def test_a_name_split_on_semicolons_gives_no_live_formula_and_every_cell_is_quoted(client, door, register):
    register(door["event"], guest_name="Mario;=1+1;", guest_email="mario@example.org")
    login(client, door["facilitator"])
    text = client.get(f"/eventi/{door['event'].id}/presenze.csv").data.decode("utf-8").lstrip("\ufeff")
    lines = [line for line in text.split("\r\n") if line]
    cells = [cell.strip('"') for line in lines for cell in line.split(";")]
    assert [cell for cell in cells if cell.startswith("=")] == []
    for line in lines:  # eleven cells, each in quotes
        assert line.startswith('"') and line.endswith('"') and line.count('","') == 10
