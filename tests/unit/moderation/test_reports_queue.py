"""The reports queue: open reports grouped by content, only what the moderator may moderate,
upholding keeps content hidden, rejecting restores it, always with a reason."""
import pytest
import sqlalchemy as sa

from civiclab.comments.models import Comment
from civiclab.moderation import services
from civiclab.moderation.models import ModerationAction, Report
from tests.conftest import login, text_of


@pytest.fixture
def report(app, db_session, make_user):
    """`report(target, n)`: n different people report `target` (three hide it)."""

    def reporter(target, n=1, reason="Offensivo"):
        with app.test_request_context():
            for _ in range(n):
                services.report(make_user(), target, reason)
        db_session.commit()

    return reporter


@pytest.fixture
def proposal(make_proposal, call, make_user):
    return make_proposal(call=call, author=make_user(display_name="Paolo Proponente"), title="Parcheggio nel parco")


def comment_on(db_session, author, proposal=None, project=None, body="Siete tutti incapaci"):
    comment = Comment(proposal=proposal, project=project, author=author, body=body, body_html=f"<p>{body}</p>")
    db_session.add(comment)
    db_session.commit()
    return comment


def open_reports(db_session, **subject):
    return db_session.scalar(sa.select(sa.func.count(Report.id)).filter_by(resolved_at=None, **subject))


def test_reports_are_grouped_by_content_with_reasons_reporters_and_review_state(
        client, db_session, facilitator, proposal, make_user, report):
    comment = comment_on(db_session, make_user(display_name="Tina Troll"), proposal=proposal)
    report(comment, 3, reason="Insulti")
    report(proposal, 1, reason="Pubblicità")
    login(client, facilitator)

    response = client.get("/moderazione/segnalazioni")

    assert response.status_code == 200
    text = text_of(response)
    assert "2 contenuti segnalati" in text
    assert "Commento di Tina Troll" in text
    assert "3 persone l’hanno segnalato" in text
    assert "Nascosto in attesa di verifica" in text
    assert "Siete tutti incapaci" in text
    assert text.count("Insulti") == 3
    assert "Proposta «Parcheggio nel parco» di Paolo Proponente" in text
    assert "1 persona l’ha segnalato" in text
    assert f"/proposte/{proposal.id}#commento-{comment.id}" in response.text
    assert f'/moderazione/utenti/{comment.author_id}/blocca' in response.text


def test_rejecting_the_reports_restores_hidden_content_and_logs_it(
        client, db_session, facilitator, proposal, make_user, report):
    comment = comment_on(db_session, make_user(), proposal=proposal)
    report(comment, 3)
    assert comment.hidden_at is not None
    login(client, facilitator)

    response = client.post(f"/moderazione/segnalazioni/commento/{comment.id}", data={
        f"commento-{comment.id}-outcome": "infondate", f"commento-{comment.id}-reason": "È una critica, non un insulto"})

    assert response.status_code == 302
    db_session.refresh(comment)
    assert comment.hidden_at is None
    assert open_reports(db_session, comment_id=comment.id) == 0
    assert db_session.scalars(sa.select(Report.upheld).filter_by(comment_id=comment.id)).all() == [False] * 3
    page = client.get("/moderazione/segnalazioni")
    assert "Segnalazioni respinte: il contenuto è visibile." in page.text
    assert "Nessuna segnalazione aperta" in page.text
    actions = db_session.scalars(sa.select(ModerationAction.action).filter_by(comment_id=comment.id)
                                 .order_by(ModerationAction.id)).all()
    assert actions == ["auto_hide", "reports_rejected"]


def test_upholding_the_reports_keeps_the_content_hidden_as_moderated(
        client, db_session, facilitator, proposal, make_user, report):
    comment = comment_on(db_session, make_user(), proposal=proposal)
    report(comment, 3)
    login(client, facilitator)

    response = client.post(f"/moderazione/segnalazioni/commento/{comment.id}", data={
        f"commento-{comment.id}-outcome": "confermate", f"commento-{comment.id}-reason": "Insulti personali"})

    assert response.status_code == 302
    db_session.refresh(comment)
    assert comment.hidden_at is not None
    assert comment.hidden_by_id == facilitator.id
    assert comment.hidden_reason == "Insulti personali"
    assert open_reports(db_session, comment_id=comment.id) == 0


