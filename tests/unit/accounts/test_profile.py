import json

import sqlalchemy as sa

from civiclab.accounts import services
from civiclab.accounts.models import Membership, MembershipStatus, Organisation, ParticipantType, User
from civiclab.core.registry import Registry
from civiclab.core.signals import user_deleted
from civiclab.places.models import CityStaff, LabFacilitator
from tests.conftest import DEMO_PASSWORD, login


def _school(db_session, user, status=MembershipStatus.ACTIVE, name="Liceo Galvani"):
    school = Organisation(name=name, name_key=Organisation.key_for(name), kind=ParticipantType.SCUOLA)
    db_session.add_all([school, Membership(organisation=school, user=user, status=status)])
    db_session.commit()
    return school


def test_the_profile_shows_my_data_organisations_and_roles(client, db_session, make_user, make_lab):
    lab = make_lab(name="Laboratorio Aperto Bologna")
    user = make_user(display_name="Giulia Verdi", participant_type=ParticipantType.SCUOLA, is_admin=True)
    _school(db_session, user)
    db_session.add_all([CityStaff(user=user, city=lab.city), LabFacilitator(user=user, lab=lab)])
    db_session.commit()
    login(client, user)

    page = client.get("/account/profilo").text

    assert "Giulia Verdi" in page and user.email in page
    assert "Liceo Galvani" in page and "Attiva" in page
    assert "Amministratore della rete" in page
    assert lab.city.name in page and "Laboratorio Aperto Bologna" in page


def test_editing_the_profile_changes_name_bio_and_language(client, db_session, make_user):
    user = make_user(display_name="Giulia Verdi")
    login(client, user)

    response = client.post("/account/profilo/modifica", data={
        "display_name": "  Giulia   V. ", "bio": "Insegno scienze.\n<script>x</script>", "locale": "en"})

    assert response.status_code == 302
    db_session.refresh(user)
    assert (user.display_name, user.bio, user.locale) == ("Giulia V.", "Insegno scienze.\n<script>x</script>", "en")
    page = client.get("/account/profilo").text
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert '<html lang="en">' in page


def test_an_empty_display_name_is_refused(client, db_session, make_user):
    user = make_user(display_name="Giulia Verdi")
    login(client, user)
    response = client.post("/account/profilo/modifica", data={"display_name": "", "bio": "", "locale": "it"})
    assert response.status_code == 422
    assert "Il nome visualizzato è obbligatorio." in response.text


def test_the_export_holds_my_profile_consent_memberships_and_roles(client, db_session, make_user, make_city):
    city = make_city(name="Bologna")
    user = make_user(email="giulia@example.org", display_name="Giulia Verdi",
                     participant_type=ParticipantType.SCUOLA)
    _school(db_session, user, status=MembershipStatus.PENDING)
    db_session.add(CityStaff(user=user, city=city))
    db_session.commit()
    login(client, user)

    response = client.get("/account/i-miei-dati.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["email"] == "giulia@example.org"
    assert data["profile"]["display_name"] == "Giulia Verdi"
    assert data["profile"]["participant_type"] == "scuola"
    assert data["profile"]["privacy_consent_at"].startswith(str(user.privacy_consent_at.year))
    assert [(m["organisation"], m["status"]) for m in data["memberships"]] == [("Liceo Galvani", "pending")]
    assert data["roles"] == {"administrator": False, "facilitator": [],
                             "municipality_staff": [{"city_id": city.id, "city": "Bologna"}]}


def test_other_domains_add_their_sections_to_the_export(app, make_user, monkeypatch):
    user = make_user()
    sections = Registry("export sections")
    sections.add("proposals", lambda u: [{"author": u.id}])
    monkeypatch.setattr(services, "EXPORT_SECTIONS", sections)
    with app.test_request_context():
        assert services.export_user_data(user)["proposals"] == [{"author": user.id}]


def test_deletion_needs_the_password(client, db_session, make_user):
    user = make_user()
    login(client, user)

    response = client.post("/account/elimina", data={"password": "Non-E-Questa-1"})

    assert response.status_code == 422
    assert "La password non è corretta." in response.text
    db_session.refresh(user)
    assert user.deleted_at is None


def test_deletion_anonymises_the_account_and_signs_out(client, db_session, make_user, make_lab):
    lab = make_lab()
    user = make_user(email="giulia@example.org", display_name="Giulia Verdi",
                     participant_type=ParticipantType.SCUOLA)
    user.bio = "Insegno scienze."
    school = _school(db_session, user)
    db_session.add_all([CityStaff(user=user, city=lab.city), LabFacilitator(user=user, lab=lab)])
    db_session.commit()
    user_id, version = user.id, user.session_version
    login(client, user)
    deleted = []
    user_deleted.connect(lambda sender, **kw: deleted.append(sender.id), weak=False)

    response = client.post("/account/elimina", data={"password": DEMO_PASSWORD})

    assert response.status_code == 302
    db_session.expire_all()
    user = db_session.get(User, user_id)
    assert user is not None  # the row stays: what others replied to keeps its author
    assert (user.email, user.display_name, user.password_hash, user.bio) == (None, "Utente eliminato", None, "")
    assert user.deleted_at is not None and user.session_version == version + 1
    assert user.memberships == [] and user.staff_roles == [] and user.facilitator_roles == []
    assert db_session.get(Organisation, school.id) is not None
    assert deleted == [user_id]
    assert client.get("/account/profilo").status_code == 302
    again = client.post("/account/accedi", data={"email": "giulia@example.org", "password": DEMO_PASSWORD})
    assert again.status_code == 422


def test_a_deleted_address_may_register_again(client, db_session, make_user):
    from tests.unit.accounts.helpers import registration_data

    user = make_user(email="giulia@example.org")
    login(client, user)
    client.post("/account/elimina", data={"password": DEMO_PASSWORD})

    client.post("/account/registrati", data=registration_data(email="giulia@example.org"))

    assert db_session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "giulia@example.org")) == 1
