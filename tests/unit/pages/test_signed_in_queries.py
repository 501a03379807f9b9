"""Signed-in pages: the SQL statements of a page stay the same, and few, however much a person
has (notifications, rooms with unread messages, proposals waiting for moderation, comments), and
the header's counters are right on the very next page after each change, wherever it was made.

The counters are read from the database on every page (core/header.py: one statement for all of
them): nothing is cached between requests that a change could leave stale.
"""
import os
import re
from contextlib import ExitStack

import pytest
import sqlalchemy as sa

from civiclab.accounts.models import User
from civiclab.comments.models import Comment
from civiclab.core.time import utcnow
from civiclab.events.models import Event, EventState
from civiclab.notifications.models import Notification
from civiclab.outcomes.models import Outcome
from civiclab.places.models import Lab
from civiclab.programmes.models import Project
from civiclab.proposals.models import Call, Proposal, ProposalState
from civiclab.rooms.models import Message, Room, RoomKind, RoomMember, RoomRead
from tests.conftest import login, make_app, temporary_postgres_database

CITIZEN, FACILITATOR, STAFF = "cittadino@example.org", "facilitatore@example.org", "comune.bologna@example.org"
MOST_STATEMENTS = 20  # the heaviest signed-in page (a proposal with its comments, for a moderator)


def bell(page):
    """The unread notifications the header's bell says (its label has the exact number)."""
    found = re.search(r'aria-label="Notifiche, (\d+) non lett[ae]"', page.text)
    assert found or 'aria-label="Notifiche, nessuna non letta"' in page.text
    return int(found.group(1)) if found else 0


def rooms_badge(page):
    """The unread room messages beside "Stanze" in the header (its label has the exact number)."""
    found = re.search(r'aria-label="Stanze, (\d+) messaggi?o? non lett[oi]"', page.text)
    return int(found.group(1)) if found else 0


def moderation_badge(page):
    found = re.search(r"Moderazione \((\d+)\)", page.text)
    return int(found.group(1)) if found else 0


def person(db_session, email):
    return db_session.scalar(sa.select(User).filter_by(email=email))


def demo_pages(db_session):
    """The issue's signed-in pages, with ids from the demo data."""
    event = db_session.scalar(sa.select(Event).where(Event.state == EventState.PUBLISHED).order_by(Event.id).limit(1))
    proposal = commented_proposal(db_session)
    lab = db_session.scalars(sa.select(Lab).order_by(Lab.id).limit(1)).one()
    outcome = db_session.scalar(sa.select(Outcome.id).order_by(Outcome.id).limit(1))
    call = db_session.scalar(sa.select(Call.id).order_by(Call.id).limit(1))
    return ["/", "/eventi", f"/eventi/{event.id}", "/progetti/BO3.3.1.b", f"/proposte/{proposal.id}",
            f"/call/{call}", "/citta/bologna", f"/citta/{lab.city.slug}/laboratori/{lab.slug}",
            f"/risultati/{outcome}", "/account/eventi", "/notifiche", "/moderazione/proposte"]


def commented_proposal(db_session):
    return db_session.scalars(sa.select(Proposal).where(Proposal.published_at.is_not(None))
                              .order_by(Proposal.id).limit(1)).one()


