"""Calls as people see them: the list, a call's page with its phases and public proposals (sorts,
filters, pages), the staff's call sheet, the home, project and lab pages' links."""
import html
import itertools
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.core.time import utcnow
from civiclab.proposals.models import Call, ProposalState
from tests.conftest import login, text_of


def titles_in(response):
    """The proposal cards' titles, in the page's order."""
    return re.findall(r'id="proposal-card-\d+"><a href="[^"]+">([^<]+)</a>', response.get_data(as_text=True))


def link(response, rel):
    """The page's "next" or "prev" link, or None."""
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def every_page(client, url, rel="next"):
    """The titles of each page, following the page's `rel` links from `url`."""
    pages = []
    while url and len(pages) < 50:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(titles_in(response))
        url = link(response, rel)
    return pages


# ---- the list of calls ---------------------------------------------------------------------

def test_the_list_shows_published_calls_and_filters_by_city(client, make_call, make_project, make_city):
    bologna, torino = make_city(name="Bologna"), make_city(name="Torino")
    make_call(project=make_project(city=bologna), title="Idee per i giardini")
    make_call(project=make_project(city=torino), title="Idee per le piste")
    make_call(project=make_project(city=bologna), title="Call in preparazione", published=False)
    page = text_of(client.get("/call"))
    assert "Idee per i giardini" in page and "Idee per le piste" in page
    assert "Call in preparazione" not in page
    filtered = text_of(client.get("/call?citta=bologna"))
    assert "Idee per i giardini" in filtered and "Idee per le piste" not in filtered


def test_the_citys_staff_see_their_unpublished_calls_others_do_not(client, make_call, make_staff, make_city):
    call = make_call(title="Call in preparazione", published=False)
    assert client.get(f"/call/{call.id}").status_code == 404
    login(client, make_staff(make_city()))
    assert client.get(f"/call/{call.id}").status_code == 404
    assert "Call in preparazione" not in text_of(client.get("/call"))
    login(client, make_staff(call.city))
    assert "Call in preparazione" in text_of(client.get("/call"))
    assert "Non pubblicata" in text_of(client.get(f"/call/{call.id}"))


@pytest.mark.parametrize("query", ["page=0", "page=-3", "page=abc", "citta=nessuna", "page=99999999999999999999"])
def test_absurd_list_parameters_are_never_an_error(client, make_call, query):
    make_call()
    assert client.get(f"/call?{query}").status_code in (200, 404)


# ---- a call's page -------------------------------------------------------------------------

@pytest.mark.parametrize(("phase", "sentence", "button"), [
    ("upcoming", "Le proposte si aprono", False),
    ("proposals", "Puoi proporre fino a", True),
    ("review", "I sostegni si aprono", False),
    ("supports", "Sostegni aperti fino a", False),
    ("closed", "La call si è chiusa", False),
])
def test_the_page_says_what_the_phase_allows(client, make_call, phase, sentence, button):
    call = make_call(phase=phase)
    page = text_of(client.get(f"/call/{call.id}"))
    assert sentence in page
    assert ("Proponi un’idea" in page) is button


def test_phase_dates_are_shown_in_rome_time(client, make_call):
    from datetime import UTC, datetime
    # 22:30 UTC on 31 March 2030 is 00:30 on 1 April in Rome (summer time).
    call = make_call(proposals_from=datetime(2030, 3, 1, tzinfo=UTC), review_from=datetime(2030, 3, 31, 22, 30, tzinfo=UTC),
                     supports_from=datetime(2030, 4, 10, tzinfo=UTC), closes_at=datetime(2030, 5, 1, tzinfo=UTC))
    page = text_of(client.get(f"/call/{call.id}"))
    assert "1 aprile 2030, 00:30" in page


