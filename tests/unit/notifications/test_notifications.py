"""In-app notifications: adding them, the header bell, the page, marking them read."""
import re

import pytest
import sqlalchemy as sa

from civiclab.notifications import queries, services
from civiclab.notifications.models import Notification
from tests.conftest import login


@pytest.fixture
def person(make_user):
    return make_user(display_name="Marco Rossi")


def _note(db_session, user, message="Iscrizione confermata", **fields):
    note = services.notify(user, "test", message, **fields)
    db_session.commit()
    return note


# ---- services ------------------------------------------------------------------------------

def test_notify_adds_an_unread_notification(db_session, person):
    note = services.notify(person, "registration_confirmed", "Iscrizione confermata", detail="Codice ABCD2345",
                           url="/eventi/3")
    assert note.id is not None and not note.is_read
    assert (note.detail, note.url) == ("Codice ABCD2345", "/eventi/3")
    assert queries.unread_count(person) == 1


@pytest.mark.parametrize("url", [
    "https://elsewhere.example.com/", "//elsewhere.example.com/x", "javascript:alert(1)", "/\\elsewhere.com",
    "eventi/3", "/eventi/3\nSet-Cookie: x",
])
def test_notify_keeps_only_paths_on_this_site(db_session, person, url):
    assert services.notify(person, "test", "Messaggio", url=url).url == ""


def test_mark_read_touches_only_the_given_notifications_of_their_owner(db_session, person, make_user):
    stranger = make_user()
    mine = [_note(db_session, person) for _ in range(3)]
    theirs = _note(db_session, stranger)
    assert services.mark_read(person, [mine[0].id, theirs.id]) == 1
    assert queries.unread_count(person) == 2 and queries.unread_count(stranger) == 1
    assert services.mark_read(person) == 2
    assert queries.unread_count(person) == 0 and queries.unread_count(stranger) == 1


# ---- the bell ------------------------------------------------------------------------------

def test_the_bell_says_how_many_are_unread(client, db_session, person):
    for _ in range(3):
        _note(db_session, person)
    login(client, person)
    page = client.get("/").get_data(as_text=True)
    assert 'aria-label="Notifiche, 3 non lette"' in page
    assert re.search(r'class="cl-bell-badge"[^>]*>3<', page)


def test_the_bell_without_unread_has_no_badge(client, person):
    login(client, person)
    page = client.get("/").get_data(as_text=True)
    assert 'aria-label="Notifiche, nessuna non letta"' in page and "cl-bell-badge" not in page


def test_visitors_have_no_bell(client):
    assert "cl-bell" not in client.get("/").get_data(as_text=True)


def test_the_bell_costs_one_query_per_page(client, db_session, person, count_queries):
    _note(db_session, person)
    login(client, person)
    with count_queries() as queries:
        client.get("/notifiche")
    assert len([q for q in queries if "notifications" in q and "count(" in q.lower()]) == 2  # bell + pagination
    with count_queries() as queries:
        client.get("/")
    assert len([q for q in queries if "notifications" in q]) == 1


# ---- the page ------------------------------------------------------------------------------

def test_the_page_lists_my_notifications_newest_first_with_their_detail(client, db_session, person, make_user):
    _note(db_session, person, "Prima notifica")
    _note(db_session, person, "Seconda notifica", detail="Codice ABCD2345", url="/eventi/3")
    _note(db_session, make_user(), "Notifica di un altro")
    login(client, person)
    page = client.get("/notifiche").get_data(as_text=True)
    assert page.index("Seconda notifica") < page.index("Prima notifica")
    assert "Codice ABCD2345" in page
    assert "Notifica di un altro" not in page
    assert "Hai 2 notifiche non lette." in page and page.count(">Nuova<") == 2


def test_a_message_is_shown_as_text_not_html(client, db_session, person):
    _note(db_session, person, "<script>alert(1)</script>")
    login(client, person)
    page = client.get("/notifiche").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_page_is_paginated(client, db_session, person):
    for n in range(25):
        _note(db_session, person, f"Notifica numero {n:02d}")
    login(client, person)
    first = client.get("/notifiche").get_data(as_text=True)
    second = client.get("/notifiche?page=2").get_data(as_text=True)
    assert "Notifica numero 24" in first and "Notifica numero 04" not in first
    assert "Notifica numero 04" in second


def test_following_a_notification_marks_it_read_and_goes_to_its_page(client, db_session, person):
    note = _note(db_session, person, url="/eventi/3")
    login(client, person)
    response = client.get(f"/notifiche/{note.id}/apri")
    assert response.status_code == 302 and response.headers["Location"] == "/eventi/3"
    db_session.refresh(note)
    assert note.is_read


def test_a_stored_link_to_another_site_is_never_followed(client, db_session, person):
    note = _note(db_session, person)
    note.url = "//elsewhere.example.com"  # written around notify(), e.g. by hand in the database
    db_session.commit()
    login(client, person)
    response = client.get(f"/notifiche/{note.id}/apri")
    assert response.headers["Location"] == "/notifiche"
    assert "elsewhere" not in client.get("/notifiche").get_data(as_text=True)


def test_marking_one_read(client, db_session, person):
    first, second = _note(db_session, person), _note(db_session, person)
    login(client, person)
    response = client.post(f"/notifiche/{first.id}/letta", data={"page": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/notifiche#n{first.id}"
    db_session.refresh(first)
    db_session.refresh(second)
    assert first.is_read and not second.is_read


def test_marking_all_read_empties_the_bell(client, db_session, person):
    for _ in range(3):
        _note(db_session, person)
    login(client, person)
    response = client.post("/notifiche/lette", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Tutte le notifiche sono segnate come lette." in page
    assert 'aria-label="Notifiche, nessuna non letta"' in page
    assert queries.unread_count(person) == 0


def test_somebody_elses_notification_does_not_exist_for_me(client, db_session, person, make_user):
    note = _note(db_session, person)
    login(client, make_user())
    assert client.post(f"/notifiche/{note.id}/letta").status_code == 404
    assert client.get(f"/notifiche/{note.id}/apri").status_code == 404
    db_session.refresh(note)
    assert not note.is_read


def test_marking_read_needs_the_csrf_token(app, client, db_session, person, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    note = _note(db_session, person)
    login(client, person)
    assert client.post("/notifiche/lette").status_code == 400
    assert client.post(f"/notifiche/{note.id}/letta").status_code == 400
    assert db_session.scalar(sa.select(Notification.read_at).filter_by(id=note.id)) is None


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/notifiche")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/accedi")


# ---- the reader's language -----------------------------------------------------------------

def test_a_notification_is_shown_in_the_language_its_reader_reads_in(client, db_session, person):
    from flask_babel import lazy_gettext as _l

    _note(db_session, person, _l("Iscrizione confermata: %(title)s", title="Orti"), detail=lambda: _l("Codice di iscrizione: %(code)s",
                                                                              code="ABCD2345"))
    login(client, person)

    italian = client.get("/notifiche").get_data(as_text=True)
    client.post("/lingua", data={"lang": "en", "next": "/notifiche"})
    english = client.get("/notifiche").get_data(as_text=True)

    assert "Iscrizione confermata: Orti" in italian and "Codice di iscrizione: ABCD2345" in italian
    assert "Registration confirmed: Orti" in english and "Registration code: ABCD2345" in english
    assert "Iscrizione confermata" not in english


def test_plain_text_is_stored_once_and_shown_in_every_language(db_session, person):
    note = _note(db_session, person, "Marco ha risposto")
    assert note.message == "Marco ha risposto" and note.message_en is None
    assert note.message_in("en") == "Marco ha risposto"
