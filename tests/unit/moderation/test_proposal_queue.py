"""The facilitators' proposal queue: what each moderator sees, counts by state, oldest first,
filters, constant queries, and the header's link with the submitted proposals waiting."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.core.time import utcnow
from civiclab.moderation import queries
from civiclab.proposals.models import Call, ProposalState
from civiclab.proposals.permissions import can_moderate_call
from tests.conftest import login, text_of


def queue_titles(response):
    return re.findall(r'<th scope="row"><a href="/moderazione/proposte/\d+">([^<]*)</a>', response.text)


def test_the_queue_lists_submitted_proposals_oldest_first_with_counts_by_state(
        client, facilitator, call, make_proposal):
    now = utcnow()
    make_proposal(call=call, title="Seconda", state=ProposalState.SUBMITTED, submitted_at=now - timedelta(days=1))
    make_proposal(call=call, title="Prima", state=ProposalState.SUBMITTED, submitted_at=now - timedelta(days=3))
    make_proposal(call=call, title="Pubblicata", state=ProposalState.ACCEPTED)
    make_proposal(call=call, title="Da rivedere", state=ProposalState.CHANGES_REQUESTED)
    make_proposal(call=call, title="Bozza", state=ProposalState.DRAFT)
    login(client, facilitator)

    response = client.get("/moderazione/proposte")

    assert response.status_code == 200
    assert queue_titles(response) == ["Prima", "Seconda"]
    text = text_of(response)
    assert "In valutazione 2" in text
    assert "Modifiche richieste 1" in text
    assert "Pubblicata 1" in text
    assert "Respinta 0" in text
    assert "Bozza" not in queue_titles(client.get("/moderazione/proposte?stato=tutti"))


def test_filters_by_state_call_and_theme(client, facilitator, call, make_call, make_proposal, lab):
    other_call = make_call(lab=lab, title="Altra call")
    green = call.themes[0]
    make_proposal(call=call, title="Alberi", state=ProposalState.SUBMITTED, theme_id=green.id)
    make_proposal(call=call, title="Bici", state=ProposalState.SUBMITTED, theme_id=call.themes[1].id)
    make_proposal(call=other_call, title="Panchine", state=ProposalState.SUBMITTED)
    make_proposal(call=call, title="Orti", state=ProposalState.ACCEPTED, theme_id=green.id)
    login(client, facilitator)

    assert sorted(queue_titles(client.get("/moderazione/proposte"))) == ["Alberi", "Bici", "Panchine"]
    assert sorted(queue_titles(client.get(f"/moderazione/proposte?call={call.id}"))) == ["Alberi", "Bici"]
    assert queue_titles(client.get(f"/moderazione/proposte?tema={green.id}")) == ["Alberi"]
    assert sorted(queue_titles(client.get(f"/moderazione/proposte?tema={green.id}&stato=tutti"))) == [
        "Alberi", "Orti"]
    assert queue_titles(client.get("/moderazione/proposte?stato=accepted")) == ["Orti"]


@pytest.mark.parametrize("query", ["?stato=nonsense", "?call=abc&tema=-1", "?call=99999999999999", "?page=-3",
                                   "?page=99999999"])
def test_bad_filters_never_break_the_queue(client, facilitator, call, make_proposal, query):
    make_proposal(call=call, state=ProposalState.SUBMITTED)
    login(client, facilitator)

    assert client.get(f"/moderazione/proposte{query}").status_code == 200


def test_a_facilitator_of_another_lab_does_not_see_the_call_s_proposals(client, outsider, call, make_proposal):
    make_proposal(call=call, title="Alberi", state=ProposalState.SUBMITTED)
    login(client, outsider)

    response = client.get("/moderazione/proposte")

    assert response.status_code == 200
    assert queue_titles(response) == []
    assert "Idee per i cortili" not in response.text  # not even among the filters


def test_users_who_moderate_nothing_get_403(client, make_user):
    login(client, make_user())

    assert client.get("/moderazione/proposte").status_code == 403


def test_the_sql_rule_agrees_with_can_moderate_call(db_session, make_city, make_lab, make_project, make_call,
                                                   make_facilitator, make_staff, make_user):
    city, other_city = make_city(), make_city()
    lab, sister_lab, far_lab = make_lab(city=city), make_lab(city=city), make_lab(city=other_city)
    calls = [
        make_call(project=make_project(city=city), lab=lab),  # the lab's own call
        make_call(project=make_project(city=city)),  # a city call naming no lab
        make_call(lab=sister_lab),  # another lab's call in the same city
        make_call(lab=far_lab),  # a call in another city
    ]
    users = [make_facilitator(lab), make_facilitator(far_lab), make_staff(city), make_staff(other_city),
             make_user(is_admin=True), make_user()]
    for user in users:
        by_sql = set(db_session.scalars(sa.select(Call.id).where(queries.moderated_calls_clause(user))))
        by_rule = {c.id for c in calls if can_moderate_call(user, c)}
        assert by_sql & {c.id for c in calls} == by_rule, user


def test_the_queue_costs_the_same_queries_at_3_and_at_30_proposals(
        client, db_session, facilitator, call, make_proposal, make_user, count_queries):
    for _ in range(3):
        make_proposal(call=call, author=make_user(), state=ProposalState.SUBMITTED)
    login(client, facilitator)
    db_session.expire_all()  # each request starts from the database, as in production
    with count_queries() as few:
        small = client.get("/moderazione/proposte")
    for _ in range(27):
        make_proposal(call=call, author=make_user(), state=ProposalState.SUBMITTED)
    db_session.expire_all()
    with count_queries() as many:
        large = client.get("/moderazione/proposte")

    assert small.status_code == large.status_code == 200
    assert len(queue_titles(small)) == 3 and len(queue_titles(large)) == 20
    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 11, "\n".join(many)  # user and roles, calls and themes, page, counts, header


def test_the_header_links_moderators_to_the_queue_with_the_proposals_waiting(
        client, facilitator, call, make_proposal, make_user):
    make_proposal(call=call, state=ProposalState.SUBMITTED)
    make_proposal(call=call, state=ProposalState.SUBMITTED)
    make_proposal(call=call, state=ProposalState.ACCEPTED)
    login(client, facilitator)

    page = client.get("/eventi")

    assert re.search(r'href="/moderazione/proposte"[^>]*><span>Moderazione \(2\)</span>', page.text)

    login(client, make_user())
    assert "/moderazione/proposte" not in client.get("/eventi").text
