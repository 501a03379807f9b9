"""The audit log's page: administrators read every entry, a city's staff their cities' entries,
nobody else; filters narrow it (bad values are form errors); pages cost the same queries; the
CSV is the administrators', and downloading it is itself recorded."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.audit.models import AuditEntry
from civiclab.core.audit import audit
from civiclab.core.time import to_rome, utcnow
from tests.conftest import login, text_of


def rows(response):
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr>(.*?)</tr>", response.get_data(as_text=True), re.DOTALL)[1:]]


@pytest.fixture
def world(db_session, make_city, make_staff, make_user, make_lab, make_facilitator):
    bologna, parma = make_city(name="Bologna"), make_city(name="Parma")
    staff = make_staff(bologna, display_name="Sara Staff", email="sara@comune.bologna.it")
    parma_staff = make_staff(parma, display_name="Paolo Parma")
    admin = make_user(display_name="Ada Admin", is_admin=True)
    facilitator = make_facilitator(make_lab(city=bologna), display_name="Fabio Facilitatore")
    participant = make_user(display_name="Pia Partecipante")
    audit(staff, "project.published", subject_type="projects", subject_id=11, city_id=bologna.id)
    audit(facilitator, "comment.hidden", subject_type="comments", subject_id=22, city_id=bologna.id,
          reason="Insulti <b>gravi</b>", words="<script>alert(1)</script>")
    audit(parma_staff, "event.cancelled", subject_type="events", subject_id=33, city_id=parma.id)
    audit(admin, "role.staff_appointed", subject_type="users", subject_id=staff.id, city_id=None)
    db_session.commit()
    return {"bologna": bologna, "parma": parma, "staff": staff, "parma_staff": parma_staff, "admin": admin,
            "facilitator": facilitator, "participant": participant}


def test_administrators_read_every_entry_newest_first(client, world):
    login(client, world["admin"])

    response = client.get("/gestione/registro")

    assert response.status_code == 200
    newest, *_, oldest = rows(response)
    assert len(rows(response)) == 4
    assert "Ada Admin" in newest and "Personale del Comune nominato" in newest
    assert "Sara Staff" in oldest and "Progetto pubblicato" in oldest and "Bologna" in oldest


def test_a_citys_staff_read_only_their_citys_entries(client, world):
    login(client, world["staff"])

    response = client.get("/gestione/registro")

    assert response.status_code == 200
    page = rows(response)
    assert len(page) == 2
    assert "Commento nascosto" in page[0] and "Fabio Facilitatore" in page[0]
    assert "Evento annullato" not in text_of(response)
    assert "Personale del Comune nominato" not in " ".join(page)


def test_reasons_and_details_are_shown_escaped(client, world):
    login(client, world["staff"])

    response = client.get("/gestione/registro")

    assert "Insulti &lt;b&gt;gravi&lt;/b&gt;" in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)" not in response.text


@pytest.mark.parametrize("who", ["facilitator", "participant"])
def test_facilitators_and_participants_may_not_read_the_log(client, world, who):
    login(client, world[who])

    assert client.get("/gestione/registro").status_code == 403
    assert client.get("/gestione/registro.csv").status_code == 403


def test_visitors_are_sent_to_sign_in(client, world):
    assert client.get("/gestione/registro").status_code == 302


def test_a_deleted_account_is_shown_without_its_name(client, world, db_session):
    world["facilitator"].deleted_at = utcnow()
    world["facilitator"].display_name = "Fabio Facilitatore"  # anonymisation aside, the flag decides
    db_session.commit()
    login(client, world["admin"])

    response = client.get("/gestione/registro", query_string={"azione": "comment.hidden"})

    [row] = rows(response)
    assert "Account eliminato" in row and "Fabio" not in row


@pytest.mark.parametrize("query, expected", [
    ({"azione": "event.cancelled"}, ["Evento annullato"]),
    ({"persona": "sara@comune"}, ["Progetto pubblicato"]),
    ({"persona": "fabio"}, ["Commento nascosto"]),
    ({"oggetto": "events", "numero": "33"}, ["Evento annullato"]),
    ({"numero": "22"}, ["Commento nascosto"]),
    ({"persona": "%"}, []),
])
def test_filters_narrow_the_log(client, world, query, expected):
    login(client, world["admin"])

    response = client.get("/gestione/registro", query_string=query)

    assert response.status_code == 200
    shown = " ".join(rows(response))
    labels = ("Progetto pubblicato", "Commento nascosto", "Evento annullato", "Personale del Comune nominato")
    assert [label for label in labels if label in shown] == expected


def test_the_city_filter_and_the_days(client, world, db_session):
    entry = db_session.scalar(sa.select(AuditEntry).filter_by(action="event.cancelled"))
    login(client, world["admin"])

    by_city = client.get("/gestione/registro", query_string={"citta": world["parma"].id})
    day = to_rome(entry.at).date()  # the log's days are Rome's (at 23:30 UTC it is already tomorrow there)
    today = client.get("/gestione/registro", query_string={"dal": day.isoformat(), "al": day.isoformat()})
    tomorrow = client.get("/gestione/registro", query_string={
        "dal": (entry.at + timedelta(days=2)).strftime("%d/%m/%Y")})

    assert [row for row in rows(by_city)] and all("Evento annullato" in row for row in rows(by_city))
    assert len(rows(today)) == 4
    assert rows(tomorrow) == []


def test_staff_cannot_filter_for_another_city(client, world):
    login(client, world["staff"])

    response = client.get("/gestione/registro", query_string={"citta": world["parma"].id})

    assert response.status_code == 200
    assert "Il modulo contiene errori: Città : Non è una opzione valida" in text_of(response)
    assert "Evento annullato" not in text_of(response)


@pytest.mark.parametrize("query", [
    {"numero": "abc"}, {"numero": "99999999999999999999"}, {"dal": "31/02/2026"}, {"dal": "2026-13-01"},
    {"dal": "01/01/0001"}, {"azione": "nessuna.azione"}, {"oggetto": "users; DROP"}, {"citta": "x"},
    {"dal": "2026-05-02", "al": "2026-05-01"}, {"persona": "a" * 300},
])
def test_bad_filters_are_form_errors_not_failures(client, world, query):
    login(client, world["admin"])

    response = client.get("/gestione/registro", query_string=query)

    assert response.status_code == 200
    assert "Il modulo contiene errori" in text_of(response)
    assert rows(response) == []


def test_pages_read_on_with_the_same_number_of_queries(client, world, db_session, count_queries, app):
    staff = world["staff"]
    for n in range(2 * app.config["PER_PAGE"] + 5):
        audit(world["admin"] if n % 2 else staff, "project.edited", subject_type="projects", subject_id=n,
              city_id=world["bologna"].id)
    db_session.commit()
    login(client, world["admin"])

    with count_queries() as first_queries:
        first = client.get("/gestione/registro")
    next_link = re.search(r'rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    with count_queries() as second_queries:
        second = client.get(next_link)

    assert len(rows(first)) == len(rows(second)) == app.config["PER_PAGE"]
    assert rows(first) != rows(second)
    assert len(first_queries) == len(second_queries)


def test_administrators_download_the_filtered_log_and_the_download_is_recorded(client, world, db_session):
    login(client, world["admin"])

    response = client.get("/gestione/registro.csv", query_string={"azione": "comment.hidden"})

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "no-store" in response.headers["Cache-Control"]
    lines = response.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and "Commento nascosto" in lines[1] and "Fabio Facilitatore" in lines[1]
    recorded = db_session.scalar(sa.select(AuditEntry).filter_by(action="audit.exported"))
    assert recorded.actor_id == world["admin"].id
    assert recorded.details == {"rows": 1, "filters": {"azione": "comment.hidden"}}


def test_staff_may_not_download_the_log(client, world):
    login(client, world["staff"])

    assert client.get("/gestione/registro.csv").status_code == 403


def test_no_page_changes_an_entry(app):
    """Reading and downloading are the only things the log's pages do."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")]
    assert {rule.endpoint for rule in rules} == {"audit.entries", "audit.export"}
    assert all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in rules)


