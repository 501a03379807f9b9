"""The demo data: the seeds' real figures, loaded once however many times it runs."""
import itertools
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.models import Membership, Organisation, ParticipantType, User
from civiclab.audit.models import AuditEntry
from civiclab.comments.models import Comment, CommentVote
from civiclab.core.time import ROME, utcnow
from civiclab.demo import DEMO_PASSWORD, DemoRefused, seed_demo
from civiclab.events.models import Event, EventState, Registration, RegistrationState
from civiclab.extensions import db
from civiclab.follows.models import Follow
from civiclab.moderation.models import ModerationAction
from civiclab.outcomes.models import (
    DEFAULT_STATUSES,
    Milestone,
    Outcome,
    OutcomeEvent,
    OutcomeProposal,
    OutcomeStatus,
)
from civiclab.places.models import City, CityStaff, Lab, LabFacilitator
from civiclab.programmes.models import (
    Action,
    Axis,
    AxisBudget,
    CityPlan,
    FinancialSnapshot,
    Programme,
    Project,
)
from civiclab.proposals.models import (
    PUBLIC_STATES,
    Call,
    CallPhase,
    Proposal,
    ProposalState,
    ProposalTransition,
    Support,
)
from civiclab.proposals.permissions import can_moderate_proposal
from civiclab.rooms import permissions as room_permissions
from civiclab.rooms import queries as room_queries
from civiclab.rooms.models import Message, RoomKind, RoomRead
from tests.conftest import login, text_of

MODELS = (Programme, Axis, Action, City, Lab, CityPlan, AxisBudget, Project, User, Organisation,
          Membership, CityStaff, LabFacilitator, Event, Registration, Call, Proposal, ProposalTransition,
          Support, Comment, CommentVote, Follow, Message, ModerationAction, RoomRead, OutcomeStatus, Outcome,
          Milestone, OutcomeProposal, OutcomeEvent, FinancialSnapshot)


def counts():
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in MODELS}


def test_seed_demo_is_idempotent(demo, db_session):
    first_summary = demo
    after_first = counts()
    second_summary = seed_demo()

    assert counts() == after_first
    assert after_first["City"] == 23 and after_first["Lab"] == 10 and after_first["Programme"] == 2
    assert after_first["User"] == 8 and after_first["Project"] == 1
    assert any("creati ora" in line for line in first_summary)
    assert all("(0 creati ora)" in line for line in second_summary if "creati ora" in line)


def test_seed_demo_loads_the_real_bologna_plan_and_project(demo, db_session):
    programme = db_session.scalar(sa.select(Programme).filter_by(code="2014IT16M2OP004"))
    assert [axis.name for axis in programme.axes] == [
        "Agenda digitale metropolitana", "Sostenibilità dei servizi pubblici e della mobilità urbana",
        "Servizi per l'inclusione sociale", "Infrastrutture per l'inclusione sociale", "Assistenza tecnica"]
    plan = db_session.scalar(sa.select(CityPlan).join(City).where(City.slug == "bologna"))
    assert plan.total_cents == 40_218_000_00
    assert sorted(b.amount_cents for b in plan.budgets) == sorted(
        [5_357_425_00, 11_500_000_00, 9_830_384_00, 10_032_191_00, 1_050_000_00])
    assert plan.axes_total_cents == 37_770_000_00 and plan.unallocated_cents == 2_448_000_00

    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.b"))
    assert project.cup == "F39G16000350007" and project.rup == "Miriam Pepe"
    assert project.implementing_body == "Comune di Bologna" and project.action.code == "3.3.1"
    assert (project.programmato_cents, project.erogato_cents) == (412_248_84, 412_248_83)
    assert str(project.start_date) == "2016-11-01" and str(project.end_date) == "2021-03-30"
    assert "1) Governance" in project.description

    palermo = db_session.scalar(sa.select(City).filter_by(slug="palermo"))
    assert (palermo.region, palermo.municipalities_count, palermo.population) == ("Sicilia", 82, 1_265_921)
    pn_plus = db_session.scalar(sa.select(Programme).filter_by(code="PN-METRO-PLUS-2021-2027"))
    assert pn_plus.period == "2021-2027"
    rimini_lab = db_session.scalar(sa.select(Lab).join(City).where(City.slug == "rimini"))
    assert rimini_lab.venue == "Museo della città" and rimini_lab.latitude is None


