"""Demo conversations for seed-demo: the rooms of the demo events and of the Bologna lab's room.

Rows are written directly, not through the services, so nothing is broadcast while seeding and the
times can lie in the past; they keep the services' invariants: a message is written only by who may
write in its room now (in an event's room: its confirmed registrants and who runs it), its HTML is
the one sanitiser's rendering, the deleted one keeps its placeholder with who deleted it and why and
is logged as services.delete_message logs it, and each author's read marker is at least at their
last message. Demo accounts without a booking of an event are registered for it first (confirmed,
the seat counter kept as the booking service keeps it), unless they ever had one.

Idempotent: each message is found by its author and its client key ("demo:<room>:<n>"), which the
database holds unique, and created only when missing; a registration is made only for an account
that never had one for that event.
"""
from datetime import timedelta

import sqlalchemy as sa

from civiclab.accounts.models import User
from civiclab.core.audit import audit
from civiclab.core.sanitize import render_markdown
from civiclab.core.time import utcnow
from civiclab.events.models import (
    Event,
    EventState,
    Registration,
    RegistrationState,
    new_registration_code,
)
from civiclab.extensions import db
from civiclab.moderation.services import log
from civiclab.rooms import permissions, queries
from civiclab.rooms.models import Message, Room, RoomRead

FACILITATOR, STAFF = "facilitatore@example.org", "comune.bologna@example.org"
CITIZEN, SCHOOL, BUSINESS, THIRD_SECTOR = (
    "cittadino@example.org", "scuola@example.org", "impresa@example.org", "terzosettore@example.org")


def say(author, hours, body, deleted=None):
    """A message `hours` after the conversation's anchor (now, or a past event's start);
    `deleted` is the facilitator's reason when it was removed."""
    return {"author": author, "hours": hours, "body": body, "deleted": deleted}


LAB_CONVERSATION = [
    say(FACILITATOR, -74, "Buongiorno a tutte e tutti! Questa è la stanza del **Laboratorio aperto di Bologna**: "
                          "qui ci confrontiamo su attività, spazi e proposte. Il calendario dei prossimi "
                          "incontri è nella pagina del laboratorio."),
    say(THIRD_SECTOR, -71, "Grazie! Sapete se la sala grande è libera il giovedì pomeriggio? Ci servirebbe "
                           "per il doposcuola, da ottobre."),
    say(FACILITATOR, -70, "Il giovedì dalle 15 alle 18 è libera. Mandateci il calendario degli incontri e la "
                          "prenotiamo per voi."),
    say(BUSINESS, -50, "OFFERTA RISERVATA: corsi di robotica a pagamento con il 30% di sconto per chi ci "
                       "scrive in privato entro venerdì!!!",
        deleted="Promozione commerciale: la stanza è per il confronto sulle attività del laboratorio. "
                "Le idee di attività si presentano nella call di co-progettazione."),
    say(BUSINESS, -48, "Scusate, non conoscevo la regola. Presenteremo la nostra idea attraverso la call."),
    say(SCHOOL, -30, "Per la mattina di robotica educativa serve una presa di corrente per ogni banco?"),
    say(FACILITATOR, -29, "Sì, ci sono prolunghe per tutti i banchi: portate solo i portatili carichi."),
    say(CITIZEN, -6, "Il laboratorio è aperto anche il sabato? Vorrei passare con mio figlio a vedere gli spazi."),
    say(FACILITATOR, -5, "Il primo sabato del mese, dalle 10 alle 13, ci sono le visite aperte: vi aspettiamo!"),
]

