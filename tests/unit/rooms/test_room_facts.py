"""A connection's messages are checked against facts kept for it (rooms/facts.py): each change to
those facts refuses the connected client's very next message (and the change undone lets the next
one through), while a message that follows a message costs one INSERT.

Each test first sends a message, so the facts are kept, then changes one of them and commits, as
a moderator's request would, in this process (across processes: tests/integration/test_rooms_facts_redis.py).
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.accounts.models import User, UserSession
from civiclab.core.time import utcnow
from civiclab.events import services as events
from civiclab.events.models import Event, EventState, Registration, RegistrationState
from civiclab.extensions import db
from civiclab.places.models import Lab, LabFacilitator
from civiclab.rooms import facts, queries, services
from civiclab.rooms.models import Message, Room, RoomMute

NS = "/rooms"
_keys = iter(range(10**6))


def say(client, room_id, body="Ciao"):
    """Send a new message; its acknowledgement."""
    return client.emit("message", {"room": room_id, "body": body, "key": f"f-{next(_keys)}"},
                       namespace=NS, callback=True)


def refused_with(ack):
    return None if ack.get("ok") else ack["error"]["code"]


def stored(db_session, room_id):
    return db_session.scalar(sa.select(sa.func.count(Message.id)).where(Message.room_id == room_id))


@pytest.fixture
def writer(connect, lab_room, make_user):
    """A confirmed user connected to a lab's public room, one message sent (facts now kept)."""
    room_id, lab = lab_room
    user = make_user()
    client = connect(user)
    assert say(client, room_id)["ok"]
    return client, user.id, room_id, lab


def test_every_table_is_either_watched_or_known_unrelated():
    tables = set(db.metadata.tables)
    assert tables - facts.WATCHED - facts.UNRELATED == set()
    assert facts.WATCHED & facts.UNRELATED == set()


def test_a_message_after_the_first_is_one_insert(writer, count_queries):
    client, _user_id, room_id, _lab = writer
    counts = []
    for _ in range(3):
        with count_queries() as statements:
            assert say(client, room_id)["ok"]
        counts.append(len(statements))
    assert counts == [1, 1, 1]
    assert statements[0].lstrip().upper().startswith("INSERT")


def test_a_change_elsewhere_keeps_the_facts(writer, make_user, make_lab, db_session, count_queries):
    client, _user_id, room_id, _lab = writer
    make_user()  # a new account
    db_session.add(Message(room_id=room_id, author_id=make_user().id, body="x", body_html="x"))
    db_session.commit()  # another's message: not a fact of this connection
    with count_queries() as statements:
        assert say(client, room_id)["ok"]
    assert len(statements) == 1


def test_a_mute_refuses_the_next_message_and_its_end_lets_the_next_through(
        in_request, writer, make_facilitator, fresh, db_session):
    client, user_id, room_id, lab = writer
    mute = services.mute_user(make_facilitator(lab), fresh(Room, room_id), fresh(User, user_id), 10, "Toni")
    db_session.commit()
    mute_id = mute.id

    assert refused_with(say(client, room_id)) == "muted"

    fresh(RoomMute, mute_id).lifted_at = utcnow()
    db_session.commit()
    assert say(client, room_id)["ok"]