def test_demo_accounts_have_their_roles_and_the_demo_password(demo, db_session):
    def user(email):
        return db_session.scalar(sa.select(User).filter_by(email=email))

    assert user("admin@example.org").is_admin
    bologna = db_session.scalar(sa.select(City).filter_by(slug="bologna"))
    assert user("comune.bologna@example.org").staff_city_ids == {bologna.id}
    assert user("facilitatore@example.org").facilitated_lab_ids == {bologna.labs[0].id}
    for email in ("scuola@example.org", "scuola2@example.org", "impresa@example.org", "terzosettore@example.org"):
        [membership] = user(email).active_memberships
        # Verified by Bologna's staff: the demo organisations act as such (group seats, audiences).
        assert membership.organisation.is_verified and membership.organisation.city_id == bologna.id, email
    for account in db_session.scalars(sa.select(User)):
        assert account.check_password(DEMO_PASSWORD)
        assert account.is_confirmed and account.privacy_consent_at is not None


def test_seed_demo_refuses_a_production_app_unless_forced(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)

    with pytest.raises(DemoRefused):
        seed_demo()
    assert counts()["User"] == 0
    seed_demo(force=True)
    assert counts()["User"] == 8


def test_seed_demo_adds_upcoming_and_past_events_one_nearly_full_one_with_a_queue(demo, db_session):
    events = db_session.scalars(sa.select(Event)).all()
    upcoming = [e for e in events if e.state is EventState.PUBLISHED]
    past = [e for e in events if e.state is EventState.FINISHED]
    assert len(upcoming) >= 4 and len(past) >= 2
    assert len({e.lab_id for e in events}) >= 4
    assert any(0 < e.seats_left <= e.capacity // 5 for e in upcoming)  # nearly full
    queued = [e for e in upcoming if any(r.state is RegistrationState.WAITING for r in e.registrations)]
    assert queued and all(e.is_full for e in queued)
    for event in events:
        confirmed = sum(r.seats for r in event.registrations if r.state is RegistrationState.CONFIRMED)
        assert event.confirmed_seats == confirmed <= event.capacity


def test_journey_1_walks_on_a_fresh_demo(client, demo, db_session, outbox):
    """DOMAIN.md journey 1: the teacher books 20 seats of next week's school event for her class,
    the event fills, a later booking waits, her cancellation promotes it and its author is told."""
    teacher = db_session.scalar(sa.select(User).filter_by(email="scuola@example.org"))
    colleague = db_session.scalar(sa.select(User).filter_by(email="scuola2@example.org"))
    soon = utcnow() + timedelta(days=8)
    [event] = [e for e in db_session.scalars(sa.select(Event).where(Event.state == EventState.PUBLISHED,
                                                                    Event.starts_at < soon))
               if e.audience == {ParticipantType.SCUOLA}]
    assert event.confirmed_seats == 0 and "<strong>Prenotazione per gruppi classe</strong>" in \
        client.get(f"/eventi/{event.id}").get_data(as_text=True)  # its Markdown, rendered

    login(client, teacher)
    [school] = [m.organisation for m in teacher.active_memberships]
    booked = client.post(f"/eventi/{event.id}/iscrizione", data={
        "seats": "20", "group_name": "Classe 3B", "organisation": str(school.id)})
    assert booked.status_code == 302
    db_session.refresh(event)
    assert event.confirmed_seats == 20 and event.is_full

    login(client, colleague)
    [other_school] = [m.organisation for m in colleague.active_memberships]
    client.post(f"/eventi/{event.id}/iscrizione", data={
        "seats": "18", "group_name": "Classe 2A", "organisation": str(other_school.id)})
    [waiting] = [r for r in event.registrations if r.user_id == colleague.id]
    assert waiting.state is RegistrationState.WAITING

    login(client, teacher)
    [mine] = [r for r in event.registrations if r.user_id == teacher.id]
    client.post(f"/iscrizioni/{mine.id}/annulla")  # asks first
    db_session.refresh(mine)
    assert mine.state is RegistrationState.CONFIRMED
    client.post(f"/iscrizioni/{mine.id}/annulla", data={"confirm": "yes"})
    db_session.refresh(waiting)
    assert waiting.state is RegistrationState.CONFIRMED
    assert any(message.recipients == ["scuola2@example.org"] and event.title in message.subject
               for message in outbox)


def test_seed_demo_opens_a_call_collecting_supports_and_one_collecting_proposals_on_bologna(demo, db_session):
    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.b"))
    calls = {call.phase: call for call in db_session.scalars(sa.select(Call).filter_by(project_id=project.id))}

    assert set(calls) == {CallPhase.SUPPORTS, CallPhase.PROPOSALS}
    for call in calls.values():
        assert call.published and call.title.startswith("Idee per il Laboratorio aperto di Bologna")
        assert call.lab.city.slug == "bologna" and len(call.themes) >= 3 and "<p>" in call.description_html
    published = db_session.scalars(sa.select(Proposal).filter_by(call_id=calls[CallPhase.SUPPORTS].id)
                                   .where(Proposal.state.in_(PUBLIC_STATES))).all()  # two of them adopted
    assert 6 <= len(published) <= 10
    authors = {p.author.email for p in published if p.state is ProposalState.ACCEPTED}
    assert authors == {"cittadino@example.org", "scuola@example.org", "impresa@example.org",
                       "terzosettore@example.org"}
    assert sum(p.supports_count for p in published) > 0 and sum(p.comments_count for p in published) > 0


def test_seed_demo_counters_and_transitions_match_the_rows(demo, db_session):
    for proposal in db_session.scalars(sa.select(Proposal)):
        supporters = db_session.scalars(sa.select(Support.user_id).filter_by(proposal_id=proposal.id)).all()
        assert proposal.supports_count == len(supporters) and proposal.author_id not in supporters
        comments = db_session.scalars(sa.select(Comment).filter_by(proposal_id=proposal.id)).all()
        assert proposal.comments_count == len(comments)
        for comment in comments:
            votes = db_session.scalars(sa.select(CommentVote.value).filter_by(comment_id=comment.id)).all()
            assert (comment.upvotes, comment.downvotes) == (votes.count(1), votes.count(-1))
            if comment.parent_id is not None:
                assert comment.depth == comment.parent.depth + 1
                assert comment.root_id == (comment.parent.root_id or comment.parent_id)
        # The recorded history leads from a draft to the proposal's state, a reason on every decision.
        path = [(t.from_state, t.to_state) for t in proposal.transitions]
        assert path[0][0] == "draft" and path[-1][1] == proposal.state.value
        assert all(a[1] == b[0] for a, b in itertools.pairwise(path))
        assert all(t.reason for t in proposal.transitions if t.actor_id != proposal.author_id)
        assert db_session.scalar(sa.select(Follow.id).filter_by(user_id=proposal.author_id,
                                                               proposal_id=proposal.id))
    depths = db_session.scalars(sa.select(Comment.depth)).all()
    assert max(depths) == 2  # three levels
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Comment).where(Comment.stance.is_not(None))) >= 3


