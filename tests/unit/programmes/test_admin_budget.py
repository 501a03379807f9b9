"""Each city's plan under a programme: administrators set its total and budget per axis (and make
the plan of a city that has none); the city's staff read it; nobody else sees it."""
import pytest
import sqlalchemy as sa

from civiclab.core.errors import DomainError
from civiclab.programmes import services
from civiclab.programmes.models import Axis, AxisBudget, CityPlan, Programme
from tests.conftest import login
from tests.fixtures.audit_records import recorded_audits


@pytest.fixture
def programme(db_session):
    programme = Programme(code="2014IT16M2OP004", slug="pon-metro", name="PON Metro", period="2014-2020")
    db_session.add_all([programme, Axis(programme=programme, number=1, name="Agenda digitale"),
                        Axis(programme=programme, number=3, name="Inclusione sociale")])
    db_session.commit()
    return programme


@pytest.fixture
def bologna(make_city):
    return make_city(name="Bologna")


def budget_url(programme, city):
    return f"/gestione/programmi/{programme.id}/citta/{city.slug}/budget"


def amounts_form(programme, total, *amounts):
    return {"total": total, **{f"axis_{axis.id}": amount for axis, amount in zip(programme.axes, amounts,
                                                                                 strict=True)}}


def test_an_administrator_makes_the_plan_of_a_city_that_has_none(client, db_session, programme, bologna, make_user):
    login(client, make_user(is_admin=True))
    page = client.get(budget_url(programme, bologna))
    assert page.status_code == 200 and "non ha ancora un piano" in page.text

    with recorded_audits() as audits:
        response = client.post(budget_url(programme, bologna),
                               data=amounts_form(programme, "40.000.000,00", "1.000.000,50", "€ 2.500.000"))

    assert response.status_code == 302
    plan = db_session.scalar(sa.select(CityPlan).filter_by(city_id=bologna.id, programme_id=programme.id))
    assert plan.total_cents == 4_000_000_000
    assert sorted((b.axis.number, b.amount_cents) for b in plan.budgets) == [(1, 100_000_050), (3, 250_000_000)]
    [(action, entry)] = audits
    assert (action, entry["city_id"], entry["subject_id"]) == ("budget.edited", bologna.id, plan.id)
    assert entry["details"]["old"] == {"total": "—", "asse 1": "—", "asse 3": "—"}
    assert entry["details"]["new"] == {"total": "€ 40.000.000,00", "asse 1": "€ 1.000.000,50",
                                       "asse 3": "€ 2.500.000,00"}
    page = client.get(response.headers["Location"])
    assert "€ 36.499.999,50" in page.text  # the part of the total no axis holds, shown
    assert 'value="1000000,50"' in page.text
    listing = client.get(f"/gestione/programmi/{programme.id}")
    assert "€ 40.000.000,00" in listing.text


def test_an_administrator_changes_one_axis_and_the_audit_says_only_that(client, db_session, programme, bologna,
                                                                        make_user):
    plan = CityPlan(programme=programme, city_id=bologna.id, total_cents=1_000_00)
    plan.budgets = [AxisBudget(axis=programme.axes[0], amount_cents=400_00),
                    AxisBudget(axis=programme.axes[1], amount_cents=600_00)]
    db_session.add(plan)
    db_session.commit()
    login(client, make_user(is_admin=True))

    with recorded_audits() as audits:
        response = client.post(budget_url(programme, bologna), data=amounts_form(programme, "1000", "400", "550,25"))
        unchanged = client.post(budget_url(programme, bologna), data=amounts_form(programme, "1000", "400", "550,25"))

    assert response.status_code == unchanged.status_code == 302
    db_session.refresh(plan)
    assert sorted(b.amount_cents for b in plan.budgets) == [400_00, 550_25]
    assert [(entry["details"]["old"], entry["details"]["new"]) for _, entry in audits] == [
        ({"asse 3": "€ 600,00"}, {"asse 3": "€ 550,25"})]


def test_the_axes_may_exceed_the_total_and_the_page_says_so(client, db_session, programme, bologna, make_user):
    login(client, make_user(is_admin=True))

    response = client.post(budget_url(programme, bologna), data=amounts_form(programme, "100", "80", "70"))

    assert response.status_code == 302
    assert "La somma degli assi supera il totale del piano." in client.get(budget_url(programme, bologna)).text


