"""The rules of events and registration: nobody overbooked, nobody loses a seat.

Every change to an event's seats happens under a lock on the event's row (SELECT ... FOR UPDATE
on PostgreSQL; on SQLite the writing request already holds the database's write lock, see
core/db.py), so the seat count read is the seat count written. A booking that joins the waiting
list of a full event changes no seats: on PostgreSQL it holds the row's share lock instead
(lock_event_for_booking), beside other such bookings but never beside a change of seats.
Services flush; the request boundary commits. Mails and notifications hang off the signals in
core/signals.py (mails are built after the commit).
"""
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from civiclab.accounts.identity_rule import GUEST_IDENTITY_NEEDED, IdentityRequired, ensure_identity
from civiclab.accounts.models import ParticipantType, User
from civiclab.core import signals
from civiclab.core.audit import audit
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.time import utcnow
from civiclab.events import permissions
from civiclab.events.models import (
    ACTIVE_STATES,
    Event,
    EventState,
    Registration,
    RegistrationState,
    new_registration_code,
)
from civiclab.events.registration_queries import waiting_position
from civiclab.events.stats import attendance_csv
from civiclab.extensions import db

SEAT_ALERT_LEVELS = (50, 80, 100)
# Fields whose change a registrant must hear about (and a calendar must pick up).
NOTIFIED_FIELDS = ("title", "starts_at", "ends_at", "is_online", "online_url", "lab_id")
EDITABLE_FIELDS = (
    "title", "description", "is_online", "online_url", "starts_at", "ends_at", "capacity",
    "registration_opens_at", "registration_closes_at", "max_seats_per_booking",
    "reminder_hours_before", "lab_id", "requires_identity",
)


# ---- locking -------------------------------------------------------------------------------

def lock_event(event_id):
    """The event, freshly read under a lock its seat changes are serialised on.

    One statement (the audience joined in): everything a booking does under the lock waits for the
    database in turn, so the lock is taken with as few round trips as possible after it.
    """
    query = (sa.select(Event).where(Event.id == event_id).options(joinedload(Event.audience_rows))
             .execution_options(populate_existing=True))
    if db.session.get_bind().dialect.name == "sqlite":
        # Takes the write lock if this transaction does not hold it yet (outside a request).
        db.session.execute(sa.update(Event).where(Event.id == event_id)
                           .values(confirmed_seats=Event.confirmed_seats))
    else:
        query = query.with_for_update(of=Event)
    return _locked(query)


def lock_event_for_booking(event, seats):
    """The event, locked for a booking of `seats`: exclusively when they may fit (lock_event),
    else, on PostgreSQL, with the row's share lock (SELECT ... FOR SHARE).

    A booking that will wait changes nothing of the event, so the bookings of a storm that go to
    the waiting list of a full event go through together instead of one by one; whatever changes
    seats (a confirmation, a cancellation and its promotions, an edit) takes the exclusive lock
    and waits for them, so the event stays full while they hold it. The seats are read once
    without a lock to choose: when, under the share lock, they fit after all (a seat was freed in
    between), the share lock is let go (its savepoint rolled back) and the exclusive one taken.
    The choice reads `event` as the request loaded it, a moment ago: no query of its own.
    """
    event_id = event.id
    if db.session.get_bind().dialect.name == "sqlite" or seats <= event.seats_left:
        return lock_event(event_id)
    shared = db.session.begin_nested()
    event = _locked(sa.select(Event).where(Event.id == event_id).options(joinedload(Event.audience_rows))
                    .execution_options(populate_existing=True).with_for_update(read=True, of=Event))
    if seats > event.seats_left:
        shared.commit()  # the savepoint is released; its lock stays with the transaction
        return event
    shared.rollback()
    return lock_event(event_id)


def _locked(query):
    event = db.session.scalars(query).unique().one_or_none()
    if event is None:
        raise DomainError(_l("Questo evento non esiste più."))
    return event


