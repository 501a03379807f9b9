"""The log's words: a readable Italian label for each known action and object type (an unknown
one is shown by its code, so a new action is never hidden)."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

ACTION_LABELS = {
    # programmes
    "project.created": _l("Progetto creato"),
    "project.edited": _l("Progetto modificato"),
    "project.amounts_edited": _l("Importi del progetto modificati"),
    "project.published": _l("Progetto pubblicato"),
    "project.unpublished": _l("Progetto ritirato dalla pubblicazione"),
    # events
    "event.created": _l("Evento creato"),
    "event.edited": _l("Evento modificato"),
    "event.published": _l("Evento pubblicato"),
    "event.cancelled": _l("Evento annullato"),
    "event.attendance_exported": _l("Presenze dell'evento scaricate"),
    "registration.cancelled": _l("Iscrizione annullata da chi organizza"),
    # calls and proposals
    "call.created": _l("Call creata"),
    "call.edited": _l("Call modificata"),
    "call.published": _l("Call pubblicata"),
    "call.unpublished": _l("Call ritirata dalla pubblicazione"),
    "proposal.moderated": _l("Proposta moderata"),
    "proposal.adopted": _l("Proposta adottata"),
    "proposal.unadopted": _l("Adozione della proposta revocata"),
    # moderation
    "comment.hidden": _l("Commento nascosto"),
    "comment.restored": _l("Commento ripristinato"),
    "reports.upheld": _l("Segnalazioni confermate"),
    "reports.rejected": _l("Segnalazioni respinte"),
    "user.blocked": _l("Utente bloccato"),
    "user.unblocked": _l("Blocco revocato"),
    "room.message_deleted": _l("Messaggio eliminato"),
    "room.user_muted": _l("Utente silenziato nella stanza"),
    "room.locked": _l("Stanza chiusa in sola lettura"),
    "room.unlocked": _l("Stanza riaperta"),
    # outcomes
    "outcome.created": _l("Risultato creato"),
    "outcome.edited": _l("Risultato modificato"),
    "outcome.status_changed": _l("Stato del risultato cambiato"),
    "outcome.deleted": _l("Risultato eliminato"),
    "milestone.created": _l("Tappa aggiunta"),
    "milestone.edited": _l("Tappa modificata"),
    "milestone.reached": _l("Tappa raggiunta"),
    "milestone.unreached": _l("Tappa segnata come non raggiunta"),
    "milestone.deleted": _l("Tappa eliminata"),
    # accounts and places
    "organisation.verified": _l("Organizzazione verificata"),
    "organisation.refused": _l("Verifica dell'organizzazione rifiutata"),
    "role.staff_appointed": _l("Personale del Comune nominato"),
    "role.staff_removed": _l("Personale del Comune rimosso"),
    "role.facilitator_appointed": _l("Facilitatore nominato"),
    "role.facilitator_removed": _l("Facilitatore rimosso"),
    "lab.created": _l("Laboratorio creato"),
    "lab.edited": _l("Laboratorio modificato"),
    "city.created": _l("Città creata"),
    "city.edited": _l("Città modificata"),
    "identity.linked": _l("Identità SPID/CIE collegata"),
    "identity.unlinked": _l("Identità SPID/CIE scollegata"),
    "call.identity_requirement_changed": _l("Requisito SPID/CIE della call cambiato"),
    "event.identity_requirement_changed": _l("Requisito SPID/CIE dell'evento cambiato"),
    # programmes and budgets
    "programme.created": _l("Programma creato"),
    "programme.edited": _l("Programma modificato"),
    "axis.created": _l("Asse creato"),
    "axis.edited": _l("Asse modificato"),
    "budget.edited": _l("Budget della città per asse modificato"),
    # the network
    "backup.created": _l("Copia di sicurezza creata"),
    "backup.restored": _l("Copia di sicurezza ripristinata"),
    "audit.exported": _l("Registro delle attività scaricato"),
    "job.requeued": _l("Lavoro fallito rimesso in coda"),
    "job.deleted": _l("Lavoro fallito eliminato"),
}

SUBJECT_LABELS = {
    "projects": _l("Progetto"),
    "events": _l("Evento"),
    "calls": _l("Call"),
    "proposals": _l("Proposta"),
    "comments": _l("Commento"),
    "users": _l("Utente"),
    "user_blocks": _l("Blocco"),
    "registrations": _l("Iscrizione"),
    "rooms": _l("Stanza"),
    "room_messages": _l("Messaggio"),
    "outcomes": _l("Risultato"),
    "outcome_milestones": _l("Tappa"),
    "programmes": _l("Programma"),
    "axes": _l("Asse"),
    "city_plans": _l("Piano della città"),
    "organisations": _l("Organizzazione"),
    "cities": _l("Città"),
    "labs": _l("Laboratorio"),
    "financial_snapshots": _l("Avanzamento finanziario"),
    "verified_identities": _l("Identità SPID/CIE"),
    "job": _l("Lavoro in coda"),
    "backup": _l("Copia di sicurezza"),
}


def action_label(action):
    return ACTION_LABELS.get(action, action)


def detail_text(value):
    """A detail's value as a reader reads it: {"asse 1": "€ 10,00"} as "asse 1: € 10,00", lists joined."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {detail_text(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(detail_text(item) for item in value)
    return "" if value is None else str(value)


def subject_label(subject_type):
    return SUBJECT_LABELS.get(subject_type, subject_type or "")


# The pages of the objects a row can link to without a query: (endpoint, its id argument).
SUBJECT_PAGES = {
    "events": ("events.event", "event_id"),
    "calls": ("proposals.call", "call_id"),
    "proposals": ("proposals.proposal", "proposal_id"),
    "rooms": ("rooms.room", "room_id"),
    "outcomes": ("outcomes.outcome", "outcome_id"),
    "organisations": ("accounts.organisation", "org_id"),
}


def subject_url(entry):
    """The page of the entry's object when its kind has one (a project by its code), else None.
    The object may be gone since: its page then says so."""
    try:
        if entry.subject_type == "projects" and isinstance((entry.details or {}).get("code"), str):
            return url_for("programmes.project", code=entry.details["code"])
        if entry.subject_type in SUBJECT_PAGES and entry.subject_id:
            endpoint, argument = SUBJECT_PAGES[entry.subject_type]
            return url_for(endpoint, **{argument: entry.subject_id})
    except BuildError:  # an id past what the converter takes, or an app without that page
        return None
    return None
