"""Query arguments are passed on to a page's own links (pagination, comment order) as a query string
and never as url_for's options (`_anchor`, `_method`, `_scheme`, `_external`) or as the route's own
parameters: an address typed with them is the page, not a 500."""
import re

import pytest

from civiclab.comments.models import Comment
from tests.conftest import login

URL_FOR_OPTIONS = ["_anchor=x", "_method=DELETE", "_scheme=x&_external=", "_external=1&_scheme=javascript"]
ROUTE_PARAMETERS = ["proposal_id=abc", "proposal_id=2", "code=x", "endpoint=x"]


def links(response):
    return re.findall(r'href="([^"]*)"', response.get_data(as_text=True))


@pytest.fixture
def proposal_with_comments(db_session, make_proposal):
    """A published proposal whose comment section shows its order links (more than one thread)."""
    proposal = make_proposal()
    for text in ("Bella idea.", "Serve acqua.", "Io ci sto."):
        db_session.add(Comment(proposal=proposal, author=proposal.author, body=text, body_html=f"<p>{text}</p>"))
    db_session.commit()
    return proposal


@pytest.mark.parametrize("query", URL_FOR_OPTIONS + ROUTE_PARAMETERS + ["ordine_commenti=newest&x=1&x=2"])
def test_a_proposal_page_shows_whatever_its_query_and_its_links_keep_only_page_arguments(client, make_user,
                                                                                       proposal_with_comments, query):
    login(client, make_user())
    proposal = proposal_with_comments

    response = client.get(f"/proposte/{proposal.id}?{query}")

    assert response.status_code == 200
    order_links = [link for link in links(response) if "ordine_commenti=" in link]
    assert len(order_links) == 3
    for link in order_links:
        assert link.startswith(f"/proposte/{proposal.id}?") and link.endswith("#commenti")
        assert "_" not in link.split("?")[1].replace("ordine_commenti", "")
        assert "proposal_id" not in link


def test_the_comment_order_links_keep_the_pages_own_arguments(client, proposal_with_comments):
    response = client.get(f"/proposte/{proposal_with_comments.id}?x=1&x=2&pagina_commenti=2")

    assert f"/proposte/{proposal_with_comments.id}?x=1&amp;x=2&amp;ordine_commenti=best#commenti" in \
        response.get_data(as_text=True)


@pytest.mark.parametrize("query", URL_FOR_OPTIONS + ["endpoint=x", "page=abc"])
def test_pagination_links_pass_on_only_ordinary_arguments(app, client, make_city, monkeypatch, query):
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    make_city()
    make_city()

    response = client.get(f"/citta?{query}&regione=Emilia")

    assert response.status_code in (200, 404)  # a page past the last is a 404, as before
    if response.status_code == 200:
        pages = [link for link in links(response) if "page=" in link]
        assert pages and all(link.startswith("/citta?") and "_" not in link for link in pages)
        assert any("regione=Emilia" in link for link in pages)
