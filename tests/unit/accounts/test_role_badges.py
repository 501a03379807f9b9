"""Beside the names of who writes, a badge says who speaks for an institution: Amministrazione,
Comune, Facilitazione (one macro, ui.author, on comments, proposals and room messages); a
participant, however their name reads, has none."""
import re

import pytest

from civiclab.core.sanitize import render_markdown
from tests.conftest import login


def badges_beside(html, name):
    """The role badges right after `name` in the page."""
    return re.findall(re.escape(name) + r'\s*<span class="badge bg-primary cl-role-badge">'
                      r'<span class="visually-hidden">\(</span>([^<]+)<', html)


@pytest.fixture
def people(make_user, make_staff, make_facilitator, make_lab):
    lab = make_lab()
    return {
        "admin": make_user(is_admin=True, display_name="Ada Rete"),
        "staff": make_staff(lab.city, display_name="Sara Ufficio"),
        "facilitator": make_facilitator(lab, display_name="Fabio Lab"),
        "participant": make_user(display_name="Comune di Bolonga"),
        "lab": lab,
    }


def test_comments_show_the_role_badge_of_their_author(client, db_session, people, make_project):
    from civiclab.comments.models import Comment

    project = make_project(city=people["lab"].city, published=True)
    for key in ("admin", "staff", "facilitator", "participant"):
        db_session.add(Comment(project=project, author=people[key], body=key, body_html=f"<p>{key}</p>"))
    db_session.commit()

    page = client.get(f"/progetti/{project.code}").text

    assert badges_beside(page, "Ada Rete") == ["Amministrazione"]
    assert badges_beside(page, "Sara Ufficio") == ["Comune"]
    assert badges_beside(page, "Fabio Lab") == ["Facilitazione"]
    assert badges_beside(page, "Comune di Bolonga") == []


def test_a_proposal_shows_its_author_s_badge_on_its_page_and_in_lists(client, db_session, people, make_call,
                                                                       make_proposal):
    call = make_call()
    by_staff = make_proposal(call=call, author=people["staff"], title="Piazza viva")
    by_participant = make_proposal(call=call, author=people["participant"], title="Orti urbani")

    assert badges_beside(client.get(f"/proposte/{by_staff.id}").text, "Sara Ufficio") == ["Comune"]
    assert badges_beside(client.get(f"/proposte/{by_participant.id}").text, "Comune di Bolonga") == []
    listing = client.get(f"/call/{call.id}").text
    assert badges_beside(listing, "Sara Ufficio") == ["Comune"]


def test_room_messages_show_the_role_badge_of_their_author(client, db_session, people):
    from civiclab.rooms.models import Message
    from civiclab.rooms.queries import room_of

    room = room_of(people["lab"])
    for key in ("facilitator", "participant"):
        db_session.add(Message(room=room, author=people[key], body=key, body_html=render_markdown(key)))
    db_session.commit()
    login(client, people["participant"])

    page = client.get(f"/stanze/{room.id}").text

    assert badges_beside(page, "Fabio Lab") == ["Facilitazione"]
    assert badges_beside(page, "Comune di Bolonga") == []


def test_a_deleted_account_has_no_badge(make_user):
    from civiclab.core.time import utcnow

    gone = make_user(is_admin=True)
    gone.deleted_at = utcnow()
    assert gone.role_badge is None