# ---- events --------------------------------------------------------------------------------

def _check_times(values):
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts and ends and ends <= starts:
        raise DomainError(_l("La fine deve essere dopo l'inizio."), field="ends_at")
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens and closes and closes <= opens:
        raise DomainError(_l("La chiusura delle iscrizioni deve essere dopo l'apertura."),
                          field="registration_closes_at")
    if closes and ends and closes > ends:
        raise DomainError(_l("Le iscrizioni non possono chiudere dopo la fine dell'evento."),
                          field="registration_closes_at")
    if values.get("is_online") and not values.get("online_url"):
        raise DomainError(_l("Un evento online ha bisogno del link per partecipare."), field="online_url")


def create_event(user, lab, values, audience=()):
    """A new draft event of `lab`; `values` holds the EDITABLE_FIELDS given by the form."""
    if not permissions.can_manage_lab_events(user, lab):
        raise NotAllowed(_l("Non puoi creare eventi per questo laboratorio."))
    values = {key: values[key] for key in EDITABLE_FIELDS if key in values and key != "lab_id"}
    _check_times(values)
    values["description"] = (values.get("description") or "").strip()
    event = Event(lab=lab, created_by=user, state=EventState.DRAFT, **values)
    event.audience = audience
    db.session.add(event)
    db.session.flush()
    audit(user, "event.created", event, city_id=lab.city_id, title=event.title)
    if event.requires_identity:
        _audit_identity_requirement(user, event)
    return event


def _audit_identity_requirement(user, event):
    """Who may book ("solo con SPID/CIE") is a decision the audit log keeps."""
    audit(user, "event.identity_requirement_changed", event, city_id=event.lab.city_id,
          required=bool(event.requires_identity))


def update_event(user, event, values, audience=None):
    """Change an event; registrants hear about changes to when, where and what."""
    if not permissions.can_manage_event(user, event):
        raise NotAllowed(_l("Non puoi modificare questo evento."))
    event = lock_event(event.id)
    if not event.is_editable:
        raise DomainError(_l("Un evento annullato o concluso non si modifica più."))
    values = {key: values[key] for key in EDITABLE_FIELDS if key in values}
    merged = {key: getattr(event, key) for key in EDITABLE_FIELDS} | values
    _check_times(merged)
    if "lab_id" in values and values["lab_id"] != event.lab_id:
        from civiclab.places.models import Lab

        new_lab = db.session.get(Lab, values["lab_id"])
        if new_lab is None or not permissions.can_manage_lab_events(user, new_lab):
            raise NotAllowed(_l("Non puoi spostare l'evento in quel laboratorio."))
    capacity = values.get("capacity", event.capacity)
    if capacity < event.confirmed_seats:
        raise DomainError(
            _l("Ci sono già %(n)s posti confermati: la capienza non può scendere sotto questo numero. "
               "Annulla prima qualche iscrizione.", n=event.confirmed_seats),
            field="capacity",
        )
    if "description" in values:
        values["description"] = (values["description"] or "").strip()
    changes = [key for key, value in values.items() if getattr(event, key) != value]
    for key in changes:
        setattr(event, key, values[key])
    if audience is not None and set(audience) != event.audience:
        event.audience = audience
        changes.append("audience")
    if not changes:
        return event
    if "requires_identity" in changes:
        _audit_identity_requirement(user, event)
    if any(key in NOTIFIED_FIELDS for key in changes):
        event.sequence += 1
    db.session.flush()
    audit(user, "event.edited", event, city_id=event.lab.city_id, title=event.title, fields=changes)
    if "capacity" in changes:
        promote_waiting(event)  # tells facilitators of the seats it fills, too
    notified = [key for key in changes if key in NOTIFIED_FIELDS]
    if notified and event.state is EventState.PUBLISHED:
        signals.event_changed.send(event, registrations=active_registrations(event), changes=notified)
    return event


