"""The staff's existing actions leave their entry in the audit log, in the action's transaction:
hiding a comment (with its reason), blocking a user, moderating a proposal, editing a project's
amounts (old → new in euro), downloading an event's attendance sheet (a GET that writes)."""
import sqlalchemy as sa

from civiclab.audit.models import AuditEntry
from civiclab.comments import services as comments
from civiclab.comments.models import Comment
from civiclab.core.kit import attempt
from civiclab.moderation import services as moderation
from civiclab.programmes import services as programmes
from civiclab.proposals import services as proposals
from civiclab.proposals.models import ProposalState
from tests.conftest import login


def entries(db_session, action=None):
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.filter_by(action=action)
    return db_session.scalars(query).all()


def a_comment(db_session, project, author):
    comment = Comment(project=project, author=author, body="Brutto", body_html="<p>Brutto</p>")
    db_session.add(comment)
    db_session.commit()
    return comment


def test_hiding_a_comment_is_audited_with_its_reason(db_session, make_project, make_staff, make_user):
    project = make_project()
    staff = make_staff(project.city)
    comment = a_comment(db_session, project, make_user())

    comments.hide_comment(staff, comment, "Insulti a un altro partecipante")
    db_session.commit()

    [entry] = entries(db_session)
    assert (entry.actor_id, entry.action, entry.subject_type, entry.subject_id) == (
        staff.id, "comment.hidden", "comments", comment.id)
    assert entry.city_id == project.city_id
    assert entry.reason == "Insulti a un altro partecipante"
    assert entry.details == {"user_id": comment.author_id}


def test_a_refused_action_leaves_no_entry(db_session, make_project, make_staff, make_user, app):
    project = make_project()
    staff = make_staff(project.city)
    comment = a_comment(db_session, project, make_user())
    comments.hide_comment(staff, comment, "Insulti")
    db_session.commit()

    with app.test_request_context():
        again = attempt(comments.hide_comment, staff, comment, "Ancora")  # already hidden: refused
    db_session.commit()

    assert not again
    assert len(entries(db_session, "comment.hidden")) == 1


def test_blocking_a_user_is_audited_in_the_moderating_city(db_session, make_project, make_staff, make_user, app):
    project = make_project()
    staff = make_staff(project.city)
    troll = make_user(display_name="Tina Troll")
    a_comment(db_session, project, troll)  # active in the city: its staff may block her

    with app.test_request_context():
        block = moderation.block_user(staff, troll, "Recidiva")
    db_session.commit()

    [entry] = entries(db_session, "user.blocked")
    assert (entry.subject_type, entry.subject_id, entry.city_id) == ("users", troll.id, block.city_id)
    assert entry.reason == "Recidiva"


def test_moderating_a_proposal_is_audited_with_the_move_and_the_reason(
        db_session, make_call, make_proposal, make_project, make_staff):
    project = make_project()
    staff = make_staff(project.city)
    proposal = make_proposal(call=make_call(project=project, phase="review"), state=ProposalState.SUBMITTED)

    proposals.moderate_proposal(staff, proposal, ProposalState.REJECTED, "Fuori tema")
    db_session.commit()

    [entry] = entries(db_session, "proposal.moderated")
    assert (entry.subject_type, entry.subject_id, entry.city_id) == ("proposals", proposal.id, project.city_id)
    assert entry.reason == "Fuori tema"
    assert entry.details["from_state"] == "submitted" and entry.details["to_state"] == "rejected"


def test_an_authors_own_moves_are_not_audited(db_session, make_call, make_proposal, make_project):
    proposal = make_proposal(call=make_call(project=make_project()), state=ProposalState.DRAFT)

    proposals.submit_proposal(proposal.author, proposal)
    db_session.commit()

    assert entries(db_session) == []


def test_editing_a_projects_amounts_is_audited_old_to_new_in_euro(db_session, make_project, make_staff):
    project = make_project(programmato_cents=100_000_00, ammesso_cents=90_000_00, vincolante_cents=50_000_00,
                           erogato_cents=20_000_00, published=True)
    staff = make_staff(project.city)
    data = {field: getattr(project, field) for field in programmes.PROJECT_FIELDS}

    programmes.update_project(project, {**data, "erogato_cents": 25_000_50, "published": False}, staff)
    db_session.commit()

    [edited] = entries(db_session, "project.amounts_edited")
    assert edited.actor_id == staff.id and edited.city_id == project.city_id
    assert edited.details == {"code": project.code, "erogato": "€ 20.000,00 → € 25.000,50"}
    assert [entry.action for entry in entries(db_session)] == ["project.amounts_edited", "project.unpublished"]


def test_downloading_an_attendance_sheet_is_audited(client, db_session, make_event, make_facilitator):
    event = make_event()
    facilitator = make_facilitator(event.lab)
    login(client, facilitator)

    response = client.get(f"/eventi/{event.id}/presenze.csv")

    assert response.status_code == 200
    [entry] = entries(db_session, "event.attendance_exported")
    assert (entry.actor_id, entry.subject_type, entry.subject_id, entry.city_id) == (
        facilitator.id, "events", event.id, event.lab.city_id)


def test_a_refused_download_is_not_audited(client, db_session, make_event, make_user):
    event = make_event()
    login(client, make_user())

    assert client.get(f"/eventi/{event.id}/presenze.csv").status_code == 403
    assert entries(db_session) == []
