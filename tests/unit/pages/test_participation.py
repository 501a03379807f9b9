"""The participation dashboard of a city and a lab: the figures, their scope, the page and its
downloads agreeing, no person named, a constant number of queries."""
import csv
import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from civiclab.accounts.models import ParticipantType
from civiclab.comments.models import Comment
from civiclab.core.time import ROME, utcnow
from civiclab.events.models import EventState, Registration, RegistrationState
from civiclab.pages.participation import participation_of_city, participation_of_lab
from civiclab.proposals.models import ProposalState, Support
from civiclab.rooms.models import Message, Room, RoomKind

T = ParticipantType
CREATED = datetime(2025, 6, 1, 12, tzinfo=UTC)  # proposals, supports and comments
NAMES = ("Mario Rossi", "Giulia Scuola", "Bruno Impresa", "Teresa Terzo", "Gino Ospite", "Carla Attesa",
         "Piero Proponente", "Sara Sostenitrice")


def rome(*args):
    return datetime(*args, tzinfo=ROME).astimezone(UTC)


@pytest.fixture
def world(db_session, factories):
    f = factories
    city = f.make_city(name="Bologna")
    lab_a = f.make_lab(city, name="Lab A")
    lab_b = f.make_lab(city, name="Lab B")
    other_lab = f.make_lab(f.make_city(name="Torino"), name="Lab C")
    people = {name: f.make_user(display_name=name, email=f"{name.split()[0].lower()}@example.org")
              for name in NAMES}

    def event(lab, starts, state=EventState.FINISHED):
        return f.make_event(lab, starts_at=starts, state=state)

    e1 = event(lab_a, rome(2025, 3, 10, 10))
    e2 = event(lab_a, rome(2025, 5, 1, 0, 30))  # still 30 April in UTC: counted in May (Rome)
    e3 = event(lab_b, rome(2025, 4, 15, 18))
    e4 = event(other_lab, rome(2025, 4, 15, 18))
    cancelled = event(lab_a, rome(2025, 3, 20, 10), state=EventState.CANCELLED)
    event(lab_a, rome(2025, 3, 21, 10), state=EventState.DRAFT)

    def register(event, name, kind, seats=1, present=False, state=RegistrationState.CONFIRMED):
        user = people[name] if name != "Gino Ospite" else None
        registration = Registration(
            event_id=event.id, user_id=user.id if user else None, participant_type=kind, seats=seats,
            state=state, attended_at=event.starts_at if present else None,
            guest_name=None if user else name, guest_email=None if user else "gino@example.org")
        db_session.add(registration)

    register(e1, "Mario Rossi", T.CITTADINO, present=True)
    register(e1, "Giulia Scuola", T.SCUOLA, seats=20, present=True)
    register(e1, "Gino Ospite", T.CITTADINO, present=True)
    register(e1, "Carla Attesa", T.CITTADINO, state=RegistrationState.WAITING)
    register(e2, "Bruno Impresa", T.IMPRESA, seats=2)
    register(e2, "Mario Rossi", T.CITTADINO, present=True)
    register(e2, "Carla Attesa", T.CITTADINO, state=RegistrationState.CANCELLED)
    register(e3, "Teresa Terzo", T.TERZO_SETTORE, seats=3, present=True)
    register(e4, "Mario Rossi", T.CITTADINO, present=True)
    register(cancelled, "Mario Rossi", T.CITTADINO, seats=5)
    db_session.commit()

    project = f.make_project(city)
    call = f.make_call(project=project)
    lab_call = f.make_call(lab=lab_a)
    verde, mobilita = call.themes
    author = people["Piero Proponente"]

    def propose(state, theme=None, the_call=call, **fields):
        return f.make_proposal(the_call, author, state=state, theme_id=theme.id if theme else None,
                               created_at=CREATED, **fields)

    p1 = propose(ProposalState.ACCEPTED, verde)
    propose(ProposalState.ACCEPTED, mobilita)
    propose(ProposalState.SUBMITTED, verde)
    propose(ProposalState.REJECTED)
    p5 = propose(ProposalState.DRAFT, verde)
    p6 = propose(ProposalState.ACCEPTED, verde, lab_id=lab_b.id)
    propose(ProposalState.SUBMITTED, lab_call.themes[1], the_call=lab_call)
    elsewhere = f.make_proposal(f.make_call(project=f.make_project(other_lab.city)), author, created_at=CREATED)

    supporters = [people[name] for name in ("Sara Sostenitrice", "Mario Rossi", "Teresa Terzo")]
    for supporter in supporters:
        db_session.add(Support(proposal_id=p1.id, user_id=supporter.id, created_at=CREATED))
    for proposal in (p5, p6, elsewhere):
        db_session.add(Support(proposal_id=proposal.id, user_id=supporters[0].id, created_at=CREATED))

    def comment(**fields):
        db_session.add(Comment(author_id=people["Mario Rossi"].id, body="Bella idea, Mario Rossi",
                               body_html="<p>Bella idea</p>", created_at=CREATED, **fields))

    comment(proposal_id=p1.id)
    comment(proposal_id=p1.id)
    comment(proposal_id=p1.id, hidden_at=CREATED)
    comment(proposal_id=p1.id, deleted_at=CREATED)
    comment(proposal_id=p6.id)
    comment(proposal_id=p5.id)
    comment(project_id=project.id)
    comment(proposal_id=elsewhere.id)
    db_session.commit()

    now = utcnow()

    def room(kind, message_at=None, deleted=False, **subject):
        """The room beside an event, lab or project (made with it), or a new working room."""
        room = db_session.scalars(sa.select(Room).filter_by(kind=kind, **subject)).one_or_none()
        if room is None:
            room = Room(kind=kind, **subject)
            db_session.add(room)
            db_session.flush()
        if message_at is not None:
            db_session.add(Message(room_id=room.id, author_id=people["Mario Rossi"].id, body="Ciao Mario Rossi",
                                   body_html="<p>Ciao</p>", created_at=message_at,
                                   deleted_at=message_at if deleted else None))

    room(RoomKind.EVENT, now - timedelta(days=2), event_id=e1.id)
    room(RoomKind.LAB, now - timedelta(days=40), lab_id=lab_a.id)
    room(RoomKind.LAB_WORKING, now - timedelta(days=1), deleted=True, lab_id=lab_b.id)
    room(RoomKind.PROJECT, now - timedelta(days=3), project_id=project.id)
    room(RoomKind.EVENT, now - timedelta(days=1), event_id=e4.id)
    db_session.commit()
    return {"city": city, "lab_a": lab_a, "lab_b": lab_b, "project": project, "call": call, "people": people,
            "factories": f}