@pytest.mark.parametrize(("total", "amount", "message"), [
    ("-5", "0", "Importo non valido"),
    ("100", "-1", "Importo non valido"),
    ("12,345", "0", "Importo non valido"),
    ("cento", "0", "Importo non valido"),
    ("1" * 5000, "0", "Importo non valido"),
    ("100.000.000.001", "0", "L&#39;importo può essere al massimo € 100.000.000.000,00."),
    ("", "0", "Questo campo è obbligatorio"),
])
def test_a_bad_amount_is_refused_and_nothing_is_saved(client, db_session, programme, bologna, make_user, total,
                                                      amount, message):
    login(client, make_user(is_admin=True))

    with recorded_audits() as audits:
        response = client.post(budget_url(programme, bologna), data=amounts_form(programme, total, amount, "1"))

    assert response.status_code == 422
    assert message in response.text
    assert db_session.scalar(sa.select(CityPlan).filter_by(city_id=bologna.id)) is None and audits == []


def test_the_largest_amount_is_taken(client, db_session, programme, bologna, make_user):
    login(client, make_user(is_admin=True))
    response = client.post(budget_url(programme, bologna),
                           data=amounts_form(programme, "100.000.000.000,00", "100.000.000.000", "0"))
    assert response.status_code == 302
    assert db_session.scalar(sa.select(CityPlan.total_cents).filter_by(city_id=bologna.id)) == 10**13


def test_an_axis_of_another_programme_is_refused_by_the_service(app, db_session, programme, bologna, make_user):
    other = Programme(code="ALTRO", slug="altro", name="Altro", period="2021-2027")
    foreign = Axis(programme=other, number=1, name="Estraneo")
    db_session.add_all([other, foreign])
    db_session.commit()

    with app.test_request_context(), pytest.raises(DomainError):
        services.save_plan(make_user(is_admin=True), programme, bologna, None, 100, {foreign.id: 50})


def test_the_city_s_staff_read_the_budget_but_do_not_change_it(client, db_session, programme, bologna, make_staff):
    db_session.add(CityPlan(programme=programme, city_id=bologna.id, total_cents=12_345_00))
    db_session.commit()
    login(client, make_staff(bologna))

    page = client.get(budget_url(programme, bologna))
    refused = client.post(budget_url(programme, bologna), data=amounts_form(programme, "1", "1", "1"))

    assert page.status_code == 200
    assert "€ 12.345,00" in page.text and "Salva il budget" not in page.text
    assert refused.status_code == 403
    assert db_session.scalar(sa.select(CityPlan.total_cents).filter_by(city_id=bologna.id)) == 12_345_00


@pytest.mark.parametrize("who", ["participant", "facilitator", "other_staff"])
def test_nobody_else_sees_a_city_s_budget_page(client, db_session, programme, bologna, who, make_user, make_city,
                                               make_lab, make_staff, make_facilitator):
    user = {"participant": make_user, "facilitator": lambda: make_facilitator(make_lab(city=bologna)),
            "other_staff": lambda: make_staff(make_city(name="Modena"))}[who]()
    login(client, user)

    assert client.get(budget_url(programme, bologna)).status_code == 403
    assert client.post(budget_url(programme, bologna), data=amounts_form(programme, "1", "1", "1")).status_code == 403
    assert db_session.scalar(sa.select(CityPlan).filter_by(city_id=bologna.id)) is None


def test_an_unknown_programme_or_city_is_not_found(client, programme, bologna, make_user):
    login(client, make_user(is_admin=True))
    assert client.get(f"/gestione/programmi/999999/citta/{bologna.slug}/budget").status_code == 404
    assert client.get(f"/gestione/programmi/{programme.id}/citta/nessuna/budget").status_code == 404


def test_an_axis_name_is_text_on_the_budget_page(client, db_session, programme, bologna, make_user):
    programme.axes[0].name = "<script>alert(1)</script>"
    db_session.commit()
    login(client, make_user(is_admin=True))

    page = client.post(budget_url(programme, bologna), data=amounts_form(programme, "x", "y", "1"))

    assert page.status_code == 422
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text


def test_with_csrf_on_a_budget_without_the_token_is_refused(app, client, db_session, programme, bologna, make_user,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, make_user(is_admin=True))

    response = client.post(budget_url(programme, bologna), data=amounts_form(programme, "100", "1", "1"))

    assert response.status_code == 400
    assert db_session.scalar(sa.select(CityPlan).filter_by(city_id=bologna.id)) is None
