"""Room pages without JavaScript: history by keyset pages, writing by POST, moderation over HTTP,
working rooms for their members only, my rooms and the header's unread count, links from the
event, project and lab pages."""
import re

import pytest
import sqlalchemy as sa

from civiclab.events.models import EventState, Registration, RegistrationState
from civiclab.moderation.models import ModerationAction
from civiclab.rooms import queries, services
from civiclab.rooms.models import Message, RoomKind, RoomMember, RoomMute, RoomRead
from tests.conftest import login, text_of


@pytest.fixture
def room(lab):
    return queries.room_of(lab)


def add_messages(db_session, room, authors, count, start=0):
    """`count` messages in `room`, written in turn by `authors` ("Messaggio n")."""
    messages = [Message(room_id=room.id, author_id=authors[n % len(authors)].id, body=f"Messaggio {n}",
                        body_html=f"<p>Messaggio {n}</p>") for n in range(start, start + count)]
    db_session.add_all(messages)
    db_session.commit()
    return messages


def page_url(room, **args):
    query = "&".join(f"{name}={value}" for name, value in args.items())
    return f"/stanze/{room.id}" + (f"?{query}" if query else "")


# ---- reading ---------------------------------------------------------------------------------

def test_the_page_shows_the_last_50_messages_and_links_the_older_ones(client, db_session, room, make_user):
    messages = add_messages(db_session, room, [make_user(), make_user()], 60)
    response = client.get(page_url(room))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'id="messaggio-(\d+)"', html)]
    assert shown == [m.id for m in messages[10:]]
    assert "Messaggio 59" in html and "Messaggio 9<" not in html
    assert f'href="/stanze/{room.id}?prima={messages[10].id}"' in html
    assert f'data-last-id="{messages[-1].id}"' in html


def test_an_older_page_goes_back_by_keyset(client, db_session, room, make_user):
    messages = add_messages(db_session, room, [make_user()], 60)
    response = client.get(page_url(room, prima=messages[10].id))
    html = response.get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'id="messaggio-(\d+)"', html)]
    assert shown == [m.id for m in messages[:10]]
    assert 'rel="prev"' not in html  # nothing older
    assert "Torna ai messaggi più recenti" in text_of(response)
    assert 'data-live="0"' in html and "js/rooms/" not in html  # history pages are not live


def test_a_page_of_history_ignores_a_nonsense_cursor(client, db_session, room, make_user):
    add_messages(db_session, room, [make_user()], 3)
    for cursor in ("abc", "-1", "99999999999999999999"):
        assert client.get(page_url(room, prima=cursor)).status_code == 200


def test_deleted_messages_are_a_placeholder(in_request, client, db_session, room, facilitator, make_user):
    message, = add_messages(db_session, room, [make_user()], 1)
    services.delete_message(facilitator, message, "Offensivo")
    db_session.commit()
    page = text_of(client.get(page_url(room)))
    assert "Messaggio eliminato dai moderatori" in page and "Messaggio 0" not in page


def test_user_html_is_shown_sanitised(client, db_session, room, make_user):
    db_session.add(Message(room_id=room.id, author_id=make_user().id, body="x",
                           body_html='<p>ciao<script>alert(1)</script><img src=x onerror="alert(2)"></p>'))
    db_session.commit()
    html = client.get(page_url(room)).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "onerror" not in html


def test_opening_the_page_moves_the_read_marker(client, db_session, room, make_user):
    reader = make_user()
    messages = add_messages(db_session, room, [make_user()], 3)
    login(client, reader)
    client.get(page_url(room))
    marker = db_session.scalars(sa.select(RoomRead).filter_by(room_id=room.id, user_id=reader.id)).one()
    assert marker.last_read_id == messages[-1].id


def test_the_page_tells_the_script_who_writes_and_why_not(client, db_session, make_event, make_user):
    event = make_event()
    room = queries.room_of(event)
    user = make_user()
    login(client, user)
    html = client.get(page_url(room)).get_data(as_text=True)
    assert f'data-room-id="{room.id}"' in html and f'data-user-id="{user.id}"' in html
    assert "iscritti confermati" in html
    assert 'id="room-form"' not in html  # nothing to write with until registered