def test_a_mute_ends_by_itself_when_its_time_is_up(in_request, writer, make_facilitator, fresh, db_session,
                                                    monkeypatch):
    client, user_id, room_id, lab = writer
    services.mute_user(make_facilitator(lab), fresh(Room, room_id), fresh(User, user_id), 10, "Toni")
    db_session.commit()
    assert refused_with(say(client, room_id)) == "muted"

    later = utcnow() + timedelta(minutes=11)  # nothing committed: the kept facts' own deadline
    for module in ("civiclab.rooms.sockets", "civiclab.rooms.queries"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    assert say(client, room_id)["ok"]


def test_locking_refuses_the_next_message_and_reopening_lets_it_through(
        in_request, writer, make_facilitator, fresh, db_session):
    client, _user_id, room_id, lab = writer
    facilitator_id = make_facilitator(lab).id
    services.set_locked(fresh(User, facilitator_id), fresh(Room, room_id), True, "Pausa")
    db_session.commit()
    assert refused_with(say(client, room_id)) == "locked"

    services.set_locked(fresh(User, facilitator_id), fresh(Room, room_id), False, "Si riprende")
    db_session.commit()
    assert say(client, room_id)["ok"]


def test_a_rolled_back_lock_changes_nothing(in_request, connect, lab_room, make_user, make_facilitator, fresh,
                                            db_session, count_queries):
    room_id, lab = lab_room
    facilitator_id = make_facilitator(lab).id
    client = connect(make_user())
    assert say(client, room_id)["ok"]
    services.set_locked(fresh(User, facilitator_id), fresh(Room, room_id), True, "Pausa")
    db_session.rollback()
    with count_queries() as statements:
        assert say(client, room_id)["ok"]
    assert len(statements) == 1  # nothing was committed: the facts are still the kept ones


def test_a_removed_facilitator_no_longer_writes_in_a_locked_room_and_a_reappointed_one_does(
        in_request, connect, lab_room, make_facilitator, make_user, fresh, db_session):
    from civiclab.places import services as places

    room_id, lab = lab_room
    admin_id = make_user(is_admin=True).id
    facilitator = make_facilitator(lab)
    facilitator_id, email, lab_id = facilitator.id, facilitator.email, lab.id
    services.set_locked(facilitator, fresh(Room, room_id), True, "Solo annunci")
    db_session.commit()
    client = connect(fresh(User, facilitator_id))
    assert say(client, room_id)["ok"]  # who moderates writes in a locked room

    places.remove_facilitator(fresh(Lab, lab_id), facilitator_id, fresh(User, admin_id))
    db_session.commit()
    assert refused_with(say(client, room_id)) == "locked"

    places.appoint_facilitator(fresh(Lab, lab_id), email, fresh(User, admin_id))
    db_session.commit()
    assert say(client, room_id)["ok"]


def test_a_block_refuses_and_disconnects_even_without_its_signal(writer, db_session):
    client, user_id, room_id, _lab = writer
    db_session.add(UserBlock(user_id=user_id, reason="Spam"))  # no signal: only the check
    db_session.commit()
    ack = say(client, room_id)
    assert refused_with(ack) == "blocked" and not client.is_connected(NS)


def test_a_lifted_block_lets_a_new_connection_write(in_request, connect, writer, make_user, fresh, db_session):
    from civiclab.moderation.services import block_user, lift_block

    client, user_id, room_id, _lab = writer
    admin_id = make_user(is_admin=True).id
    block = block_user(fresh(User, admin_id), fresh(User, user_id), "Spam")
    db_session.commit()
    block_id = block.id
    assert not client.is_connected(NS)
    lift_block(fresh(User, admin_id), fresh(UserBlock, block_id), "Chiarito")
    db_session.commit()
    # The block ended every session: the person signs in again and writes.
    assert say(connect(fresh(User, user_id)), room_id)["ok"]


def test_an_ended_session_refuses_the_next_message_even_without_its_signal(writer, db_session):
    client, user_id, room_id, _lab = writer
    db_session.execute(sa.update(UserSession).where(UserSession.user_id == user_id).values(revoked_at=utcnow()))
    db_session.commit()
    ack = say(client, room_id)
    assert refused_with(ack) == "unauthenticated" and not client.is_connected(NS)


@pytest.mark.parametrize("change", ["deleted", "unconfirmed"])
def test_an_account_deleted_or_unconfirmed_since_refuses_the_next_message(writer, fresh, db_session, change):
    client, user_id, room_id, _lab = writer
    user = fresh(User, user_id)
    if change == "deleted":
        user.deleted_at = utcnow()
    else:
        user.email_confirmed_at = None
    db_session.commit()
    assert refused_with(say(client, room_id)) in {"unauthenticated", "forbidden"}


def test_a_deleted_room_refuses_the_next_message(writer, fresh, db_session):
    client, _user_id, room_id, _lab = writer
    db_session.execute(sa.delete(Message).where(Message.room_id == room_id))
    db_session.delete(fresh(Room, room_id))
    db_session.commit()
    assert refused_with(say(client, room_id)) == "forbidden"


@pytest.fixture
def event_room(connect, make_event, make_user, db_session):
    """An event with one seat: a confirmed participant and one waiting, both connected and each
    having written once (the waiting one refused)."""
    event = make_event(capacity=1)
    first, second = make_user(), make_user()
    for user, state in ((first, RegistrationState.CONFIRMED), (second, RegistrationState.WAITING)):
        db_session.add(Registration(event_id=event.id, user_id=user.id, participant_type=user.participant_type,
                                    state=state))
    event.confirmed_seats = 1
    db_session.commit()
    event_id, first_id, second_id, room_id = event.id, first.id, second.id, queries.room_of(event).id
    confirmed, waiting = connect(first), connect(second)
    assert say(confirmed, room_id)["ok"]
    assert refused_with(say(waiting, room_id)) == "forbidden"
    return event_id, room_id, (first_id, confirmed), (second_id, waiting)


def test_a_cancelled_registration_refuses_and_a_promoted_one_writes(in_request, event_room, fresh, db_session):
    event_id, room_id, (first_id, confirmed), (_second_id, waiting) = event_room
    registration = db_session.scalar(sa.select(Registration).filter_by(event_id=event_id, user_id=first_id))
    events.cancel_registration(fresh(User, first_id), registration)  # the waiting one is promoted
    db_session.commit()

    assert refused_with(say(confirmed, room_id)) == "forbidden"
    assert say(waiting, room_id)["ok"]


def test_an_event_back_to_draft_refuses_its_room(event_room, fresh, db_session):
    event_id, room_id, (_first_id, confirmed), _waiting = event_room
    fresh(Event, event_id).state = EventState.DRAFT
    db_session.commit()
    assert refused_with(say(confirmed, room_id)) == "forbidden"


def test_a_working_room_member_removed_is_refused(in_request, connect, make_lab, make_facilitator, make_user,
                                                 fresh, db_session):
    from civiclab.rooms.models import RoomMember

    lab = make_lab()
    member = make_user()
    member_id = member.id
    room = services.open_working_room(make_facilitator(lab), lab, "Gruppo", [member_id])
    db_session.commit()
    room_id = room.id
    client = connect(fresh(User, member_id))
    assert say(client, room_id)["ok"]

    db_session.execute(sa.delete(RoomMember).where(RoomMember.room_id == room_id))
    db_session.commit()
    assert refused_with(say(client, room_id)) == "forbidden"


def test_typing_is_checked_against_the_same_facts(in_request, writer, make_facilitator, fresh, db_session):
    client, user_id, room_id, lab = writer
    services.mute_user(make_facilitator(lab), fresh(Room, room_id), fresh(User, user_id), 10, "Toni")
    db_session.commit()
    ack = client.emit("typing", {"room": room_id}, namespace=NS, callback=True)
    assert refused_with(ack) == "muted"


def test_a_removed_facilitator_role_bumps_the_version(app, in_request, make_lab, make_facilitator, db_session):
    lab = make_lab()
    facilitator = make_facilitator(lab)
    before = app.extensions["civiclab_rooms_facts"].current()
    db_session.execute(sa.delete(LabFacilitator).where(LabFacilitator.user_id == facilitator.id))  # bulk
    db_session.commit()
    assert app.extensions["civiclab_rooms_facts"].current() != before


def test_a_session_used_again_does_not_bump_the_version(app, make_user, db_session, fresh):
    user = make_user()
    db_session.add(UserSession(user_id=user.id, key_hash="h" * 64, user_agent="", ip_address=""))
    db_session.commit()
    before = app.extensions["civiclab_rooms_facts"].current()
    row = db_session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
    row.last_seen_at = utcnow()  # what the user loader records every few minutes
    db_session.commit()
    assert app.extensions["civiclab_rooms_facts"].current() == before
