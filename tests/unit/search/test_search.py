"""The site search: one box, results grouped (projects, events, labs, proposals), only what is public."""
import os
import re

import pytest

from civiclab.core.time import utcnow
from civiclab.events.models import EventState
from civiclab.proposals.models import ProposalState
from tests.conftest import text_of
from tests.fixtures.database import Rows, building_on
from tests.fixtures.factories import factories_on

ON_POSTGRES = os.environ.get("CIVICLAB_TEST_DB") == "postgres"


def _groups(response):
    """{group heading: count} as the page shows them."""
    page = response.get_data(as_text=True)
    return {name: int(count) for name, count in re.findall(
        r'<h2 class="h3" id="group-\w+">(\w+) <span class="badge bg-secondary">(\d+)</span>', page)}


@pytest.fixture(scope="module")
def garden_rows(app, module_connection):
    """Built once for the module, each test in a savepoint of it."""
    with building_on(app, module_connection) as session:
        made = factories_on(session)
        found, hidden = make_garden(made.make_project, made.make_lab, made.make_event, made.make_call,
                                    made.make_proposal)
        return Rows({"found": found, "hidden": hidden})


@pytest.fixture
def garden(garden_rows, db_session):
    """One public thing of each kind about a garden, and hidden ones that must never be found."""
    return garden_rows["found"], garden_rows["hidden"]


def make_garden(make_project, make_lab, make_event, make_call, make_proposal):
    lab = make_lab(name="Laboratorio Giardino Aperto")
    project = make_project(city=lab.city, title="Il giardino di via Libia", summary="Un parco per il quartiere")
    call = make_call(project=project, lab=lab)
    found = {
        "project": project,
        "lab": lab,
        "event": make_event(lab=lab, title="Festa del giardino"),
        "finished": make_event(lab=lab, title="Potatura in giardino", state=EventState.FINISHED),
        "proposal": make_proposal(call=call, title="Un giardino condiviso", body="Aiuole e panchine."),
        "adopted": make_proposal(call=call, title="Orti nel giardino", state=ProposalState.ADOPTED),
    }
    hidden = [
        make_project(title="Giardino in bozza", published=False),
        make_event(lab=lab, title="Giardino: evento in bozza", state=EventState.DRAFT, published_at=None),
        make_event(lab=lab, title="Giardino: evento annullato", state=EventState.CANCELLED),
        *(make_proposal(call=call, title=f"Giardino {state.value}", state=state)
          for state in (ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.REJECTED,
                        ProposalState.CHANGES_REQUESTED, ProposalState.WITHDRAWN)),
        make_proposal(call=call, title="Giardino nascosto dalle segnalazioni", hidden_at=utcnow()),
        make_proposal(call=make_call(project=project, published=False), title="Giardino di una call privata"),
    ]
    return found, hidden


def test_results_are_grouped_with_their_counts(client, garden):
    _found, hidden = garden
    response = client.get("/cerca?q=giardino")
    assert response.status_code == 200
    assert _groups(response) == {"Progetti": 1, "Eventi": 2, "Laboratori": 1, "Proposte": 2}
    page = text_of(response)
    for title in ("Il giardino di via Libia", "Festa del giardino", "Potatura in giardino",
                  "Laboratorio Giardino Aperto", "Un giardino condiviso", "Orti nel giardino"):
        assert title in page
    for thing in hidden:
        assert thing.title not in page


def test_every_word_must_match_in_any_order_and_case(client, garden):
    assert _groups(client.get("/cerca?q=LIBIA+giardino"))["Progetti"] == 1
    assert _groups(client.get("/cerca?q=giardino+quartiere"))["Progetti"] == 1  # the summary
    assert _groups(client.get("/cerca?q=giardino+marte"))["Progetti"] == 0


def test_proposals_match_by_word_prefix_on_every_database(client, garden):
    assert _groups(client.get("/cerca?q=giard"))["Proposte"] == 2
    assert _groups(client.get("/cerca?q=panchine"))["Proposte"] == 1  # the body


def test_a_word_is_never_found_inside_another(client, make_project, make_lab, make_event, make_call,
                                             make_proposal):
    lab = make_lab(name="Laboratorio di supporto", theme="Supporto digitale")
    project = make_project(city=lab.city, title="Supporto alle famiglie", summary="Un aiuto concreto")
    make_event(lab=lab, title="Sportello di supporto", description="<p>Un supporto per tutti.</p>")
    make_proposal(call=make_call(project=project, lab=lab), title="Supporto ai compiti", body="Dopo scuola.")
    assert _groups(client.get("/cerca?q=orto")) == {"Progetti": 0, "Eventi": 0, "Laboratori": 0, "Proposte": 0}
    assert _groups(client.get("/cerca?q=suppor")) == {"Progetti": 1, "Eventi": 1, "Laboratori": 1, "Proposte": 1}