def test_upholding_reports_on_a_visible_proposal_hides_it(client, db_session, facilitator, proposal, report):
    report(proposal, 1)
    assert proposal.is_public
    login(client, facilitator)

    response = client.post(f"/moderazione/segnalazioni/proposta/{proposal.id}", data={
        f"proposta-{proposal.id}-outcome": "confermate", f"proposta-{proposal.id}-reason": "Pubblicità"})

    assert response.status_code == 302
    db_session.refresh(proposal)
    assert not proposal.is_public


def test_resolving_without_a_reason_is_refused_and_changes_nothing(
        client, db_session, facilitator, proposal, make_user, report):
    comment = comment_on(db_session, make_user(), proposal=proposal)
    report(comment, 3)
    login(client, facilitator)

    response = client.post(f"/moderazione/segnalazioni/commento/{comment.id}", data={
        f"commento-{comment.id}-outcome": "infondate", f"commento-{comment.id}-reason": "  "})

    assert response.status_code == 422
    assert "Scrivi il motivo." in response.text
    db_session.refresh(comment)
    assert comment.hidden_at is not None
    assert open_reports(db_session, comment_id=comment.id) == 3


def test_resolving_content_without_open_reports_is_refused(client, db_session, facilitator, proposal):
    login(client, facilitator)

    response = client.post(f"/moderazione/segnalazioni/proposta/{proposal.id}", data={
        f"proposta-{proposal.id}-outcome": "infondate", f"proposta-{proposal.id}-reason": "Nulla"})

    assert response.status_code == 422
    assert "Non ci sono segnalazioni aperte su questo contenuto." in response.text


def test_a_moderator_sees_and_resolves_only_what_they_moderate(
        client, db_session, outsider, proposal, make_user, report):
    comment = comment_on(db_session, make_user(), proposal=proposal)
    report(comment, 3)
    report(proposal, 1)
    login(client, outsider)

    page = client.get("/moderazione/segnalazioni")
    response = client.post(f"/moderazione/segnalazioni/commento/{comment.id}", data={
        f"commento-{comment.id}-outcome": "infondate", f"commento-{comment.id}-reason": "Va bene"})

    assert page.status_code == 200
    assert "Nessuna segnalazione aperta" in page.text
    assert response.status_code == 403
    db_session.refresh(comment)
    assert comment.hidden_at is not None


def test_project_comments_are_moderated_by_the_city_s_staff_and_facilitators(
        client, db_session, make_project, make_staff, make_user, lab, facilitator, outsider, report):
    comment = comment_on(db_session, make_user(), project=make_project(city=lab.city), body="Spam spam")
    report(comment, 1)

    for user, listed in ((make_staff(lab.city), True), (facilitator, True), (outsider, False)):
        login(client, user)
        assert ("Spam spam" in client.get("/moderazione/segnalazioni").text) is listed, user


def test_participants_may_not_see_the_reports_queue(client, make_user):
    login(client, make_user())

    assert client.get("/moderazione/segnalazioni").status_code == 403
    assert client.post("/moderazione/segnalazioni/altro/1").status_code == 404


def test_the_queue_costs_the_same_queries_at_3_and_at_30_reported_contents(
        client, db_session, facilitator, call, make_proposal, make_user, report, count_queries):
    def reported_comments(n):
        for _ in range(n):
            target = make_proposal(call=call, author=make_user())
            report(comment_on(db_session, make_user(), proposal=target), 2)
            report(target, 1)

    reported_comments(3)
    login(client, facilitator)
    db_session.expire_all()
    with count_queries() as few:
        small = client.get("/moderazione/segnalazioni")
    reported_comments(12)
    db_session.expire_all()
    with count_queries() as many:
        large = client.get("/moderazione/segnalazioni")

    assert "6 contenuti segnalati" in text_of(small)
    assert "30 contenuti segnalati" in text_of(large)
    assert len(few) == len(many), "\n".join(many)
    # user and roles, reports with contents, their authors' roles (may they be blocked), labs, header
    assert len(many) <= 13, "\n".join(many)