def test_seed_demo_leaves_a_moderation_queue_for_the_facilitator(demo, db_session):
    call = db_session.scalar(sa.select(Call).where(Call.title.contains("servizi digitali")))
    queue = db_session.scalars(sa.select(Proposal).filter_by(call_id=call.id)).all()
    states = sorted(p.state.value for p in queue)

    assert states == ["changes_requested", "submitted", "submitted"]
    facilitator = db_session.scalar(sa.select(User).filter_by(email="facilitatore@example.org"))
    assert all(can_moderate_proposal(facilitator, p) for p in queue)
    asked = next(p for p in queue if p.state is ProposalState.CHANGES_REQUESTED)
    assert "Indica per quante persone" in asked.transitions[-1].reason
    assert call.allows("resubmit") and call.allows("submit")


def test_the_demo_calls_are_reachable_from_the_home_page_with_their_proposals(client, demo, db_session):
    home = client.get("/")
    calls = db_session.scalars(sa.select(Call).order_by(Call.id)).all()

    for call in calls:
        assert f'href="/call/{call.id}"' in home.get_data(as_text=True) and call.title in text_of(home)
    supports_call = next(call for call in calls if call.phase is CallPhase.SUPPORTS)
    page = text_of(client.get(f"/call/{supports_call.id}"))
    assert "Un open day dei progetti costruiti dai ragazzi" in page
    assert "Corsi serali di alfabetizzazione digitale" not in page  # the queue is not public


