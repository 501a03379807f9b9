"""Events, as the public events pages list and show them, and booking a seat with a token: the
same loaders, the same booking service under the same lock, the same rules as the event page."""
from contextlib import contextmanager
from typing import Literal

from flask import url_for
from flask_babel import lazy_gettext as _l

from civiclab.accounts.models import ParticipantType
from civiclab.api.errors import ApiError, not_found
from civiclab.api.paging import api_page
from civiclab.api.schemas import Day, Id, Input, Line, Page, Query, Schema, datetime, field
from civiclab.api.spec import operation
from civiclab.core.pagination import Key
from civiclab.core.time import to_rome
from civiclab.events import permissions, services
from civiclab.events.models import Event
from civiclab.events.queries import (
    PUBLIC_STATES,
    EventFilters,
    events_select,
    load_event,
    load_registration,
)
from civiclab.events.registration_queries import waiting_position

# ---- what an event and a registration look like -------------------------------------------------


class EventLabOut(Schema):
    id: int = field("Identificativo", "The lab's id.")
    slug: str = field("Indirizzo", "The lab's name in addresses, within its city.")
    name: str = field("Laboratorio", "The lab's name.")


class EventCityOut(Schema):
    id: int = field("Identificativo", "The city's id.")
    slug: str = field("Indirizzo", "The city's name in addresses (the `city` filter).")
    name: str = field("Città", "The city's name.")


class EventOut(Schema):
    id: int = field("Identificativo", "The event's id.")
    title: str = field("Titolo", "The event's title.")
    description: str = field("Descrizione", "What the event is about, in Markdown as its organisers wrote it.")
    url: str = field("Pagina", "The event's page on the site (a path).")
    lab: EventLabOut = field("Laboratorio", "The lab that holds the event.")
    city: EventCityOut = field("Città", "The lab's city.")
    starts_at: datetime = field("Inizio", "When it starts (ISO 8601, on Rome's clock with its UTC offset).")
    ends_at: datetime = field("Fine", "When it ends (ISO 8601, on Rome's clock with its UTC offset).")
    is_online: bool = field("Online", "Held online; the link is given to confirmed registrations only.")
    state: Literal["published", "cancelled", "finished"] = field(
        "Stato", "published (upcoming or under way), cancelled (the page shows it, with its reason) or "
        "finished (over).")
    cancel_reason: str = field("Motivo dell'annullamento", "Why it was cancelled; empty otherwise.")
    seats_total: int = field("Posti", "The event's seats in all.")
    seats_left: int | None = field("Posti liberi", "Seats not yet confirmed to anyone (0: full, new bookings join "
                                   "the waiting list); null when cancelled or over, as the page shows none.")
    audience: list[ParticipantType] = field("Riservato a", "The kinds of participant who may book; empty: open to "
                                            "everybody.")
    max_seats_per_booking: int = field("Posti per prenotazione", "How many seats a school or an organisation may "
                                       "book for a group at once (a person books one).")
    registration_open: bool = field("Iscrizioni aperte", "Whether bookings are taken now.")
    registration_problem: str | None = field("Iscrizioni chiuse", "Why bookings are not taken now; null when they "
                                             "are.")
    registration_closes_at: datetime = field("Iscrizioni aperte fino a", "When bookings close (ISO 8601, Rome).")
    requires_identity: bool = field("Solo con SPID/CIE", "Whether only accounts with a verified identity (SPID or "
                                    "CIE) may book; others are refused (403, code identity_required).")


def event_out(event):
    """What the API says of `event` (its lab and city loaded), as its public page shows it."""
    problem = event.registration_problem()
    if event.is_cancelled:
        state = "cancelled"
    elif event.is_over:
        state = "finished"
    else:
        state = "published"
    return {
        "id": event.id, "title": event.title, "description": event.description,
        "url": url_for("events.event", event_id=event.id), "lab": event.lab, "city": event.lab.city,
        "starts_at": to_rome(event.starts_at), "ends_at": to_rome(event.ends_at), "is_online": event.is_online,
        "state": state, "cancel_reason": event.cancel_reason if event.is_cancelled else "",
        "seats_total": event.capacity,
        # the page shows seats while the event can still be booked or waited for (events/_macros.html)
        "seats_left": event.seats_left if event.is_editable and not event.has_ended() else None,
        "audience": sorted(event.audience, key=lambda kind: kind.value),
        "max_seats_per_booking": event.max_seats_per_booking,
        "registration_open": problem is None, "registration_problem": str(problem) if problem else None,
        "registration_closes_at": to_rome(event.closes_at()),
        "requires_identity": event.requires_identity,
    }


