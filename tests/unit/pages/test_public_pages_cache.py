"""Every public page of the demo is one all visitors share (core/page_cache.py): no cookie, no
session token, stored with its validators; and no signed-in page is."""
import pytest
import sqlalchemy as sa

from tests.conftest import login


def public_pages(db_session):
    one = lambda sql: db_session.execute(sa.text(sql)).scalar()
    proposal = one("SELECT id FROM proposals WHERE state = 'accepted' ORDER BY id")
    call = one(f"SELECT call_id FROM proposals WHERE id = {proposal}")
    lab = db_session.execute(sa.text("SELECT c.slug, l.slug FROM labs l JOIN cities c ON c.id = l.city_id "
                                     "WHERE c.slug = 'bologna'")).first()
    events = db_session.execute(sa.text("SELECT id FROM events WHERE state = 'published'")).scalars().all()
    outcome = one("SELECT id FROM outcomes ORDER BY id")
    return ["/", "/eventi", "/progetti", "/progetti/BO3.3.1.b", f"/proposte/{proposal}", "/call", f"/call/{call}",
            "/citta", "/citta/bologna", "/laboratori", f"/citta/{lab[0]}/laboratori/{lab[1]}",
            f"/risultati/{outcome}", "/citta/bologna/risultati", "/privacy", "/accessibilita",
            *[f"/eventi/{event}" for event in events]]


def test_every_public_page_of_the_demo_is_shared_by_visitors_without_a_cookie_or_token(demo, app, db_session,
                                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production: a form makes a token
    cache = app.extensions["page_cache"]
    for path in public_pages(db_session):
        visitor = app.test_client()
        stores = cache.store.stores
        response = visitor.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
        assert "csrf_token" not in html and 'name="form_key"' not in html, path
        assert response.headers["Cache-Control"] == "public, no-cache" and "ETag" in response.headers, path
        assert cache.store.stores == stores + 1, path


@pytest.mark.parametrize("email", ["cittadino@example.org", "facilitatore@example.org"])
def test_no_signed_in_page_is_stored_or_shared(demo, app, db_session, email):
    from civiclab.accounts.models import User

    cache = app.extensions["page_cache"]
    member = app.test_client()
    login(member, db_session.scalar(sa.select(User).where(User.email == email)))
    stores = cache.store.stores
    for path in public_pages(db_session):
        response = member.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert 'action="/account/esci"' in response.get_data(as_text=True), path
    assert cache.store.stores == stores
