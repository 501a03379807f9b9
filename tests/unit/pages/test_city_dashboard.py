"""A city's dashboard: each plan's budget by axis against what its published projects programmed,
committed and paid, the reserve no axis holds (never hidden), the projects with their share paid,
and the outcomes by status; the chart and its table agree; queries do not grow with projects."""
import re

import pytest
import sqlalchemy as sa

from civiclab.outcomes.models import Outcome, OutcomeStatus
from civiclab.programmes.models import Axis, CityPlan, Project
from tests.conftest import text_of


def euro(cents):
    whole, rest = divmod(cents, 100)
    return f"€ {whole:,}".replace(",", ".") + f",{rest:02d}"


def table_rows(html, table_id):
    """{row header text: [cell texts]} of the table `table_id`."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.DOTALL):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.DOTALL)
        if header:
            label = " ".join(re.sub(r"<[^>]+>", " ", header.group(1)).split())
            cells = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()).replace("\xa0", " ")
                     for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            rows[label] = cells
    return rows


@pytest.fixture
def bologna_page(client, demo, db_session):
    page = client.get("/citta/bologna/cruscotto")
    assert page.status_code == 200
    plan = db_session.scalar(sa.select(CityPlan).join(CityPlan.city).filter_by(slug="bologna"))
    return page, plan


def test_the_city_page_links_its_dashboard(client, demo):
    assert 'href="/citta/bologna/cruscotto"' in client.get("/citta/bologna").text


def test_bologna_plan_total_axes_and_the_2_448_000_euro_reserve(bologna_page):
    page, plan = bologna_page
    text = text_of(page)
    rows = table_rows(page.text, f"piano-{plan.id}-tabella")

    assert "€ 40.218.000,00" in text
    assert rows["Somma degli assi"][0] == "€ 37.770.000,00"
    reserve = next(cells for label, cells in rows.items() if label.startswith("Riserva / non allocato"))
    assert reserve[0] == "€ 2.448.000,00"
    assert rows["Totale del piano"][0] == "€ 40.218.000,00"
    budgets = {label.split(" ")[0]: cells[0] for label, cells in rows.items() if label[0].isdigit()}
    assert budgets == {"1.": "€ 5.357.425,00", "2.": "€ 11.500.000,00", "3.": "€ 9.830.384,00",
                       "4.": "€ 10.032.191,00", "5.": "€ 1.050.000,00"}


def test_each_axis_sums_its_published_projects(bologna_page, db_session):
    page, plan = bologna_page
    rows = table_rows(page.text, f"piano-{plan.id}-tabella")
    for axis in db_session.scalars(sa.select(Axis).filter_by(programme_id=plan.programme_id)):
        projects = db_session.scalars(
            sa.select(Project).join(Project.action).where(
                Project.city_id == plan.city_id, Project.published.is_(True))
        ).all()
        mine = [p for p in projects if p.action.axis_id == axis.id]
        row = next(cells for label, cells in rows.items() if label.startswith(f"{axis.number}. "))
        assert row[1:4] == [euro(sum(p.programmato_cents for p in mine)),
                            euro(sum(p.vincolante_cents for p in mine)),
                            euro(sum(p.erogato_cents for p in mine))], axis.number
    # The demo project is on axis 3: its sums are not zero.
    axis_3 = next(cells for label, cells in rows.items() if label.startswith("3. "))
    assert axis_3[1] != "€ 0,00"


def test_the_chart_is_accessible_and_agrees_with_the_table(bologna_page):
    page, plan = bologna_page
    svg = page.text.split('<svg xmlns="http://www.w3.org/2000/svg" class="cl-chart', 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and f'<title id="budget-{plan.id}-title">' in svg and "<desc" in svg
    assert "style=" not in page.text
    rows = table_rows(page.text, f"piano-{plan.id}-tabella")
    chart_texts = [" ".join(t.split()) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.DOTALL)]
    # Each axis' budget and sums, and the reserve, appear in the chart as in the table (whole euros).
    for label, cells in rows.items():
        if label[0].isdigit():
            for name, value in zip(("Dotazione dell&#39;asse", "Programmato", "Giuridicamente vincolante",
                                    "Erogato"), cells[:4]):
                assert f"{name}: {value.removesuffix(',00').split(',')[0]}" in chart_texts, (label, name)
    assert "Riserva / non allocato" in chart_texts
    assert "Dotazione dell&#39;asse: € 2.448.000" in chart_texts


def test_projects_are_listed_with_their_share_paid(bologna_page, db_session):
    page, _plan = bologna_page
    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.b"))
    text = text_of(page)
    assert project.title in text
    share = f"{project.percent(project.erogato_cents):.1f}".replace(".", ",")
    assert f"{share} %" in text


def test_outcomes_by_status_with_zero_counts(client, db_session, make_city, make_project):
    city = make_city(name="Esitopoli")
    project = make_project(city=city)
    planned = OutcomeStatus(city=city, key="planned", default_progress=0, position=0)
    doing = OutcomeStatus(city=city, key="in_progress", position=1)
    done = OutcomeStatus(city=city, key="completed", default_progress=100, position=2)
    db_session.add_all([planned, doing, done])
    db_session.flush()
    db_session.add_all([
        Outcome(project=project, title="A", status_id=doing.id),
        Outcome(project=project, title="B", status_id=doing.id),
        Outcome(project=project, title="C", status_id=done.id, progress=100),
        Outcome(project=project, title="Bozza", status_id=done.id, published=False),
    ])
    hidden = make_project(city=city, published=False)
    db_session.add(Outcome(project=hidden, title="Di una bozza", status_id=planned.id))
    db_session.commit()

    page = client.get("/citta/esitopoli/cruscotto")

    assert page.status_code == 200
    rows = table_rows(page.text, "risultati-tabella")
    assert rows == {"Pianificato": ["0"], "In corso": ["2"], "Completato": ["1"], "Totale": ["3"]}


def test_a_city_without_plans_projects_or_outcomes_says_so(client, make_city):
    make_city(name="Vuotopoli")

    text = text_of(client.get("/citta/vuotopoli/cruscotto"))

    assert "Nessun piano operativo pubblicato" in text
    assert "Nessun progetto pubblicato" in text
    assert "Nessun risultato pubblicato" in text


def test_an_unknown_city_is_404(client, db_session):
    assert client.get("/citta/atlantide/cruscotto").status_code == 404


def test_the_dashboard_makes_as_many_queries_with_30_projects_as_with_3(
        client, db_session, make_city, make_project, count_queries):
    from civiclab.programmes.models import AxisBudget

    def queries_for(count):
        city = make_city()
        first = make_project(city=city)
        plan = CityPlan(programme_id=first.action.axis.programme_id, city_id=city.id, total_cents=100_000_00)
        db_session.add(plan)
        db_session.flush()
        db_session.add(AxisBudget(plan_id=plan.id, axis_id=first.action.axis_id, amount_cents=80_000_00))
        status = OutcomeStatus(city=city, key="planned")
        db_session.add(status)
        db_session.flush()
        for _ in range(count - 1):
            project = make_project(city=city)
            db_session.add(Outcome(project=project, title="R", status_id=status.id))
        db_session.commit()
        with count_queries() as queries:
            page = client.get(f"/citta/{city.slug}/cruscotto")
            assert page.status_code == 200
        assert "€ 20.000,00" in text_of(page)  # the reserve of that plan: never hidden
        return len(queries)

    assert queries_for(3) == queries_for(30)