def test_seed_demo_talks_in_the_bologna_lab_room_and_every_demo_event_room(demo, db_session):
    bologna_lab = db_session.scalar(sa.select(Lab).join(City).where(City.slug == "bologna"))
    rooms = [room_queries.room_of(bologna_lab)] + [
        room_queries.room_of(event) for event in db_session.scalars(sa.select(Event))]

    for room in rooms:
        messages = room_queries.latest(room)
        assert len(messages) >= 3, room.name
        assert [m.created_at for m in messages] == sorted(m.created_at for m in messages)
        assert all(m.created_at < utcnow() for m in messages)
        for message in messages:
            # Only who may write there: an event's confirmed registrants and who runs it.
            assert room_permissions.write_refusal(
                message.author, room, **room_queries.write_facts(message.author, room)) is None, message.body
            assert message.body_html.startswith("<p>")
            marker = db_session.scalar(sa.select(RoomRead).filter_by(room_id=room.id, user_id=message.author_id))
            assert marker.last_read_id >= message.id
        if room.kind is RoomKind.EVENT:
            assert len({m.author_id for m in messages}) >= 2, room.name
    assert {m.author.email for m in room_queries.latest(rooms[0])} == {
        "facilitatore@example.org", "cittadino@example.org", "scuola@example.org", "impresa@example.org",
        "terzosettore@example.org"}
    for event in db_session.scalars(sa.select(Event)):
        confirmed = sum(r.seats for r in event.registrations if r.state is RegistrationState.CONFIRMED)
        assert event.confirmed_seats == confirmed <= event.capacity


def test_seed_demo_leaves_one_message_deleted_by_the_facilitator_with_its_reason_logged(demo, db_session):
    deleted = db_session.scalars(sa.select(Message).where(Message.deleted_at.is_not(None))).all()

    assert len(deleted) == 1
    message = deleted[0]
    facilitator = db_session.scalar(sa.select(User).filter_by(email="facilitatore@example.org"))
    assert message.deleted_by_id == facilitator.id and "commerciale" in message.delete_reason
    assert message.room.kind is RoomKind.LAB and message.deleted_at > message.created_at
    entry = db_session.scalar(sa.select(ModerationAction).filter_by(action="delete_message"))
    assert (entry.actor_id, entry.user_id, entry.room_id, entry.room_message_id) == (
        facilitator.id, message.author_id, message.room_id, message.id)
    assert entry.reason == message.delete_reason
    audited = db_session.scalar(sa.select(AuditEntry).filter_by(action="room.message_deleted"))
    assert (audited.actor_id, audited.subject_id, audited.city_id, audited.reason) == (
        facilitator.id, message.id, message.room.city_id, message.delete_reason)


def test_the_demo_lab_room_is_linked_from_the_lab_page_and_shows_the_placeholder(client, demo, db_session):
    bologna_lab = db_session.scalar(sa.select(Lab).join(City).where(City.slug == "bologna"))
    room = room_queries.room_of(bologna_lab)
    lab_page = client.get(f"/citta/bologna/laboratori/{bologna_lab.slug}")

    assert f'href="/stanze/{room.id}"' in lab_page.get_data(as_text=True)
    page = text_of(client.get(f"/stanze/{room.id}"))
    assert "Messaggio eliminato dai moderatori" in page and "OFFERTA RISERVATA" not in page
    assert "visite aperte" in page


# ---- journey 4: the outcomes of the Bologna project and its money over time -----------------

def _bologna_outcome(db_session):
    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.b"))
    [parent] = db_session.scalars(sa.select(Outcome).filter_by(project_id=project.id, parent_id=None)).all()
    return project, parent


def test_seed_demo_gives_bologna_the_default_outcome_statuses(demo, db_session):
    bologna = db_session.scalar(sa.select(City).filter_by(slug="bologna"))
    statuses = db_session.scalars(sa.select(OutcomeStatus).filter_by(city_id=bologna.id)
                                  .order_by(OutcomeStatus.position)).all()

    assert [(s.key, s.default_progress) for s in statuses] == list(DEFAULT_STATUSES)
    assert all(s.name == "" for s in statuses)  # default keys: the app translates them