def test_a_word_is_found_at_the_start_of_words_in_every_group(client, garden):
    found = _groups(client.get("/cerca?q=giard"))
    assert found == {"Progetti": 1, "Eventi": 2, "Laboratori": 1, "Proposte": 2}
    assert _groups(client.get("/cerca?q=libia"))["Progetti"] == 1  # after "via", any case


def test_a_project_is_found_by_its_code(client, make_project):
    make_project(code="BO3.3.1.b", title="Accelerazione civica")
    assert _groups(client.get("/cerca?q=BO3.3.1.b"))["Progetti"] == 1
    assert _groups(client.get("/cerca?q=3.1"))["Progetti"] == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="Italian stemming needs PostgreSQL's text search")
def test_on_postgresql_other_groups_find_the_singular_from_the_plural(client, garden):
    assert _groups(client.get("/cerca?q=giardini")) == {"Progetti": 1, "Eventi": 2, "Laboratori": 1, "Proposte": 2}


@pytest.mark.skipif(not ON_POSTGRES, reason="Italian stemming is PostgreSQL's (SQLite matches prefixes)")
def test_on_postgresql_the_plural_finds_the_singular(client, garden):
    assert _groups(client.get("/cerca?q=giardini"))["Proposte"] == 2


def test_an_empty_search_shows_the_box_and_a_hint(client):
    for url in ("/cerca", "/cerca?q=", "/cerca?q=+++", "/cerca?tipo=proposte"):
        response = client.get(url)
        assert response.status_code == 200
        assert 'name="q"' in response.get_data(as_text=True)
        assert "Scrivi una o più parole" in text_of(response) and _groups(response) == {}


