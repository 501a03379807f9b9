import pytest

from civiclab.accounts.models import Membership, MembershipStatus, Organisation, ParticipantType
from civiclab.accounts.permissions import can_approve_membership, can_request_membership
from tests.conftest import login


@pytest.fixture
def school(db_session):
    org = Organisation(name="IC 5 Bologna", name_key="ic 5 bologna", kind=ParticipantType.SCUOLA,
                       city_name="Bologna")
    db_session.add(org)
    db_session.commit()
    return org


@pytest.fixture
def member(db_session, make_user, school):
    user = make_user(email="preside@example.org", display_name="La Preside",
                     participant_type=ParticipantType.SCUOLA)
    db_session.add(Membership(organisation=school, user=user, status=MembershipStatus.ACTIVE))
    db_session.commit()
    return user


@pytest.fixture
def request_of(db_session, make_user, school):
    def factory(**user_fields):
        user = make_user(participant_type=ParticipantType.SCUOLA, **user_fields)
        membership = Membership(organisation=school, user=user, status=MembershipStatus.PENDING)
        db_session.add(membership)
        db_session.commit()
        return membership

    return factory


def test_the_organisation_page_shows_active_members_but_no_emails(client, school, member, request_of):
    request_of(display_name="Nuovo Docente", email="docente@example.org")

    page = client.get(f"/organizzazioni/{school.id}")

    assert page.status_code == 200
    assert "IC 5 Bologna" in page.text and "La Preside" in page.text
    assert "preside@example.org" not in page.text
    assert "Nuovo Docente" not in page.text  # pending requests are for approvers only


def test_an_unknown_organisation_is_a_404(client, db_session):
    assert client.get("/organizzazioni/999999").status_code == 404


def test_the_list_finds_organisations_by_name_and_kind(client, school, member, db_session):
    db_session.add(Organisation(name="Cooperativa Dolce", name_key="cooperativa dolce",
                                kind=ParticipantType.TERZO_SETTORE))
    db_session.commit()

    everything = client.get("/organizzazioni").text
    by_name = client.get("/organizzazioni?q=ic+5").text
    by_kind = client.get("/organizzazioni?tipo=terzo_settore").text

    assert "IC 5 Bologna" in everything and "Cooperativa Dolce" in everything
    assert "IC 5 Bologna" in by_name and "Cooperativa Dolce" not in by_name
    assert "Cooperativa Dolce" in by_kind and "IC 5 Bologna" not in by_kind
    assert client.get("/organizzazioni?tipo=nonsense&page=-3").status_code == 200


def test_the_list_takes_a_fixed_number_of_queries(client, db_session, make_user, count_queries):
    for n in range(8):
        org = Organisation(name=f"Scuola {n}", name_key=f"scuola {n}", kind=ParticipantType.SCUOLA)
        db_session.add(org)
        for _ in range(2):
            db_session.add(Membership(organisation=org, user=make_user(), status=MembershipStatus.ACTIVE))
    db_session.commit()

    with count_queries() as queries:
        assert client.get("/organizzazioni").status_code == 200
    assert 1 <= len(queries) <= 4, queries


def test_a_member_sees_pending_requests_with_emails_and_approves_one(client, db_session, outbox, school,
                                                                    member, request_of):
    pending = request_of(display_name="Nuovo Docente", email="docente@example.org", locale="en")
    login(client, member)

    page = client.get(f"/organizzazioni/{school.id}").text
    assert "Nuovo Docente" in page and "docente@example.org" in page

    response = client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}", data={"decision": "approve"})

    assert response.status_code == 302
    db_session.refresh(pending)
    assert pending.status is MembershipStatus.ACTIVE
    assert pending.decided_by_id == member.id and pending.decided_at is not None
    assert [m.recipients for m in outbox] == [["docente@example.org"]]
    assert "IC 5 Bologna" in outbox[0].subject


def test_a_member_refuses_a_request_and_the_requester_is_told(client, db_session, outbox, school, member,
                                                             request_of):
    pending = request_of(email="docente@example.org")
    login(client, member)

    client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}", data={"decision": "refuse"})

    db_session.refresh(pending)
    assert pending.status is MembershipStatus.REFUSED
    assert "non è stata approvata" in outbox[0].body