def figures(participation, key):
    """{row key: values} of one table, the total under "total"."""
    table = participation.table(key)
    return {row.key: row.values for row in table.all_rows}


def test_city_figures_by_type_and_month(world, in_request):
    p = participation_of_city(world["city"])
    assert figures(p, "registrations_by_type") == {
        "cittadino": [2, 2, 2, 2], "scuola": [1, 20, 1, 20], "impresa": [1, 2, 0, 0],
        "terzo_settore": [1, 3, 1, 3], "universita": [0, 0, 0, 0], "ente_pubblico": [0, 0, 0, 0],
        "ospiti": [1, 1, 1, 1], "total": [6, 28, 5, 26],
    }
    assert figures(p, "registrations_by_month") == {
        "2025-03": [3, 22, 3, 22], "2025-04": [1, 3, 1, 3], "2025-05": [2, 3, 1, 1], "total": [6, 28, 5, 26],
    }
    assert [str(row.label) for row in p.table("registrations_by_month").rows] == [
        "marzo 2025", "aprile 2025", "maggio 2025"]


def test_city_figures_of_proposals_supports_comments_and_rooms(world, in_request):
    p = participation_of_city(world["city"])
    assert figures(p, "proposals_by_state") == {
        "submitted": [2], "changes_requested": [0], "accepted": [3], "rejected": [1], "adopted": [0],
        "withdrawn": [0], "total": [6],
    }
    assert "draft" not in figures(p, "proposals_by_state")
    # Two calls each have a "Mobilità" theme: one row.
    assert figures(p, "proposals_by_theme") == {"Mobilità": [2], "Verde": [3], "": [1], "total": [6]}
    assert figures(p, "comments") == {"proposals": [3], "projects": [1], "outcomes": [0], "total": [4]}
    # Every event, lab and project has its room; those of cancelled and draft events are left out.
    assert figures(p, "rooms") == {"event": [3, 1], "project": [1, 1], "lab": [2, 0], "lab_working": [1, 0],
                                   "total": [7, 2]}
    assert figures(p, "summary") == {
        "events": [3], "bookings": [6], "seats": [28], "present_bookings": [5], "present_seats": [26],
        "proposals": [6], "supports": [4], "comments": [4], "active_rooms": [2],
    }