@pytest.mark.parametrize("q", [
    "!!!", "%", "_", "%_%", "'", "\"", "*", "\\", "(", ")", "AND", "OR NOT", "NEAR(", "giard*", "-giardino",
    "a" * 5000, "giardino " * 300, "caf\u00e9 \u2603 \U0001F333", "<script>alert(1)</script>",
    "title:giardino", "giardino:*", "&|!", "___",
])
def test_absurd_input_never_breaks_the_page(client, garden, q):
    response = client.get("/cerca", query_string={"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_control_characters_are_dropped_before_searching(client):
    from civiclab.search.queries import clean_query

    assert clean_query(" giar\x00dino\x1b  via\tLibia ") == "giar dino via Libia"
    assert client.get("/cerca", query_string={"q": "\x00"}).status_code == 400  # the app refuses NUL


def test_each_group_has_more_pages(client, make_project, make_proposal, make_call):
    call = make_call()
    for n in range(23):
        make_project(title=f"Pista ciclabile {n:02d}")
        make_proposal(call=call, title=f"Pista ciclabile numero {n:02d}")
    first = client.get("/cerca?q=ciclabile")
    assert _groups(first) == {"Progetti": 23, "Eventi": 0, "Laboratori": 0, "Proposte": 23}
    page = first.get_data(as_text=True)
    assert text_of(first).count("Pista ciclabile") == 20
    assert 'href="/cerca?q=ciclabile&amp;tipo=proposte&amp;pagina=2"' in page

    third = client.get("/cerca?q=ciclabile&tipo=progetti&pagina=3")
    assert _groups(third) == {"Progetti": 23}
    assert text_of(third).count("Pista ciclabile") == 3 and "Pagina 3 di 3" in text_of(third)
    beyond = client.get("/cerca?q=ciclabile&tipo=progetti&pagina=99999999999")
    assert beyond.status_code == 200 and text_of(beyond).count("Pista ciclabile") == 0
    assert _groups(client.get("/cerca?q=ciclabile&tipo=altro")) == _groups(first)  # unknown group: all


def test_a_search_costs_the_same_queries_whatever_it_finds(client, db_session, make_project, make_event,
                                                           make_lab, make_call, make_proposal, count_queries):
    lab = make_lab()
    call = make_call()

    def make_some(n):
        for i in range(n):
            make_project(title=f"Scuola aperta {i}")
            make_event(lab=make_lab(name=f"Scuola lab {i}"), title=f"Scuola di robotica {i}")
            make_proposal(call=call, title=f"Scuola nel parco {i}")

    make_some(1)
    db_session.expire_all()
    with count_queries() as few:
        client.get("/cerca?q=scuola")
    make_some(12)
    db_session.expire_all()
    with count_queries() as many:
        response = client.get("/cerca?q=scuola")
    assert _groups(response) == {"Progetti": 13, "Eventi": 13, "Laboratori": 13, "Proposte": 13}
    assert len(many) == len(few) <= 9
    assert lab  # the unused lab matches nothing


def test_the_header_has_a_search_box(client):
    page = client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="cl-header-search" role="search"[^>]*action="/cerca".*?</form>', page, re.DOTALL)
    assert form and '<label for="header-search"' in form.group(0)


def _proposals_badge(response):
    found = re.search(r'<h2 class="h3" id="group-proposte">Proposte <span class="badge bg-secondary">([^<]*)</span>',
                      response.get_data(as_text=True))
    return found.group(1)


@pytest.fixture
def many_bikes(app, monkeypatch, make_call, make_proposal):
    """15 public proposals about a bike lane (00 the oldest) under a cap of 12, then newer ones that
    must never be found nor take a place in the window."""
    monkeypatch.setitem(app.config, "SEARCH_CANDIDATES", 12)
    call = make_call()
    for n in range(15):
        make_proposal(call=call, title=f"Pista ciclabile numero {n:02d}")
    for state in (ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.REJECTED):
        make_proposal(call=call, title=f"Pista ciclabile {state.value}", state=state)
    make_proposal(call=call, title="Pista ciclabile nascosta", hidden_at=utcnow())
    make_proposal(call=make_call(published=False), title="Pista ciclabile di una call privata")
    return call


def _bikes(response):
    return set(re.findall(r"Pista ciclabile (\w+)", text_of(response)))


def test_past_the_cap_the_count_says_more_than_and_the_newest_are_ranked(client, many_bikes):
    first = client.get("/cerca?q=ciclabile")
    assert _proposals_badge(first) == "più di 12"
    assert 'href="/cerca?q=ciclabile&amp;tipo=proposte&amp;pagina=2"' in first.get_data(as_text=True)

    one = client.get("/cerca?q=ciclabile&tipo=proposte")
    two = client.get("/cerca?q=ciclabile&tipo=proposte&pagina=2")
    assert "Pagina 1 di 2" in text_of(one) and "Pagina 2 di 2" in text_of(two)
    assert "Più di 12 proposte corrispondono: qui sono le 12 più recenti" in text_of(one)
    assert len(re.findall(r"Pista ciclabile numero", text_of(one))) == 10
    assert len(re.findall(r"Pista ciclabile numero", text_of(two))) == 2
    # The window is the 12 newest public matches: 03 to 14, each once; the hidden ones never.
    assert _bikes(one) | _bikes(two) == {"numero"}
    numbers = re.findall(r"Pista ciclabile numero (\d+)", text_of(one) + text_of(two))
    assert sorted(numbers) == [f"{n:02d}" for n in range(3, 15)]
    beyond = client.get("/cerca?q=ciclabile&tipo=proposte&pagina=3")
    assert beyond.status_code == 200 and "Pista ciclabile numero" not in text_of(beyond)


def test_at_the_cap_the_count_is_exact(client, app, monkeypatch, many_bikes):
    monkeypatch.setitem(app.config, "SEARCH_CANDIDATES", 15)
    page = client.get("/cerca?q=ciclabile&tipo=proposte&pagina=2")
    assert _proposals_badge(page) == "15" and "Pagina 2 di 2" in text_of(page)
    assert "più recenti" not in text_of(page)
    numbers = re.findall(r"Pista ciclabile numero (\d+)", text_of(client.get("/cerca?q=ciclabile&tipo=proposte"))
                         + text_of(page))
    assert sorted(numbers) == [f"{n:02d}" for n in range(15)]


def test_a_capped_search_costs_the_queries_of_a_small_one(client, app, monkeypatch, db_session, many_bikes,
                                                          count_queries):
    db_session.expire_all()
    with count_queries() as capped:
        assert _proposals_badge(client.get("/cerca?q=ciclabile&tipo=proposte")) == "più di 12"
    monkeypatch.setitem(app.config, "SEARCH_CANDIDATES", 500)
    db_session.expire_all()
    with count_queries() as full:
        assert _proposals_badge(client.get("/cerca?q=ciclabile&tipo=proposte")) == "15"
    assert len(capped) == len(full)


def test_the_best_match_comes_first_within_the_window(client, app, monkeypatch, make_call, make_proposal):
    monkeypatch.setitem(app.config, "SEARCH_CANDIDATES", 3)
    call = make_call()
    make_proposal(call=call, title="Orto in cortile", body="Un orto con un orto e un altro orto.")  # outside
    make_proposal(call=call, title="Panchine nuove", body="Vicino all'orto.")
    make_proposal(call=call, title="Orto dei bambini", body="Un orto per la scuola.")
    make_proposal(call=call, title="Fontanella", body="Per innaffiare l'orto.")
    page = text_of(client.get("/cerca?q=orto&tipo=proposte"))
    assert page.index("Orto dei bambini") < page.index("Panchine nuove")
    assert "Orto in cortile" not in page
