"""The API's labs: what a lab's page shows of it, the list by city in keyset pages."""
from decimal import Decimal

import pytest

from civiclab.opendata.datasets import BY_NAME, as_json, rows


def ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["data"]]


def test_a_lab_carries_what_its_page_shows(client, make_city, make_lab):
    city = make_city(name="Bologna", slug="bologna")
    lab = make_lab(city=city, name="Laboratorio Aperto Bologna", slug="bologna", venue="Ex Ospedale dei Bastardini",
                   address="Via D'Azeglio 41", latitude=Decimal("44.489512"), longitude=Decimal("11.342157"),
                   theme="Collaborazione e partecipazione", description="Uno spazio.\nDue righe.",
                   ict_facilities="Wi-fi", accessibility="Ascensore", opening_hours="Lun-Ven 9-18")
    body = client.get(f"/api/v1/labs/{lab.id}").get_json()
    assert body == {
        "id": lab.id, "slug": "bologna", "name": "Laboratorio Aperto Bologna", "city": "bologna",
        "city_name": "Bologna", "region": "Emilia-Romagna", "venue": "Ex Ospedale dei Bastardini",
        "address": "Via D'Azeglio 41", "latitude": 44.489512, "longitude": 11.342157,
        "theme": "Collaborazione e partecipazione", "description": "Uno spazio.\nDue righe.",
        "ict_facilities": "Wi-fi", "accessibility": "Ascensore", "opening_hours": "Lun-Ven 9-18",
        "url": "/citta/bologna/laboratori/bologna",
    }
    assert client.get(body["url"]).status_code == 200
    # the open data's columns carry the same values
    row = next(r for r in rows(BY_NAME["laboratori"]) if r["id"] == lab.id)
    assert {name: as_json(value) for name, value in row.items()} == {name: body[name] for name in row}


def test_a_lab_without_coordinates_has_nulls(client, make_lab):
    body = client.get(f"/api/v1/labs/{make_lab().id}").get_json()
    assert body["latitude"] is None and body["longitude"] is None and body["venue"] == ""


@pytest.mark.parametrize("lab_id", ["2147483648", "99999999999999999999", "0", "999999"])
def test_an_unknown_lab_or_an_id_out_of_range_is_a_404(client, lab_id):
    response = client.get(f"/api/v1/labs/{lab_id}")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_the_list_filters_by_city_and_pages_with_next_links(client, make_city, make_lab):
    city, other = make_city(), make_city()
    made = [make_lab(city=city).id for _ in range(3)]
    make_lab(city=other)
    first = client.get(f"/api/v1/labs?city={city.slug}&limit=2").get_json()
    assert [lab["id"] for lab in first["data"]] == made[:2] and "city=" in first["links"]["next"]
    assert ids(client.get(first["links"]["next"])) == made[2:]
    assert ids(client.get("/api/v1/labs?city=nessuna")) == []
    assert len(ids(client.get("/api/v1/labs"))) == 4


def test_a_bad_filter_is_a_422(client):
    response = client.get("/api/v1/labs?city=" + "x" * 81)
    assert response.status_code == 422 and "city" in response.get_json()["error"]["fields"]


def test_the_list_costs_one_statement_however_many_labs_and_cities(client, make_city, make_lab, db_session,
                                                                   count_queries):
    make_lab()
    db_session.expire_all()
    with count_queries() as few:
        assert len(ids(client.get("/api/v1/labs"))) == 1
    for _ in range(3):
        city = make_city()
        make_lab(city=city), make_lab(city=city)
    db_session.expire_all()
    with count_queries() as many:
        assert len(ids(client.get("/api/v1/labs"))) == 7
    assert len(many) == len(few) == 1