def test_an_outsider_may_not_decide_a_request(client, db_session, school, member, request_of, make_user):
    pending = request_of()
    outsider = make_user(participant_type=ParticipantType.SCUOLA)
    login(client, outsider)

    response = client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}", data={"decision": "approve"})

    assert response.status_code == 403
    db_session.refresh(pending)
    assert pending.status is MembershipStatus.PENDING


def test_a_pending_requester_may_not_approve_themselves(client, db_session, school, request_of):
    pending = request_of()
    login(client, pending.user)
    response = client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}", data={"decision": "approve"})
    assert response.status_code == 403


def test_municipality_staff_and_admins_may_approve(db_session, school, make_city, make_staff, make_user):
    staff = make_staff(make_city())
    admin = make_user(is_admin=True)
    citizen = make_user()
    assert can_approve_membership(staff, school)
    assert can_approve_membership(admin, school)
    assert not can_approve_membership(citizen, school)


def test_staff_approves_from_the_page(client, db_session, school, request_of, make_city, make_staff):
    pending = request_of()
    login(client, make_staff(make_city()))
    response = client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}", data={"decision": "approve"})
    assert response.status_code == 302
    db_session.refresh(pending)
    assert pending.is_active


def test_a_decided_request_cannot_be_decided_again(client, db_session, school, member, request_of):
    pending = request_of()
    login(client, member)
    client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}", data={"decision": "refuse"})

    response = client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}", data={"decision": "approve"})

    assert response.status_code == 422
    assert "già stata decisa" in response.text
    db_session.refresh(pending)
    assert pending.status is MembershipStatus.REFUSED


def test_a_bad_decision_or_a_request_of_another_organisation_is_refused(client, db_session, school, member,
                                                                       request_of):
    pending = request_of()
    login(client, member)
    assert client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}",
                       data={"decision": "maybe"}).status_code == 400
    assert client.post(f"/organizzazioni/{school.id + 1}/richieste/{pending.id}",
                       data={"decision": "approve"}).status_code == 404


def test_a_participant_of_the_same_kind_asks_to_join_and_members_are_told(client, db_session, outbox, school,
                                                                        member, make_user):
    teacher = make_user(display_name="Nuovo Docente", participant_type=ParticipantType.SCUOLA)
    login(client, teacher)
    assert "Chiedi di aderire" in client.get(f"/organizzazioni/{school.id}").text

    response = client.post(f"/organizzazioni/{school.id}/adesione")

    assert response.status_code == 302
    membership = db_session.query(Membership).filter_by(user_id=teacher.id).one()
    assert membership.status is MembershipStatus.PENDING
    assert [m.recipients for m in outbox] == [["preside@example.org"]]
    assert "in attesa di approvazione" in client.get(f"/organizzazioni/{school.id}").text


def test_joining_is_refused_to_other_kinds_and_unconfirmed_users(client, db_session, school, make_user):
    firm_owner = make_user(participant_type=ParticipantType.IMPRESA)
    unconfirmed = make_user(participant_type=ParticipantType.SCUOLA, confirmed=False)
    assert not can_request_membership(firm_owner, school)
    assert not can_request_membership(unconfirmed, school)

    login(client, firm_owner)
    assert client.post(f"/organizzazioni/{school.id}/adesione").status_code == 403
    login(client, unconfirmed)
    assert client.post(f"/organizzazioni/{school.id}/adesione").status_code == 403
    assert db_session.query(Membership).count() == 0


def test_anonymous_visitors_are_sent_to_login_to_join_or_decide(client, db_session, school, request_of):
    pending = request_of()
    assert client.post(f"/organizzazioni/{school.id}/adesione").status_code == 302
    assert client.post(f"/organizzazioni/{school.id}/richieste/{pending.id}",
                       data={"decision": "approve"}).status_code == 302


def test_a_refused_participant_may_ask_again(client, db_session, school, member, request_of):
    pending = request_of()
    pending.decide(False, by=member)
    db_session.commit()
    login(client, pending.user)

    assert client.post(f"/organizzazioni/{school.id}/adesione").status_code == 302
    db_session.refresh(pending)
    assert pending.status is MembershipStatus.PENDING and pending.decided_by_id is None


def test_without_active_members_the_administrators_are_told(client, db_session, outbox, school, make_user):
    make_user(email="admin@example.org", is_admin=True)
    login(client, make_user(participant_type=ParticipantType.SCUOLA))
    client.post(f"/organizzazioni/{school.id}/adesione")
    assert [m.recipients for m in outbox] == [["admin@example.org"]]
