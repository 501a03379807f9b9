"""Demo co-design for seed-demo: two calls of the Bologna lab on BO3.3.1.b, one collecting supports
(published proposals with supports), one collecting proposals (a queue). The comments on them and
their authors' follows belong to higher floors: civiclab/demo.py adds them to the proposals
`seed_codesign` returns.

The calls' wording comes from the BO3.3.1.b project sheet and Bologna's Piano Operativo; the
proposals are what the demo participants might write. Rows are written directly, not through the
services, so that nothing is notified or mailed while seeding and the dates can lie in the past;
they keep the services' invariants: every state change is a recorded transition with its reason,
supports_count matches the rows.
Phases are relative to the day the demo is loaded. Idempotent: calls by project and title,
proposals by call and title; a proposal found is left as it is, with its supports.
"""
from datetime import timedelta

import sqlalchemy as sa

from civiclab.accounts.models import User
from civiclab.core.sanitize import render_markdown
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.proposals.models import (
    Call,
    CallTheme,
    Proposal,
    ProposalState,
    ProposalTransition,
    Support,
)

FACILITATOR, STAFF = "facilitatore@example.org", "comune.bologna@example.org"
CITIZEN, SCHOOL, BUSINESS, THIRD_SECTOR = (
    "cittadino@example.org", "scuola@example.org", "impresa@example.org", "terzosettore@example.org")

SUPPORTS_CALL = {
    "title": "Idee per il Laboratorio aperto di Bologna: cultura tecnica e collaborazione civica",
    "description": (
        "Il progetto BO3.3.1.b, *Accelerazione civica e collaborazione civica tra PA, scuola e imprese*, "
        "sviluppa azioni di supporto all'innovazione sociale. Gli edifici riqualificati potranno ospitare "
        "eventi sul rilancio della cultura tecnica, la riedizione dimostrativa dei progetti elaborati dai "
        "ragazzi ed eventi di coinvolgimento della cittadinanza.\n\n"
        "Le proposte pubblicate si possono ora **sostenere** e commentare: le più sostenute saranno "
        "discusse con il Board del progetto."
    ),
    "themes": ["Cultura tecnica e scuola", "Disagio giovanile e sociale", "Volontariato ed eventi cittadini",
               "Welfare di comunità"],
    # Days from today when each phase starts: proposals, review, supports, closed.
    "days": (-45, -25, -10, 30),
}

PROPOSALS_CALL = {
    "title": "Idee per il Laboratorio aperto di Bologna: spazi di incontro e servizi digitali",
    "description": (
        "Nuovi spazi di coworking, formazione, incontro e scambio di competenze, e servizi digitali utili "
        "a migliorare la qualità dei servizi e la vita dei cittadini, delle associazioni, delle imprese: "
        "il Laboratorio aperto di Bologna raccoglie le vostre idee.\n\n"
        "Scrivete una proposta entro la fine della raccolta: i facilitatori la leggono e, se serve, "
        "chiedono di precisarla prima di pubblicarla."
    ),
    "themes": ["Spazi di coworking e formazione", "Servizi digitali", "Beni comuni"],
    "days": (-7, 21, 35, 60),
}


# Published proposals of the supports call: (author, theme, title, place, body, supporters).
PUBLISHED = [
    (SCHOOL, "Cultura tecnica e scuola", "Un open day dei progetti costruiti dai ragazzi",
     "Sala Borsa, Piazza del Nettuno 3",
     ("Ogni anno le classi costruiscono robot, stazioni meteo e piccoli impianti. Proponiamo una giornata "
      "aperta al Laboratorio in cui **i ragazzi stessi** presentano i loro progetti a famiglie, imprese e "
      "quartiere.\n\n- banchi dimostrativi per classe\n- un premio scelto dal pubblico\n- video delle "
      "edizioni precedenti"),
     (CITIZEN, BUSINESS, THIRD_SECTOR)),
    (BUSINESS, "Cultura tecnica e scuola", "Tirocini brevi nelle imprese per gli studenti dei tecnici",
     "",
     ("Due settimane in azienda durante l'anno scolastico, con un tutor dell'impresa e uno della scuola. "
      "Il Laboratorio può fare da punto d'incontro tra le scuole e le imprese disponibili."),
     (SCHOOL, CITIZEN)),
    (THIRD_SECTOR, "Disagio giovanile e sociale", "Un doposcuola di quartiere con i volontari",
     "Quartiere Navile",
     ("Tre pomeriggi a settimana di aiuto nei compiti e attività di gruppo, con volontari formati e un "
      "educatore. Gli spazi riqualificati del progetto possono ospitarlo senza costi di affitto."),
     (CITIZEN, SCHOOL, BUSINESS)),
    (CITIZEN, "Volontariato ed eventi cittadini", "Una festa di strada per presentare il Laboratorio",
     "Via del Pratello",
     ("Una domenica pomeriggio con musica, giochi e i banchi delle associazioni, per far conoscere il "
      "Laboratorio aperto a chi non ci è mai entrato."),
     (THIRD_SECTOR,)),
    (SCHOOL, "Welfare di comunità", "Sportello digitale per le famiglie in biblioteca",
     "Biblioteca Salaborsa",
     ("Un pomeriggio a settimana studenti volontari aiutano le famiglie con SPID, iscrizioni scolastiche "
      "e prenotazioni online."),
     (CITIZEN, THIRD_SECTOR, BUSINESS)),
    (THIRD_SECTOR, "Welfare di comunità", "Una mappa dei servizi di prossimità",
     "",
     ("Una mappa, di carta e online, dei servizi del quartiere: ambulatori, sportelli, associazioni, "
      "orari. La aggiornano i cittadini durante gli incontri del Laboratorio."),
     ()),
    (BUSINESS, "Volontariato ed eventi cittadini", "Un hackathon civico sui dati aperti del PON Metro",
     "Laboratorio aperto di Bologna",
     ("Una due giorni in cui sviluppatori, studenti e associazioni costruiscono piccoli strumenti con i "
      "dati aperti dei progetti finanziati: importi, avanzamento, risultati."),
     (SCHOOL,)),
]

