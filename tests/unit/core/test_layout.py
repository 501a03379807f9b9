"""The layout every page shares: skip link, header, navigation, banners, footer links."""
import re

from flask import flash, render_template

from tests.conftest import login


def test_anonymous_visitors_see_sign_in_and_register_but_no_management(client):
    html = client.get("/accessibilita").get_data(as_text=True)
    assert 'href="#main">Vai al contenuto</a>' in html and 'id="main"' in html
    assert 'href="/account/accedi"' in html and 'href="/account/registrati"' in html
    assert "Gestione" not in html
    assert 'action="/account/esci"' not in html


def test_footer_links_the_accessibility_statement_and_privacy_policy(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/accessibilita" data-element="accessibility-link"' in html
    assert 'href="/privacy" data-element="privacy-policy-link"' in html


def test_the_current_section_is_marked_in_the_navigation(client):
    html = client.get("/citta").get_data(as_text=True)
    assert re.search(r'<a class="nav-link active" href="/citta"\s+aria-current="page">', html)
    assert not re.search(r'<a class="nav-link active" href="/laboratori"', html)
    assert html.count('aria-current="page"') == 1 + html.count('class="breadcrumb-item active"')


def test_the_calls_for_ideas_are_in_the_main_menu_and_marked_on_their_pages(client, make_call):
    menu = re.compile(r'<a class="nav-link[^"]*" href="/call"[^>]*><span>Call per idee</span></a>')
    assert menu.search(client.get("/").get_data(as_text=True))
    call = make_call()
    html = client.get(f"/call/{call.id}").get_data(as_text=True)
    assert re.search(r'<a class="nav-link active" href="/call"\s+aria-current="true">', html)


def test_signed_in_users_see_their_name_linking_the_profile_and_a_logout_form(client, make_user):
    login(client, make_user(display_name="Giulia Rossi"))
    html = client.get("/privacy").get_data(as_text=True)
    assert 'href="/account/profilo"' in html and "Giulia Rossi" in html
    assert 'action="/account/esci"' in html
    assert "Gestione" not in html
    assert "Conferma il tuo indirizzo email" not in html


def test_unconfirmed_users_get_a_banner_with_a_resend_button(client, make_user):
    login(client, make_user(confirmed=False))
    html = client.get("/privacy").get_data(as_text=True)
    assert "Conferma il tuo indirizzo email" in html
    assert 'action="/account/conferma/invia-di-nuovo"' in html


def test_staff_and_administrators_see_the_management_section(client, make_user, make_city, make_staff):
    for user in (make_staff(make_city()), make_user(is_admin=True)):
        login(client, user)
        response = client.get("/privacy")
        assert response.status_code == 200
        assert 'href="/gestione"' in response.get_data(as_text=True)


def test_flash_messages_become_alerts_with_the_right_role(app, client):
    with app.test_request_context("/privacy"):
        for category in ("success", "info", "warning", "danger", "error", "message"):
            flash(f"Messaggio {category}", category)
        html = render_template("core/privacy.html")
    assert '<div class="alert alert-success" role="status">Messaggio success</div>' in html
    assert '<div class="alert alert-info" role="status">Messaggio info</div>' in html
    assert '<div class="alert alert-warning" role="alert">Messaggio warning</div>' in html
    assert '<div class="alert alert-danger" role="alert">Messaggio danger</div>' in html
    assert '<div class="alert alert-danger" role="alert">Messaggio error</div>' in html
    assert '<div class="alert alert-info" role="status">Messaggio message</div>' in html
