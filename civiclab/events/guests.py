"""Guests: booking one seat without an account, through a link mailed to them, and finding those
bookings in their account once they make one.

Nothing is stored when a guest asks: the link itself carries the event, name and email, and the
seat is taken only when the link is opened and confirmed (services.book_as_guest). A link that
has expired was never holding anything, so it frees nothing either.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.accounts.identity_rule import GUEST_IDENTITY_NEEDED
from civiclab.accounts.models import ParticipantType
from civiclab.core.errors import DomainError
from civiclab.events import mails, services, tokens
from civiclab.events.models import ACTIVE_STATES, Event, EventState, Registration
from civiclab.extensions import db

GUEST_TYPE = ParticipantType.CITTADINO  # a guest books as a citizen


def guest_problem(event):
    """Why a guest cannot book this event now, or None."""
    problem = event.registration_problem()
    if problem:
        return problem
    if not event.admits(GUEST_TYPE):
        return _l("Questo evento è riservato ad alcuni tipi di partecipanti: accedi con il tuo account "
                  "per prenotare.")
    if event.requires_identity:  # "solo con SPID/CIE": a guest has no verified identity
        return GUEST_IDENTITY_NEEDED
    return services.guest_limit_problem(event)


def request_booking(event, name, email):
    """Mail `email` the link that books one seat for `name`; stores nothing."""
    problem = guest_problem(event)
    if problem:
        raise DomainError(problem)
    name = " ".join((name or "").split())
    email = services.guest_address(email)
    if not name or not email:
        raise DomainError(_l("Scrivi il tuo nome e il tuo indirizzo email."))
    problem = services.guest_limit_problem(event, email)
    if problem:
        raise DomainError(problem, field="email")
    return mails.send_guest_booking_link(event, name, email)


def booking_from_link(token):
    """(event, name, email) from a booking link, or a DomainError saying why it cannot be used.

    An expired link names its event when it can, so the page can send the guest back to it.
    """
    try:
        payload = tokens.read_booking_token(token)
    except tokens.TokenExpired as expired:
        raise LinkProblem(_l("Il link è scaduto e non ha prenotato nulla. Se ci sono ancora posti, "
                             "prenota di nuovo dalla pagina dell'evento."),
                          event=_event_or_none(expired.payload)) from None
    except tokens.TokenInvalid:
        raise LinkProblem(_l("Il link non è valido: controlla di averlo copiato per intero.")) from None
    event = db.session.get(Event, payload["event"])
    if event is None or event.state is EventState.DRAFT:
        raise LinkProblem(_l("Questo evento non esiste più."))
    return event, payload["name"], payload["email"]


def registration_from_link(token):
    """The registration a guest's own link names, or a LinkProblem."""
    try:
        payload = tokens.read_registration_token(token)
    except (tokens.TokenExpired, tokens.TokenInvalid):
        raise LinkProblem(_l("Il link non è valido o è scaduto.")) from None
    registration = db.session.get(Registration, payload["id"])
    if registration is None or registration.guest_email != payload["email"]:
        raise LinkProblem(_l("Il link non è valido o è scaduto."))
    return registration


class LinkProblem(DomainError):
    """A guest's link cannot be used; `event` is the event it was for, when known."""

    def __init__(self, message, event=None):
        super().__init__(message)
        self.event = event


def _event_or_none(payload):
    if isinstance(payload, dict) and isinstance(payload.get("event"), int):
        event = db.session.get(Event, payload["event"])
        if event is not None and event.state is not EventState.DRAFT:
            return event
    return None


def attach_guest_registrations(user):
    """Give `user` the bookings made as a guest with their (now confirmed) address.

    The guest's name and email stay on the registration (its history); a booking for an event
    the user is already registered for with the account stays a guest's, since one person holds
    one active registration per event. Returns the registrations attached.
    """
    if not user.email:
        return []
    guest_bookings = list(db.session.scalars(
        sa.select(Registration).where(Registration.guest_email == services.guest_address(user.email),
                                      Registration.user_id.is_(None)).order_by(Registration.id)
    ))
    if not guest_bookings:
        return []
    held = set(db.session.scalars(
        sa.select(Registration.event_id).where(Registration.user_id == user.id,
                                               Registration.state.in_(ACTIVE_STATES))
    ))
    attached = []
    for registration in guest_bookings:
        if registration.is_active and registration.event_id in held:
            continue
        try:
            with db.session.begin_nested():
                registration.user_id = user.id
                db.session.flush()
        except IntegrityError:  # the account booked the same event a moment ago
            db.session.refresh(registration)
            continue
        if registration.is_active:
            held.add(registration.event_id)
        attached.append(registration)
    return attached


def on_user_confirmed(user, **_extra):
    """A confirmed address finds in the account what its guest bookings hold (signals.user_confirmed)."""
    attach_guest_registrations(user)
