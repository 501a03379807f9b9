"""Public pages of cities and labs: the figures, the budget chart and its table, no N+1."""
import re
from decimal import Decimal

from tests.conftest import text_of


def test_city_page_shows_bologna_plan_total_axes_and_the_performance_reserve(client, demo):
    page = client.get("/citta/bologna")

    assert page.status_code == 200
    text = text_of(page)
    assert "Emilia-Romagna" in text and "55" in text
    for amount in ("€ 40.218.000,00", "€ 5.357.425,00", "€ 11.500.000,00", "€ 9.830.384,00",
                   "€ 10.032.191,00", "€ 1.050.000,00", "€ 37.770.000,00", "€ 2.448.000,00"):
        assert amount in text, amount
    assert "Riserva di performance / non ripartito" in text
    assert "Agenda digitale metropolitana" in text
    # The chart is an image with a name, the table has a caption and header cells.
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="plan-\d+-title plan-\d+-desc"', page.text)
    assert "<caption>" in page.text and 'scope="row"' in page.text and 'scope="col"' in page.text
    assert "style=" not in page.text
    assert "Laboratorio aperto di Bologna" in text
    assert "BO3.3.1.b" in text


def test_palermo_shows_its_metropolitan_figures(client, demo):
    text = text_of(client.get("/citta/palermo"))

    assert "Sicilia" in text and "82" in text and "1.265.921" in text


def test_city_list_has_every_demo_city(client, demo):
    first, second = client.get("/citta"), client.get("/citta?page=2")

    text = text_of(first) + text_of(second)
    for name in ("Torino", "Reggio Calabria", "Palermo", "Cesena", "Forlì", "Rimini"):
        assert name in text, name


def test_labs_list_shows_the_ten_emilia_romagna_labs(client, demo):
    text = text_of(client.get("/laboratori"))

    assert text.count("Laboratorio aperto di") == 10
    assert "ex Teatro Verdi" in text and "innovazione agroalimentare e open government" in text


def test_lab_page_shows_venue_address_coordinates_as_text_and_missing_information(
        client, make_city, make_lab):
    city = make_city(name="Parma")
    make_lab(city=city, name="Laboratorio aperto di Parma", slug="lab-parma", venue="Monastero di San Paolo",
             theme="innovazione agroalimentare", address="Parma", latitude=Decimal("44.801500"),
             longitude=Decimal("10.327900"), opening_hours="Dal lunedì al venerdì")

    page = client.get("/citta/parma/laboratori/lab-parma")

    text = text_of(page)
    assert page.status_code == 200
    assert "Monastero di San Paolo" in text and "innovazione agroalimentare" in text
    assert "latitudine 44,801500, longitudine 10,327900" in text
    assert "Dal lunedì al venerdì" in text
    assert "Informazione non ancora disponibile." in text  # description, ICT, accessibility
    assert "<iframe" not in page.text


def test_unknown_city_and_lab_are_404(client, make_city):
    make_city(name="Ferrara")
    assert client.get("/citta/atlantide").status_code == 404
    assert client.get("/citta/ferrara/laboratori/nessuno").status_code == 404


def test_home_page_lists_cities_with_their_labs_and_latest_projects(client, demo):
    text = text_of(client.get("/"))

    assert "Laboratorio aperto di Ravenna" in text
    assert "Accelerazione civica e collaborazione civica" in text


def test_city_page_makes_as_many_queries_with_30_projects_as_with_3(
        client, make_city, make_project, count_queries):
    def queries_for(count):
        city = make_city()
        for _ in range(count):
            make_project(city=city)
        with count_queries() as queries:
            assert client.get(f"/citta/{city.slug}").status_code == 200
        return len(queries)

    assert queries_for(3) == queries_for(30)
