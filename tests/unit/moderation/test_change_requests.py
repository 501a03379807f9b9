"""A change request, read where it is acted on: its reason on top of the author's page and edit
form; the resubmitted proposal shown to the facilitator as a diff of what changed."""
import pytest

from civiclab.proposals.models import ProposalState
from tests.conftest import login, text_of


@pytest.fixture
def author(make_user):
    return make_user(display_name="Carla Cittadina")


@pytest.fixture
def asked(client, db_session, facilitator, author, make_proposal, call):
    """A submitted proposal on which the facilitator has just asked for changes."""
    proposal = make_proposal(call=call, author=author, title="Alberi nel cortile", state=ProposalState.SUBMITTED,
                             body="Piantiamo dieci alberi nel cortile.", theme=call.themes[0])
    login(client, facilitator)
    response = client.post(f"/moderazione/proposte/{proposal.id}",
                           data={"decision": "changes_requested", "reason": "Indica quale cortile <b>e</b> quando."})
    assert response.status_code == 302
    return proposal


def resubmit(client, author, proposal, call, **changes):
    login(client, author)
    data = {"title": proposal.title, "body": proposal.body, "theme_id": str(proposal.theme_id), "lab_id": "0",
            "place": "", "send": "Invia", **changes}
    assert client.post(f"/proposte/{proposal.id}/modifica", data=data).status_code == 302


def test_the_reason_is_on_top_of_the_edit_form_and_of_the_authors_page(client, author, asked):
    login(client, author)
    for url in (f"/proposte/{asked.id}/modifica", f"/proposte/{asked.id}"):
        html = client.get(url).get_data(as_text=True)
        top = html.index('id="change-request-heading"')
        assert top < html.index("<form method=\"post\"") if "modifica" in url else top < html.index("Storia")
        assert "Indica quale cortile &lt;b&gt;e&lt;/b&gt; quando." in html
        assert "I facilitatori ti chiedono delle modifiche" in text_of(client.get(url))


def test_others_never_read_the_reason_and_it_goes_once_resubmitted(client, app, author, asked, call, make_user):
    other = app.test_client()
    login(other, make_user())
    assert "Indica quale cortile" not in other.get(f"/proposte/{asked.id}").get_data(as_text=True)
    resubmit(client, author, asked, call)
    assert 'id="change-request-heading"' not in client.get(f"/proposte/{asked.id}").get_data(as_text=True)


def test_the_facilitator_sees_what_changed_since_the_request(client, author, asked, call, facilitator):
    resubmit(client, author, asked, call, title="Alberi nel cortile di via Libia",
             body="Piantiamo dieci alberi <script>x</script> in primavera.", theme_id=str(call.themes[1].id))
    login(client, facilitator)
    html = client.get(f"/moderazione/proposte/{asked.id}").get_data(as_text=True)
    assert "Cosa è cambiato dalla richiesta di modifiche" in html
    assert "<ins> di via Libia</ins>" in html
    assert "<del>Verde</del><ins>Mobilità</ins>" in html
    assert "<del>nel cortile.</del><ins>&lt;script&gt;x&lt;/script&gt; in primavera.</ins>" in html
    assert "<script>x" not in html


def test_a_resubmission_without_changes_says_so(client, author, asked, call, facilitator):
    resubmit(client, author, asked, call)
    login(client, facilitator)
    page = text_of(client.get(f"/moderazione/proposte/{asked.id}"))
    assert "Titolo, tema e testo sono rimasti come quando hai chiesto le modifiche." in page


def test_a_first_submission_shows_no_diff(client, facilitator, make_proposal, call):
    proposal = make_proposal(call=call, state=ProposalState.SUBMITTED)
    login(client, facilitator)
    assert "Cosa è cambiato" not in text_of(client.get(f"/moderazione/proposte/{proposal.id}"))
