"""Demo outcomes for seed-demo (journey 4 of DOMAIN.md): on the Bologna project BO3.3.1.b, a result
with three sub-results, their milestones (one late), two published proposals of the demo supports
call adopted, the events where it was co-designed, the project's money over time (three financial
snapshots) and a citizen following the project, so that its notifications can be seen.

The results follow the three kinds of intervention of the BO3.3.1.b sheet (governance, technical
support, promotion), quoted from it. Rows are written directly, not through the services, so that
nothing is notified while seeding and the dates can lie in the past; they keep the services'
invariants: an adopted proposal has its recorded transition with the outcome as the reason, the
parent's progress is its children's weighted mean, the project holds its latest snapshot's amounts.
Dates are relative to the day the demo is loaded (the events' clock: today in Rome), so one
milestone is always late and one always ahead.

Idempotent: statuses by city and key, outcomes by project, parent and title, milestones by outcome
and title, links by their keys; a row found is left as it is. The snapshots are written only when
the project has none (its history then is the demo's own): seeding on a later day adds no second
"manuale" one.
"""
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from civiclab.accounts.models import User
from civiclab.core.sanitize import render_markdown
from civiclab.core.time import ROME, utcnow
from civiclab.events.models import Event
from civiclab.extensions import db
from civiclab.follows.models import Follow
from civiclab.outcomes.models import (
    DEFAULT_STATUSES,
    Milestone,
    Outcome,
    OutcomeEvent,
    OutcomeProposal,
    OutcomeStatus,
)
from civiclab.outcomes.services import weighted_progress  # the one rule of a parent's progress
from civiclab.programmes.models import FinancialSnapshot
from civiclab.proposals.models import Call, Proposal, ProposalState, ProposalTransition

STAFF, FOLLOWER = "comune.bologna@example.org", "cittadino@example.org"
ADDRESS = "Piazza del Nettuno 3, 40124 Bologna"  # Sala Borsa, the Bologna lab's seat

# The parent result, from the BO3.3.1.b sheet. Dates: (days from today) or a fixed date.
PARENT = {
    "title": "Accelerazione civica: le azioni di supporto all'innovazione sociale",
    "description": (
        "Il progetto sviluppa alcune azioni di supporto allo sviluppo del progetto BO3.3.1c e più in "
        "generale alla realizzazione delle finalità generali delle azioni di **innovazione sociale**. "
        "Si prevedono interventi di diversa tipologia, tra loro interrelati dal punto di vista sia "
        "cronologico sia contenutistico:\n\n"
        "1. Governance\n2. Supporto tecnico\n3. Promozione\n\n"
        "L'avanzamento è la media dei tre risultati, pesata secondo il loro impegno nel progetto."
    ),
    "status": "in_progress",
    "days": (-400, 180),
    "milestones": [
        # (title, description, planned: days from today, reached: days from today or None)
        ("Presentazione pubblica del progetto",
         "Presentazione pubblica del progetto BO3.3.1.b e delle sue prime attività.", -30, -30),
        ("Relazione al Board sui risultati",
         "Il Board riceve la relazione sulle azioni svolte e sul loro impatto.", 120, None),
    ],
    "events": ["Presentazione dell'Accelerazione civica"],
}

