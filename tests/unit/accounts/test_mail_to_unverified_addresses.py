"""Anyone may register with any address: the confirmation mail carries nothing they typed."""
from tests.unit.accounts.helpers import registration_data


def test_the_confirmation_mail_carries_no_name_typed_by_the_registrant(client, db_session, outbox):
    typed = "Vinci un premio su truffa.example"

    client.post("/account/registrati", data=registration_data(display_name=typed, email="vittima@example.org"))

    [message] = outbox
    assert message.recipients == ["vittima@example.org"]
    assert "premio" not in message.body and "truffa" not in message.body and "premio" not in message.subject
    assert "/account/conferma/" in message.body