def test_a_lab_counts_only_its_own_events_proposals_and_rooms(world, in_request):
    a = participation_of_lab(world["lab_a"])
    assert figures(a, "registrations_by_type")["total"] == [5, 25, 4, 23]
    assert figures(a, "registrations_by_type")["terzo_settore"] == [0, 0, 0, 0]
    assert set(figures(a, "registrations_by_month")) == {"2025-03", "2025-05", "total"}
    # Lab A's proposal is the one written for its call.
    assert figures(a, "proposals_by_state")["total"] == [1]
    assert figures(a, "proposals_by_theme") == {"Mobilità": [1], "total": [1]}
    assert figures(a, "summary")["supports"] == [0]
    assert figures(a, "comments") == {"proposals": [0], "total": [0]}
    assert figures(a, "rooms") == {"event": [2, 1], "project": [0, 0], "lab": [1, 0], "lab_working": [0, 0],
                                   "total": [3, 1]}

    b = participation_of_lab(world["lab_b"])
    assert figures(b, "registrations_by_type")["total"] == [1, 3, 1, 3]
    assert set(figures(b, "registrations_by_month")) == {"2025-04", "total"}
    # Lab B's proposal names it.
    assert figures(b, "proposals_by_state") == {**figures(b, "proposals_by_state"), "accepted": [1], "total": [1]}
    assert figures(b, "summary")["supports"] == [1]
    assert figures(b, "comments")["total"] == [1]
    assert figures(b, "rooms") == {"event": [1, 0], "project": [0, 0], "lab": [1, 0], "lab_working": [1, 0],
                                   "total": [3, 0]}
    assert figures(b, "summary")["events"] == [1]


def test_a_year_keeps_what_happened_in_it(world, in_request):
    assert figures(participation_of_city(world["city"], 2025), "summary") == \
        figures(participation_of_city(world["city"]), "summary")
    other_year = participation_of_city(world["city"], 2024)
    summary = figures(other_year, "summary")
    assert summary.pop("active_rooms") == [2]  # always the last days, whatever the year
    assert set(map(tuple, summary.values())) == {(0,)}
    assert other_year.table("registrations_by_month").rows == []


def test_queries_stay_constant_as_data_grows(world, in_request, count_queries, db_session):
    with count_queries() as before:
        participation_of_city(world["city"])
    f = world["factories"]
    for month in (7, 8, 9):
        extra = f.make_event(world["lab_b"], starts_at=rome(2025, month, 2, 10), state=EventState.FINISHED)
        for kind in (T.SCUOLA, T.UNIVERSITA, T.ENTE_PUBBLICO):
            user = f.make_user(participant_type=kind)
            db_session.add(Registration(event_id=extra.id, user_id=user.id, participant_type=kind, seats=2,
                                        state=RegistrationState.CONFIRMED, attended_at=extra.starts_at))
        f.make_proposal(world["call"], state=ProposalState.ACCEPTED)
    db_session.commit()
    with count_queries() as after:
        p = participation_of_city(world["city"])
    assert figures(p, "registrations_by_type")["universita"] == [3, 6, 3, 6]
    assert len(after) == len(before) <= 7


# ---- the page and its downloads ----------------------------------------------------------------

def page_cells(html):
    """{(caption, row, column): number} read from the page's tables (header row first)."""
    cells = {}
    for table in html.split("<table")[1:]:
        table = table.split("</table>")[0]
        parser = _Rows()
        parser.feed("<table" + table + "</table>")
        caption, rows = parser.caption, parser.rows
        columns, body = rows[0], rows[1:]
        for row in body:
            if not row or row[0][0] != "th":
                continue
            for column, (_tag, text) in zip(columns[1:], row[1:]):
                cells[(caption, row[0][1], column[1])] = int(text.replace(".", ""))
    return cells


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.caption, self.rows, self.tag, self.text = "", [], None, ""

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        if tag in ("caption", "th", "td"):
            self.tag, self.text = tag, ""

    def handle_data(self, data):
        if self.tag:
            self.text += data

    def handle_endtag(self, tag):
        if tag != self.tag:
            return
        text, self.tag = " ".join(self.text.split()), None
        if tag == "caption":
            self.caption = text
        else:
            self.rows[-1].append((tag, text))


def csv_cells(data):
    assert data.startswith("\ufeff")
    reader = csv.reader(io.StringIO(data[1:]), delimiter=";")
    header = next(reader)
    assert header == ["Tabella", "Voce", "Misura", "Valore"]
    return {(table, row, column): int(value) for table, row, column, value in reader}