# (lab's city slug, event title, the conversation); the demo accounts each event's room needs
# registered are those who write in it (the facilitator runs the Bologna lab's events).
EVENT_CONVERSATIONS = [
    ("bologna", "Robotica educativa: una mattina per le scuole", [
        say(FACILITATOR, -52, "Benvenuti nella stanza dell'evento: qui trovate gli aggiornamenti sulla mattina "
                              "di robotica educativa."),
        # Nobody has booked it yet (journey 1 starts here): the event's organisers talk.
        say(STAFF, -49, "I kit di robotica acquistati con il progetto sono arrivati: venti, uno per banco."),
        say(FACILITATOR, -48, "Ottimo, li prepariamo per la mattina: apriamo alle 8:45."),
        say(STAFF, -26, "Per chi ne ha bisogno prepariamo anche le istruzioni stampate a caratteri grandi."),
        say(FACILITATOR, -25, "Perfetto: le classi che prenotano possono chiederle qui nella stanza."),
    ]),
    ("bologna", "Mappare i bisogni del quartiere", [
        say(FACILITATOR, -40, "Per l'incontro porteremo una grande mappa del quartiere stampata. Se avete foto "
                              "di luoghi da segnalare, portatele!"),
        say(CITIZEN, -37, "Io porto le foto del giardino dietro la biblioteca: le panchine sono rotte da mesi "
                          "e la sera è buio."),
        say(FACILITATOR, -36, "È proprio il tipo di segnalazione che cerchiamo: ne parliamo al primo tavolo."),
        say(CITIZEN, -12, "Posso portare una vicina? Non ha un account."),
        say(FACILITATOR, -11, "L'evento è al completo: con un account può mettersi in lista d'attesa dalla "
                              "pagina dell'evento, e riceverà una mail appena si libera un posto."),
    ]),
    ("bologna", "Open data per tutti: leggere i dati del PON Metro", [
        say(FACILITATOR, -60, "Il link per collegarsi è nella pagina dell'evento, visibile a chi è iscritto. "
                              "Consigliamo un browser aggiornato."),
        say(BUSINESS, -44, "Useremo i dati in CSV? Vorremmo preparare un foglio di calcolo."),
        say(FACILITATOR, -43, "Sì, i CSV di OpenCoesione: li scarichiamo insieme durante l'incontro."),
        say(THIRD_SECTOR, -20, "Ci sarà la registrazione per chi non riesce a seguire tutto?"),
        say(FACILITATOR, -19, "Sì: pubblicheremo slide e registrazione nella pagina del laboratorio entro "
                              "una settimana."),
    ]),
    ("modena", "Creatività e spettacolo: laboratorio di video partecipato", [
        say(THIRD_SECTOR, -33, "Ciao a tutti! Portiamo due ragazzi del centro giovani: serve una videocamera?"),
        say(BUSINESS, -31, "Bastano gli smartphone. Noi mettiamo a disposizione due microfoni a clip e un "
                           "treppiede."),
        say(THIRD_SECTOR, -30, "Perfetto, grazie! Ci vediamo lì."),
    ]),
    ("reggio-emilia", "Innovazione sociale: idee per il welfare di comunità", [
        say(CITIZEN, -28, "Buonasera, porterò l'esperienza del gruppo di acquisto solidale del mio condominio."),
        say(THIRD_SECTOR, -26, "Bellissimo: noi raccontiamo la spesa a domicilio per gli anziani. Forse le due "
                               "cose si possono collegare?"),
        say(CITIZEN, -25, "Ne parliamo volentieri all'incontro."),
    ]),
    # Past events: hours from the event's start.
    ("ferrara", "Mobilità sostenibile: percorsi ciclabili tra le mura", [
        say(CITIZEN, -20, "Qualcuno viene in bici da fuori le mura? Potremmo partire insieme da Porta Paola."),
        say(BUSINESS, -18, "Ci sono: alle 9:30 a Porta Paola."),
        say(CITIZEN, 30, "Grazie a tutti per la passeggiata! Le foto dei tratti senza illuminazione le ho "
                         "mandate ai facilitatori del laboratorio."),
    ]),
    ("bologna", "Presentazione dell'Accelerazione civica", [
        say(FACILITATOR, -24, "Domani alle 17 presentiamo il progetto BO3.3.1.b: c'è posto anche per le classi."),
        say(SCHOOL, -22, "Veniamo con la 5A, dieci persone in tutto."),
        say(FACILITATOR, 20, "Grazie a tutti per la partecipazione! Le prossime attività sono nel calendario "
                             "del laboratorio."),
        say(SCHOOL, 23, "Grazie a voi: i ragazzi hanno già qualche idea per la call."),
    ]),
]