def publish_event(user, event):
    if not permissions.can_manage_event(user, event):
        raise NotAllowed(_l("Non puoi pubblicare questo evento."))
    if event.has_ended():
        raise DomainError(_l("Un evento già concluso non si pubblica."))
    event.move_to(EventState.PUBLISHED)
    event.published_at = utcnow()
    db.session.flush()
    audit(user, "event.published", event, city_id=event.lab.city_id, title=event.title)
    signals.event_published.send(event)
    return event


def cancel_event(user, event, reason):
    """Cancel the event and every registration; everybody who was registered is told."""
    if not permissions.can_manage_event(user, event):
        raise NotAllowed(_l("Non puoi annullare questo evento."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Scrivi il motivo dell'annullamento: lo leggeranno gli iscritti."), field="reason")
    event = lock_event(event.id)
    was_public = event.state is EventState.PUBLISHED
    event.move_to(EventState.CANCELLED)
    event.cancel_reason = reason
    event.cancelled_at = utcnow()
    event.sequence += 1
    affected = active_registrations(event)
    for registration in affected:
        registration.move_to(RegistrationState.CANCELLED)
    event.confirmed_seats = 0
    db.session.flush()
    audit(user, "event.cancelled", event, city_id=event.lab.city_id, reason=reason, title=event.title,
          registrations_cancelled=len(affected))
    if was_public:
        signals.event_cancelled.send(event, registrations=affected)
    return event


def finish_past_events(now=None):
    """Mark published events that have ended as finished; returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        sa.update(Event).where(Event.state == EventState.PUBLISHED, Event.ends_at <= now)
        .values(state=EventState.FINISHED)
    )
    return result.rowcount


# ---- registration --------------------------------------------------------------------------

def active_registrations(event):
    return list(db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id,
                                      Registration.state.in_(ACTIVE_STATES))
        .order_by(Registration.id)
    ))


def active_registration_of(user, event):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id,
                                      Registration.state.in_(ACTIVE_STATES))
    )


def _unused_code(event_id):
    """A registration code nobody at the event holds, drawn before the event's lock is taken (one
    lookup in uq_registrations_event_code, not under the lock). Two bookings in flight drawing the
    same code (one chance in 32**8 for each pair) would meet that unique constraint."""
    while True:
        code = new_registration_code()
        taken = db.session.scalar(sa.select(Registration.id).where(Registration.event_id == event_id,
                                                                   Registration.code == code))
        if taken is None:
            return code


def _admit(event, registration, code):
    """Confirm `registration` if its seats fit, else put it on the waiting list (the caller holds
    the event's lock). A waiting one learns its place: registration.position_when_booked."""
    now = utcnow()
    registration.code = code
    registration.created_at = now
    # The waiting list's rule (promote_waiting) holds for newcomers too: whoever waits does not
    # fit in the free seats (else they would have been promoted), so a booking that fits takes
    # them, and one that does not fit waits at the back of the line.
    if registration.seats <= event.seats_left:
        registration.state = RegistrationState.CONFIRMED
        registration.confirmed_at = now
        event.confirmed_seats += registration.seats
        db.session.add(registration)
        db.session.flush()
        signals.registration_created.send(event, registration=registration)
        _check_seat_alerts(event)
        return registration
    registration.state = RegistrationState.WAITING
    # Under a share lock another booking of the same person may be in flight beside this one:
    # the partial unique indexes then refuse the second, which is told so (the savepoint keeps
    # the session usable for the answer).
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_l("Hai già un’iscrizione a questo evento.")) from None
    registration.position_when_booked = waiting_position(registration)
    signals.registration_created.send(event, registration=registration)
    return registration


class NotAdmitted(DomainError):
    """Who books is not among the people the event is reserved to (its audience): a rule about
    the person, not about the event's state (the API answers it 422, a full or closed event 409)."""


def group_organisations(user, event):
    """The organisations `user` may book a group for at `event` (none: one seat only)."""
    if event.max_seats_per_booking <= 1:
        return []
    return [membership.organisation for membership in user.verified_memberships]


def chosen_organisation(organisations, organisation_id=None):
    """Which of `organisations` (group_organisations) a booking is made for: the one whose id is
    `organisation_id`, else the only one there is, else None (book() then allows one seat)."""
    chosen = next((org for org in organisations if org.id == organisation_id), None)
    if chosen is None and len(organisations) == 1:
        return organisations[0]
    return chosen


def book(user, event, seats=1, group_name="", organisation=None):
    """Book `seats` for `user`: confirmed while seats remain, otherwise on the waiting list.

    One seat for a participant; a member of a verified organisation may book up to the event's
    per-booking maximum for a group, with the group's name (see admission_problem). A group books all its seats or
    waits for all of them: a class does not come in halves. An event that requires a verified
    identity (Event.requires_identity) refuses an account without one (IdentityRequired).
    """
    if not permissions.can_register(user):
        raise NotAllowed(_l("Accedi con un account confermato per iscriverti."))
    code = _unused_code(event.id)
    event = lock_event_for_booking(event, seats)
    problem = event.registration_problem()
    if problem:
        raise DomainError(problem)
    problem = admission_problem(event, user)
    if problem:
        raise NotAdmitted(problem)
    ensure_identity(user, event.requires_identity)
    group_name = (group_name or "").strip()
    if seats < 1:
        raise DomainError(_l("Prenota almeno un posto."), field="seats")
    if seats > 1:
        if organisation is None or organisation not in [m.organisation for m in user.verified_memberships]:
            if any(not m.organisation.is_verified for m in user.active_memberships):
                raise DomainError(_l("La tua organizzazione non è ancora verificata dal Comune: fino ad allora "
                                     "prenoti un posto solo, come singola persona."), field="seats")
            raise DomainError(_l("Solo chi agisce per un'organizzazione può prenotare più posti per un gruppo."),
                              field="seats")
        if seats > event.max_seats_per_booking:
            raise DomainError(_l("Per questo evento puoi prenotare al massimo %(n)s posti.",
                                 n=event.max_seats_per_booking), field="seats")
        if not group_name:
            raise DomainError(_l("Scrivi il nome del gruppo (per esempio «Classe 3B»)."), field="group_name")
    if seats > event.capacity:
        raise DomainError(_l("L'evento ha %(n)s posti in tutto.", n=event.capacity), field="seats")
    identity_hash = user.verified_identity.fiscal_hash if event.requires_identity else None
    held = _held_registrations(event, user, identity_hash)
    if any(r.user_id == user.id for r in held):
        raise DomainError(_l("Hai già un’iscrizione a questo evento."))
    if any(r.identity_hash == identity_hash for r in held if identity_hash):
        raise DomainError(_l("Questa identità SPID/CIE ha già un'iscrizione a questo evento con un altro account."))
    if held:
        raise DomainError(_l("Hai già un posto prenotato come ospite con il tuo indirizzo email: "
                             "lo trovi nel link della mail di conferma."))
    registration = Registration(
        event=event, user=user, seats=seats, group_name=group_name if seats > 1 else "",
        organisation=organisation if seats > 1 else None, participant_type=user.acting_type,
        identity_hash=identity_hash,
    )
    return _admit(event, registration, code)


def _held_registrations(event, user, identity_hash=None):
    """The active registrations of `event` that `user` holds with the account, as a guest with
    its address, or with its verified identity through another account (one query: it runs under
    the event's lock)."""
    whose = Registration.user_id == user.id
    if user.email:
        whose = sa.or_(whose, Registration.guest_email == guest_address(user.email))
    if identity_hash:
        whose = sa.or_(whose, Registration.identity_hash == identity_hash)
    return list(db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id, Registration.state.in_(ACTIVE_STATES), whose)))