# Its sub-results: weights 1, 3, 2 do not sum to 1 on purpose; they are normalised (1/6, 3/6, 2/6).
CHILDREN = [
    {
        "title": "Governance: il Board interistituzionale",
        "description": (
            "Per garantire il pilotaggio interistituzionale del progetto, il Comune di Bologna e la Città "
            "Metropolitana di Bologna attivano un **Board** che cura il raccordo con le istituzioni e gli "
            "enti pubblici (CCIAA, Università, Regione, …) e i soggetti privati (parti sociali, imprese, "
            "Terzo Settore, …)."
        ),
        "status": "completed", "progress": 100.0, "weight": 1.0, "days": (-400, -200),
        "milestones": [
            ("Insediamento del Board", "Prima riunione del Board con gli enti e i soggetti coinvolti.",
             -330, -325),
        ],
        "events": [], "adopts": [],
    },
    {
        "title": "Supporto tecnico: la tecnostruttura metropolitana",
        "description": (
            "Una tecnostruttura metropolitana eroga servizi di prossimità alla comunità territoriale e ai "
            "soggetti organizzati che ne fanno parte, e anima la rete metropolitana di scuole, Pubbliche "
            "Amministrazioni, imprese private, Università, centri di ricerca, terzo settore.\n\n"
            "Come azione propedeutica è previsto uno *Studio preliminare* sulle aree bersaglio a forte "
            "disagio abitativo e sociale."
        ),
        "status": "in_progress", "progress": 60.0, "weight": 3.0, "days": (-300, 150),
        "milestones": [
            ("Studio preliminare sulle aree bersaglio",
             "Definizione delle aree bersaglio, dei loro bisogni e delle loro opportunità.", -240, -236),
            ("Prima ipotesi della rete territoriale",
             ("Le modalità di progettazione e la prima ipotesi di costruzione della rete territoriale di "
              "riferimento."), -20, None),  # late: planned in the past, not reached
            ("Servizio di supporto tecnico e organizzativo",
             "Avvio del servizio di supporto tecnico/organizzativo per la realizzazione del progetto.",
             60, None),
        ],
        "events": ["Mappare i bisogni del quartiere"], "adopts": [],
    },
    {
        "title": "Promozione: comunicazione ed eventi pubblici",
        "description": (
            "Servizi di comunicazione, animazione anche tramite social network e realizzazione di eventi "
            "pubblici volti a promuovere sul territorio quanto realizzato dal progetto e a sostenere la "
            "partecipazione ai percorsi di sviluppo di comunità da parte di tutta la cittadinanza."
        ),
        "status": "in_progress", "progress": 25.0, "weight": 2.0, "days": (-60, 180),
        "milestones": [],
        "events": ["Presentazione dell'Accelerazione civica"],
        # Published proposals of the demo supports call (civiclab/proposals/demo.py), by title.
        "adopts": ["Un open day dei progetti costruiti dai ragazzi",
                   "Un hackathon civico sui dati aperti del PON Metro"],
    },
]


def _snapshots(amounts, today):
    """The project's money over time, oldest first: (as of, source, the four amounts in cents), each
    amount growing; the last, entered by hand today, is the sheet's (civiclab/demo_data.py BO331B)."""
    programmato, ammesso, vincolante, erogato = amounts
    return [
        (date(2023, 12, 31), "OpenCoesione 2023-12-31", (programmato, 405_000_00, 371_023_96, 247_349_30)),
        (date(2024, 8, 31), "OpenCoesione 2024-08-31", (programmato, ammesso, 404_003_86, 350_411_51)),
        (today, "manuale", (programmato, ammesso, vincolante, erogato)),
    ]


def _today():
    """The events' clock: today in Rome."""
    return datetime.now(ROME).date()


def seed_outcomes(tally, project, amounts):
    """The demo's outcomes, money over time and project follower on `project`; idempotent.
    `amounts`: the project's four amounts as the seeds give them, the latest snapshot's."""
    today = _today()
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_((STAFF, FOLLOWER))))}
    staff = users[STAFF]
    statuses = ensure_default_statuses(tally, project.city)
    parent, parent_created = _outcome(tally, project, None, PARENT, 0, statuses, staff, today)
    children = [_outcome(tally, project, parent, fields, position, statuses, staff, today)[0]
                for position, fields in enumerate(CHILDREN)]
    if parent_created:
        parent.progress = weighted_progress(children)
    _snapshots_of(tally, project, amounts, staff, today)
    _follow(tally, users[FOLLOWER], project)
    db.session.flush()


def ensure_default_statuses(tally, city):
    """The city's default statuses (key and empty name: the app translates the keys), created if
    missing, each counted in the demo's tally (services.ensure_statuses makes the same rows)."""
    statuses = {}
    for position, (key, progress) in enumerate(DEFAULT_STATUSES):
        statuses[key] = tally.get_or_create("Stati dei risultati", OutcomeStatus, {"city_id": city.id, "key": key},
                                            name="", default_progress=progress, position=position)
    return statuses


