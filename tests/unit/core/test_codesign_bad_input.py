"""Bad input to the co-design pages never gets a 500: ids no row can have, odd page numbers and
filters, wrong choices in forms, text that is huge, empty, NUL or unusual unicode, missing fields,
GETs on POST-only addresses."""
import pytest

from tests.conftest import login
from tests.fixtures.database import Rows, building_on
from tests.fixtures.factories import factories_on

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


# ---- query strings ---------------------------------------------------------------------------

ODD_VALUES = ["abc", "-1", "99999999999999999999", "", "1.5", "\x00", "ż😀", "%", "1e9"]

# List pages and the query arguments they read.
LISTS = [
    ("/call", ("page", "citta")),
    ("/call/{call}", ("page", "q", "tema", "ordine", "pagina_commenti", "ordine_commenti")),
    ("/call/{call}/proposte-simili", ("titolo", "escludi")),
    ("/proposte/{proposal}", ("pagina_commenti", "ordine_commenti")),
    ("/progetti/{project}", ("pagina_commenti", "ordine_commenti")),
    ("/proposte/mie", ("page",)),
    ("/cerca", ("tipo", "pagina", "q")),
    ("/moderazione/proposte", ("page", "call", "stato", "tema")),
    ("/moderazione/segnalazioni", ("page",)),
    ("/moderazione/blocchi", ("page",)),
    ("/moderazione/registro", ("page", "vista")),
    ("/account/cosa-seguo", ("page",)),
    ("/notifiche", ("page",)),
]


@pytest.fixture(scope="module")
def world(app, module_connection):
    """A call collecting supports, with a proposal: built once, each test in a savepoint of it."""
    with building_on(app, module_connection) as session:
        made = factories_on(session)
        lab = made.make_lab()
        project = made.make_project(city=lab.city)
        call = made.make_call(project=project, lab=lab, phase="supports")
        return Rows({"call": call, "proposal": made.make_proposal(call=call, title="Orti nel cortile"),
                     "project": project})


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize(("template", "names"), LISTS)
def test_odd_query_arguments_are_ignored_or_refused_never_a_server_error(client, admin, world, template, names,
                                                                         value):
    login(client, admin)
    url = template.format(call=world["call"].id, proposal=world["proposal"].id, project=world["project"].code)
    for name in names:
        query = {"q": "orti", "tipo": "proposte", name: value} if url == "/cerca" else {name: value}
        response = client.get(url, query_string=query)
        # 404: a page past the last; 400: a NUL byte (core/security.py refuses them everywhere)
        assert response.status_code in (200, 400, 404, 422), f"{name}={value!r}"


@pytest.mark.parametrize("text", ["giard", "a_b", "x:*", "'\"", "!&|()", "NEAR(a b)", "ż" * 200, "AND OR NOT",
                                  "😀 orti", "o" * 5000])
def test_the_search_box_and_the_similar_proposals_take_any_text(client, world, text):
    call = world["call"]

    assert client.get("/cerca", query_string={"q": text}).status_code == 200
    assert client.get("/cerca", query_string={"q": text, "tipo": "proposte"}).status_code == 200
    assert client.get(f"/call/{call.id}", query_string={"q": text}).status_code in (200, 422)
    assert client.get(f"/call/{call.id}/proposte-simili", query_string={"titolo": text}).status_code in (200, 400)


def test_a_get_on_an_address_that_only_takes_posts_is_405(app, client, admin):
    from tests.unit.core.helpers import CODESIGN, post_urls

    post_only = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" not in rule.methods}
    urls = [url for endpoint, url in post_urls(app) if endpoint in post_only and endpoint.split(".")[0] in CODESIGN]
    login(client, admin)

    assert len(urls) > 15
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 405)
