"""Error pages: the site's own design for people, JSON for the API, never a stack trace."""
import re

import pytest

from tests.conftest import make_app


def test_missing_page_is_the_designed_404_page(client):
    response = client.get("/pagina-che-non-esiste")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1 class=\"mb-3\">Pagina non trovata</h1>" in html
    assert "it-header-wrapper" in html and 'data-element="accessibility-link"' in html
    assert "Torna alla home" in html


def test_missing_api_resource_answers_json(client):
    response = client.get("/api/nulla")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {
        "error": {"code": "not_found", "message": "Risorsa non trovata.", "fields": {}},
    }


def test_a_client_asking_for_json_gets_json_errors(client):
    response = client.get("/pagina-che-non-esiste", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_a_browser_accepting_anything_gets_html(client):
    response = client.get("/pagina-che-non-esiste", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html"


def test_wrong_method_is_a_designed_405_page(client):
    response = client.get("/lingua")
    assert response.status_code == 405
    assert "Metodo non consentito" in response.get_data(as_text=True)


@pytest.fixture(scope="module")
def strict_app(database_url):
    """An app as in production on these points: CSRF checked, exceptions handled, not raised."""
    app = make_app(database_url, WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("internal detail: password=hunter2")

    return app


def test_a_form_posted_without_csrf_token_is_refused_with_400(strict_app, db_session):
    response = strict_app.test_client().post("/lingua", data={"lang": "en", "next": "/"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Richiesta non valida" in html
    assert "CSRF" not in html  # Flask-WTF's English reason is not shown


def test_a_form_posted_with_its_csrf_token_goes_through(strict_app, db_session):
    client = strict_app.test_client()
    page = client.get("/account/accedi").get_data(as_text=True)  # a form page (public pages hold no token)
    token = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page).group(1)
    response = client.post("/lingua", data={"lang": "en", "next": "/", "csrf_token": token})
    assert response.status_code == 302


def test_an_unexpected_exception_is_a_500_page_without_traceback(strict_app, db_session):
    response = strict_app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Errore del server" in html
    assert "Traceback" not in html and "hunter2" not in html and "RuntimeError" not in html