def grow(db_session, people, n):
    """n more of everything a signed-in page or its header counts, for each of `people`: unread
    notifications, unread messages in n rooms they take part in, working rooms they belong to,
    proposals waiting in the first call and published ones, comments on a proposal and a project."""
    now = utcnow()
    writer = User(email=f"scrive{n}-{now.timestamp()}@example.org", display_name=f"Chi scrive {n}",
                  privacy_consent_at=now, email_confirmed_at=now)
    db_session.add(writer)
    db_session.flush()
    for user in people:
        db_session.add_all(Notification(user_id=user.id, kind="test", message=f"Avviso {k}") for k in range(n))
    rooms = db_session.scalars(sa.select(Room).order_by(Room.id).limit(n)).all()
    for room in rooms:
        db_session.add_all(Message(room_id=room.id, author_id=writer.id, body=f"Ciao {k}", body_html=f"<p>Ciao {k}</p>")
                           for k in range(n))
        for user in people:
            marker = sa.select(RoomRead).filter_by(room_id=room.id, user_id=user.id)
            if db_session.scalar(marker) is None:
                db_session.add(RoomRead(room_id=room.id, user_id=user.id, last_read_id=0))
            if room.kind is RoomKind.LAB_WORKING and db_session.scalar(
                    sa.select(RoomMember).filter_by(room_id=room.id, user_id=user.id)) is None:
                db_session.add(RoomMember(room_id=room.id, user_id=user.id))
    call = db_session.scalars(sa.select(Call).order_by(Call.id).limit(1)).one()
    for k in range(n):
        for state in (ProposalState.SUBMITTED, ProposalState.ACCEPTED):
            db_session.add(Proposal(call_id=call.id, author_id=writer.id, title=f"Idea {n}.{k}", body="Un'idea",
                                    body_html="<p>Un'idea</p>", state=state, submitted_at=now,
                                    published_at=now if state is ProposalState.ACCEPTED else None))
    proposal = commented_proposal(db_session)
    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.b"))
    for k in range(n):
        db_session.add(Comment(proposal_id=proposal.id, author_id=writer.id, body=f"Commento {k}",
                               body_html=f"<p>Commento {k}</p>"))
        db_session.add(Comment(project_id=project.id, author_id=writer.id, body=f"Commento {k}",
                               body_html=f"<p>Commento {k}</p>"))
    db_session.commit()


@pytest.mark.parametrize("email", [CITIZEN, FACILITATOR, STAFF])
def test_a_signed_in_page_makes_as_many_statements_with_much_more_data(
        client, demo, db_session, count_queries, email):
    people = [person(db_session, address) for address in (CITIZEN, FACILITATOR, STAFF)]
    pages = demo_pages(db_session)
    login(client, person(db_session, email))

    def statements():
        counted = {}
        for path in pages:
            with count_queries() as queries:
                status = client.get(path).status_code
            counted[path] = (status, len(queries))
        return counted

    grow(db_session, people, 1)  # a little of everything: every counter and list has something
    little = statements()
    grow(db_session, people, 20)
    much = statements()

    assert much == little
    assert all(status in (200, 403) for status, _ in little.values())
    assert max(count for _, count in little.values()) <= MOST_STATEMENTS, little


def test_the_header_costs_two_statements_at_most_whatever_the_person_has(
        client, demo, db_session, count_queries):
    """The session with its user and roles, then every counter in one statement (a second only
    when unread room messages need their rooms checked)."""
    citizen = person(db_session, CITIZEN)
    login(client, citizen)
    with count_queries() as bare:
        client.get("/privacy")
    grow(db_session, [citizen], 20)
    with count_queries() as grown:
        page = client.get("/privacy")

    assert bell(page) >= 20 and rooms_badge(page) >= 20
    assert len(bare) <= 3 and len(grown) <= 3


# ---- the counters are right at once ---------------------------------------------------------

def test_a_new_notification_counts_on_the_next_page_and_reading_it_lowers_the_count(client, demo, db_session):
    from civiclab.notifications.services import notify

    citizen = person(db_session, CITIZEN)
    login(client, citizen)
    before = bell(client.get("/"))
    notification = notify(citizen, "test", "Una novità", url="/eventi")
    db_session.commit()
    assert bell(client.get("/")) == before + 1

    assert client.get(f"/notifiche/{notification.id}/apri").status_code == 302  # read on the way
    assert bell(client.get("/")) == before

    client.post("/notifiche/lette")
    assert bell(client.get("/")) == 0


