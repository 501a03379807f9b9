"""Who may block whom and who may lift a block, across cities (moderation/permissions.py): a
city's moderators block the ordinary participants active in their city, never another city's
staff or facilitators; a block is lifted by who placed it, its city's staff or an administrator.
And the log: an entry stays with its city after the content's author deletes their account."""
import pytest
import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.moderation.models import ModerationAction
from civiclab.moderation.permissions import can_block_user, can_lift_block
from civiclab.proposals.models import ProposalState
from tests.conftest import login, text_of


@pytest.fixture
def two_cities(make_city, make_lab, make_facilitator, make_staff, make_user, make_participant):
    """Bologna and Modena, each with a lab, its facilitator, its staff and a participant active there."""
    bologna, modena = make_city(name="Bologna"), make_city(name="Modena")
    people = {"admin": make_user(is_admin=True, display_name="Ada Admin")}
    for city in (bologna, modena):
        key = city.name.lower()
        lab = make_lab(city=city)
        people[f"{key}_facilitator"] = make_facilitator(lab, display_name=f"Facilitatore di {city.name}")
        people[f"{key}_staff"] = make_staff(city)
        people[f"{key}_participant"] = make_participant(city, display_name=f"Partecipante di {city.name}")
    people["bologna"], people["modena"] = bologna, modena
    return people


def block(client, user):
    return client.post(f"/moderazione/utenti/{user.id}/blocca", data={"reason": "Insulti", "duration": "7"})


def blocks_on(db_session, user):
    return db_session.scalars(sa.select(UserBlock).filter_by(user_id=user.id)).all()


# Who (rows) may block whom (columns): 403 refused before any form, 302 blocked.
BLOCK_TABLE = {
    "modena_facilitator": {"modena_participant": 302, "bologna_participant": 403, "bologna_facilitator": 403,
                           "bologna_staff": 403, "modena_staff": 403, "admin": 403},
    "modena_staff": {"modena_participant": 302, "bologna_participant": 403, "bologna_facilitator": 403,
                     "modena_facilitator": 403, "bologna_staff": 403, "admin": 403},
    "admin": {"modena_participant": 302, "bologna_participant": 302, "bologna_facilitator": 302,
              "bologna_staff": 302},
    "bologna_participant": {"modena_participant": 403},
}


@pytest.mark.parametrize("actor, target, status", [
    (actor, target, status) for actor, row in BLOCK_TABLE.items() for target, status in row.items()
])
def test_who_may_block_whom_across_cities(client, db_session, two_cities, actor, target, status):
    login(client, two_cities[actor])

    page = client.get(f"/moderazione/utenti/{two_cities[target].id}/blocca")
    response = block(client, two_cities[target])

    assert (page.status_code, response.status_code) == ((200 if status == 302 else 403), status)
    assert len(blocks_on(db_session, two_cities[target])) == (1 if status == 302 else 0)


def test_modena_s_facilitator_cannot_block_bologna_s_facilitator_but_blocks_an_ordinary_user(
        client, db_session, two_cities):
    login(client, two_cities["modena_facilitator"])

    refused = block(client, two_cities["bologna_facilitator"])
    done = block(client, two_cities["modena_participant"])

    assert refused.status_code == 403
    assert "può essere bloccato solo dall’amministrazione della rete" in text_of(refused)
    assert blocks_on(db_session, two_cities["bologna_facilitator"]) == []
    elsewhere = block(client, two_cities["bologna_participant"])
    assert "Puoi bloccare solo chi partecipa nella tua città." in text_of(elsewhere)
    assert done.status_code == 302
    [placed] = blocks_on(db_session, two_cities["modena_participant"])
    assert placed.city_id == two_cities["modena"].id


def test_a_participant_active_in_both_cities_may_be_blocked_by_either(client, db_session, two_cities, make_participant):
    commuter = make_participant(two_cities["bologna"], display_name="Pendolare")
    make_participant(two_cities["modena"])  # another comment in Modena, by someone else
    from civiclab.comments.models import Comment
    from civiclab.programmes.models import Project

    project = db_session.scalar(sa.select(Project).filter_by(city_id=two_cities["modena"].id))
    db_session.add(Comment(project=project, author=commuter, body="Anche qui", body_html="<p>Anche qui</p>"))
    db_session.commit()
    login(client, two_cities["modena_facilitator"])

    assert block(client, commuter).status_code == 302


def lift(client, block_row):
    return client.post(f"/moderazione/blocchi/{block_row.id}/revoca", data={f"revoca-{block_row.id}-reason": "Ok"})


@pytest.fixture
def bologna_block(db_session, two_cities):
    """A block placed by Bologna's facilitator on Bologna's participant."""
    row = UserBlock(user=two_cities["bologna_participant"], blocked_by=two_cities["bologna_facilitator"],
                    reason="Spam", city_id=two_cities["bologna"].id)
    db_session.add(row)
    db_session.commit()
    return row


@pytest.mark.parametrize("actor, status", [
    ("modena_facilitator", 403), ("modena_staff", 403), ("bologna_participant", 403),
    ("bologna_facilitator", 302),  # who placed it
    ("bologna_staff", 302), ("admin", 302),
])
def test_who_may_lift_a_block_of_bologna(client, db_session, two_cities, bologna_block, actor, status):
    login(client, two_cities[actor])

    response = lift(client, bologna_block)

    assert response.status_code == status
    db_session.refresh(bologna_block)
    assert (bologna_block.lifted_at is not None) is (status == 302)


def test_another_facilitator_of_the_same_city_does_not_lift_a_colleague_s_block(
        client, db_session, two_cities, bologna_block, make_facilitator, make_lab):
    colleague = make_facilitator(make_lab(city=two_cities["bologna"]))
    login(client, colleague)

    assert lift(client, bologna_block).status_code == 403


