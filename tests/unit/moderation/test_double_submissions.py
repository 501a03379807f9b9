"""A report or a membership request sent twice, or by two requests racing each other, answers
as the first did and stores one row: never a unique-key violation (500)."""
import pytest
import sqlalchemy as sa

from civiclab.accounts import organisations
from civiclab.accounts.models import Membership, MembershipStatus, Organisation, ParticipantType
from civiclab.moderation import services
from civiclab.moderation.models import Report
from tests.conftest import login, text_of


@pytest.fixture
def proposal(make_proposal, call):
    return make_proposal(call=call, title="Parcheggio nel parco")


def reports_of(db_session, proposal):
    return db_session.scalar(sa.select(sa.func.count(Report.id)).filter_by(proposal_id=proposal.id))


def test_a_report_inserted_between_the_check_and_the_insert_answers_as_the_first_did(
        client, db_session, proposal, make_user, monkeypatch):
    reporter = make_user()
    check = services._report_of

    def the_other_request_wins(actor, column, target):
        """The check finds nothing; meanwhile the same report lands from another request."""
        monkeypatch.setattr(services, "_report_of", check)
        db_session.execute(sa.insert(Report).values(proposal_id=target.id, reporter_id=actor.id, reason="Spam"))

    monkeypatch.setattr(services, "_report_of", the_other_request_wins)
    login(client, reporter)

    response = client.post(f"/proposte/{proposal.id}/segnala", data={"reason": "Spam"}, follow_redirects=True)

    assert response.status_code == 200
    assert "Segnalazione ricevuta" in text_of(response)
    assert reports_of(db_session, proposal) == 1


def test_reporting_again_after_the_moderators_decided_is_refused_with_a_message(
        client, db_session, proposal, make_user, facilitator, in_request):
    reporter = make_user()
    services.report(reporter, proposal, "Spam")
    services.resolve_reports(facilitator, proposal, False, "Non è spam")
    db_session.commit()
    login(client, reporter)

    again = client.post(f"/proposte/{proposal.id}/segnala", data={"reason": "Spam davvero"})

    assert again.status_code == 422
    assert "Hai già segnalato questo contenuto e i moderatori hanno già deciso." in text_of(again)
    assert reports_of(db_session, proposal) == 1


@pytest.fixture
def school(db_session):
    org = Organisation(name="IC 5 Bologna", name_key="ic 5 bologna", kind=ParticipantType.SCUOLA)
    db_session.add(org)
    db_session.commit()
    return org


def test_asking_twice_to_join_answers_as_the_first_time_and_mails_once(client, db_session, outbox, school,
                                                                       make_user):
    make_user(email="admin@example.org", is_admin=True)
    teacher = make_user(participant_type=ParticipantType.SCUOLA)
    login(client, teacher)

    first = client.post(f"/organizzazioni/{school.id}/adesione", follow_redirects=True)
    second = client.post(f"/organizzazioni/{school.id}/adesione", follow_redirects=True)

    assert "Richiesta inviata" in text_of(first) and "Richiesta inviata" in text_of(second)
    assert db_session.scalar(sa.select(sa.func.count(Membership.id)).filter_by(user_id=teacher.id)) == 1
    assert len(outbox) == 1


def test_a_membership_request_inserted_between_the_check_and_the_insert_answers_as_the_first_did(
        client, db_session, school, make_user, monkeypatch):
    teacher = make_user(participant_type=ParticipantType.SCUOLA)
    check = organisations.can_request_membership

    def the_other_request_wins(user, organisation):
        """The checks pass; meanwhile the same request lands from another request."""
        allowed = check(user, organisation)
        db_session.execute(sa.insert(Membership).values(organisation_id=organisation.id, user_id=user.id,
                                                        status=MembershipStatus.PENDING))
        return allowed

    monkeypatch.setattr(organisations, "can_request_membership", the_other_request_wins)
    login(client, teacher)

    response = client.post(f"/organizzazioni/{school.id}/adesione", follow_redirects=True)

    assert response.status_code == 200
    assert "Richiesta inviata" in text_of(response)
    assert db_session.scalar(sa.select(sa.func.count(Membership.id)).filter_by(user_id=teacher.id)) == 1
