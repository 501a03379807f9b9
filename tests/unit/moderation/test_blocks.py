"""Blocks: a facilitator blocks a user with a reason and a duration; the user may then neither
propose nor comment, with the block's message; lifting the block lets them post again."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.core.time import ROME, utcnow
from civiclab.moderation.models import ModerationAction
from civiclab.proposals.models import Proposal
from tests.conftest import login, text_of


@pytest.fixture
def citizen(make_participant, lab):
    return make_participant(lab.city, display_name="Tina Troll")


def blocks_of(db_session, user):
    return db_session.scalars(sa.select(UserBlock).filter_by(user_id=user.id).order_by(UserBlock.id)).all()


def propose(client, call, title="Un orto nel cortile"):
    return client.post(f"/call/{call.id}/proponi", data={
        "title": title, "body": "Coltiviamo insieme.", "theme_id": call.themes[0].id, "lab_id": 0, "send": "1"})


def block(client, user, **data):
    return client.post(f"/moderazione/utenti/{user.id}/blocca", data={"reason": "Insulti ripetuti", "duration": "7",
                                                                       **data})


def test_a_blocked_user_may_not_propose_and_reads_why_until_the_block_is_lifted(
        client, db_session, facilitator, citizen, call):
    login(client, facilitator)
    response = block(client, citizen)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moderazione/blocchi")
    [active] = blocks_of(db_session, citizen)
    assert timedelta(days=6, hours=23) < active.ends_at - utcnow() <= timedelta(days=7)

    login(client, citizen)
    refused = propose(client, call)
    assert refused.status_code == 403
    assert "Il tuo account è bloccato fino al" in refused.text
    assert "Insulti ripetuti" in refused.text
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id)).filter_by(author_id=citizen.id)) == 0

    login(client, facilitator)
    lifted = client.post(f"/moderazione/blocchi/{active.id}/revoca", data={f"revoca-{active.id}-reason": "Si è scusato"})
    assert lifted.status_code == 302
    assert "Blocco di Tina Troll revocato" in client.get("/moderazione/blocchi").text

    login(client, citizen)
    assert propose(client, call).status_code == 302
    assert db_session.scalar(sa.select(sa.func.count(Proposal.id)).filter_by(author_id=citizen.id)) == 1


def test_a_block_for_ever_says_so_and_a_block_until_a_date_ends_that_night(
        client, db_session, facilitator, citizen, make_participant, lab, call):
    login(client, facilitator)
    block(client, citizen, duration="sempre")
    other = make_participant(lab.city)
    last_day = (utcnow() + timedelta(days=10)).astimezone(ROME).date()
    block(client, other, duration="data", until=last_day.strftime("%d/%m/%Y"))

    assert blocks_of(db_session, citizen)[0].ends_at is None
    ends = blocks_of(db_session, other)[0].ends_at.astimezone(ROME)
    assert (ends.date(), ends.hour, ends.minute) == (last_day + timedelta(days=1), 0, 0)
    page = text_of(client.get("/moderazione/blocchi"))
    assert "2 blocchi in corso" in page
    assert "Bloccato finché non viene revocato" in page

    login(client, citizen)
    assert "non puoi commentare né proporre" in propose(client, call).text


@pytest.mark.parametrize("data, message", [
    ({"reason": ""}, "Scrivi il motivo."),
    ({"duration": "data"}, "Scegli l'ultimo giorno del blocco."),
    ({"duration": "data", "until": "01/01/2001"}, "La fine del blocco deve essere nel futuro."),
    ({"duration": "data", "until": "31/02/2030"}, "Data non valida"),
    ({"duration": "per sempre"}, "Non è una opzione valida"),
])
def test_a_block_form_with_errors_is_refused_and_blocks_nobody(client, db_session, facilitator, citizen, data,
                                                               message):
    login(client, facilitator)

    response = block(client, citizen, **data)

    assert response.status_code == 422
    assert message in text_of(response)
    assert blocks_of(db_session, citizen) == []


def test_a_facilitator_may_block_neither_oneself_nor_staff_nor_a_colleague_nor_an_admin(
        client, db_session, facilitator, make_staff, make_facilitator, make_user, lab):
    login(client, facilitator)

    for user in (facilitator, make_staff(lab.city), make_facilitator(lab), make_user(is_admin=True)):
        assert client.get(f"/moderazione/utenti/{user.id}/blocca").status_code == 403
        assert block(client, user).status_code == 403
        assert blocks_of(db_session, user) == []


def test_participants_may_not_block_and_absurd_users_do_not_exist(client, db_session, citizen, make_user,
                                                                  facilitator):
    login(client, make_user())
    assert client.get(f"/moderazione/utenti/{citizen.id}/blocca").status_code == 403
    assert block(client, citizen).status_code == 403
    assert blocks_of(db_session, citizen) == []

    login(client, facilitator)
    assert client.get("/moderazione/utenti/999999/blocca").status_code == 404
    assert client.get("/moderazione/utenti/99999999999999999999/blocca").status_code == 404
    assert client.post("/moderazione/blocchi/99999999999999999999/revoca").status_code == 404


def test_the_block_page_says_when_a_user_is_already_blocked(client, db_session, facilitator, citizen):
    login(client, facilitator)
    block(client, citizen, duration="sempre")

    page = text_of(client.get(f"/moderazione/utenti/{citizen.id}/blocca"))

    assert "È già bloccata finché il blocco non viene revocato. Motivo: Insulti ripetuti" in page


def test_lifting_needs_a_reason_and_happens_once(client, db_session, facilitator, citizen):
    login(client, facilitator)
    block(client, citizen)
    [active] = blocks_of(db_session, citizen)
    field = f"revoca-{active.id}-reason"

    without = client.post(f"/moderazione/blocchi/{active.id}/revoca", data={field: ""})
    assert without.status_code == 422
    assert "Scrivi il motivo." in without.text
    db_session.refresh(active)
    assert active.lifted_at is None

    assert client.post(f"/moderazione/blocchi/{active.id}/revoca", data={field: "Ok"}).status_code == 302
    again = client.post(f"/moderazione/blocchi/{active.id}/revoca", data={field: "Ok"})
    assert again.status_code == 422
    assert "Questo blocco è già stato revocato." in again.text
    actions = db_session.scalars(sa.select(ModerationAction.action).filter_by(user_id=citizen.id)
                                 .order_by(ModerationAction.id)).all()
    assert actions == ["block_user", "lift_block"]


def test_expired_and_lifted_blocks_are_not_listed(client, db_session, facilitator, citizen, make_user):
    now = utcnow()
    db_session.add_all([
        UserBlock(user=citizen, reason="Vecchio", created_at=now - timedelta(days=9), ends_at=now - timedelta(days=2)),
        UserBlock(user=make_user(display_name="Rino Revocato"), reason="Revocato", lifted_at=now),
        UserBlock(user=make_user(display_name="Bea Bloccata"), reason="In corso", ends_at=now + timedelta(days=1)),
    ])
    db_session.commit()
    login(client, facilitator)

    page = text_of(client.get("/moderazione/blocchi"))

    assert "1 blocco in corso" in page
    assert "Bea Bloccata" in page
    assert "Tina Troll" not in page and "Rino Revocato" not in page
