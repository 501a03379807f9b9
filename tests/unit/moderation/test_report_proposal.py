"""Reporting a proposal: the form is the ("proposal", "report") section of its page, for confirmed
readers other than its author; a report with errors comes back on a page of its own, text kept."""
from flask import g

from civiclab.core.sections import sections_of
from civiclab.moderation.forms import ReportForm
from tests.conftest import login, text_of


def test_the_report_section_is_for_confirmed_readers_other_than_the_author(app, db_session, make_proposal,
                                                                           make_user):
    author = make_user()
    proposal = make_proposal(author=author)

    def section_for(user):
        with app.test_request_context(f"/proposte/{proposal.id}"):
            if user is not None:
                g._login_user = user  # Flask-Login's current user for this request
            return sections_of("proposal", proposal).report

    assert section_for(None) is None
    assert section_for(make_user(confirmed=False)) is None
    assert section_for(author) is None
    assert isinstance(section_for(make_user()), ReportForm)


def test_a_refused_report_comes_back_on_its_own_page_with_the_text_typed(client, make_proposal, make_user):
    author = make_user()
    proposal = make_proposal(author=author, title="Orti sul tetto")
    login(client, author)

    response = client.post(f"/proposte/{proposal.id}/segnala", data={"reason": "Me la segnalo da solo"})

    assert response.status_code == 422
    page = text_of(response)
    assert "Non puoi segnalare un tuo contenuto." in page and "Orti sul tetto" in page
    assert "Me la segnalo da solo" in response.get_data(as_text=True)