def book_as_guest(event_id, name, email):
    """A guest's booking of one seat, made when the link in their mail is used; never for an event
    that requires a verified identity (a guest has none), even with a link mailed before it did."""
    code = _unused_code(event_id)
    event = lock_event(event_id)
    _check_open(event, ParticipantType.CITTADINO)
    if event.requires_identity:
        raise IdentityRequired(GUEST_IDENTITY_NEEDED)
    email = guest_address(email)
    already = _active_guest_registration(event, email)
    if already is not None:
        return already  # the same link used twice holds one seat
    problem = guest_limit_problem(event, email)
    if problem:
        raise DomainError(problem)
    account = db.session.scalar(sa.select(User).where(User.email == email))
    if account is not None and active_registration_of(account, event) is not None:
        # One person, one seat: the address's account already holds a booking.
        raise DomainError(_l("Questo indirizzo email ha già un'iscrizione a questo evento con il suo account."))
    registration = Registration(event=event, guest_name=name.strip(), guest_email=email, seats=1,
                                participant_type=ParticipantType.CITTADINO)
    return _admit(event, registration, code)


def _active_guest_registration(event, email):
    return db.session.scalar(
        sa.select(Registration).where(Registration.event_id == event.id,
                                      Registration.guest_email == guest_address(email),
                                      Registration.state.in_(ACTIVE_STATES))
    )


