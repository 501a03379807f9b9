"""The demo data: the seeds' real figures, loaded once however many times it runs."""
import pytest
import sqlalchemy as sa

from civiclab.accounts.models import Membership, Organisation, User
from civiclab.demo import DEMO_PASSWORD, DemoRefused, seed_demo
from civiclab.events.models import Event, EventState, Registration, RegistrationState
from civiclab.extensions import db
from civiclab.places.models import City, CityStaff, Lab, LabFacilitator
from civiclab.programmes.models import Action, Axis, AxisBudget, CityPlan, Programme, Project

MODELS = (Programme, Axis, Action, City, Lab, CityPlan, AxisBudget, Project, User, Organisation,
          Membership, CityStaff, LabFacilitator, Event, Registration)


def counts():
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in MODELS}


def test_seed_demo_is_idempotent(db_session):
    first_summary = seed_demo()
    after_first = counts()
    second_summary = seed_demo()

    assert counts() == after_first
    assert after_first["City"] == 23 and after_first["Lab"] == 10 and after_first["Programme"] == 2
    assert after_first["User"] == 7 and after_first["Project"] == 1
    assert any("creati ora" in line for line in first_summary)
    assert all("(0 creati ora)" in line for line in second_summary if "creati ora" in line)


def test_seed_demo_loads_the_real_bologna_plan_and_project(db_session):
    seed_demo()

    programme = db_session.scalar(sa.select(Programme).filter_by(code="2014IT16M2OP004"))
    assert [axis.name for axis in programme.axes] == [
        "Agenda digitale metropolitana", "Sostenibilità dei servizi pubblici e della mobilità urbana",
        "Servizi per l'inclusione sociale", "Infrastrutture per l'inclusione sociale", "Assistenza tecnica"]
    plan = db_session.scalar(sa.select(CityPlan).join(City).where(City.slug == "bologna"))
    assert plan.total_cents == 40_218_000_00
    assert sorted(b.amount_cents for b in plan.budgets) == sorted(
        [5_357_425_00, 11_500_000_00, 9_830_384_00, 10_032_191_00, 1_050_000_00])
    assert plan.axes_total_cents == 37_770_000_00 and plan.unallocated_cents == 2_448_000_00

    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.b"))
    assert project.cup == "F39G16000350007" and project.rup == "Miriam Pepe"
    assert project.implementing_body == "Comune di Bologna" and project.action.code == "3.3.1"
    assert (project.programmato_cents, project.erogato_cents) == (412_248_84, 412_248_83)
    assert str(project.start_date) == "2016-11-01" and str(project.end_date) == "2021-03-30"
    assert "1) Governance" in project.description

    palermo = db_session.scalar(sa.select(City).filter_by(slug="palermo"))
    assert (palermo.region, palermo.municipalities_count, palermo.population) == ("Sicilia", 82, 1_265_921)
    pn_plus = db_session.scalar(sa.select(Programme).filter_by(code="PN-METRO-PLUS-2021-2027"))
    assert pn_plus.period == "2021-2027"
    rimini_lab = db_session.scalar(sa.select(Lab).join(City).where(City.slug == "rimini"))
    assert rimini_lab.venue == "Museo della città" and rimini_lab.latitude is None


def test_demo_accounts_have_their_roles_and_the_demo_password(db_session):
    seed_demo()

    def user(email):
        return db_session.scalar(sa.select(User).filter_by(email=email))

    assert user("admin@example.org").is_admin
    bologna = db_session.scalar(sa.select(City).filter_by(slug="bologna"))
    assert user("comune.bologna@example.org").staff_city_ids == {bologna.id}
    assert user("facilitatore@example.org").facilitated_lab_ids == {bologna.labs[0].id}
    for email in ("scuola@example.org", "impresa@example.org", "terzosettore@example.org"):
        assert len(user(email).active_memberships) == 1, email
    for account in db_session.scalars(sa.select(User)):
        assert account.check_password(DEMO_PASSWORD)
        assert account.is_confirmed and account.privacy_consent_at is not None


def test_seed_demo_refuses_a_production_app_unless_forced(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)

    with pytest.raises(DemoRefused):
        seed_demo()
    assert counts()["User"] == 0
    seed_demo(force=True)
    assert counts()["User"] == 7


def test_seed_demo_adds_upcoming_and_past_events_one_nearly_full_one_with_a_queue(db_session):
    seed_demo()
    events = db_session.scalars(sa.select(Event)).all()
    upcoming = [e for e in events if e.state is EventState.PUBLISHED]
    past = [e for e in events if e.state is EventState.FINISHED]
    assert len(upcoming) >= 4 and len(past) >= 2
    assert len({e.lab_id for e in events}) >= 4
    assert any(0 < e.seats_left <= e.capacity // 5 for e in upcoming)  # nearly full
    queued = [e for e in upcoming if any(r.state is RegistrationState.WAITING for r in e.registrations)]
    assert queued and all(e.is_full for e in queued)
    for event in events:
        confirmed = sum(r.seats for r in event.registrations if r.state is RegistrationState.CONFIRMED)
        assert event.confirmed_seats == confirmed <= event.capacity
