"""Outcome services: statuses and their default progress, the weighted normalised progress of
parents up the tree, cycles refused, milestones reached and late, adopting and letting go of
proposals (logged), the signals."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from civiclab.core import signals
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.outcomes import services
from civiclab.outcomes.models import Milestone, Outcome, OutcomeProposal, OutcomeStatus
from civiclab.proposals.models import ProposalState, ProposalTransition


@pytest.fixture
def world(make_city, make_project, make_staff):
    city = make_city()
    project = make_project(city=city)
    return project, make_staff(city)


def statuses(project):
    return {status.key: status for status in services.ensure_statuses(project.city)}


def create(staff, project, **values):
    return services.create_outcome(staff, project, **{"title": "Risultato", **values})


@pytest.fixture
def recorded():
    """The outcome signals sent during the test: [(name, sender, kwargs)]."""
    found = []

    def on_changed(sender, **kwargs):
        found.append(("changed", sender, kwargs))

    def on_reached(sender, **kwargs):
        found.append(("reached", sender, kwargs))

    signals.outcome_changed.connect(on_changed)
    signals.milestone_reached.connect(on_reached)
    try:
        yield found
    finally:
        signals.outcome_changed.disconnect(on_changed)
        signals.milestone_reached.disconnect(on_reached)


# ---- statuses and progress of a leaf ---------------------------------------------------------

def test_default_statuses_are_made_once_and_named_in_code(in_request, db_session, world):
    project, _staff = world
    services.ensure_statuses(project.city)
    made = services.ensure_statuses(project.city)
    assert [status.key for status in made] == ["planned", "in_progress", "completed", "suspended", "cancelled"]
    assert db_session.scalar(sa.select(sa.func.count(OutcomeStatus.id))
                             .where(OutcomeStatus.city_id == project.city_id)) == 5
    assert [str(status.label) for status in made] == ["Pianificato", "In corso", "Completato", "Sospeso", "Annullato"]
    own = OutcomeStatus(city_id=project.city_id, key="collaudo", name="In collaudo", name_en="Testing", position=9)
    db_session.add(own)
    assert own.label == "In collaudo"


def test_choosing_a_status_fills_its_default_progress_unless_staff_type_one(in_request, world):
    project, staff = world
    known = statuses(project)
    completed = create(staff, project, status_id=known["completed"].id)
    assert completed.progress == 100
    typed = create(staff, project, status_id=known["completed"].id, progress="80")
    assert typed.progress == 80
    no_default = create(staff, project, status_id=known["in_progress"].id, progress=None)
    assert no_default.progress == 0
    # Editing: the progress left as it was while the status changes takes the new default…
    services.update_outcome(staff, no_default, title="Risultato", status_id=known["completed"].id, progress=0)
    assert no_default.progress == 100
    # …a status without a default keeps it, and a typed value wins.
    services.update_outcome(staff, no_default, title="Risultato", status_id=known["suspended"].id, progress=100)
    assert no_default.progress == 100
    services.update_outcome(staff, no_default, title="Risultato", status_id=known["planned"].id, progress=35)
    assert no_default.progress == 35


@pytest.mark.parametrize("values, field", [
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"progress": "101"}, "progress"),
    ({"progress": "tanto"}, "progress"),
    ({"weight": "-1"}, "weight"),
    ({"start_date": date(2026, 5, 2), "end_date": date(2026, 5, 1)}, "end_date"),
    ({"status_id": 999_999}, "status_id"),
    ({"address": "v" * 201}, "address"),
])
def test_bad_values_are_refused_on_their_field(in_request, world, values, field):
    project, staff = world
    with pytest.raises(DomainError) as refused:
        create(staff, project, **values)
    assert refused.value.field == field


def test_only_the_city_staff_write_outcomes(in_request, world, make_user, make_staff, make_city):
    project, _staff = world
    for outsider in (make_user(), make_staff(make_city())):
        with pytest.raises(NotAllowed):
            create(outsider, project)


def test_the_description_is_markdown_rendered_and_sanitised(in_request, world):
    project, staff = world
    outcome = create(staff, project, description="**Fatto** <script>alert(1)</script>")
    assert "<strong>Fatto</strong>" in outcome.description_html and "<script>" not in outcome.description_html


# ---- nesting ---------------------------------------------------------------------------------

def test_a_parent_is_the_equal_mean_of_children_without_weights(in_request, world):
    project, staff = world
    parent = create(staff, project, progress="5")
    create(staff, project, parent_id=parent.id, progress="20")
    create(staff, project, parent_id=parent.id, progress="60")
    assert parent.progress == 40


def test_weights_are_normalised_whatever_they_add_up_to(in_request, world):
    project, staff = world
    parent = create(staff, project)
    create(staff, project, parent_id=parent.id, progress="100", weight="3")
    create(staff, project, parent_id=parent.id, progress="0", weight="1")
    assert parent.progress == 75  # 3 and 1 are 75 % and 25 %, not 300 %
    other = create(staff, project)
    create(staff, project, parent_id=other.id, progress="100", weight="0.3")
    create(staff, project, parent_id=other.id, progress="50", weight="0.2")
    assert other.progress == 80  # (0.3·100 + 0.2·50) / 0.5


def test_a_child_without_weight_counts_as_the_mean_weight_and_zero_weights_share_equally(in_request, world):
    project, staff = world
    parent = create(staff, project)
    create(staff, project, parent_id=parent.id, progress="100", weight="4")
    create(staff, project, parent_id=parent.id, progress="0", weight="2")
    create(staff, project, parent_id=parent.id, progress="30")  # counts as 3
    assert parent.progress == pytest.approx((4 * 100 + 2 * 0 + 3 * 30) / 9, abs=0.01)
    zero = create(staff, project)
    create(staff, project, parent_id=zero.id, progress="10", weight="0")
    create(staff, project, parent_id=zero.id, progress="30", weight="0")
    assert zero.progress == 20


def test_changing_a_child_updates_every_ancestor_in_the_same_transaction(in_request, db_session, world, recorded):
    project, staff = world
    root = create(staff, project)
    middle = create(staff, project, parent_id=root.id)
    sibling = create(staff, project, parent_id=root.id, progress="0")
    leaf = create(staff, project, parent_id=middle.id, progress="0")
    recorded.clear()
    savepoint = db_session.begin_nested()
    services.update_outcome(staff, leaf, title="Foglia", parent_id=middle.id, progress="80")
    assert (leaf.progress, middle.progress, root.progress) == (80, 80, 40)
    changed = {sender.id: kwargs["changes"] for name, sender, kwargs in recorded if name == "changed"}
    assert changed == {leaf.id: {"progress": (0, 80)}, middle.id: {"progress": (0, 80)},
                       root.id: {"progress": (0, 40)}}
    savepoint.rollback()  # one transaction: undoing it undoes the ancestors too
    db_session.expire_all()
    assert (db_session.get(Outcome, middle.id).progress, db_session.get(Outcome, root.id).progress) == (0, 0)
    # moving, reweighting and deleting a child update the old and the new parents
    services.update_outcome(staff, leaf, title="Foglia", parent_id=middle.id, progress="80")
    services.update_outcome(staff, sibling, title="Fratello", parent_id=root.id, progress="0", weight="3")
    assert root.progress == 40  # middle, without a weight, counts as the mean weight (3)
    services.update_outcome(staff, middle, title="Mezzo", parent_id=root.id, weight="1")
    assert root.progress == 20  # (80·1 + 0·3) / 4
    services.update_outcome(staff, leaf, title="Foglia", parent_id=root.id, progress="80")
    # middle keeps its last computed 80; leaf counts as the mean weight (2): (80·1 + 0·3 + 80·2) / 6
    assert root.progress == 40
    services.delete_outcome(staff, sibling)
    assert root.progress == 80


def test_a_parent_progress_is_not_typed(in_request, world):
    project, staff = world
    parent = create(staff, project)
    create(staff, project, parent_id=parent.id, progress="50")
    services.update_outcome(staff, parent, title="Genitore", progress="99")
    assert parent.progress == 50


def test_an_outcome_cannot_go_under_itself_or_a_descendant_or_another_project(in_request, world, make_project):
    project, staff = world
    root = create(staff, project)
    child = create(staff, project, parent_id=root.id)
    grandchild = create(staff, project, parent_id=child.id)
    for parent_id in (root.id, child.id, grandchild.id):
        with pytest.raises(DomainError) as refused:
            services.update_outcome(staff, root, title="Radice", parent_id=parent_id)
        assert refused.value.field == "parent_id"
    elsewhere = create(staff, make_project(city=project.city))
    with pytest.raises(DomainError):
        create(staff, project, parent_id=elsewhere.id)


def test_an_outcome_with_children_is_not_deleted(in_request, world):
    project, staff = world
    parent = create(staff, project)
    create(staff, project, parent_id=parent.id)
    with pytest.raises(DomainError):
        services.delete_outcome(staff, parent)


def test_status_changes_are_announced_with_labels(in_request, world, recorded):
    project, staff = world
    known = statuses(project)
    outcome = create(staff, project, status_id=known["planned"].id)
    recorded.clear()
    services.update_outcome(staff, outcome, title="Risultato", status_id=known["completed"].id, progress=0)
    [(_name, sender, kwargs)] = recorded
    assert sender is outcome and kwargs["actor"] is staff
    assert [str(label) for label in kwargs["changes"]["status"]] == ["Pianificato", "Completato"]
    assert kwargs["changes"]["progress"] == (0, 100)
    draft = create(staff, project, published=False)
    recorded.clear()
    services.update_outcome(staff, draft, title="Bozza", progress="10", published=False)
    assert recorded == []  # nobody hears of a draft


# ---- milestones ------------------------------------------------------------------------------

def test_milestones_reached_and_late(in_request, world, recorded):
    project, staff = world
    outcome = create(staff, project)
    today = services.today()
    past = services.add_milestone(staff, outcome, title="Gara", planned_on=today - timedelta(days=3))
    future = services.add_milestone(staff, outcome, title="Lavori", planned_on=today + timedelta(days=3))
    assert past.is_late and not past.is_reached and not future.is_late
    recorded.clear()
    services.reach_milestone(staff, past)
    assert past.reached_on == today and past.is_reached and past.is_late  # reached after its day
    [(name, sender, kwargs)] = recorded
    assert (name, sender, kwargs["milestone"], kwargs["actor"]) == ("reached", outcome, past, staff)
    services.reach_milestone(staff, future, today)
    assert future.is_reached and not future.is_late
    with pytest.raises(DomainError):
        services.reach_milestone(staff, future, today + timedelta(days=1))
    services.unreach_milestone(staff, past)
    assert not past.is_reached and past.is_late
    services.delete_milestone(staff, future)
    assert [m.title for m in outcome.milestones] == ["Gara"]


def test_a_milestone_reached_on_its_day_is_not_late():
    milestone = Milestone(title="Gara", planned_on=date(2026, 1, 10), reached_on=date(2026, 1, 10))
    assert milestone.is_reached and not milestone.is_late


# ---- adopted proposals -----------------------------------------------------------------------

def transitions_of(db_session, proposal):
    return [(t.from_state, t.to_state, t.reason) for t in db_session.scalars(
        sa.select(ProposalTransition).where(ProposalTransition.proposal_id == proposal.id)
        .order_by(ProposalTransition.id))]


def test_adopting_and_letting_go_of_proposals_is_logged(in_request, db_session, world, make_call, make_proposal):
    project, staff = world
    call = make_call(project=project, phase="closed")
    proposal = make_proposal(call=call)
    first = create(staff, project, title="Orti", proposal_ids=[proposal.id])
    assert proposal.state is ProposalState.ADOPTED
    second = create(staff, project, title="Giardini", proposal_ids=[proposal.id])  # several outcomes adopt it
    assert db_session.scalar(sa.select(sa.func.count()).select_from(OutcomeProposal)
                             .where(OutcomeProposal.proposal_id == proposal.id)) == 2
    assert transitions_of(db_session, proposal) == [("accepted", "adopted", "Adottata nel risultato «Orti»")]
    services.update_outcome(staff, first, title="Orti", proposal_ids=[])
    assert proposal.state is ProposalState.ADOPTED  # still adopted by the second
    services.delete_outcome(staff, second)  # the last one lets it go
    assert proposal.state is ProposalState.ACCEPTED and proposal.published_at is not None
    assert transitions_of(db_session, proposal)[-1] == ("adopted", "accepted",
                                                        "Non più adottata nel risultato «Giardini»")


def test_only_published_proposals_of_the_project_are_adopted(in_request, world, make_call, make_proposal,
                                                             make_project):
    project, staff = world
    own_call = make_call(project=project)
    draft = make_proposal(call=own_call, state=ProposalState.SUBMITTED)
    elsewhere = make_proposal(call=make_call(project=make_project(city=project.city)))
    for proposal in (draft, elsewhere):
        with pytest.raises(DomainError) as refused:
            create(staff, project, proposal_ids=[proposal.id])
        assert refused.value.field == "proposal_ids"


def test_events_of_the_city_are_linked(in_request, db_session, world, make_lab, make_event, make_city):
    project, staff = world
    event = make_event(lab=make_lab(city=project.city))
    outcome = create(staff, project, event_ids=[event.id])
    from civiclab.outcomes import queries

    assert queries.linked_ids(outcome)[1] == [event.id]
    with pytest.raises(DomainError):
        create(staff, project, event_ids=[make_event(lab=make_lab(city=make_city())).id])