def test_seed_demo_publishes_an_outcome_tree_on_the_bologna_project(demo, db_session):
    project, parent = _bologna_outcome(db_session)

    assert len(parent.children) == 3 and parent.published and "Bologna" in parent.address
    assert parent.description_html.startswith("<p>") and "<strong>innovazione sociale</strong>" in parent.description_html
    assert parent.status.key == "in_progress" and parent.start_date < parent.end_date
    assert {child.status.key for child in parent.children} == {"completed", "in_progress"}
    for child in parent.children:
        assert child.project_id == project.id and child.weight is not None and 0 <= child.progress <= 100
        assert not child.children and child.start_date <= child.end_date
    # The weights do not sum to 1: the parent's progress is the mean with the weights normalised.
    total = sum(child.weight for child in parent.children)
    assert total != 1
    assert parent.progress == pytest.approx(sum(c.weight / total * c.progress for c in parent.children))
    assert 0 < parent.progress < 100


def test_seed_demo_outcome_milestones_are_reached_late_and_ahead_from_today(demo, db_session):
    _project, parent = _bologna_outcome(db_session)
    today = datetime.now(ROME).date()
    milestones = db_session.scalars(sa.select(Milestone).where(
        Milestone.outcome_id.in_([parent.id] + [c.id for c in parent.children]))).all()

    reached = [m for m in milestones if m.reached_on is not None]
    late = [m for m in milestones if m.reached_on is None and m.planned_on < today]
    ahead = [m for m in milestones if m.reached_on is None and m.planned_on > today]
    assert len(late) == 1 and late[0].outcome.parent_id == parent.id  # on a sub-result
    assert reached and ahead and all(m.reached_on <= today for m in reached)
    assert parent.milestones and any(child.milestones for child in parent.children)


def test_seed_demo_outcome_adopts_two_published_proposals_of_the_demo_call(demo, db_session):
    project, parent = _bologna_outcome(db_session)
    staff = db_session.scalar(sa.select(User).filter_by(email="comune.bologna@example.org"))
    links = db_session.scalars(sa.select(OutcomeProposal).where(
        OutcomeProposal.outcome_id.in_([parent.id] + [c.id for c in parent.children]))).all()

    assert len(links) == 2
    for link in links:
        proposal = link.proposal
        assert proposal.state is ProposalState.ADOPTED and proposal.call.project_id == project.id
        last = proposal.transitions[-1]
        assert (last.from_state, last.to_state, last.actor_id) == ("accepted", "adopted", staff.id)
        assert last.reason == f"Adottata nel risultato «{link.outcome.title}»"
        assert link.created_by_id == staff.id and last.created_at <= utcnow()
    adopted = db_session.scalars(sa.select(Proposal).filter_by(state=ProposalState.ADOPTED)).all()
    assert {p.id for p in adopted} == {link.proposal_id for link in links}
    events = db_session.scalars(sa.select(OutcomeEvent).where(
        OutcomeEvent.outcome_id.in_([parent.id] + [c.id for c in parent.children]))).all()
    assert events and all(e.event.lab.city_id == project.city_id for e in events)


def test_seed_demo_records_the_project_money_over_time(demo, db_session):
    project, _parent = _bologna_outcome(db_session)
    snapshots = project.snapshots

    assert [s.source for s in snapshots] == ["OpenCoesione 2023-12-31", "OpenCoesione 2024-08-31", "manuale"]
    assert [s.as_of for s in snapshots] == sorted(s.as_of for s in snapshots)
    amounts = [(s.programmato_cents, s.ammesso_cents, s.vincolante_cents, s.erogato_cents) for s in snapshots]
    for row in amounts:
        assert row == tuple(sorted(row, reverse=True))  # programmato ≥ ammesso ≥ vincolante ≥ erogato
    for earlier, later in itertools.pairwise(amounts):
        assert all(a <= b for a, b in zip(earlier, later, strict=True)) and earlier != later
    assert amounts[-1] == (project.programmato_cents, project.ammesso_cents, project.vincolante_cents,
                           project.erogato_cents) == (412_248_84, 412_248_84, 412_248_84, 412_248_83)
    assert snapshots[-1].as_of == datetime.now(ROME).date() and not any(s.amounts_inconsistent for s in snapshots)


def test_seed_demo_has_a_follower_of_the_bologna_project(demo, db_session):
    project, _parent = _bologna_outcome(db_session)
    followers = db_session.scalars(sa.select(Follow.user_id).filter_by(project_id=project.id)).all()

    citizen = db_session.scalar(sa.select(User).filter_by(email="cittadino@example.org"))
    assert followers == [citizen.id]