# The proposals call's queue: (author, theme, title, body, change requested or None).
QUEUED = [
    (CITIZEN, "Spazi di coworking e formazione", "Postazioni di coworking gratuite per chi cerca lavoro",
     ("Dieci postazioni con connessione e stampante, prenotabili per mezza giornata, riservate a chi è in "
      "cerca di lavoro, con un incontro al mese di orientamento."), None),
    (THIRD_SECTOR, "Beni comuni", "Un orto condiviso nel cortile del Laboratorio",
     "Cassoni rialzati curati da volontari, scuole e residenti, con un calendario dei turni.", None),
    (SCHOOL, "Servizi digitali", "Corsi serali di alfabetizzazione digitale",
     "Corsi per adulti tenuti dagli studenti dell'ultimo anno.",
     "Indica per quante persone, in che giorni e dove si terrebbero i corsi, così possiamo valutarla."),
]


def seed_codesign(tally, project, lab):
    """The two demo calls on `project`, run by `lab`, and their proposals; idempotent. Returns the
    proposals created by this run, in the order they were written."""
    emails = (FACILITATOR, STAFF, CITIZEN, SCHOOL, BUSINESS, THIRD_SECTOR)
    users = {user.email: user for user in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    facilitator = users[FACILITATOR]
    created = []
    call = _call(tally, SUPPORTS_CALL, project, lab, users[STAFF])
    for author, theme, title, place, body, supporters in PUBLISHED:
        proposal = _proposal(tally, call, users[author], theme, title, place, body)
        if proposal is not None:
            _decide(proposal, facilitator, ProposalState.ACCEPTED, ACCEPTED_REASON,
                    call.proposals_from + timedelta(days=3))
            _supports(proposal, [users[email] for email in supporters], call.supports_from)
            created.append(proposal)
    call = _call(tally, PROPOSALS_CALL, project, lab, users[STAFF])
    for author, theme, title, body, change in QUEUED:
        proposal = _proposal(tally, call, users[author], theme, title, "", body)
        if proposal is not None:
            if change:
                _decide(proposal, facilitator, ProposalState.CHANGES_REQUESTED, change,
                        call.proposals_from + timedelta(days=2))
            created.append(proposal)
    db.session.flush()
    return created


ACCEPTED_REASON = "Proposta chiara e coerente con i temi della call: la pubblichiamo."


def _count(tally, label, created):
    tally.found[label] = tally.found.get(label, 0) + 1
    if created:
        tally.created[label] = tally.created.get(label, 0) + 1


def _call(tally, fields, project, lab, creator):
    morning = utcnow().replace(hour=7, minute=0, second=0, microsecond=0)
    starts = [morning + timedelta(days=days) for days in fields["days"]]
    call = db.session.scalar(sa.select(Call).filter_by(project_id=project.id, title=fields["title"]))
    _count(tally, "Call", call is None)
    if call is None:
        call = Call(city_id=project.city_id, project_id=project.id, lab_id=lab.id, title=fields["title"],
                    description=fields["description"],
                    description_html=render_markdown(fields["description"]),
                    proposals_from=starts[0], review_from=starts[1], supports_from=starts[2],
                    closes_at=starts[3], published=True, created_by_id=creator.id,
                    created_at=starts[0] - timedelta(days=7))
        call.themes = [CallTheme(name=name, position=n) for n, name in enumerate(fields["themes"])]
        db.session.add(call)
        db.session.flush()
    return call


def _proposal(tally, call, author, theme_name, title, place, body):
    """A new proposal, submitted the day after the call opened; None when the call has it already."""
    exists = db.session.scalar(sa.select(Proposal.id).filter_by(call_id=call.id, title=title)) is not None
    _count(tally, "Proposte", not exists)
    if exists:
        return None
    theme = next(theme for theme in call.themes if theme.name == theme_name)
    written = call.proposals_from + timedelta(days=1)
    proposal = Proposal(call=call, author=author, title=title, body=body, body_html=render_markdown(body),
                        theme_id=theme.id, lab_id=call.lab_id, place=place, state=ProposalState.SUBMITTED,
                        created_at=written, updated_at=written, submitted_at=written)
    db.session.add(proposal)
    db.session.flush()
    db.session.add(ProposalTransition(
        proposal_id=proposal.id, actor_id=author.id, created_at=written,
        from_state=ProposalState.DRAFT.value, to_state=ProposalState.SUBMITTED.value))
    return proposal


def _decide(proposal, facilitator, decision, reason, when):
    """The facilitator's decision, recorded with its reason as moderate_proposal records it."""
    db.session.add(ProposalTransition(
        proposal_id=proposal.id, actor_id=facilitator.id, created_at=when,
        from_state=proposal.state.value, to_state=decision.value, reason=reason))
    proposal.state = decision
    proposal.updated_at = when
    if decision is ProposalState.ACCEPTED:
        proposal.published_at = when


def _supports(proposal, supporters, since):
    db.session.add_all(Support(proposal_id=proposal.id, user_id=user.id, created_at=since + timedelta(hours=5 * n))
                       for n, user in enumerate(supporters, start=1))
    proposal.supports_count = len(supporters)
