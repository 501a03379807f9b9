"""Blinker signals services emit; notifications, sockets and the audit log listen."""
from blinker import Namespace

signals = Namespace()

user_registered = signals.signal("user-registered")
user_confirmed = signals.signal("user-confirmed")
user_deleted = signals.signal("user-deleted")
sessions_revoked = signals.signal("sessions-revoked")  # session_ids=[...] (sender: their user)
# a password reset or changed, or "sign out everywhere": whatever else signs in as the user goes too
credentials_reset = signals.signal("credentials-reset")  # (sender: the user)
membership_requested = signals.signal("membership-requested")
membership_approved = signals.signal("membership-approved")
project_saved = signals.signal("project-saved")
lab_saved = signals.signal("lab-saved")
# events: every one is sent with the event as sender and keyword arguments
event_published = signals.signal("event-published")
event_changed = signals.signal("event-changed")  # registrations=[...], changes=[field names]
event_cancelled = signals.signal("event-cancelled")  # registrations=[...] (those that were active)
registration_created = signals.signal("registration-created")  # registration= (confirmed or waiting)
registration_promoted = signals.signal("registration-promoted")  # registration=
registration_cancelled = signals.signal("registration-cancelled")  # registration=, by=
seats_threshold_reached = signals.signal("seats-threshold-reached")  # level=50|80|100
# co-design: sent with the proposal / comment as sender
proposal_state_changed = signals.signal("proposal-state-changed")  # transition=
comment_posted = signals.signal("comment-posted")  # (sender: the comment)
user_blocked = signals.signal("user-blocked")  # block= (sender: the blocked user)
# outcomes: sent with the outcome as sender
# changes={"status": (old label, new label), "progress": (old, new)}: only what changed
outcome_changed = signals.signal("outcome-changed")  # actor=, changes=
milestone_reached = signals.signal("milestone-reached")  # milestone=, actor=
# programmes
financial_snapshot_added = signals.signal("financial-snapshot-added")  # snapshot= (sender: the project)
# rooms: sent with the room as sender
room_message_posted = signals.signal("room-message-posted")  # message=, author= (sender: the room, or its id)
room_message_deleted = signals.signal("room-message-deleted")  # message=
room_locked = signals.signal("room-locked")  # locked=True|False, reason=
room_user_muted = signals.signal("room-user-muted")  # mute=
# the audit log: every staff, facilitator and administrator action (sent by core/audit.py's audit())
audited = signals.signal("audited")  # action=, subject_type=, subject_id=, city_id=, reason=, details= (sender: the actor)


def connect_listeners(listeners):
    """Connect each (signal, listener) pair; a domain's connect() wires its listeners with it.

    Blinker keeps one connection per listener (a module's function, held for good), so a second
    app made in the same process (tests make many) connects nothing twice.
    """
    for signal, listener in listeners:
        signal.connect(listener)