def test_only_public_proposals_are_listed(client, make_call, make_proposal):
    call = make_call()
    make_proposal(call=call, title="Pubblicata")
    make_proposal(call=call, title="Adottata", state=ProposalState.ADOPTED)
    for state in (ProposalState.DRAFT, ProposalState.SUBMITTED, ProposalState.REJECTED,
                  ProposalState.CHANGES_REQUESTED, ProposalState.WITHDRAWN):
        make_proposal(call=call, title=f"Non pubblica {state.value}", state=state)
    make_proposal(call=call, title="Nascosta", hidden_at=utcnow())
    make_proposal(title="Di un'altra call")
    assert sorted(titles_in(client.get(f"/call/{call.id}"))) == ["Adottata", "Pubblicata"]


def test_cards_show_author_theme_counts_and_state(client, make_call, make_proposal, make_user):
    call = make_call()
    make_proposal(call=call, title="Orti", author=make_user(display_name="Giulia Neri"), theme=call.themes[0],
                  supports_count=7, comments_count=2)
    page = text_of(client.get(f"/call/{call.id}"))
    assert "Orti di Giulia Neri · Verde Pubblicata 7 sostegni · 2 commenti" in page


def test_sorts_by_newest_supports_and_comments(client, make_call, make_proposal):
    call = make_call()
    now = utcnow()
    make_proposal(call=call, title="A", supports_count=5, comments_count=0, published_at=now - timedelta(days=3))
    make_proposal(call=call, title="B", supports_count=1, comments_count=9, published_at=now - timedelta(days=1))
    make_proposal(call=call, title="C", supports_count=9, comments_count=3, published_at=now - timedelta(days=2))
    url = f"/call/{call.id}"
    assert titles_in(client.get(url)) == ["B", "C", "A"]
    assert titles_in(client.get(f"{url}?ordine=recenti")) == ["B", "C", "A"]
    assert titles_in(client.get(f"{url}?ordine=sostegni")) == ["C", "A", "B"]
    assert titles_in(client.get(f"{url}?ordine=commenti")) == ["B", "C", "A"]
    assert titles_in(client.get(f"{url}?ordine=nonsense")) == ["B", "C", "A"]


def test_random_order_is_stable_for_a_visitor_and_differs_between_visitors(app, client, make_call, make_proposal):
    call = make_call()
    for n in range(12):
        make_proposal(call=call, title=f"Proposta {n:02d}")
    url = f"/call/{call.id}?ordine=casuale"
    first = titles_in(client.get(url))
    assert sorted(first) == [f"Proposta {n:02d}" for n in range(12)]
    assert titles_in(client.get(url)) == first
    others = {tuple(titles_in(app.test_client().get(url))) for _ in range(4)}
    assert others - {tuple(first)}, "every visitor got the same order"


def test_a_tampered_seed_is_replaced(client, make_call, make_proposal):
    call = make_call()
    make_proposal(call=call)
    with client.session_transaction() as session:
        session["proposal_seed"] = ["x", 10**30]
    assert client.get(f"/call/{call.id}?ordine=casuale").status_code == 200
    with client.session_transaction() as session:
        a, b = session["proposal_seed"]
        assert isinstance(a, int) and isinstance(b, int)


def test_random_order_pages_do_not_repeat_or_lose_proposals(app, client, make_call, make_proposal, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 4)
    call = make_call()
    for n in range(10):
        make_proposal(call=call, title=f"Proposta {n:02d}")
    url = f"/call/{call.id}?ordine=casuale"
    pages = every_page(client, url)
    assert [len(page) for page in pages] == [4, 4, 2]
    assert sorted(title for page in pages for title in page) == [f"Proposta {n:02d}" for n in range(10)]