def _outcome(tally, project, parent, fields, position, statuses, staff, today):
    """One outcome with its milestones, events and adopted proposals; (outcome, created now?)."""
    lookup = {"project_id": project.id, "parent_id": parent.id if parent else None, "title": fields["title"]}
    outcome = db.session.scalar(sa.select(Outcome).filter_by(**lookup))
    created = outcome is None
    tally.found["Risultati"] = tally.found.get("Risultati", 0) + 1
    if created:
        start, end = (today + timedelta(days=days) for days in fields["days"])
        status = statuses[fields["status"]]
        outcome = Outcome(
            **lookup, description=fields["description"], description_html=render_markdown(fields["description"]),
            status_id=status.id, progress=fields.get("progress", 0.0), weight=fields.get("weight"),
            start_date=start, end_date=end, address=ADDRESS, position=position, published=True,
            created_by_id=staff.id, created_at=_at(today, fields["days"][0]),
        )
        db.session.add(outcome)
        db.session.flush()
        tally.created["Risultati"] = tally.created.get("Risultati", 0) + 1
    for title, description, planned, reached in fields["milestones"]:
        tally.get_or_create(
            "Tappe", Milestone, {"outcome_id": outcome.id, "title": title},
            description=description, description_html=render_markdown(description),
            planned_on=today + timedelta(days=planned),
            reached_on=None if reached is None else today + timedelta(days=reached),
            created_at=_at(today, fields["days"][0]),
        )
    for title in fields.get("events", ()):
        event = db.session.scalar(sa.select(Event).where(Event.title == title, Event.lab.has(city_id=project.city_id)))
        if event is not None:
            tally.get_or_create("Eventi dei risultati", OutcomeEvent, {"outcome_id": outcome.id, "event_id": event.id})
    for title in fields.get("adopts", ()):
        _adopt(tally, outcome, project, title, staff, today)
    return outcome, created


def _adopt(tally, outcome, project, title, staff, today):
    """The outcome adopts the published proposal `title` of the project's calls, as the service
    does: the link, the move to "adopted" and its recorded transition with the outcome as reason."""
    proposal = db.session.scalar(sa.select(Proposal).join(Call).where(Call.project_id == project.id,
                                                                      Proposal.title == title))
    if proposal is None:
        return
    before = tally.created.get("Proposte adottate", 0)
    when = _at(today, -2)
    tally.get_or_create("Proposte adottate", OutcomeProposal, {"outcome_id": outcome.id, "proposal_id": proposal.id},
                        created_by_id=staff.id, created_at=when)
    if tally.created.get("Proposte adottate", 0) == before or proposal.state is not ProposalState.ACCEPTED:
        return
    db.session.add(ProposalTransition(
        proposal_id=proposal.id, actor_id=staff.id, created_at=when,
        from_state=proposal.state.value, to_state=ProposalState.ADOPTED.value,
        reason=f"Adottata nel risultato «{outcome.title}»"))
    proposal.state = ProposalState.ADOPTED
    proposal.updated_at = when


def _snapshots_of(tally, project, amounts, staff, today):
    """Three snapshots when the project has none; the project then holds the latest's amounts."""
    existing = db.session.scalar(sa.select(sa.func.count()).select_from(FinancialSnapshot)
                                 .filter_by(project_id=project.id))
    rows = _snapshots(amounts, today)
    tally.found["Situazioni finanziarie"] = tally.found.get("Situazioni finanziarie", 0) + (existing or len(rows))
    if existing:
        return
    for as_of, source, (programmato, ammesso, vincolante, erogato) in rows:
        db.session.add(FinancialSnapshot(
            project_id=project.id, as_of=as_of, source=source, programmato_cents=programmato,
            ammesso_cents=ammesso, vincolante_cents=vincolante, erogato_cents=erogato,
            created_by_id=staff.id if source == "manuale" else None,
        ))
    tally.created["Situazioni finanziarie"] = tally.created.get("Situazioni finanziarie", 0) + len(rows)
    project.programmato_cents, project.ammesso_cents, project.vincolante_cents, project.erogato_cents = rows[-1][2]


def _follow(tally, user, project):
    tally.get_or_create("Chi segue i progetti", Follow, {"user_id": user.id, "project_id": project.id},
                        created_at=utcnow() - timedelta(days=20))


def _at(today, days):
    """10 a.m. in Rome, `days` from today."""
    return datetime.combine(today + timedelta(days=days), time(10), tzinfo=ROME)