# ---- guests' limits ------------------------------------------------------------------------

def guest_address(email):
    """The address a guest is known by: lower-cased and without its +tag.

    mario+1@example.com and Mario@Example.com are mario@example.com: tags reach the same mailbox,
    so they must not multiply seats. Guest registrations store this form and every comparison
    goes through it; the partial unique index (one active guest registration per address and
    event) then holds for tagged addresses too. The booking mail goes to this address.
    """
    email = (email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    base = local.split("+", 1)[0]
    return f"{base or local}@{domain}"


def guest_seats_cap(event):
    """Seats guests may hold at `event`: GUEST_SEATS_SHARE of its capacity, at least one."""
    return max(1, int(event.capacity * current_app.config["GUEST_SEATS_SHARE"]))


def guest_limit_problem(event, email=None):
    """Why one more guest booking (by `email`, when given) is refused, or None.

    Guests book without an account, so nothing but their address stands behind a seat: guests
    together hold at most guest_seats_cap(event) seats of an event (confirmed or waiting), and
    one address holds at most GUEST_BOOKINGS_PER_ADDRESS upcoming guest bookings.
    """
    held = db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.user_id.is_(None),
            Registration.state.in_(ACTIVE_STATES)))
    if held >= guest_seats_cap(event):
        return _l("I posti per chi prenota senza account sono esauriti: registrati o accedi per prenotare.")
    if email:
        upcoming = db.session.scalar(
            sa.select(sa.func.count(Registration.id)).join(Event, Event.id == Registration.event_id).where(
                Registration.guest_email == guest_address(email), Registration.user_id.is_(None),
                Registration.state.in_(ACTIVE_STATES), Event.ends_at > utcnow()))
        if upcoming >= current_app.config["GUEST_BOOKINGS_PER_ADDRESS"]:
            return _l("Questo indirizzo ha già %(n)s prenotazioni come ospite per eventi futuri: per prenotarne "
                      "altre registrati con lo stesso indirizzo.", n=upcoming)
    return None


def _check_open(event, participant_type):
    problem = event.registration_problem()
    if problem:
        raise DomainError(problem)
    if not event.admits(participant_type):
        raise DomainError(_reserved_to(event))


def _reserved_to(event):
    admitted = ", ".join(str(t.label) for t in sorted(event.audience, key=lambda t: t.value))
    return _l("Questo evento è riservato a: %(who)s.", who=admitted)


def admission_problem(event, user):
    """Why `user` may not book `event` as who they are, or None.

    A user counts as their declared kind of organisation only through a verified one
    (User.acting_type): anyone may declare a school, so until the city's staff verified it its
    members book as individuals and events reserved to schools stay closed to them.
    """
    if event.admits(user.acting_type):
        return None
    if event.admits(user.participant_type):
        return _l("Questo evento è riservato a: %(who)s. La tua organizzazione non è ancora verificata dal "
                  "Comune: fino ad allora partecipi come singola persona.",
                  who=", ".join(str(t.label) for t in sorted(event.audience, key=lambda t: t.value)))
    return _reserved_to(event)


