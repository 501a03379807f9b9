"""The moderation log: every action, newest first, with who, what (translated), on what, why;
and the decisions on proposals of the calls one moderates."""
import re
from datetime import timedelta

import sqlalchemy as sa

from civiclab.comments.models import Comment
from civiclab.core.time import utcnow
from civiclab.moderation.models import ModerationAction
from civiclab.proposals.models import ProposalState
from tests.conftest import login, text_of


def rows(response):
    return [text_of_row(row) for row in re.findall(r"<tr>(.*?)</tr>", response.text, re.DOTALL)[1:]]


def text_of_row(row):
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_the_log_shows_every_action_newest_first_with_actor_label_target_and_reason(
        client, db_session, facilitator, call, make_proposal, make_user):
    author = make_user(display_name="Tina Troll")
    proposal = make_proposal(call=call, title="Parcheggio nel parco")
    comment = Comment(proposal=proposal, author=author, body="Brutto", body_html="<p>Brutto</p>")
    db_session.add(comment)
    db_session.flush()
    now = utcnow()
    db_session.add_all([
        ModerationAction(action="auto_hide", comment_id=comment.id, city_id=call.city_id,
                         created_at=now - timedelta(hours=3)),
        ModerationAction(actor_id=facilitator.id, action="reports_upheld", comment_id=comment.id,
                         city_id=call.city_id, reason="Insulti", created_at=now - timedelta(hours=2)),
        ModerationAction(actor_id=facilitator.id, action="block_user", user_id=author.id, reason="Recidiva",
                         created_at=now - timedelta(hours=1)),
    ])
    db_session.commit()
    login(client, facilitator)

    response = client.get("/moderazione/registro")

    assert response.status_code == 200
    assert "3 voci" in text_of(response)
    newest, middle, oldest = rows(response)
    assert "Fabio Facilitatore Utente bloccato Tina Troll Recidiva" in newest
    assert "Fabio Facilitatore Segnalazioni confermate Commento di Tina Troll Insulti" in middle
    assert "automatico Nascosto in attesa di verifica (tre segnalazioni)" in oldest
    assert f'href="/proposte/{proposal.id}#commento-{comment.id}"' in response.text


def test_http_actions_appear_in_the_log(client, db_session, facilitator, make_participant, lab):
    citizen = make_participant(lab.city, display_name="Bea Bloccata")
    login(client, facilitator)
    client.post(f"/moderazione/utenti/{citizen.id}/blocca", data={"reason": "Spam", "duration": "30"})

    page = text_of(client.get("/moderazione/registro"))

    assert "Utente bloccato Bea Bloccata Spam" in page


def test_the_decisions_view_lists_moderators_decisions_on_one_s_calls(
        client, db_session, facilitator, outsider, call, make_proposal):
    proposal = make_proposal(call=call, title="Alberi", state=ProposalState.SUBMITTED)
    login(client, facilitator)
    client.post(f"/moderazione/proposte/{proposal.id}", data={"decision": "rejected", "reason": "Fuori tema"})

    mine = text_of(client.get("/moderazione/registro?vista=decisioni"))
    login(client, outsider)
    elsewhere = text_of(client.get("/moderazione/registro?vista=decisioni"))

    assert "In valutazione → Respinta Alberi" in mine and "Fuori tema" in mine
    assert "Alberi" not in elsewhere


def test_the_log_is_for_moderators_only_and_costs_the_same_at_3_and_30_entries(
        client, db_session, facilitator, make_user, count_queries):
    login(client, make_user())
    assert client.get("/moderazione/registro").status_code == 403

    def entries(n):
        for _ in range(n):
            db_session.add(ModerationAction(actor_id=facilitator.id, action="block_user",
                                            user_id=make_user().id, reason="Spam"))
        db_session.commit()

    login(client, facilitator)
    entries(3)
    db_session.expire_all()
    with count_queries() as few:
        client.get("/moderazione/registro")
    entries(27)
    db_session.expire_all()
    with count_queries() as many:
        page = client.get("/moderazione/registro")

    assert "30 voci" in text_of(page)
    assert len(few) == len(many), "\n".join(many)
    assert db_session.scalar(sa.select(sa.func.count(ModerationAction.id))) == 30


def test_another_citys_facilitator_reads_its_blocks_but_not_its_reasons_about_content(
        client, db_session, facilitator, call, make_proposal, make_user, make_facilitator, make_lab):
    proposal = make_proposal(call=call, title="Parcheggio nel parco")
    troll = make_user(display_name="Tina Troll")
    db_session.add_all([
        ModerationAction(actor_id=facilitator.id, action="reports_upheld", proposal_id=proposal.id,
                         city_id=call.city_id, reason="Dati personali di un vicino"),
        ModerationAction(actor_id=facilitator.id, action="block_user", user_id=troll.id, reason="Recidiva"),
    ])
    db_session.commit()

    login(client, make_facilitator(make_lab()))  # a lab of another city
    page = client.get("/moderazione/registro").text
    assert "Recidiva" in page
    assert "Dati personali di un vicino" not in page and "Parcheggio nel parco" not in page

    login(client, facilitator)
    assert "Dati personali di un vicino" in client.get("/moderazione/registro").text


def test_room_moderation_is_read_by_the_rooms_city_moderators_only(
        client, db_session, facilitator, lab, make_user, make_facilitator, make_lab):
    from civiclab.rooms.queries import room_of

    room = room_of(lab)
    db_session.add(ModerationAction(actor_id=facilitator.id, action="mute_user", room_id=room.id,
                                    city_id=lab.city_id, user_id=make_user().id, reason="Insulti nella stanza"))
    db_session.commit()
    login(client, make_facilitator(make_lab()))  # a lab of another city
    assert "Insulti nella stanza" not in client.get("/moderazione/registro").text
    login(client, facilitator)
    assert "Insulti nella stanza" in client.get("/moderazione/registro").text