def test_the_management_dashboard_links_to_the_log(client, world):
    login(client, world["staff"])

    assert 'href="/gestione/registro"' in client.get("/gestione").text



def test_an_object_with_a_page_is_linked(client, world):
    login(client, world["admin"])

    response = client.get("/gestione/registro")

    assert 'href="/eventi/33"' in response.text  # the event, whether or not it is still there
    assert "Progetto n. 11" in text_of(response)  # a project is linked by its code, which this entry lacks


def test_a_download_with_bad_filters_is_refused_with_the_form(client, world, db_session):
    login(client, world["admin"])

    response = client.get("/gestione/registro.csv", query_string={"numero": "abc"})

    assert response.status_code == 400
    assert "Il modulo contiene errori" in text_of(response)
    assert db_session.scalar(sa.select(AuditEntry).filter_by(action="audit.exported")) is None


def test_staff_find_actors_by_name_or_number_but_not_by_email(client, world):
    login(client, world["staff"])

    by_email = client.get("/gestione/registro", query_string={"persona": "sara@comune"})
    by_name = client.get("/gestione/registro", query_string={"persona": "sara"})
    by_number = client.get("/gestione/registro", query_string={"persona": str(world["staff"].id)})

    assert rows(by_email) == []
    assert len(rows(by_name)) == len(rows(by_number)) == 1