def test_without_javascript_the_page_says_presence_needs_it_and_with_javascript_it_does_not(
        client, room, make_user):
    login(client, make_user())
    html = client.get(page_url(room)).get_data(as_text=True)
    notice = html[html.index("<noscript>"):html.index("</noscript>")]  # shown only with scripts off
    assert "in tempo reale serve JavaScript" in notice and html.count("serve JavaScript") == 1


def test_an_anonymous_visitor_is_told_presence_is_for_signed_in_people_not_about_javascript(client, room):
    page = text_of(client.get(page_url(room)))
    assert "serve JavaScript" not in page and "Chi è presente lo vede chi ha fatto l’accesso." in page


def test_a_draft_events_room_does_not_exist_for_others(client, make_event, make_user, make_facilitator):
    event = make_event(state=EventState.DRAFT, published_at=None)
    room = queries.room_of(event)
    assert client.get(page_url(room)).status_code == 404
    login(client, make_user())
    assert client.get(page_url(room)).status_code == 404
    login(client, make_facilitator(event.lab))
    assert client.get(page_url(room)).status_code == 200


def test_an_unknown_room_is_404(client):
    assert client.get("/stanze/999999").status_code == 404


def test_the_room_page_runs_the_same_queries_for_50_or_500_messages(
        client, db_session, room, make_user, facilitator, count_queries):
    authors = [make_user() for _ in range(10)]
    add_messages(db_session, room, authors, 50)
    login(client, facilitator)
    client.get(page_url(room))  # the read marker exists from here on
    with count_queries() as few:
        assert client.get(page_url(room)).status_code == 200
    add_messages(db_session, room, authors + [make_user() for _ in range(20)], 450, start=50)
    client.get(page_url(room))
    with count_queries() as many:
        assert client.get(page_url(room)).status_code == 200
    assert len(many) == len(few), many


# ---- writing without JavaScript ----------------------------------------------------------------

def test_a_message_posted_by_form_is_stored_and_shown_at_the_bottom(client, db_session, room, make_user):
    user = make_user()
    login(client, user)
    response = client.post(f"/stanze/{room.id}/messaggi", data={"body": "Ciao a **tutti**", "key": "form-1"})
    message = db_session.scalars(sa.select(Message).filter_by(room_id=room.id)).one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/stanze/{room.id}#messaggio-{message.id}"
    assert message.author_id == user.id and message.body_html.strip() == "<p>Ciao a <strong>tutti</strong></p>"
    again = client.post(f"/stanze/{room.id}/messaggi", data={"body": "Ciao a **tutti**", "key": "form-1"})
    assert again.headers["Location"].endswith(f"#messaggio-{message.id}")  # a double submit stores once
    assert db_session.scalar(sa.select(sa.func.count(Message.id))) == 1


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001])
def test_an_empty_or_too_long_message_is_422(client, db_session, room, make_user, body):
    login(client, make_user())
    response = client.post(f"/stanze/{room.id}/messaggi", data={"body": body})
    assert response.status_code == 422
    assert db_session.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_refusals_are_422_with_their_reason(in_request, client, db_session, room, facilitator, make_user,
                                            make_event):
    muted = make_user()
    services.mute_user(facilitator, room, muted, 15, "Insulti")
    db_session.commit()
    login(client, muted)
    response = client.post(f"/stanze/{room.id}/messaggi", data={"body": "Ancora io"})
    assert response.status_code == 422 and "silenziamento" in text_of(response)
    assert "Ancora io" in response.get_data(as_text=True)  # what was typed is kept

    event_room = queries.room_of(make_event())
    login(client, make_user())
    response = client.post(f"/stanze/{event_room.id}/messaggi", data={"body": "Posso?"})
    assert response.status_code == 422 and "iscritti confermati" in text_of(response)

    services.set_locked(facilitator, room, True, "Fine dell'incontro")
    db_session.commit()
    response = client.post(f"/stanze/{room.id}/messaggi", data={"body": "Ci sono?"})
    assert response.status_code == 422 and "sola lettura" in text_of(response)
    assert db_session.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_a_confirmed_participant_writes_in_the_events_room(client, db_session, make_event, make_user):
    event, user = make_event(), make_user()
    db_session.add(Registration(event=event, user=user, seats=1, state=RegistrationState.CONFIRMED,
                                participant_type=user.participant_type))
    db_session.commit()
    login(client, user)
    room = queries.room_of(event)
    assert client.post(f"/stanze/{room.id}/messaggi", data={"body": "Ci sarò"}).status_code == 302