def test_the_blocks_page_offers_lifting_only_where_one_may(client, db_session, two_cities, bologna_block):
    login(client, two_cities["modena_facilitator"])
    elsewhere = client.get("/moderazione/blocchi")
    login(client, two_cities["bologna_staff"])
    at_home = client.get("/moderazione/blocchi")

    assert "Partecipante di Bologna" in text_of(elsewhere)  # a block applies everywhere: listed
    assert f"/moderazione/blocchi/{bologna_block.id}/revoca" not in elsewhere.text
    assert "Possono revocarlo chi l’ha deciso, il Comune di Bologna e l’amministrazione della rete." in text_of(elsewhere)
    assert f"/moderazione/blocchi/{bologna_block.id}/revoca" in at_home.text


def test_an_administrator_s_block_is_lifted_by_administrators_only(db_session, two_cities):
    admin_block = UserBlock(user=two_cities["bologna_participant"], blocked_by=two_cities["admin"], reason="Spam")

    assert can_lift_block(two_cities["admin"], admin_block)
    assert not can_lift_block(two_cities["bologna_staff"], admin_block)


def test_nobody_blocks_themselves_and_no_moderator_blocks_an_admin(two_cities):
    admin, facilitator = two_cities["admin"], two_cities["bologna_facilitator"]
    city = {two_cities["bologna"].id}

    assert not can_block_user(admin, admin, city)
    assert not can_block_user(facilitator, facilitator, city)
    assert not can_block_user(facilitator, admin, city)
    assert can_block_user(facilitator, two_cities["bologna_participant"], city)


def test_the_reports_queue_offers_to_block_authors_one_may_block_only(
        client, db_session, make_call, make_project, make_proposal, two_cities):
    from civiclab.comments.models import Comment
    from civiclab.moderation.models import Report

    call = make_call(project=make_project(city=two_cities["bologna"]))
    proposal = make_proposal(call=call, author=two_cities["bologna_participant"])
    by_staff = Comment(proposal=proposal, author=two_cities["bologna_staff"], body="Dal Comune",
                       body_html="<p>Dal Comune</p>")
    db_session.add(by_staff)
    db_session.flush()
    db_session.add_all([Report(proposal=proposal, reporter=two_cities["admin"], reason="Spam"),
                        Report(comment=by_staff, reporter=two_cities["admin"], reason="Spam")])
    db_session.commit()
    login(client, two_cities["bologna_facilitator"])

    page = client.get("/moderazione/segnalazioni").text

    assert f"/moderazione/utenti/{two_cities['bologna_participant'].id}/blocca" in page
    assert f"/moderazione/utenti/{two_cities['bologna_staff'].id}/blocca" not in page


# ---- the log keeps its city ------------------------------------------------------------------

def test_after_the_author_deletes_their_account_modena_still_cannot_read_bologna_s_entry(
        client, db_session, two_cities, make_call, make_project, make_proposal, in_request):
    from civiclab.accounts.services import delete_account
    from civiclab.proposals import services as proposal_services

    author = two_cities["bologna_participant"]
    author.set_password("una-password-lunga-1")
    call = make_call(project=make_project(city=two_cities["bologna"]), phase="review")
    proposal = make_proposal(call=call, author=author, title="Il mio vicino", state=ProposalState.SUBMITTED)
    proposal_services.moderate_proposal(two_cities["bologna_staff"], proposal, ProposalState.REJECTED,
                                        "Contiene l'indirizzo di un vicino")
    from civiclab.moderation import services

    services.log(two_cities["bologna_staff"], "reports_upheld", "Dati personali del vicino", content=proposal)
    db_session.commit()

    delete_account(author, "una-password-lunga-1")  # the rejected proposal is deleted with it
    db_session.commit()
    [entry] = db_session.scalars(sa.select(ModerationAction).filter_by(action="reports_upheld")).all()
    assert entry.proposal_id is None and entry.city_id == two_cities["bologna"].id

    login(client, two_cities["modena_facilitator"])
    assert "Dati personali del vicino" not in client.get("/moderazione/registro").text
    login(client, two_cities["bologna_facilitator"])
    assert "Dati personali del vicino" in client.get("/moderazione/registro").text
    login(client, two_cities["admin"])
    assert "Dati personali del vicino" in client.get("/moderazione/registro").text


def test_an_entry_of_unknown_city_is_read_by_administrators_only(client, db_session, two_cities):
    db_session.add(ModerationAction(action="reports_upheld", reason="Senza città"))
    db_session.commit()

    login(client, two_cities["bologna_staff"])
    assert "Senza città" not in client.get("/moderazione/registro").text
    login(client, two_cities["admin"])
    assert "Senza città" in client.get("/moderazione/registro").text


def test_every_moderation_service_stores_the_city_on_its_entry(
        db_session, two_cities, make_call, make_project, make_proposal, in_request):
    from civiclab.comments import services as comment_services
    from civiclab.comments.models import Comment
    from civiclab.moderation import services

    bologna = two_cities["bologna"]
    proposal = make_proposal(call=make_call(project=make_project(city=bologna)))
    comment = Comment(project=make_project(city=bologna), author=two_cities["bologna_participant"], body="x",
                      body_html="<p>x</p>")
    db_session.add(comment)
    db_session.flush()
    staff = two_cities["bologna_staff"]

    comment_services.hide_comment(staff, comment, "Offese")
    services.report(two_cities["modena_participant"], proposal, "Spam")
    services.resolve_reports(staff, proposal, True, "Spam confermato")
    services.block_user(staff, two_cities["bologna_participant"], "Recidiva")

    cities = db_session.scalars(sa.select(ModerationAction.city_id)).all()
    assert len(cities) == 3 and set(cities) == {bologna.id}