class RegistrationOrganisationOut(Schema):
    id: int = field("Identificativo", "The organisation's id.")
    name: str = field("Organizzazione", "The school or organisation the group was booked for.")


class RegistrationOut(Schema):
    id: int = field("Identificativo", "The registration's id.")
    state: Literal["confirmed", "waiting", "cancelled"] = field(
        "Stato", "confirmed (the seats are held), waiting (on the waiting list: confirmed in order of arrival "
        "when seats are freed, with a mail) or cancelled.")
    seats: int = field("Posti", "The seats booked (more than one: a group).")
    group_name: str = field("Gruppo", "The group's name (e.g. «Classe 3B»); empty for one person.")
    organisation: RegistrationOrganisationOut | None = field(
        "Prenoti per", "The organisation a group was booked for; null for one person.")
    waiting_position: int | None = field("Posizione in lista d'attesa", "Its place in the waiting list (1: the "
                                         "next to be confirmed); null unless waiting.")
    code: str | None = field("Codice per l'ingresso", "The code shown at the door; null unless confirmed.")
    online_url: str | None = field("Link per partecipare", "The link of an online event; null unless confirmed "
                                   "(or shown to who runs the event).")
    created_at: datetime = field("Prenotata il", "When it was booked (ISO 8601, Rome).")
    promoted_at: datetime | None = field("Confermata dalla lista d'attesa il", "When it was confirmed from the "
                                         "waiting list; null otherwise.")
    cancelled_at: datetime | None = field("Annullata il", "When it was cancelled; null otherwise.")
    event: EventOut = field("Evento", "The event it is for.")


def registration_out(registration, actor):
    event = registration.event
    position = registration.position_when_booked or waiting_position(registration)
    link = event.is_online and permissions.can_see_online_link(actor, event, registration)
    return {
        "id": registration.id, "state": registration.state.value, "seats": registration.seats,
        "group_name": registration.group_name, "organisation": registration.organisation,
        "waiting_position": position,
        "code": registration.code if registration.is_confirmed else None,
        "online_url": (event.online_url or None) if link else None,
        "created_at": to_rome(registration.created_at), "promoted_at": to_rome(registration.promoted_at),
        "cancelled_at": to_rome(registration.cancelled_at), "event": event_out(event),
    }


# ---- reading events ---------------------------------------------------------------------------------

class EventQuery(Query):
    when: Literal["upcoming", "past"] = field(
        "Quando", "upcoming: events not over yet (under way included), soonest first; past: events that are "
        "over, latest first (as the events page's two lists).", "upcoming")
    city: str | None = field("Città", "Only the events of this city (its slug, see /cities).", None, max_length=80)
    lab: Id | None = field("Laboratorio", "Only the events of this lab (its id).", None)
    date_from: Day | None = field("Dal giorno", "Only events starting on this day (YYYY-MM-DD, Rome's calendar) "
                                   "or after.", None, alias="from")
    date_to: Day | None = field("Al giorno", "Only events starting on this day (YYYY-MM-DD, Rome's calendar) or "
                                 "before: the day is included.", None, alias="to")
    audience: ParticipantType | None = field("Aperti a", "Only events this kind of participant may book (those "
                                             "reserved to them and those open to everybody).", None)


@operation("GET", "/events", tag="events", summary="Events", query=EventQuery, response=Page[EventOut])
def events(actor, query):
    """The public events, as the events page lists them: published, under way, cancelled (shown with
    their reason) and finished ones; never drafts. Each with its seats left."""
    past = query.when == "past"
    filters = EventFilters(past=past, city_slug=query.city, lab_id=query.lab, date_from=query.date_from,
                           date_to=query.date_to, audience=query.audience)
    keys = [Key(Event.starts_at, descending=past), Key(Event.id, descending=past)]
    page = api_page(events_select(filters).order_by(None), keys, query=query, list_name="events",
                    order_name=query.when)
    return {**page, "data": [event_out(event) for event in page["data"]]}