def cancel_registration(user, registration):
    """Cancel a booking (by its owner or who runs the event); freed seats go down the line."""
    if user is not None and not permissions.can_cancel_registration(user, registration):
        raise NotAllowed(_l("Non puoi annullare questa iscrizione."))
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    # Registration.can_be_cancelled, read under the lock, each half with its reason
    if not registration.is_active:
        raise DomainError(_l("Questa iscrizione è già annullata."))
    if event.has_started():
        raise DomainError(_l("L'evento è già iniziato: l'iscrizione non si può più annullare."))
    was_confirmed = registration.state is RegistrationState.CONFIRMED
    registration.move_to(RegistrationState.CANCELLED)
    if was_confirmed:
        event.confirmed_seats -= registration.seats
    db.session.flush()
    if user is not None and user.id != registration.user_id:  # who runs the event cancelled someone's booking
        audit(user, "registration.cancelled", registration, city_id=event.lab.city_id, event_id=event.id,
              seats=registration.seats)
    signals.registration_cancelled.send(event, registration=registration, by=user)
    promote_waiting(event)
    return registration


def cancel_guest_registration(registration):
    """A guest cancels through the signed link in their mail (no account to check)."""
    return cancel_registration(None, registration)


def promote_waiting(event):
    """Confirm waiting registrations in order of arrival while their seats fit.

    The rule (also in the README): the waiting list is walked in order; each booking that fits
    in the free seats is confirmed; a group that does not fit keeps its place and waits, and
    the smaller bookings behind it that fit are confirmed, so no seat stays empty while someone
    who fits is waiting. The caller holds the event's lock.
    """
    if event.state is not EventState.PUBLISHED or event.has_started():
        return []
    waiting = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id,
                                      Registration.state == RegistrationState.WAITING)
        .order_by(Registration.id)
    )
    promoted = []
    for registration in waiting:
        if event.seats_left == 0:
            break
        if registration.seats <= event.seats_left:
            registration.move_to(RegistrationState.CONFIRMED)
            event.confirmed_seats += registration.seats
            promoted.append(registration)
    db.session.flush()
    for registration in promoted:
        signals.registration_promoted.send(event, registration=registration)
    if promoted:
        _check_seat_alerts(event)
    return promoted


def _check_seat_alerts(event):
    """Tell facilitators once when the event reaches 50 %, 80 % and 100 % of its seats."""
    share = event.confirmed_seats * 100 // event.capacity
    reached = [level for level in SEAT_ALERT_LEVELS if share >= level > event.seats_alert_level]
    if reached:
        event.seats_alert_level = reached[-1]
        db.session.flush()
        signals.seats_threshold_reached.send(event, level=reached[-1])


# ---- at the door ---------------------------------------------------------------------------

def set_attended(user, registration, attended=True):
    if not permissions.can_check_in(user, registration.event):
        raise NotAllowed(_l("Non puoi registrare le presenze di questo evento."))
    if registration.state is not RegistrationState.CONFIRMED:
        raise DomainError(_l("Solo un'iscrizione confermata può essere segnata presente."))
    registration.attended_at = utcnow() if attended else None
    db.session.flush()
    return registration


def export_attendance(user, event):
    """The attendance sheet of `event` as CSV text, for whoever checks its attendees in; a
    download of personal data, so it is recorded in the audit log."""
    if not permissions.can_check_in(user, event):
        raise NotAllowed(_l("Non puoi scaricare le presenze di questo evento."))
    sheet = attendance_csv(event.id)
    audit(user, "event.attendance_exported", event, city_id=event.lab.city_id, title=event.title)
    return sheet
