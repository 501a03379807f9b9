"""Demo events for seed-demo: upcoming and past, in several labs, one nearly full, one with a queue.

Next week's school event is left empty for journey 1 of DOMAIN.md: the demo teacher
(scuola@example.org) books her class's 20 seats and fills it; the second school's teacher
(scuola2@example.org) then joins the waiting list, and is promoted when the first cancels.
Descriptions are Markdown, as facilitators write them.

Themes follow the labs' themes in DOMAIN.md. Dates are relative to the day the demo is loaded,
at round hours in Rome. Registrations are written directly (no mails leave while seeding);
the seat counter is kept as the booking service would keep it.
"""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from civiclab.accounts.models import ParticipantType, User
from civiclab.core.time import ROME, utcnow
from civiclab.events.models import (
    Event,
    EventState,
    Registration,
    RegistrationState,
    new_registration_code,
)
from civiclab.extensions import db

# (lab's city slug, title, days from today (negative: past), start hour, hours long, capacity,
#  audience, max seats per booking, online?, description)
DEMO_EVENTS = [
    ("bologna", "Robotica educativa: una mattina per le scuole", 7, 9, 3, 20, [ParticipantType.SCUOLA], 20,
     False, "Una classe della scuola secondaria costruisce e programma piccoli robot con i facilitatori "
            "del laboratorio.\n\n**Prenotazione per gruppi classe**: una classe per mattina, fino a 20 posti. "
            "Le altre classi entrano in *lista d'attesa*."),
    ("bologna", "Mappare i bisogni del quartiere", 10, 17, 2, 8, [], 1,
     False, "Un incontro aperto per disegnare insieme la mappa dei servizi e dei bisogni del quartiere, "
            "punto di partenza delle proposte di co-progettazione."),
    ("bologna", "Open data per tutti: leggere i dati del PON Metro", 14, 18, 2, 100, [], 1,
     True, "Un'ora e mezza online per imparare a scaricare e leggere i dati aperti dei progetti "
           "finanziati: importi, avanzamento, risultati."),
    ("modena", "Creatività e spettacolo: laboratorio di video partecipato", 12, 15, 3, 20, [], 5,
     False, "Giovani, associazioni e imprese culturali raccontano la città con brevi video girati insieme."),
    ("reggio-emilia", "Innovazione sociale: idee per il welfare di comunità", 20, 18, 2, 35,
     [ParticipantType.TERZO_SETTORE, ParticipantType.CITTADINO], 5,
     False, "Associazioni e cittadini confrontano esperienze e idee per i servizi di prossimità."),
    ("ferrara", "Mobilità sostenibile: percorsi ciclabili tra le mura", -14, 10, 3, 30, [], 1,
     False, "Passeggiata di ricognizione e tavolo di lavoro sui percorsi ciclabili della città."),
    ("bologna", "Presentazione dell'Accelerazione civica", -30, 17, 2, 60, [], 10,
     False, "Presentazione pubblica del progetto BO3.3.1.b e delle sue prime attività."),
]

# How each demo event is filled: (confirmed guests, waiting guests, demo accounts booking after them).
# Guests stay within their share of the seats (GUEST_SEATS_SHARE, half by default).
FILL = {
    # Nobody: the demo teacher books it herself (journey 1, see the module's docstring).
    "Robotica educativa: una mattina per le scuole": (0, 0, []),
    "Creatività e spettacolo: laboratorio di video partecipato": (
        10, 0, [("terzosettore@example.org", 5, "Centro giovani"), ("impresa@example.org", 3, "Troupe video")]),
    "Mappare i bisogni del quartiere": (4, 0, [
        ("cittadino@example.org", 1, ""), ("impresa@example.org", 1, ""), ("terzosettore@example.org", 1, ""),
        ("scuola@example.org", 1, ""), ("scuola2@example.org", 1, "")]),  # the last one waits
    "Open data per tutti: leggere i dati del PON Metro": (12, 0, []),
    "Mobilità sostenibile: percorsi ciclabili tra le mura": (15, 0, [("cittadino@example.org", 1, "")]),
    "Presentazione dell'Accelerazione civica": (30, 0, [("scuola@example.org", 10, "Classe 5A")]),
}


def _rome(day_offset, hour):
    day = datetime.now(ROME).date() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour), tzinfo=ROME)


def seed_events(tally, labs):
    """Create the demo events that do not exist yet (by lab and title); idempotent."""
    now = utcnow()
    creator = db.session.scalar(sa.select(User).filter_by(email="facilitatore@example.org"))
    for city_slug, title, days, hour, hours, capacity, audience, per_booking, online, text in DEMO_EVENTS:
        lab = labs[city_slug]
        tally.found["Eventi"] = tally.found.get("Eventi", 0) + 1
        if db.session.scalar(sa.select(Event.id).filter_by(lab_id=lab.id, title=title)) is not None:
            continue
        starts = _rome(days, hour)
        past = days < 0
        event = Event(
            lab=lab, title=title, description=text, starts_at=starts,
            ends_at=starts + timedelta(hours=hours), capacity=capacity, confirmed_seats=0,
            max_seats_per_booking=per_booking,
            is_online=online, online_url="https://meet.example.org/civiclab-open-data" if online else "",
            state=EventState.FINISHED if past else EventState.PUBLISHED,
            published_at=min(now, starts) - timedelta(days=21), created_by=creator,
        )
        event.audience = audience
        db.session.add(event)
        _fill(event, *FILL.get(title, (0, 0, [])), attended=past)
        db.session.flush()
        tally.created["Eventi"] = tally.created.get("Eventi", 0) + 1


def _fill(event, confirmed_guests, waiting_guests, accounts, attended):
    registrations = []
    for n in range(confirmed_guests + waiting_guests):
        registrations.append(Registration(guest_name=f"Ospite demo {n + 1}",
                                          guest_email=f"ospite{n + 1}@example.org", seats=1,
                                          participant_type=ParticipantType.CITTADINO))
    for email, seats, group in accounts:
        user = db.session.scalar(sa.select(User).filter_by(email=email))
        if user is None:
            continue
        organisation = user.verified_memberships[0].organisation if seats > 1 and user.verified_memberships else None
        registrations.append(Registration(user=user, seats=seats, group_name=group, organisation=organisation,
                                          participant_type=user.acting_type))
    codes = set()
    for registration in registrations:
        registration.event = event
        while registration.code is None or registration.code in codes:
            registration.code = new_registration_code()
        codes.add(registration.code)
        fits = event.confirmed_seats + registration.seats <= event.capacity
        registration.state = RegistrationState.CONFIRMED if fits else RegistrationState.WAITING
        if fits:
            event.confirmed_seats += registration.seats
            registration.confirmed_at = event.published_at
            if attended:
                registration.attended_at = event.starts_at
        db.session.add(registration)
    share = event.confirmed_seats * 100 // event.capacity
    event.seats_alert_level = max([level for level in (50, 80, 100) if share >= level], default=0)
