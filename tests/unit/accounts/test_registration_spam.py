"""Registration anti-spam: a honeypot field bots fill in, and a rate limit on bursts."""
import re

from tests.unit.accounts.helpers import registration_data, user_with_email, users_count


def test_a_filled_honeypot_is_refused_with_a_generic_message_and_creates_nothing(client, db_session, outbox):
    before = users_count(db_session)

    response = client.post("/account/registrati", data=registration_data(website="http://spam.example"))

    assert response.status_code == 422
    assert "Non è stato possibile completare la registrazione" in response.text
    assert "Lascia vuoto" not in response.text.split('id="form-errors"')[1].split("</div>")[0]
    assert users_count(db_session) == before
    assert user_with_email(db_session, "anna.bianchi@example.org") is None
    assert outbox == []


def test_a_person_who_leaves_the_honeypot_empty_registers(client, db_session):
    response = client.post("/account/registrati", data=registration_data(website=""))

    assert response.status_code == 302
    assert user_with_email(db_session, "anna.bianchi@example.org") is not None


def test_the_honeypot_is_off_screen_out_of_reach_and_labelled_leave_empty(client):
    page = client.get("/account/registrati").text

    wrapper = re.search(r'<div class="cl-honeypot" aria-hidden="true">(.*?)</div>', page, re.DOTALL)
    assert wrapper, "the honeypot sits in an aria-hidden off-screen wrapper"
    assert "Lascia vuoto questo campo" in wrapper.group(1)
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", wrapper.group(1)).group(0)
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field
    css = client.get("/static/css/civiclab.css").text
    assert re.search(r"\.cl-honeypot\s*\{[^}]*left:\s*-10000px", css)


def test_a_burst_of_registrations_gets_429_with_a_clear_message(limited_client, db_session):
    # RATELIMIT_REGISTER is "2 per minute" in the limited app.
    responses = [limited_client.post("/account/registrati", data=registration_data(email=f"burst{n}@example.org"))
                 for n in range(3)]

    assert [r.status_code for r in responses] == [302, 302, 429]
    assert "Troppe richieste" in responses[-1].text
    assert "attendi qualche minuto e riprova" in responses[-1].text
    assert user_with_email(db_session, "burst2@example.org") is None