def public_event(event_id):
    """The event if its public page shows it to everybody: a draft does not exist here (404), even
    for who runs it (the API shows what the public pages show)."""
    event = load_event(event_id)
    if event.state not in PUBLIC_STATES:
        raise not_found()
    return event


@operation("GET", "/events/<id:event_id>", tag="events", summary="One event", response=EventOut)
def event(actor, event_id):
    """One public event (a draft is 404)."""
    return event_out(public_event(event_id))


# ---- booking and cancelling -------------------------------------------------------------------------

class BookingIn(Input):
    seats: int = field("Posti", "Seats to book: 1 for a person; a school or organisation with a verified "
                       "membership books up to the event's `max_seats_per_booking` for a group.", 1,
                       ge=1, le=10_000)
    group_name: Line = field("Nome del gruppo", "The group's name (e.g. «Classe 3B»), needed for more than one "
                             "seat.", "", max_length=120)
    organisation_id: Id | None = field("Prenoti per", "The organisation the group is booked for, among those "
                                       "you act for; may be left out when there is only one.", None)


@contextmanager
def booking_refusals():
    """A service's refusal, answered as what it is: the event's state or a booking already held is a
    conflict (409, the operation's `conflict`); a field that breaks a rule (seats, the group's name)
    or a person the event is not reserved to is not valid (422)."""
    try:
        yield
    except services.NotAdmitted as refusal:
        raise ApiError(422, refusal.message) from None


@operation("POST", "/events/<id:event_id>/registrations", tag="events", summary="Book seats", body=BookingIn,
           response=RegistrationOut, status=201, auth="write", conflict=True, limit="RATELIMIT_WRITE",
           errors=(403,))
def book_seat(actor, event_id, body):
    """Book a seat (or a group's seats) for the token's person, as the event page's form does: confirmed
    while seats remain, else on the waiting list (`state` says which, `waiting_position` where). The
    confirmation mail and notification follow as for the page. 403: the account's address is not
    confirmed yet, or the event `requires_identity` and the account has no verified identity (code
    identity_required); 409: already booked, or the event is cancelled, over or not taking bookings; 422:
    the group's rules (who may book several seats, how many, its name) or the event's audience."""
    event = public_event(event_id)
    organisations = services.group_organisations(actor, event)
    members_of = {membership.organisation_id for membership in actor.active_memberships}
    if body.seats > 1 and body.organisation_id is not None and body.organisation_id not in members_of:
        # the page offers only the person's own organisations: an id that is none of them is named
        # (one not verified yet is the service's to explain)
        message = _l("Prenoti per un gruppo solo a nome di un'organizzazione verificata di cui fai parte.")
        raise ApiError(422, message, fields={"organisation_id": message})
    organisation = services.chosen_organisation(organisations, body.organisation_id)
    with booking_refusals():
        return registration_out(services.book(actor, event, seats=body.seats, group_name=body.group_name,
                                              organisation=organisation), actor)


@operation("GET", "/registrations/<id:registration_id>", tag="events", summary="One registration",
           response=RegistrationOut, auth="read", errors=(403,))
def registration(actor, registration_id):
    """A registration, for its owner (and for who runs its event, as on its page); anybody else 403.
    Needs a token (read scope is enough)."""
    return registration_out(load_registration(registration_id), actor)


@operation("POST", "/registrations/<id:registration_id>/cancel", tag="events", summary="Cancel a registration",
           response=RegistrationOut, auth="write", conflict=True, limit="RATELIMIT_WRITE")
def cancel_registration(actor, registration_id):
    """Cancel a registration (its owner, or who runs the event), as its page does: the freed seats go
    down the waiting list at once, in order of arrival, and who is confirmed is told. A POST, not a
    DELETE: the registration stays, cancelled. 409: already cancelled, or the event has started."""
    registration = load_registration(registration_id, for_="cancel")
    return registration_out(services.cancel_registration(actor, registration), actor)