def test_the_moderation_count_follows_each_submission_and_decision(client, demo, db_session):
    facilitator = person(db_session, FACILITATOR)
    login(client, facilitator)
    before = moderation_badge(client.get("/"))
    waiting = db_session.scalars(sa.select(Proposal).where(Proposal.state == ProposalState.SUBMITTED)
                                 .order_by(Proposal.id)).all()
    assert len(waiting) == before > 0

    waiting[0].state = ProposalState.ACCEPTED
    db_session.commit()
    assert moderation_badge(client.get("/")) == before - 1

    waiting[0].state = ProposalState.SUBMITTED
    db_session.commit()
    assert moderation_badge(client.get("/")) == before


def test_a_citizen_sees_no_moderation_count(client, demo, db_session):
    login(client, person(db_session, CITIZEN))
    assert "Moderazione" not in client.get("/").text


def test_unread_room_messages_count_on_the_next_page_and_reading_the_room_clears_them(client, demo, db_session):
    citizen = person(db_session, CITIZEN)
    login(client, citizen)
    room = db_session.scalars(sa.select(Room).where(Room.kind == RoomKind.LAB).order_by(Room.id).limit(1)).one()
    client.get(f"/stanze/{room.id}")  # read up to now
    before = rooms_badge(client.get("/"))
    writer = person(db_session, STAFF)
    db_session.add_all(Message(room_id=room.id, author_id=writer.id, body=f"Nuovo {k}", body_html=f"<p>Nuovo {k}</p>")
                       for k in range(3))
    db_session.commit()
    assert rooms_badge(client.get("/")) == before + 3

    client.get(f"/stanze/{room.id}")
    assert rooms_badge(client.get("/")) == before


def test_unread_messages_of_a_room_one_may_no_longer_read_do_not_count(client, demo, db_session, make_user):
    """A read marker outlives a working room's membership: its messages stop counting at once."""
    citizen = person(db_session, CITIZEN)
    login(client, citizen)
    working = db_session.scalars(sa.select(Room).where(Room.kind == RoomKind.LAB_WORKING).order_by(Room.id)).first()
    if working is None:
        lab = db_session.scalars(sa.select(Lab).order_by(Lab.id).limit(1)).one()
        working = Room(kind=RoomKind.LAB_WORKING, lab_id=lab.id, title="Gruppo di lavoro")
        db_session.add(working)
        db_session.flush()
    membership = db_session.scalar(sa.select(RoomMember).filter_by(room_id=working.id, user_id=citizen.id))
    if membership is None:
        membership = RoomMember(room_id=working.id, user_id=citizen.id)
        db_session.add(membership)
    if db_session.scalar(sa.select(RoomRead).filter_by(room_id=working.id, user_id=citizen.id)) is None:
        db_session.add(RoomRead(room_id=working.id, user_id=citizen.id, last_read_id=0))
    db_session.commit()
    client.get(f"/stanze/{working.id}")
    before = rooms_badge(client.get("/"))
    writer = person(db_session, FACILITATOR)
    db_session.add(Message(room_id=working.id, author_id=writer.id, body="Solo per il gruppo", body_html="<p>Solo</p>"))
    db_session.commit()
    assert rooms_badge(client.get("/")) == before + 1

    db_session.delete(membership)
    db_session.commit()
    assert rooms_badge(client.get("/")) == before


# ---- a change made elsewhere (another connection, as another process would) -----------------

@pytest.fixture
def own_database(tmp_path):
    """An app on a database of its own (of the suite's kind), with no transaction around the
    test: a second engine writes to it and commits, as another process would."""
    from civiclab.extensions import db

    with ExitStack() as stack:
        if os.environ.get("CIVICLAB_TEST_DB") == "postgres":
            url = stack.enter_context(temporary_postgres_database())
        else:
            url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
        app = make_app(url)
        other = sa.create_engine(url)
        with app.app_context():
            yield app, other
            db.session.remove()
            db.engine.dispose()
        other.dispose()


