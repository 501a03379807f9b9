"""The roles of every city in one list (administrators), the administration index, and the audit
trail of labs and roles: every appointment, removal and lab change is recorded."""
import pytest

from tests.conftest import login
from tests.fixtures.audit_records import recorded_audits


@pytest.fixture
def two_cities(make_city, make_lab):
    rimini, cesena = make_city(name="Rimini"), make_city(name="Cesena")
    return rimini, cesena, make_lab(city=rimini, name="Lab Rimini"), make_lab(city=cesena, name="Lab Cesena")


def test_administrators_see_the_staff_and_facilitators_of_every_city(client, two_cities, make_user, make_staff,
                                                                      make_facilitator):
    rimini, cesena, _rimini_lab, cesena_lab = two_cities
    make_staff(rimini, display_name="Giulia Rimini")
    make_staff(cesena, display_name="Paolo Cesena")
    make_facilitator(cesena_lab, display_name="Marta Facilita")
    login(client, make_user(is_admin=True))

    staff = client.get("/gestione/ruoli")
    facilitators = client.get("/gestione/ruoli?ruolo=facilitatori")

    assert staff.status_code == facilitators.status_code == 200
    assert "Giulia Rimini" in staff.text and "Paolo Cesena" in staff.text and "Marta" not in staff.text
    assert 'href="/gestione/citta/rimini/ruoli"' in staff.text
    assert "Marta Facilita" in facilitators.text and "Lab Cesena" in facilitators.text
    assert 'href="/gestione/citta/cesena/ruoli"' in facilitators.text
    assert client.get("/gestione/ruoli?ruolo=<script>").status_code == 200  # anything else: the staff


def test_the_roles_list_is_paged_in_the_same_queries(client, app, make_city, make_user, make_staff, count_queries,
                                                     monkeypatch):
    login(client, make_user(is_admin=True))
    make_staff(make_city())
    client.get("/gestione/ruoli")
    with count_queries() as few:
        client.get("/gestione/ruoli")
    for _ in range(4):
        make_staff(make_city())
    with count_queries() as more:
        client.get("/gestione/ruoli")
    assert len(more) == len(few)

    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    assert 'href="/gestione/ruoli?page=2"' in client.get("/gestione/ruoli").text


@pytest.mark.parametrize("who", ["participant", "facilitator", "staff"])
def test_only_administrators_see_every_city_s_roles(client, two_cities, who, make_user, make_staff, make_facilitator):
    rimini, _cesena, rimini_lab, _ = two_cities
    user = {"participant": make_user, "facilitator": lambda: make_facilitator(rimini_lab),
            "staff": lambda: make_staff(rimini)}[who]()
    login(client, user)

    assert client.get("/gestione/ruoli").status_code == 403
    assert client.get("/gestione/ruoli?ruolo=facilitatori").status_code == 403


def test_the_administration_index_shows_administrators_every_list(client, make_user):
    login(client, make_user(is_admin=True))

    page = client.get("/gestione/amministrazione")

    assert page.status_code == 200
    for link in ("/gestione/citta", "/gestione/programmi", "/gestione/ruoli"):
        assert f'href="{link}"' in page.text
    assert 'href="/gestione/amministrazione"' in client.get("/gestione").text


def test_the_administration_index_shows_staff_only_their_cities(client, two_cities, make_staff, make_project):
    rimini, _cesena, rimini_lab, _ = two_cities
    make_project(city=rimini)  # makes the test programme
    login(client, make_staff(rimini))

    page = client.get("/gestione/amministrazione")

    assert page.status_code == 200
    assert 'href="/gestione/citta/rimini/ruoli"' in page.text
    assert f'href="/citta/rimini/laboratori/{rimini_lab.slug}/modifica"' in page.text
    assert "/citta/rimini/budget" in page.text
    assert "cesena" not in page.text.lower()
    assert 'href="/gestione/citta"' not in page.text and 'href="/gestione/programmi"' not in page.text
    assert 'href="/gestione/amministrazione"' in client.get("/gestione").text


@pytest.mark.parametrize("who", ["participant", "facilitator"])
def test_the_administration_index_is_not_for_participants_or_facilitators(client, two_cities, who, make_user,
                                                                           make_facilitator):
    user = make_user() if who == "participant" else make_facilitator(two_cities[2])
    login(client, user)
    assert client.get("/gestione/amministrazione").status_code == 403


# ---- labs and roles leave a trace in the audit log --------------------------------------------

def test_appointing_and_removing_staff_is_audited(client, two_cities, make_user):
    rimini = two_cities[0]
    person = make_user(email="giulia@example.org")
    admin = make_user(is_admin=True)
    login(client, admin)

    with recorded_audits() as audits:
        client.post("/gestione/citta/rimini/personale", data={"email": "giulia@example.org"})
        client.post(f"/gestione/citta/rimini/personale/{person.id}/rimuovi")

    assert [(action, entry["city_id"], entry["details"]["user_id"], entry["actor_id"]) for action, entry in audits] == [
        ("role.staff_appointed", rimini.id, person.id, admin.id),
        ("role.staff_removed", rimini.id, person.id, admin.id),
    ]


def test_staff_appoint_and_remove_a_facilitator_and_edit_their_lab_audited(client, two_cities, make_user,
                                                                           make_staff):
    rimini, _cesena, rimini_lab, _ = two_cities
    person = make_user(email="marco@example.org")
    login(client, make_staff(rimini))

    with recorded_audits() as audits:
        appointed = client.post("/gestione/citta/rimini/facilitatori",
                                data={"lab_id": rimini_lab.id, "email": "marco@example.org"})
        removed = client.post(f"/gestione/laboratori/{rimini_lab.id}/facilitatori/{person.id}/rimuovi")
        edited = client.post(f"/citta/rimini/laboratori/{rimini_lab.slug}/modifica",
                             data={"name": "Lab Rimini\u200b rinnovato"})
        created = client.post("/citta/rimini/laboratori/nuovo", data={"name": "Secondo\u202e laboratorio"})

    assert appointed.status_code == removed.status_code == edited.status_code == created.status_code == 302
    assert [action for action, _ in audits] == [
        "role.facilitator_appointed", "role.facilitator_removed", "lab.edited", "lab.created"]
    assert all(entry["city_id"] == rimini.id for _, entry in audits)
    assert audits[0][1]["details"] == {"user_id": person.id, "lab_id": rimini_lab.id}
    assert audits[2][1]["details"]["name"] == "Lab Rimini rinnovato"  # the zero-width space taken out
    assert audits[3][1]["details"]["name"] == "Secondo laboratorio"


def test_staff_of_another_city_cannot_edit_its_labs(client, db_session, two_cities, make_staff):
    _rimini, cesena, rimini_lab, _ = two_cities
    login(client, make_staff(cesena))

    with recorded_audits() as audits:
        assert client.get(f"/citta/rimini/laboratori/{rimini_lab.slug}/modifica").status_code == 403
        assert client.post(f"/citta/rimini/laboratori/{rimini_lab.slug}/modifica",
                           data={"name": "Preso"}).status_code == 403
        assert client.post("/citta/rimini/laboratori/nuovo", data={"name": "Intruso"}).status_code == 403

    db_session.refresh(rimini_lab)
    assert rimini_lab.name == "Lab Rimini" and audits == []


def test_a_refused_appointment_leaves_no_audit_entry(client, two_cities, make_user):
    login(client, make_user(is_admin=True))
    with recorded_audits() as audits:
        response = client.post("/gestione/citta/rimini/personale", data={"email": "nessuno@example.org"})
    assert response.status_code == 422 and audits == []