def test_an_unconfirmed_account_cannot_write(client, room, make_user):
    login(client, make_user(confirmed=False))
    response = client.post(f"/stanze/{room.id}/messaggi", data={"body": "Ciao"})
    assert response.status_code == 422 and "Conferma il tuo indirizzo" in text_of(response)


def test_anonymous_posts_go_to_login(client, room):
    response = client.post(f"/stanze/{room.id}/messaggi", data={"body": "Ciao"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/accedi")


def test_posting_needs_the_csrf_token(app, client, monkeypatch, room, make_user):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login(client, make_user())
    assert client.post(f"/stanze/{room.id}/messaggi", data={"body": "Ciao"}).status_code == 400


def test_posting_and_moderating_are_rate_limited(limited_client, db_session, make_lab, make_facilitator):
    lab = make_lab()
    room = queries.room_of(lab)
    login(limited_client, make_facilitator(lab))
    answers = [limited_client.post(f"/stanze/{room.id}/messaggi", data={"body": f"n{n}"}).status_code
               for n in range(3)]
    assert answers == [302, 302, 429]
    answers = [limited_client.post(f"/stanze/{room.id}/chiudi", data={"reason": "x"}).status_code for _ in range(3)]
    assert answers == [302, 422, 429]  # the second: already read-only


# ---- moderation ------------------------------------------------------------------------------

def test_a_moderator_deletes_a_message_with_a_reason(client, db_session, room, facilitator, make_user):
    message, = add_messages(db_session, room, [make_user()], 1)
    login(client, facilitator)
    url = f"/stanze/{room.id}/messaggi/{message.id}/elimina"
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 422 and "Scrivi il motivo" in text_of(response)
    response = client.post(url, data={"reason": "Pubblicità"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#messaggio-{message.id}")
    db_session.refresh(message)
    assert message.is_deleted and message.delete_reason == "Pubblicità" and message.deleted_by_id == facilitator.id
    assert db_session.scalars(sa.select(ModerationAction).filter_by(action="delete_message")).one().reason == "Pubblicità"
    assert client.post(url, data={"reason": "Ancora"}).status_code == 422  # already deleted


def test_moderation_is_refused_to_others(client, db_session, room, make_user, make_staff, make_city):
    message, = add_messages(db_session, room, [make_user()], 1)
    target = make_user()
    urls = [f"/stanze/{room.id}/messaggi/{message.id}/elimina", f"/stanze/{room.id}/silenzia/{target.id}",
            f"/stanze/{room.id}/chiudi", f"/stanze/{room.id}/riapri"]
    for user in (make_user(), make_staff(make_city())):
        login(client, user)
        for url in urls:
            assert client.post(url, data={"reason": "Perché sì", "minutes": "15"}).status_code == 403, url
    db_session.refresh(message)
    assert not message.is_deleted and not room.is_locked
    assert db_session.scalar(sa.select(sa.func.count(RoomMute.id))) == 0


def test_a_message_of_another_room_is_404(client, db_session, room, facilitator, make_lab, make_user):
    other, = add_messages(db_session, queries.room_of(make_lab()), [make_user()], 1)
    login(client, facilitator)
    response = client.post(f"/stanze/{room.id}/messaggi/{other.id}/elimina", data={"reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("minutes", ["15", "60", "1440"])
def test_a_moderator_mutes_for_15_minutes_an_hour_or_a_day(client, db_session, room, facilitator, make_user,
                                                          minutes):
    target = make_user()
    login(client, facilitator)
    response = client.post(f"/stanze/{room.id}/silenzia/{target.id}", data={"minutes": minutes, "reason": "Insulti"})
    assert response.status_code == 302
    mute = db_session.scalars(sa.select(RoomMute).filter_by(room_id=room.id, user_id=target.id)).one()
    assert round((mute.until - mute.created_at).total_seconds() / 60) == int(minutes)
    assert mute.reason == "Insulti"


@pytest.mark.parametrize("data", [{"minutes": "15"}, {"minutes": "7", "reason": "x"}, {"reason": "x"}])
def test_a_mute_needs_a_reason_and_a_listed_duration(client, db_session, room, facilitator, make_user, data):
    login(client, facilitator)
    assert client.post(f"/stanze/{room.id}/silenzia/{make_user().id}", data=data).status_code == 422
    assert db_session.scalar(sa.select(sa.func.count(RoomMute.id))) == 0


def test_moderators_are_not_muted(client, room, facilitator, make_facilitator, lab):
    login(client, facilitator)
    response = client.post(f"/stanze/{room.id}/silenzia/{make_facilitator(lab).id}",
                           data={"minutes": "15", "reason": "x"})
    assert response.status_code == 422


def test_muting_an_unknown_user_is_404(client, room, facilitator):
    login(client, facilitator)
    assert client.post(f"/stanze/{room.id}/silenzia/999999", data={"minutes": "15", "reason": "x"}).status_code == 404


def test_a_moderator_locks_and_reopens_the_room(client, db_session, room, facilitator, make_user):
    login(client, facilitator)
    assert client.post(f"/stanze/{room.id}/chiudi", data={"reason": ""}).status_code == 422
    assert client.post(f"/stanze/{room.id}/chiudi", data={"reason": "Fine dell'incontro"}).status_code == 302
    db_session.refresh(room)
    assert room.is_locked and room.lock_reason == "Fine dell'incontro"
    login(client, make_user())
    response = client.get(page_url(room))
    assert "La stanza è in sola lettura. Motivo: Fine dell'incontro" in text_of(response)
    html = response.get_data(as_text=True)
    assert re.search(r'<fieldset id="room-fieldset"\s+disabled', html)
    login(client, facilitator)
    assert client.post(f"/stanze/{room.id}/chiudi", data={"reason": "Di nuovo"}).status_code == 422
    assert client.post(f"/stanze/{room.id}/riapri", data={"reason": "Si riparte"}).status_code == 302
    db_session.refresh(room)
    assert not room.is_locked


def test_moderators_see_the_controls_and_others_do_not(client, db_session, room, facilitator, make_user):
    author = make_user()
    message, = add_messages(db_session, room, [author], 1)
    login(client, make_user())
    html = client.get(page_url(room)).get_data(as_text=True)
    assert "/elimina" not in html and "/silenzia/" not in html and "/chiudi" not in html
    login(client, facilitator)
    html = client.get(page_url(room)).get_data(as_text=True)
    assert f"/stanze/{room.id}/messaggi/{message.id}/elimina" in html
    assert f"/stanze/{room.id}/silenzia/{author.id}" in html and f"/stanze/{room.id}/chiudi" in html
    assert 'id="room-moderation-template"' in html


# ---- working rooms -----------------------------------------------------------------------------

def test_a_facilitator_opens_a_working_room_with_members_by_email(client, db_session, lab, facilitator, make_user):
    member = make_user(email="Anna@Example.org")
    login(client, facilitator)
    assert client.get(f"/gestione/laboratori/{lab.id}/stanze/nuova").status_code == 200
    response = client.post(f"/gestione/laboratori/{lab.id}/stanze/nuova",
                           data={"title": "Gruppo orti", "members": " anna@example.org, nessuno@example.org"})
    assert response.status_code == 422
    assert "Nessun account registrato con questi indirizzi: nessuno@example.org" in text_of(response)
    response = client.post(f"/gestione/laboratori/{lab.id}/stanze/nuova",
                           data={"title": "Gruppo orti", "members": "anna@example.org,"})
    assert response.status_code == 302
    room = db_session.scalars(sa.select(queries.Room).filter_by(kind=RoomKind.LAB_WORKING)).one()
    assert room.title == "Gruppo orti" and room.lab_id == lab.id
    assert queries.member_ids_of(room) == {member.id}


def test_a_working_room_needs_a_title(client, lab, facilitator):
    login(client, facilitator)
    response = client.post(f"/gestione/laboratori/{lab.id}/stanze/nuova", data={"title": " ", "members": ""})
    assert response.status_code == 422


def test_only_the_labs_facilitators_open_working_rooms(client, lab, make_user, make_facilitator, make_lab):
    for user in (make_user(), make_facilitator(make_lab())):
        login(client, user)
        assert client.get(f"/gestione/laboratori/{lab.id}/stanze/nuova").status_code == 403
        assert client.post(f"/gestione/laboratori/{lab.id}/stanze/nuova", data={"title": "x"}).status_code == 403
    assert client.get("/gestione/laboratori/999999/stanze/nuova").status_code == 404


def test_a_working_room_is_for_its_members_only(in_request, client, db_session, lab, facilitator, make_user):
    member, outsider = make_user(), make_user()
    working = services.open_working_room(facilitator, lab, "Gruppo orti", [member.id])
    db_session.commit()
    lab_page = f"/citta/{lab.city.slug}/laboratori/{lab.slug}"
    for user, status in ((None, 404), (outsider, 404), (member, 200), (facilitator, 200)):
        if user is not None:
            login(client, user)
        assert client.get(page_url(working)).status_code == status
        assert client.post(f"/stanze/{working.id}/messaggi", data={"body": "Ciao"}).status_code == (
            302 if status == 200 else (302 if user is None else 404))
        assert ("Gruppo orti" in text_of(client.get(lab_page))) == (status == 200)
    assert db_session.scalar(sa.select(sa.func.count(Message.id)).filter_by(room_id=working.id)) == 2


# ---- my rooms, the header, links ---------------------------------------------------------------

def test_my_rooms_list_unread_counts_and_the_header_shows_their_total(
        in_request, client, db_session, room, make_user, make_lab, lab, facilitator):
    reader, writer = make_user(), make_user()
    other_room = queries.room_of(make_lab())
    services.mark_read(reader, room, 0)
    services.mark_read(reader, other_room, 0)
    working = services.open_working_room(facilitator, lab, "Gruppo orti", [reader.id])
    add_messages(db_session, room, [writer], 3)
    add_messages(db_session, other_room, [writer], 2)
    add_messages(db_session, working, [writer], 1)
    add_messages(db_session, queries.room_of(make_lab()), [writer], 4)  # not one of the reader's rooms
    login(client, reader)
    response = client.get("/stanze")
    page = text_of(response)
    assert response.status_code == 200
    assert "3 non letti" in page and "2 non letti" in page and "1 non letto" in page and "Gruppo orti" in page
    assert "Stanze, 6 messaggi non letti" in response.get_data(as_text=True)
    client.get(page_url(room))  # reading a room lowers the total
    assert "Stanze, 3 messaggi non letti" in client.get("/stanze").get_data(as_text=True)


def test_the_header_count_is_one_query(client, db_session, room, make_user, count_queries):
    reader = make_user()
    login(client, reader)
    client.get(page_url(room))
    add_messages(db_session, room, [make_user()], 3)
    with count_queries() as statements:
        client.get("/")
    assert len([s for s in statements if "room_messages" in s]) == 1


def test_my_rooms_leave_out_a_working_room_i_left(in_request, client, db_session, lab, facilitator, make_user):
    user = make_user()
    working = services.open_working_room(facilitator, lab, "Gruppo orti", [user.id])
    db_session.commit()
    login(client, user)
    client.get(page_url(working))
    db_session.execute(sa.delete(RoomMember).where(RoomMember.room_id == working.id))
    db_session.commit()
    assert "Gruppo orti" not in text_of(client.get("/stanze"))


def test_event_project_and_lab_pages_link_their_room_with_its_count(
        client, db_session, make_event, make_project, make_user, count_queries):
    event, project = make_event(), make_project()
    author = make_user()
    for subject, count in ((event, 2), (project, 1), (event.lab, 0)):
        add_messages(db_session, queries.room_of(subject), [author], count)
    pages = ((f"/eventi/{event.id}", event, "2 messaggi"), (f"/progetti/{project.code}", project, "1 messaggio"),
             (f"/citta/{event.lab.city.slug}/laboratori/{event.lab.slug}", event.lab, "0 messaggi"))
    for url, subject, count_text in pages:
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        assert f'href="/stanze/{queries.room_of(subject).id}"' in response.get_data(as_text=True)
        assert "Stanza di discussione" in text_of(response) and count_text in text_of(response), url
        assert len([s for s in statements if "FROM rooms" in s]) == 1, url


def test_the_room_page_links_what_it_is_beside(client, make_event):
    event = make_event(title="Orti urbani")
    response = client.get(page_url(queries.room_of(event)))
    assert f'<a href="/eventi/{event.id}">Orti urbani</a>' in response.get_data(as_text=True)