def seed_rooms(tally, labs):
    """The demo conversations in the Bologna lab's room and the demo events' rooms; idempotent."""
    emails = (FACILITATOR, STAFF, CITIZEN, SCHOOL, BUSINESS, THIRD_SECTOR)
    users = {user.email: user for user in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    if FACILITATOR not in users:
        return
    now = utcnow()
    bologna_lab = labs["bologna"]
    _converse(tally, users, queries.room_of(bologna_lab), "lab-bologna", now, LAB_CONVERSATION)
    for city_slug, title, conversation in EVENT_CONVERSATIONS:
        event = db.session.scalar(sa.select(Event).filter_by(lab_id=labs[city_slug].id, title=title))
        if event is None:
            continue
        for email in sorted({line["author"] for line in conversation}):
            if email in users:
                _register(tally, event, users[email], now)
        anchor = event.starts_at if event.state is EventState.FINISHED else now
        _converse(tally, users, queries.room_of(event), f"event-{event.id}", min(anchor, now), conversation)


def _register(tally, event, user, now):
    """A confirmed booking of one seat for a demo account that never booked `event` and does not
    run it, if a seat is left."""
    if permissions.can_moderate_room(user, queries.room_of(event)):
        return
    tally.found["Iscrizioni alle stanze demo"] = tally.found.get("Iscrizioni alle stanze demo", 0) + 1
    booked = db.session.scalar(sa.select(Registration.id).filter_by(event_id=event.id, user_id=user.id).limit(1))
    if booked is not None or event.confirmed_seats + 1 > event.capacity:
        return
    if not event.admits(user.participant_type):
        return
    codes = set(db.session.scalars(sa.select(Registration.code).filter_by(event_id=event.id)))
    code = new_registration_code()
    while code in codes:
        code = new_registration_code()
    confirmed_at = min(now, event.starts_at) - timedelta(days=3)
    past = event.state is EventState.FINISHED
    db.session.add(Registration(
        event=event, user=user, seats=1, code=code, participant_type=user.participant_type,
        state=RegistrationState.CONFIRMED, created_at=confirmed_at, confirmed_at=confirmed_at,
        attended_at=event.starts_at if past else None,
    ))
    event.confirmed_seats += 1
    share = event.confirmed_seats * 100 // event.capacity
    event.seats_alert_level = max([event.seats_alert_level or 0]
                                  + [level for level in (50, 80, 100) if share >= level])
    db.session.flush()
    tally.created["Iscrizioni alle stanze demo"] = tally.created.get("Iscrizioni alle stanze demo", 0) + 1


def _converse(tally, users, room, name, anchor, conversation):
    if room is None:
        return
    facilitator = users[FACILITATOR]
    last_read = {}
    for n, line in enumerate(conversation, start=1):
        author = users.get(line["author"])
        if author is None:
            continue
        key = f"demo:{name}:{n}"
        tally.found["Messaggi nelle stanze"] = tally.found.get("Messaggi nelle stanze", 0) + 1
        message = db.session.scalar(sa.select(Message).filter_by(author_id=author.id, client_key=key))
        if message is None:
            # Only who may write there now: a staff edit since the last run is respected.
            if permissions.write_refusal(author, room, **queries.write_facts(author, room)) is not None:
                continue
            at = min(anchor + timedelta(hours=line["hours"]), utcnow() - timedelta(minutes=len(conversation) - n))
            message = Message(room_id=room.id, author_id=author.id, body=line["body"],
                              body_html=render_markdown(line["body"]), client_key=key, created_at=at)
            db.session.add(message)
            db.session.flush()
            tally.created["Messaggi nelle stanze"] = tally.created.get("Messaggi nelle stanze", 0) + 1
            if line["deleted"] and permissions.can_moderate_room(facilitator, room):
                _delete(facilitator, message, line["deleted"])
        last_read[author.id] = max(last_read.get(author.id, 0), message.id)
    for user_id, message_id in last_read.items():
        marker = db.session.scalar(sa.select(RoomRead).filter_by(room_id=room.id, user_id=user_id))
        if marker is None:
            db.session.add(RoomRead(room_id=room.id, user_id=user_id, last_read_id=message_id))
        elif marker.last_read_id < message_id:
            marker.last_read_id = message_id
    db.session.flush()


def _delete(facilitator, message, reason):
    """As services.delete_message does, without the broadcast: a placeholder stays, logged."""
    message.deleted_at = message.created_at + timedelta(minutes=40)
    message.deleted_by_id = facilitator.id
    message.delete_reason = reason
    entry = log(facilitator, "delete_message", reason, user=db.session.get(User, message.author_id))
    entry.room_id = message.room_id
    entry.room_message_id = message.id
    entry.created_at = message.deleted_at
    db.session.flush()
    audit(facilitator, "room.message_deleted", message, city_id=db.session.get(Room, message.room_id).city_id,
          reason=reason, room_id=message.room_id, author_id=message.author_id)