def json_cells(data):
    cells = {}
    for table in data["tables"]:
        labels = {column["key"]: column["label"] for column in table["columns"]}
        for row in table["rows"]:
            for key, value in row["values"].items():
                cells[(table["title"], row["label"], labels[key])] = value
    return cells


@pytest.mark.parametrize("scope", ["city", "lab_a", "lab_b"])
def test_page_csv_and_json_agree(world, client, scope):
    city = world["city"]
    base = (f"/citta/{city.slug}/partecipazione" if scope == "city"
            else f"/citta/{city.slug}/laboratori/{world[scope].slug}/partecipazione")
    page = client.get(base)
    assert page.status_code == 200
    csv_response = client.get(base + ".csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    json_response = client.get(base + ".json")
    assert json_response.status_code == 200

    shown = page_cells(page.get_data(as_text=True))
    assert len(shown) > 40 if scope == "city" else len(shown) > 20
    assert shown == csv_cells(csv_response.get_data(as_text=True))
    assert shown == json_cells(json_response.get_json())
    if scope == "city":
        assert shown[("Iscrizioni e presenze per tipo di partecipante", "Scuola", "Posti confermati")] == 20
        assert shown[("Iscrizioni e presenze per mese dell'evento", "Totale", "Posti presenti")] == 26
        assert shown[("Proposte per tema", "Senza tema", "Numero")] == 1


def test_the_year_reaches_the_downloads(world, client):
    slug = world["city"].slug
    page = client.get(f"/citta/{slug}/partecipazione?anno=2024").get_data(as_text=True)
    assert f"/citta/{slug}/partecipazione.csv?anno=2024" in page
    data = client.get(f"/citta/{slug}/partecipazione.json?anno=2024").get_json()
    assert data["year"] == 2024
    assert page_cells(page) == json_cells(data)
    assert json_cells(data)[("Riepilogo", "Eventi", "Numero")] == 0


def test_no_person_is_named_anywhere(world, client):
    city, lab = world["city"], world["lab_a"]
    for base in (f"/citta/{city.slug}/partecipazione", f"/citta/{city.slug}/laboratori/{lab.slug}/partecipazione"):
        for suffix in ("", ".csv", ".json"):
            body = client.get(base + suffix).get_data(as_text=True)
            for name in NAMES:
                assert name not in body
                assert name.split()[0] not in body
            assert "@example.org" not in body


@pytest.mark.parametrize("year", ["abc", "1999", "20255", "-1", "2025'", "9" * 40, " ", "２０２５"])
def test_a_bad_year_is_never_a_500(world, client, year):
    slug = world["city"].slug
    lab = world["lab_a"].slug
    page = client.get(f"/citta/{slug}/partecipazione", query_string={"anno": year})
    assert page.status_code == 200
    if year.strip():
        assert "L’anno richiesto non è valido" in page.get_data(as_text=True)
    for url in (f"/citta/{slug}/partecipazione.csv", f"/citta/{slug}/laboratori/{lab}/partecipazione.json"):
        assert client.get(url, query_string={"anno": year}).status_code == (400 if year.strip() else 200)


def test_city_and_lab_pages_link_to_their_dashboards(world, client):
    city, lab = world["city"], world["lab_a"]
    assert f"/citta/{city.slug}/partecipazione" in client.get(f"/citta/{city.slug}").get_data(as_text=True)
    lab_url = f"/citta/{city.slug}/laboratori/{lab.slug}"
    assert lab_url + "/partecipazione" in client.get(lab_url).get_data(as_text=True)


def test_an_unknown_city_or_lab_is_404(world, client):
    assert client.get("/citta/nessuna/partecipazione").status_code == 404
    assert client.get(f"/citta/{world['city'].slug}/laboratori/nessuno/partecipazione.csv").status_code == 404


def test_the_page_asks_a_constant_number_of_queries(world, client, count_queries):
    url = f"/citta/{world['city'].slug}/partecipazione"
    with count_queries() as before:
        client.get(url)
    f = world["factories"]
    extra = f.make_event(world["lab_a"], starts_at=rome(2025, 10, 2, 10), state=EventState.FINISHED)
    for _ in range(3):
        f.make_proposal(world["call"], state=ProposalState.SUBMITTED)
    assert extra.id
    with count_queries() as after:
        client.get(url)
    assert len(after) == len(before)