def test_counts_changed_through_another_connection_show_on_the_next_page(own_database):
    from civiclab.extensions import db
    from civiclab.places.models import City

    app, other = own_database
    now = utcnow()
    reader = User(email="lettrice@example.org", display_name="Lettrice", privacy_consent_at=now, email_confirmed_at=now)
    writer = User(email="scrittore@example.org", display_name="Scrittore", privacy_consent_at=now, email_confirmed_at=now)
    city = City(name="Parma", slug="parma", region="Emilia-Romagna")
    lab = Lab(city=city, name="Laboratorio di Parma", slug="laboratorio-parma")
    db.session.add_all([reader, writer, city, lab])
    db.session.commit()
    room_id = db.session.scalar(sa.select(Room.id).where(Room.lab_id == lab.id, Room.kind == RoomKind.LAB))
    reader_id, writer_id = reader.id, writer.id
    client = app.test_client()
    login(client, reader)
    assert (bell(client.get("/")), rooms_badge(client.get("/"))) == (0, 0)

    with other.begin() as conn:
        conn.execute(sa.insert(Notification.__table__), [
            {"user_id": reader_id, "kind": "test", "message": "Da altrove", "detail": "", "url": "",
             "created_at": now}])
        conn.execute(sa.insert(RoomRead.__table__), [
            {"room_id": room_id, "user_id": reader_id, "last_read_id": 0, "updated_at": now}])
        conn.execute(sa.insert(Message.__table__), [
            {"room_id": room_id, "author_id": writer_id, "body": "Ciao", "body_html": "<p>Ciao</p>",
             "created_at": now}])
    page = client.get("/")
    assert (bell(page), rooms_badge(page)) == (1, 1)

    with other.begin() as conn:
        conn.execute(sa.update(Notification.__table__).values(read_at=now))
    assert bell(client.get("/")) == 0


def test_a_session_ended_through_another_connection_is_refused_on_the_next_request(own_database):
    from civiclab.accounts.models import UserSession
    from civiclab.extensions import db

    app, other = own_database
    now = utcnow()
    user = User(email="persona@example.org", display_name="Persona", privacy_consent_at=now, email_confirmed_at=now)
    db.session.add(user)
    db.session.commit()
    client = app.test_client()
    login(client, user)
    assert client.get("/notifiche").status_code == 200

    with other.begin() as conn:
        conn.execute(sa.update(UserSession.__table__).values(revoked_at=now))
    response = client.get("/notifiche")
    assert response.status_code == 302 and "/account/accedi" in response.headers["Location"]


def test_the_rooms_anyone_reads_are_those_a_visitor_may_read(demo, db_session):
    """The header counts the unread messages of these rooms without asking can_read_room room by
    room: the SQL must say yes exactly where can_read_room says yes to anybody (a visitor)."""
    from flask_login import AnonymousUserMixin

    from civiclab.rooms.permissions import can_read_room, readable_by_anyone_clause

    event = db_session.scalars(sa.select(Event).where(Event.state == EventState.PUBLISHED).order_by(Event.id)).first()
    draft = db_session.scalars(sa.select(Event).where(Event.id != event.id).order_by(Event.id)).first()
    draft.state = EventState.DRAFT
    db_session.scalar(sa.select(Room).filter_by(event_id=event.id)).participants_only = True
    project = db_session.scalar(sa.select(Project).filter_by(code="BO3.3.1.b"))
    project.published = False
    lab = db_session.scalars(sa.select(Lab).order_by(Lab.id).limit(1)).one()
    db_session.add(Room(kind=RoomKind.LAB_WORKING, lab_id=lab.id, title="Gruppo di lavoro"))
    db_session.flush()

    rooms = db_session.scalars(sa.select(Room)).all()
    anyone = set(db_session.scalars(sa.select(Room.id).where(readable_by_anyone_clause())))
    visitor = AnonymousUserMixin()
    assert {room.kind for room in rooms} == set(RoomKind)
    assert anyone == {room.id for room in rooms if can_read_room(visitor, room)}
    assert {room.id for room in rooms} - anyone  # some rooms are asked one by one