def test_filters_by_theme_and_by_words(client, make_call, make_proposal):
    call = make_call()
    verde, mobilita = call.themes
    make_proposal(call=call, title="Orti condivisi nel cortile", theme=verde, body="Coltiviamo insieme.")
    make_proposal(call=call, title="Pista ciclabile in via Libia", theme=mobilita, body="Più biciclette.")
    url = f"/call/{call.id}"
    assert titles_in(client.get(f"{url}?tema={verde.id}")) == ["Orti condivisi nel cortile"]
    assert titles_in(client.get(f"{url}?q=ciclab")) == ["Pista ciclabile in via Libia"]
    assert titles_in(client.get(f"{url}?q=coltiviamo")) == ["Orti condivisi nel cortile"]
    assert titles_in(client.get(f"{url}?q=orti&tema={mobilita.id}")) == []
    assert "Nessuna proposta con questi criteri." in text_of(client.get(f"{url}?q=zanzare"))
    assert len(titles_in(client.get(f"{url}?tema=abc&q=%22*%20OR"))) in (0, 1, 2)


def test_pages_of_proposals_follow_next_and_previous_links(app, client, make_call, make_proposal, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    call = make_call()
    for n in range(5):
        make_proposal(call=call, title=f"Proposta {n}")
    url = f"/call/{call.id}"
    forward = every_page(client, url)
    assert [len(page) for page in forward] == [2, 2, 1]
    assert sorted(itertools.chain(*forward)) == [f"Proposta {n}" for n in range(5)]
    assert "5 proposte" in text_of(client.get(url))
    last = client.get(link(client.get(link(client.get(url), "next")), "next"))
    assert link(last, "next") is None
    assert every_page(client, link(last, "prev"), rel="prev") == [forward[1], forward[0]]
    assert link(client.get(url), "prev") is None


def test_proposals_with_the_same_sort_key_are_neither_repeated_nor_lost(app, client, make_call, make_proposal,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 3)
    call = make_call()
    same_moment = utcnow() - timedelta(days=1)
    for n in range(8):
        make_proposal(call=call, title=f"Proposta {n}", published_at=same_moment, supports_count=n % 2)
    for order in ("", "?ordine=sostegni", "?ordine=commenti"):
        pages = every_page(client, f"/call/{call.id}{order}")
        assert sorted(itertools.chain(*pages)) == [f"Proposta {n}" for n in range(8)], order


def test_a_proposal_published_between_two_pages_is_not_shown_twice(app, client, make_call, make_proposal,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    call = make_call()
    for n in range(4):
        make_proposal(call=call, title=f"Proposta {n}", published_at=utcnow() - timedelta(days=4 - n))
    first = client.get(f"/call/{call.id}")
    make_proposal(call=call, title="Appena pubblicata")
    second = titles_in(client.get(link(first, "next")))
    assert second == ["Proposta 1", "Proposta 0"]
    assert not set(second) & set(titles_in(first))


@pytest.mark.parametrize("cursor", ["abc", "", "-1", "0", "x" * 5000, "W10.forged", "99999999999999999999999"])
def test_a_bad_cursor_shows_the_first_page(app, client, make_call, make_proposal, monkeypatch, cursor):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    call = make_call()
    for n in range(3):
        make_proposal(call=call, title=f"Proposta {n}")
    first = titles_in(client.get(f"/call/{call.id}"))
    response = client.get(f"/call/{call.id}?cursore={cursor}&page=7")
    assert response.status_code == 200 and titles_in(response) == first


def test_a_cursor_of_another_order_or_call_shows_the_first_page(app, client, make_call, make_proposal, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    call, other = make_call(), make_call()
    for n in range(3):
        make_proposal(call=call, title=f"Proposta {n}", supports_count=n)
        make_proposal(call=other, title=f"Altra {n}")
    by_supports = link(client.get(f"/call/{call.id}?ordine=sostegni"), "next")
    cursor = by_supports.split("cursore=")[1]
    first = titles_in(client.get(f"/call/{call.id}"))
    assert titles_in(client.get(f"/call/{call.id}?cursore={cursor}")) == first
    assert titles_in(client.get(f"/call/{other.id}?cursore={cursor}&ordine=sostegni")) == ["Altra 2"]


def test_a_page_of_proposals_costs_the_same_queries_for_3_or_30(app, client, make_call, make_proposal, make_user,
                                                                count_queries):
    call = make_call()
    for _ in range(3):
        make_proposal(call=call, author=make_user(), theme=call.themes[0])
    client.get(f"/call/{call.id}")  # warm up
    app.extensions["page_cache"].forget_everything()  # count a rendered page, not the visitors' stored copy
    with count_queries() as few:
        assert client.get(f"/call/{call.id}").status_code == 200
    for _ in range(27):
        make_proposal(call=call, author=make_user(), theme=call.themes[1])
    for sort in ("recenti", "casuale"):
        with count_queries() as many:
            response = client.get(f"/call/{call.id}?ordine={sort}")
        assert response.status_code == 200 and len(titles_in(response)) == 20
        assert len(many) == len(few), "\n".join(many)


def test_absurd_call_ids_are_not_found(client):
    for url in ("/call/0", "/call/99999999999999999999", "/call/2147483648", "/call/123456"):
        assert client.get(url).status_code == 404


# ---- similar proposals ---------------------------------------------------------------------

def test_similar_proposals_are_public_ones_of_the_same_call(client, make_call, make_proposal):
    call = make_call()
    public = make_proposal(call=call, title="Orti condivisi nel cortile della scuola")
    make_proposal(call=call, title="Orti sui tetti", state=ProposalState.DRAFT)
    make_proposal(call=call, title="Orti per tutti", state=ProposalState.SUBMITTED)
    make_proposal(title="Orti in un'altra call")
    make_proposal(call=call, title="Pista ciclabile", body="Per le biciclette.")
    response = client.get(f"/call/{call.id}/proposte-simili?titolo=orti in giardino")
    assert response.status_code == 200
    assert response.json == [{"id": public.id, "title": public.title, "url": f"/proposte/{public.id}"}]
    assert client.get(f"/call/{call.id}/proposte-simili?titolo=orti&escludi={public.id}").json == []
    assert client.get(f"/call/{call.id}/proposte-simili?titolo=").json == []
    assert client.get(f"/call/{call.id}/proposte-simili").json == []


def test_similar_proposals_are_at_most_five_best_first(client, make_call, make_proposal):
    call = make_call()
    for n in range(8):
        make_proposal(call=call, title=f"Orti numero {n}")
    results = client.get(f"/call/{call.id}/proposte-simili?titolo=orti").json
    assert len(results) == 5


def test_similar_proposals_errors_are_json(client, make_call):
    hidden = make_call(published=False)
    for url in ("/call/999999/proposte-simili?titolo=orti", f"/call/{hidden.id}/proposte-simili?titolo=orti"):
        response = client.get(url)
        assert response.status_code == 404 and "error" in response.json
    call = make_call()
    response = client.get(f"/call/{call.id}/proposte-simili?titolo={'a' * 600}")
    assert response.status_code == 400 and "error" in response.json
    odd = client.get(f"/call/{call.id}/proposte-simili?titolo=%22orti%22 OR * NEAR(")
    assert odd.status_code == 200 and odd.json == []


# ---- the staff's call sheet ----------------------------------------------------------------

def call_form(project, **changes):
    data = {
        "title": "Idee per i cortili", "description": "Proponi **idee** per i cortili delle scuole.",
        "project_id": str(project.id), "lab_id": "0", "themes": "Verde\nGioco\n\nverde",
        "proposals_date": "01/03/2031", "proposals_time": "09:00",
        "review_date": "2031-04-01", "review_time": "",
        "supports_date": "15/04/2031", "supports_time": "",
        "closes_date": "15/05/2031", "closes_time": "18:00",
    }
    data.update(changes)
    return data


def test_staff_open_a_call_unpublished_then_publish_it(client, db_session, make_project, make_staff):
    project = make_project()
    login(client, make_staff(project.city))
    assert client.get(f"/gestione/citta/{project.city.slug}/call/nuova?progetto={project.id}").status_code == 200
    response = client.post(f"/gestione/citta/{project.city.slug}/call/nuova", data=call_form(project))
    assert response.status_code == 302
    call = db_session.scalar(sa.select(Call).filter_by(title="Idee per i cortili"))
    assert not call.published
    assert [theme.name for theme in call.themes] == ["Verde", "Gioco"]
    assert "<strong>idee</strong>" in call.description_html
    assert call.proposals_from.isoformat() == "2031-03-01T08:00:00+00:00"  # 09:00 in Rome, winter time
    assert call.review_from.isoformat() == "2031-03-31T22:00:00+00:00"  # midnight in Rome, summer time
    assert client.post(f"/call/{call.id}/pubblica").status_code == 302
    assert call.published
    client.post(f"/call/{call.id}/ritira-pubblicazione")
    assert not call.published


def test_phases_out_of_order_are_shown_on_the_form(client, db_session, make_project, make_staff):
    project = make_project()
    login(client, make_staff(project.city))
    response = client.post(f"/gestione/citta/{project.city.slug}/call/nuova",
                           data=call_form(project, supports_date="01/02/2031"))
    assert response.status_code == 422
    assert "I sostegni devono iniziare dopo la valutazione." in text_of(response)
    assert db_session.scalar(sa.select(sa.func.count(Call.id))) == 0
    response = client.post(f"/gestione/citta/{project.city.slug}/call/nuova",
                           data=call_form(project, project_id="0", proposals_date="ieri"))
    assert response.status_code == 422
    assert "Data non valida" in text_of(response)


def test_a_project_of_another_city_is_refused(client, make_project, make_staff):
    project, elsewhere = make_project(), make_project()
    login(client, make_staff(project.city))
    response = client.post(f"/gestione/citta/{project.city.slug}/call/nuova",
                           data=call_form(project, project_id=str(elsewhere.id)))
    assert response.status_code == 422


def test_staff_edit_a_call(client, make_call, make_staff):
    call = make_call()
    login(client, make_staff(call.city))
    page = client.get(f"/call/{call.id}/modifica")
    assert page.status_code == 200 and call.title in page.get_data(as_text=True)
    response = client.post(f"/call/{call.id}/modifica", data=call_form(call.project, title="Nuovo titolo",
                                                                     themes="Scuola"))
    assert response.status_code == 302
    assert call.title == "Nuovo titolo" and [theme.name for theme in call.themes] == ["Scuola"]


def test_other_cities_staff_may_not_touch_a_call(client, make_call, make_staff, make_city):
    call = make_call()
    login(client, make_staff(make_city()))
    assert client.get(f"/call/{call.id}/modifica").status_code == 403
    assert client.post(f"/call/{call.id}/ritira-pubblicazione").status_code == 403
    assert call.published


# ---- links from other pages ----------------------------------------------------------------

def test_home_lists_calls_taking_proposals_or_supports(client, make_call):
    open_now = make_call(title="Call che raccoglie idee")
    supports = make_call(title="Call che raccoglie sostegni", phase="supports")
    make_call(title="Call in valutazione", phase="review")
    make_call(title="Call chiusa", phase="closed")
    make_call(title="Call nascosta", published=False)
    html = client.get("/").get_data(as_text=True)
    page = text_of(client.get("/"))
    assert "Call aperte" in page
    assert f'href="/call/{open_now.id}"' in html and f'href="/call/{supports.id}"' in html
    for absent in ("Call in valutazione", "Call chiusa", "Call nascosta"):
        assert absent not in page


def test_project_and_lab_pages_link_their_published_calls(client, make_call, make_lab, make_project):
    lab = make_lab()
    project = make_project(city=lab.city)
    call = make_call(project=project, lab=lab, title="Idee per il laboratorio")
    make_call(project=project, title="Call in preparazione", published=False)
    project_page = text_of(client.get(f"/progetti/{project.code}"))
    assert "Call per idee" in project_page and "Idee per il laboratorio" in project_page
    assert "Call in preparazione" not in project_page
    lab_html = client.get(f"/citta/{lab.city.slug}/laboratori/{lab.slug}").get_data(as_text=True)
    assert f'href="/call/{call.id}"' in lab_html
