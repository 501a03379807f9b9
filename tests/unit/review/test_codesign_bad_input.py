"""Bad input to the co-design pages never gets a 500: ids no row can have, odd page numbers and
filters, wrong choices in forms, text that is huge, empty, NUL or unusual unicode, missing fields,
GETs on POST-only addresses."""
import pytest

from civiclab.proposals.models import ProposalState
from tests.conftest import login

# Ids no row has: past any INTEGER column (SQLite and PostgreSQL refuse to compare them), just past
# a 32-bit int, and zero (the int converter does not match negative numbers: those are 404 by routing).
ABSURD_IDS = ["99999999999999999999", "2147483648", "0"]

# Every co-design address with one id in it, as a template for that id.
ONE_ID = [
    ("GET", "/call/{}"),
    ("GET", "/call/{}/proposte-simili?titolo=orti"),
    ("GET", "/call/{}/modifica"),
    ("POST", "/call/{}/pubblica"),
    ("POST", "/call/{}/ritira-pubblicazione"),
    ("GET", "/call/{}/proponi"),
    ("GET", "/proposte/{}"),
    ("POST", "/proposte/{}/sostieni"),
    ("POST", "/proposte/{}/ritira-sostegno"),
    ("POST", "/proposte/{}/invia"),
    ("POST", "/proposte/{}/segnala"),
    ("GET", "/proposte/{}/ritira"),
    ("GET", "/proposte/{}/modifica"),
    ("GET", "/commenti/{}"),
    ("POST", "/commenti/{}/risposta"),
    ("GET", "/commenti/{}/modifica"),
    ("POST", "/commenti/{}/elimina"),
    ("POST", "/commenti/{}/voto"),
    ("GET", "/commenti/{}/segnala"),
    ("GET", "/commenti/{}/nascondi"),
    ("GET", "/commenti/{}/ripristina"),
    ("POST", "/segui/proposta/{}"),
    ("POST", "/segui/call/{}"),
    ("POST", "/segui/progetto/{}"),
    ("POST", "/non-seguire/proposta/{}"),
    ("GET", "/moderazione/proposte/{}"),
    ("POST", "/moderazione/segnalazioni/commento/{}"),
    ("POST", "/moderazione/segnalazioni/proposta/{}"),
    ("GET", "/moderazione/utenti/{}/blocca"),
    ("POST", "/moderazione/blocchi/{}/revoca"),
    ("GET", "/notifiche/{}/apri"),
    ("POST", "/notifiche/{}/letta"),
]


@pytest.fixture
def admin(make_user):
    """Administrators get past every permission check, down to the lookups."""
    return make_user(is_admin=True)


@pytest.mark.parametrize("number", ABSURD_IDS)
@pytest.mark.parametrize(("method", "template"), ONE_ID)
def test_an_id_no_row_can_have_is_not_found(client, admin, method, template, number):
    login(client, admin)

    response = client.open(template.format(number), method=method, data={} if method == "POST" else None)

    assert response.status_code == 404


@pytest.mark.parametrize("number", ABSURD_IDS)
def test_an_attachment_id_no_row_can_have_is_not_found(client, make_proposal, number):
    proposal = make_proposal()
    login(client, proposal.author)

    assert client.get(f"/proposte/{proposal.id}/allegati/{number}").status_code == 404
    assert client.post(f"/proposte/{proposal.id}/allegati/{number}/elimina").status_code == 404
