"""A project's financial progress over time: the form's edits and the imports add dated snapshots
of the four amounts; the project row holds the latest; the sheet shows the history."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from civiclab.core.errors import DomainError
from civiclab.core.signals import financial_snapshot_added
from civiclab.core.time import ROME
from civiclab.programmes.models import FinancialSnapshot, Project
from civiclab.programmes.services import record_snapshot
from tests.conftest import login, text_of
from tests.unit.programmes.test_project_form import form

# 00:30 in Rome on 1 March is still 28 February in UTC: the snapshot is dated by Rome's calendar.
ROME_MORNING = datetime(2028, 3, 1, 0, 30, tzinfo=ROME)
AMOUNTS = {"programmato_cents": 100_000_00, "ammesso_cents": 90_000_00, "vincolante_cents": 50_000_00,
           "erogato_cents": 20_000_00}


def amounts(**changes):
    return {**AMOUNTS, **changes}


def snapshots_of(db_session, project):
    return db_session.scalars(sa.select(FinancialSnapshot).filter_by(project_id=project.id)
                              .order_by(FinancialSnapshot.as_of, FinancialSnapshot.id)).all()


@pytest.fixture
def city_and_staff(make_city, make_staff, make_project):
    city = make_city(name="Bologna")
    make_project(city=make_city(), code="ESISTENTE")  # creates the programme's action too
    return city, make_staff(city)


@pytest.fixture
def signals():
    sent = []

    def listener(project, snapshot):
        sent.append((project.code, snapshot.source, snapshot.as_of))

    financial_snapshot_added.connect(listener)
    yield sent
    financial_snapshot_added.disconnect(listener)


@pytest.fixture
def frozen():
    with time_machine.travel(ROME_MORNING, tick=False):
        yield


def test_creating_a_project_adds_a_manual_snapshot_dated_today_in_rome(
        client, db_session, city_and_staff, frozen, signals):
    # (`frozen` before signing in: a session opened in another year would have expired)
    login(client, city_and_staff[1])

    assert client.post("/citta/bologna/progetti/nuovo", data=form(db_session)).status_code == 302

    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.c"))
    [snapshot] = snapshots_of(db_session, project)
    assert snapshot.as_of == date(2028, 3, 1) and snapshot.source == "manuale"
    assert (snapshot.programmato_cents, snapshot.ammesso_cents, snapshot.vincolante_cents,
            snapshot.erogato_cents) == (41224884, 41224884, 41224884, 41224883)
    assert snapshot.created_by_id == city_and_staff[1].id and not snapshot.amounts_inconsistent
    assert signals == [("BO3.3.1.c", "manuale", date(2028, 3, 1))]


def test_editing_the_amounts_adds_a_snapshot_and_a_second_edit_the_same_day_updates_it(
        client, db_session, make_project, city_and_staff, signals):
    city, staff = city_and_staff
    project = make_project(city=city, code="BO1")
    with time_machine.travel(ROME_MORNING - timedelta(days=40), tick=False):
        login(client, staff)  # signed in on the day: a session does not last 40 days
        assert client.post("/progetti/BO1/modifica", data=form(db_session, code="BO1", cup="",
                                                               erogato="100.000,00")).status_code == 302
    with time_machine.travel(ROME_MORNING, tick=False):
        login(client, staff)
        assert client.post("/progetti/BO1/modifica", data=form(db_session, code="BO1", cup="",
                                                               erogato="200.000,00")).status_code == 302
        assert client.post("/progetti/BO1/modifica", data=form(db_session, code="BO1", cup="",
                                                               erogato="300.000,00")).status_code == 302

    history = snapshots_of(db_session, project)
    assert [(s.as_of, s.source, s.erogato_cents) for s in history] == [
        (date(2028, 1, 21), "manuale", 100_000_00),
        (date(2028, 3, 1), "manuale", 300_000_00),  # the day's second edit updated the first
    ]
    db_session.refresh(project)
    assert project.erogato_cents == 300_000_00
    assert [day for _code, _source, day in signals] == [date(2028, 1, 21), date(2028, 3, 1), date(2028, 3, 1)]


def test_an_edit_that_changes_no_amount_adds_no_snapshot(client, db_session, make_project, city_and_staff,
                                                         signals):
    city, staff = city_and_staff
    project = make_project(city=city, code="BO1")
    login(client, staff)

    response = client.post("/progetti/BO1/modifica", data=form(db_session, code="BO1", cup="",
                                                                title="Solo il titolo cambia"))

    assert response.status_code == 302
    assert snapshots_of(db_session, project) == [] and signals == []


def test_amounts_out_of_order_are_still_refused_on_the_form_and_nothing_is_lost(
        client, db_session, make_project, city_and_staff, frozen):
    city, staff = city_and_staff
    project = make_project(city=city, code="BO1")
    record_snapshot(project, date(2027, 12, 31), "manuale", amounts())
    db_session.commit()
    login(client, staff)

    response = client.post("/progetti/BO1/modifica", data=form(db_session, code="BO1", cup="",
                                                                erogato="999.999,00"))

    assert response.status_code == 422
    assert "non può superare l&#39;importo giuridicamente" in response.text
    assert 'value="999.999,00"' in response.text  # what was typed stays on the form
    db_session.refresh(project)
    assert project.erogato_cents == 20_000_00 and not project.amounts_inconsistent
    assert [(s.as_of, s.erogato_cents) for s in snapshots_of(db_session, project)] == [
        (date(2027, 12, 31), 20_000_00)]


# ---- record_snapshot: what the OpenCoesione import calls ----------------------------------------

def test_record_snapshot_is_idempotent(db_session, make_project, signals):
    project = make_project(code="OC1")
    first = record_snapshot(project, date(2024, 8, 31), "OpenCoesione 2024-08-31", amounts())
    again = record_snapshot(project, date(2024, 8, 31), "OpenCoesione 2024-08-31", amounts())

    assert first.change == "added" and again.change is None
    assert again.snapshot.id == first.snapshot.id
    assert len(snapshots_of(db_session, project)) == 1 and len(signals) == 1

    changed = record_snapshot(project, date(2024, 8, 31), "OpenCoesione 2024-08-31",
                              amounts(erogato_cents=30_000_00))
    assert changed.change == "updated" and changed.snapshot.id == first.snapshot.id
    assert len(snapshots_of(db_session, project)) == 1 and project.erogato_cents == 30_000_00


def test_the_latest_snapshot_by_date_wins_whatever_the_order_of_recording(db_session, make_project):
    project = make_project(code="OC2")
    record_snapshot(project, date(2024, 8, 31), "OpenCoesione 2024-08-31", amounts(erogato_cents=40_000_00))
    assert project.erogato_cents == 40_000_00

    # An older release imported afterwards joins the history but does not overwrite the project.
    older = record_snapshot(project, date(2023, 12, 31), "OpenCoesione 2023-12-31",
                            amounts(erogato_cents=10_000_00))
    assert older.change == "added"
    db_session.refresh(project)
    assert project.erogato_cents == 40_000_00
    assert [s.as_of for s in snapshots_of(db_session, project)] == [date(2023, 12, 31), date(2024, 8, 31)]

    record_snapshot(project, date(2025, 2, 28), "OpenCoesione 2025-02-28", amounts(erogato_cents=50_000_00))
    db_session.refresh(project)
    assert project.erogato_cents == 50_000_00


def test_imported_amounts_out_of_order_are_kept_as_published_and_flagged(db_session, make_project):
    project = make_project(code="OC3")
    broken = amounts(erogato_cents=120_000_00)  # paid more than programmed: other funds complete it

    with pytest.raises(DomainError):
        record_snapshot(project, date(2024, 8, 31), "OpenCoesione 2024-08-31", broken)
    recorded = record_snapshot(project, date(2024, 8, 31), "OpenCoesione 2024-08-31", broken, inconsistent=True)
    db_session.commit()

    db_session.refresh(project)
    assert recorded.snapshot.amounts_inconsistent and project.amounts_inconsistent
    assert project.erogato_cents == 120_000_00  # never "fixed"

    # The next release in order clears the flag on the project; the old snapshot keeps its own.
    record_snapshot(project, date(2025, 2, 28), "OpenCoesione 2025-02-28", amounts())
    db_session.commit()
    db_session.refresh(project)
    assert not project.amounts_inconsistent and recorded.snapshot.amounts_inconsistent


def test_negative_amounts_are_refused(db_session, make_project):
    project = make_project(code="OC4")
    with pytest.raises(DomainError):
        record_snapshot(project, date(2024, 8, 31), "OpenCoesione", amounts(erogato_cents=-1), inconsistent=True)


# ---- the project sheet ------------------------------------------------------------------------

def test_the_sheet_shows_the_latest_amounts_the_share_paid_and_the_history(client, db_session, make_project):
    project = make_project(code="STORIA")
    record_snapshot(project, date(2023, 12, 31), "OpenCoesione 2023-12-31", amounts(erogato_cents=0))
    record_snapshot(project, date(2024, 8, 31), "manuale", amounts(erogato_cents=33_333_33))
    db_session.commit()

    page = client.get("/progetti/STORIA")

    assert page.status_code == 200
    text = text_of(page)
    assert "Dati al 31/08/2024, fonte: manuale." in text
    assert "Erogato: 33,3 % dell’importo programmato" in text  # 33,33 rounded down
    # The chart: server-side SVG, accessible, no inline style (the CSP refuses it).
    assert 'role="img"' in page.text and "<title id=\"history-" in page.text and "<desc id=" in page.text
    assert "style=" not in page.text and "<script" not in page.text.split("<main", 1)[-1].split("</main>")[0]
    # The same figures in a table beside it, every snapshot with date and source.
    table = page.text.split('id="storico-tabella"', 1)[1].split("</table>", 1)[0]
    assert "<caption" in table and 'scope="col"' in table and 'scope="row"' in table
    assert "31/12/2023" in table and "OpenCoesione 2023-12-31" in table and "€ 33.333,33" in table
    assert "Importi incoerenti" not in text


def test_with_one_snapshot_the_sheet_shows_the_table_and_says_why_there_is_no_chart(
        client, db_session, make_project):
    project = make_project(code="UNA")
    record_snapshot(project, date(2024, 8, 31), "manuale", amounts())
    db_session.commit()

    page = client.get("/progetti/UNA")

    assert page.status_code == 200
    assert 'role="img"' not in page.text
    assert "Una sola data di rilevazione" in text_of(page)
    assert 'id="storico-tabella"' in page.text


def test_inconsistent_amounts_get_a_warning_on_the_sheet(client, db_session, make_project):
    project = make_project(code="INCOERENTE")
    record_snapshot(project, date(2024, 8, 31), "OpenCoesione 2024-08-31", amounts(erogato_cents=120_000_00),
                    inconsistent=True)
    db_session.commit()

    text = text_of(client.get("/progetti/INCOERENTE"))

    assert "Importi incoerenti" in text and "senza correggerli" in text
    assert "Erogato: 120,0 % dell’importo programmato" in text


def test_the_sheet_makes_as_many_queries_with_20_snapshots_as_with_2(client, db_session, make_project,
                                                                   count_queries):
    def queries_for(count):
        project = make_project()
        for day in range(count):
            record_snapshot(project, date(2024, 1, 1) + timedelta(days=day), "manuale",
                            amounts(erogato_cents=day * 100))
        db_session.commit()
        with count_queries() as queries:
            assert client.get(f"/progetti/{project.code}").status_code == 200
        return len(queries)

    assert queries_for(2) == queries_for(20)


def test_staff_can_edit_an_inconsistent_project_keeping_its_amounts_but_not_make_new_ones(
        client, db_session, make_project, city_and_staff):
    city, staff = city_and_staff
    project = make_project(city=city, code="OC5")
    record_snapshot(project, date(2024, 8, 31), "OpenCoesione 2024-08-31", amounts(erogato_cents=120_000_00),
                    inconsistent=True)
    db_session.commit()
    login(client, staff)
    kept = {"programmato": "100.000,00", "ammesso": "90.000,00", "vincolante": "50.000,00", "erogato": "120.000,00"}

    retitled = client.post("/progetti/OC5/modifica", data=form(db_session, code="OC5", cup="", title="Nuovo", **kept))
    changed = client.post("/progetti/OC5/modifica", data=form(db_session, code="OC5", cup="",
                                                              **{**kept, "erogato": "130.000,00"}))

    assert retitled.status_code == 302
    assert changed.status_code == 422  # new amounts out of order: the form's rule
    db_session.refresh(project)
    assert project.title == "Nuovo" and project.amounts_inconsistent and project.erogato_cents == 120_000_00
    assert len(snapshots_of(db_session, project)) == 1
