"""Outcome pages: staff publish through the form, others are refused, bad input comes back with
its messages and nothing lost, drafts exist only for staff, the page shows progress, milestones,
adopted proposals and files; the project sheet and the proposal page link to outcomes; query
counts stay constant as outcomes grow."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.outcomes import services
from civiclab.outcomes.models import Milestone, Outcome, OutcomeAttachment
from civiclab.proposals.models import ProposalState
from tests.conftest import login, text_of

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(make_city, make_project, make_staff, make_call, make_proposal):
    city = make_city()
    project = make_project(city=city)
    call = make_call(project=project, phase="closed")
    return {"city": city, "project": project, "staff": make_staff(city), "call": call,
            "proposal": make_proposal(call=call, title="Orti condivisi")}


def outcome_form(**changes):
    data = {"title": "Giardino di via Libia", "description": "Un giardino **condiviso**.", "status_id": "0",
            "progress": "", "start_date": "2026-03-01", "end_date": "2026-09-30", "address": "Via Libia 12",
            "parent_id": "0", "weight": "", "published": "y"}
    data.update(changes)
    return data


def only_outcome(db_session):
    return db_session.scalars(sa.select(Outcome)).one()


def test_staff_publish_an_outcome_adopting_a_proposal_with_a_document(app, client, db_session, world):
    project, proposal = world["project"], world["proposal"]
    login(client, world["staff"])
    form = client.get(f"/progetti/{project.code}/risultati/nuovo")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "Orti condivisi" in html and 'enctype="multipart/form-data"' in html and "Completato" in html
    completed = next(s for s in services.ensure_statuses(project.city) if s.key == "completed")
    response = client.post(f"/progetti/{project.code}/risultati/nuovo", data={
        **outcome_form(status_id=str(completed.id), proposal_ids=str(proposal.id)),
        "attachments": (io.BytesIO(PDF), "delibera.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    outcome = only_outcome(db_session)
    assert response.headers["Location"] == f"/risultati/{outcome.id}"
    assert outcome.published and outcome.progress == 100 and "<strong>condiviso</strong>" in outcome.description_html
    assert proposal.state is ProposalState.ADOPTED
    [attachment] = db_session.scalars(sa.select(OutcomeAttachment)).all()
    page = text_of(client.get(f"/risultati/{outcome.id}"))
    assert "Giardino di via Libia" in page and "100,0 %" in page and "Completato" in page
    assert "Orti condivisi" in page and "delibera.pdf" in page and "Via Libia 12" in page
    download = client.get(f"/risultati/{outcome.id}/allegati/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    # the proposal links back, the project sheet lists it
    client = app.test_client()  # a visitor
    assert "Adottata in « Giardino di via Libia »" in text_of(client.get(f"/proposte/{proposal.id}"))
    sheet = text_of(client.get(f"/progetti/{project.code}"))
    assert "Giardino di via Libia" in sheet and "Nuovo risultato" not in sheet


def test_the_project_sheet_offers_staff_a_new_outcome(client, world):
    login(client, world["staff"])
    assert "Nuovo risultato" in text_of(client.get(f"/progetti/{world['project'].code}"))


@pytest.mark.parametrize("who", ["participant", "facilitator", "other_staff"])
def test_others_may_not_write_outcomes(client, db_session, world, make_user, make_facilitator, make_lab,
                                       make_staff, make_city, make_outcome, who):
    project = world["project"]
    user = {"participant": lambda: make_user(), "facilitator": lambda: make_facilitator(make_lab(city=world["city"])),
            "other_staff": lambda: make_staff(make_city())}[who]()
    outcome = make_outcome(project)
    milestone = Milestone(outcome_id=outcome.id, title="Gara", planned_on=services.today())
    db_session.add(milestone)
    db_session.commit()
    login(client, user)
    assert client.get(f"/progetti/{project.code}/risultati/nuovo").status_code == 403
    assert client.post(f"/progetti/{project.code}/risultati/nuovo", data=outcome_form()).status_code == 403
    for url in (f"/risultati/{outcome.id}/modifica", f"/risultati/{outcome.id}/tappe/nuova"):
        assert client.get(url).status_code == 403
    for url in (f"/risultati/{outcome.id}/elimina", f"/risultati/{outcome.id}/tappe/{milestone.id}/raggiunta",
                f"/risultati/{outcome.id}/tappe/{milestone.id}/elimina"):
        assert client.post(url).status_code == 403
    assert db_session.scalar(sa.select(sa.func.count(Outcome.id))) == 1 and milestone.reached_on is None


def test_bad_input_comes_back_with_its_messages_and_nothing_lost(client, db_session, world):
    project = world["project"]
    login(client, world["staff"])
    url = f"/progetti/{project.code}/risultati/nuovo"
    response = client.post(url, data=outcome_form(title="", progress="150"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Il titolo è obbligatorio." in page and "Un giardino **condiviso**." in page and "Via Libia 12" in page
    response = client.post(url, data=outcome_form(progress="150"))
    assert response.status_code == 422 and "L'avanzamento è un numero da 0 a 100." in text_of(response)
    response = client.post(url, data=outcome_form(start_date="2026-10-01"))
    assert response.status_code == 422
    assert "La data di fine non può precedere quella di inizio." in text_of(response)
    response = client.post(url, data=outcome_form(start_date="31/02/2026"))
    assert response.status_code == 422 and "Data non valida" in text_of(response)
    assert db_session.scalar(sa.select(sa.func.count(Outcome.id))) == 0


def test_a_draft_exists_only_for_staff(client, db_session, world, make_outcome, make_user):
    project = world["project"]
    draft = make_outcome(project, title="Bozza segreta", published=False)
    for user in (None, make_user()):
        if user:
            login(client, user)
        assert client.get(f"/risultati/{draft.id}").status_code == 404
        assert "Bozza segreta" not in text_of(client.get(f"/progetti/{project.code}"))
        assert "Bozza segreta" not in text_of(client.get(f"/citta/{world['city'].slug}/risultati"))
    login(client, world["staff"])
    assert client.get(f"/risultati/{draft.id}").status_code == 200


def test_editing_a_parent_says_its_progress_is_computed(client, world, make_outcome):
    project = world["project"]
    parent = make_outcome(project, title="Parco")
    make_outcome(project, title="Aiuole", parent_id=parent.id, progress=50)
    login(client, world["staff"])
    page = text_of(client.get(f"/risultati/{parent.id}/modifica"))
    assert "il suo avanzamento è calcolato dai loro" in page


def test_milestones_on_the_timeline_and_through_their_forms(client, db_session, world, make_outcome):
    outcome = make_outcome(world["project"])
    login(client, world["staff"])
    today = services.today()
    response = client.post(f"/risultati/{outcome.id}/tappe/nuova", data={
        "title": "Gara aggiudicata", "planned_on": (today - timedelta(days=5)).isoformat()})
    assert response.status_code == 302
    assert client.post(f"/risultati/{outcome.id}/tappe/nuova", data={"title": ""}).status_code == 422
    milestone = db_session.scalars(sa.select(Milestone)).one()
    page = text_of(client.get(f"/risultati/{outcome.id}"))
    assert "Gara aggiudicata" in page and "in ritardo" in page
    assert client.post(f"/risultati/{outcome.id}/tappe/{milestone.id}/raggiunta",
                       data={"reached_on": ""}).status_code == 302
    assert milestone.reached_on == today
    assert "raggiunta" in text_of(client.get(f"/risultati/{outcome.id}"))
    assert client.post(f"/risultati/{outcome.id}/tappe/{milestone.id}/non-raggiunta").status_code == 302
    assert milestone.reached_on is None
    edit = client.post(f"/risultati/{outcome.id}/tappe/{milestone.id}/modifica", data={
        "title": "Gara", "planned_on": today.isoformat()})
    assert edit.status_code == 302 and milestone.title == "Gara"


def test_deleting_an_outcome_sends_to_the_project(client, db_session, world, make_outcome):
    outcome = make_outcome(world["project"])
    login(client, world["staff"])
    response = client.post(f"/risultati/{outcome.id}/elimina")
    assert response.status_code == 302 and response.headers["Location"] == f"/progetti/{world['project'].code}"
    assert db_session.scalar(sa.select(sa.func.count(Outcome.id))) == 0


def test_a_city_lists_its_outcomes_by_status(client, world, make_outcome):
    project = world["project"]
    make_outcome(project, title="Piazza rifatta", status_key="completed", progress=100)
    make_outcome(project, title="Pista ciclabile", status_key="in_progress", progress=40)
    page = text_of(client.get(f"/citta/{world['city'].slug}/risultati"))
    assert page.index("In corso") < page.index("Pista ciclabile") < page.index("Completato") < page.index("Piazza")
    assert "40,0 %" in page
    assert client.get("/citta/non-esiste/risultati").status_code == 404


# ---- queries per page ----------------------------------------------------------------------

def _grow(make_outcome, project, parent, count):
    for n in range(count):
        make_outcome(project, title=f"Risultato {n}", status_key="in_progress", parent_id=parent.id, progress=n)


@pytest.mark.parametrize("page", ["project", "city", "outcome"])
def test_pages_cost_the_same_queries_for_3_or_30_outcomes(client, world, make_outcome, count_queries, page):
    project = world["project"]
    root = make_outcome(project, title="Radice")
    url = {"project": f"/progetti/{project.code}", "city": f"/citta/{world['city'].slug}/risultati",
           "outcome": f"/risultati/{root.id}"}[page]
    login(client, world["staff"])
    _grow(make_outcome, project, root, 3)
    client.get(url)  # warm up
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _grow(make_outcome, project, root, 27)
    with count_queries() as many:
        response = client.get(url)
    assert response.status_code == 200 and "Risultato 26" in text_of(response)
    assert len(many) == len(few), "\n".join(many)


def test_editing_keeps_the_form_honest_about_progress_and_links(client, db_session, world, make_outcome):
    project, proposal = world["project"], world["proposal"]
    known = {status.key: status for status in services.ensure_statuses(project.city)}
    outcome = make_outcome(project, status_key="in_progress", progress=30)
    login(client, world["staff"])
    url = f"/risultati/{outcome.id}/modifica"
    assert 'value="30"' in client.get(url).get_data(as_text=True)
    # the status changes, the progress is left as shown: the new status' default
    response = client.post(url, data=outcome_form(status_id=str(known["completed"].id), progress="30",
                                                  proposal_ids=str(proposal.id)))
    assert response.status_code == 302 and outcome.progress == 100
    assert proposal.state is ProposalState.ADOPTED
    # unticking the proposal lets it go
    response = client.post(url, data=outcome_form(status_id=str(known["completed"].id), progress="100"))
    assert response.status_code == 302 and proposal.state is ProposalState.ACCEPTED
