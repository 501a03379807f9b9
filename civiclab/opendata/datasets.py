"""The open datasets, each defined once: its name, title, description, columns (with their
meaning, in Italian) and the one query that reads its rows, joined, never row by row.

Only what the site already shows to anyone is here: published projects, outcomes and proposals,
events that were published, attendance as counts. No person appears except the public display
name of the author of a published proposal (no e-mail, no user id, no RUP).

A value is written the same way in every format (`as_text`): amounts in euro with a decimal
point and two decimals ("1234.50"), dates as ISO 8601 ("2024-08-31"), times as ISO 8601 in
Europe/Rome, yes/no as "true"/"false", nothing as an empty cell (null in JSON).
"""
import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from civiclab.accounts.models import User
from civiclab.core.time import to_rome
from civiclab.events.models import Event, EventState, Registration, RegistrationState
from civiclab.extensions import db
from civiclab.outcomes.models import Milestone, Outcome, OutcomeProposal, OutcomeStatus
from civiclab.places.models import City, Lab
from civiclab.programmes.models import Action, Axis, FinancialSnapshot, Programme, Project
from civiclab.proposals.models import PUBLIC_STATES, Call, CallTheme, Proposal

THEME = "http://publications.europa.eu/resource/authority/data-theme/"


class Euro(Decimal):
    """An amount in euro: written with two decimals."""


@dataclass(frozen=True)
class Column:
    name: str
    description: object  # a lazy Italian string


@dataclass(frozen=True)
class Dataset:
    name: str  # in the address: /dati-aperti/<name>.csv
    title: object
    description: object
    themes: tuple  # EU data themes (GOVE, ECON, SOCI, …)
    columns: tuple
    select: object  # () -> a Select whose labels are the column names, in order
    modified: object  # () -> a Select of the latest change of the dataset's rows

    @property
    def header(self):
        return [column.name for column in self.columns]


def euro(cents):
    return None if cents is None else Euro(cents).scaleb(-2)


def as_text(value):
    """One value as a CSV cell (and as the README documents it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Euro):
        return f"{value:.2f}"
    if isinstance(value, datetime.datetime):
        return to_rome(value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def as_json(value):
    """One value in JSON: numbers and booleans as such, amounts, dates and times as their text."""
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, Euro):
        return value
    return as_text(value)


_AMOUNTS = (
    ("programmato", _l("Importo programmato, in euro (punto decimale, due decimali).")),
    ("ammesso", _l("Importo ammesso a finanziamento, in euro.")),
    ("vincolante", _l("Importo giuridicamente vincolante (impegni), in euro.")),
    ("erogato", _l("Importo erogato (pagamenti), in euro.")),
)
_CONVERTERS = {name: euro for name, _ in _AMOUNTS} | {"progress": lambda value: None if value is None else round(value, 1)}


def _amount_columns(model):
    return [getattr(model, f"{name}_cents").label(name) for name, _ in _AMOUNTS]


def _amount_docs():
    return tuple(Column(name, description) for name, description in _AMOUNTS) + (
        Column("amounts_inconsistent", _l("true se gli importi, come pubblicati dalla fonte, non rispettano "
                                          "l'ordine programmato ≥ ammesso ≥ vincolante ≥ erogato.")),
    )


# -- the queries -------------------------------------------------------------------------------

def _cities():
    return sa.select(City.slug.label("slug"), City.name.label("name"), City.region.label("region"),
                     City.municipalities_count.label("municipalities_count"),
                     City.population.label("population")).order_by(City.name)


def _labs():
    return (sa.select(Lab.id.label("id"), City.slug.label("city"), Lab.slug.label("slug"), Lab.name.label("name"),
                      Lab.venue.label("venue"), Lab.theme.label("theme"), Lab.address.label("address"),
                      Lab.latitude.label("latitude"), Lab.longitude.label("longitude"),
                      Lab.opening_hours.label("opening_hours"), Lab.accessibility.label("accessibility"))
            .join(City, Lab.city_id == City.id).order_by(City.name, Lab.name))


def _projects():
    return (sa.select(Project.code.label("code"), Project.cup.label("cup"), Project.oc_code.label("oc_code"),
                      Project.title.label("title"), City.slug.label("city_slug"), City.name.label("city"),
                      City.region.label("region"), Project.territory.label("territory"),
                      Programme.code.label("programme"), Programme.name.label("programme_name"),
                      Programme.period.label("programme_period"), Axis.number.label("axis"),
                      Axis.name.label("axis_name"), Action.code.label("action"), Action.name.label("action_name"),
                      Project.implementing_body.label("implementing_body"), Project.summary.label("summary"),
                      Project.oc_link.label("oc_link"), Project.start_date.label("start_date"),
                      Project.end_date.label("end_date"), *_amount_columns(Project),
                      Project.amounts_inconsistent.label("amounts_inconsistent"))
            .join(Action, Project.action_id == Action.id).join(Axis, Action.axis_id == Axis.id)
            .join(Programme, Axis.programme_id == Programme.id)
            .outerjoin(City, Project.city_id == City.id)
            .where(Project.published.is_(True)).order_by(Project.code))


def _snapshots():
    return (sa.select(Project.code.label("project"), FinancialSnapshot.as_of.label("as_of"),
                      FinancialSnapshot.source.label("source"), *_amount_columns(FinancialSnapshot),
                      FinancialSnapshot.amounts_inconsistent.label("amounts_inconsistent"))
            .join(Project, FinancialSnapshot.project_id == Project.id)
            .where(Project.published.is_(True))
            .order_by(Project.code, FinancialSnapshot.as_of, FinancialSnapshot.id))


def _published_outcomes():
    """Outcomes anyone sees: published, of a published project."""
    return sa.and_(Outcome.published.is_(True), Project.published.is_(True))


def _outcomes():
    parent = aliased(Outcome)
    return (sa.select(Outcome.id.label("id"), Project.code.label("project"), parent.id.label("parent"),
                      Outcome.title.label("title"), OutcomeStatus.key.label("status"),
                      Outcome.progress.label("progress"), Outcome.start_date.label("start_date"),
                      Outcome.end_date.label("end_date"), Outcome.address.label("address"))
            .join(Project, Outcome.project_id == Project.id)
            .outerjoin(parent, sa.and_(Outcome.parent_id == parent.id, parent.published.is_(True)))
            .outerjoin(OutcomeStatus, Outcome.status_id == OutcomeStatus.id)
            .where(_published_outcomes()).order_by(Project.code, Outcome.position, Outcome.id))


def _milestones():
    return (sa.select(Milestone.id.label("id"), Milestone.outcome_id.label("outcome"),
                      Milestone.title.label("title"), Milestone.planned_on.label("planned_on"),
                      Milestone.reached_on.label("reached_on"))
            .join(Outcome, Milestone.outcome_id == Outcome.id).join(Project, Outcome.project_id == Project.id)
            .where(_published_outcomes()).order_by(Milestone.outcome_id, Milestone.planned_on, Milestone.id))


def _public_proposals():
    """Proposals anyone sees: accepted or adopted, not hidden by moderation, in a published call."""
    return sa.and_(Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None), Call.published.is_(True))


def _adopted():
    return (sa.select(OutcomeProposal.outcome_id.label("outcome"), Proposal.id.label("proposal"),
                      Proposal.title.label("proposal_title"))
            .join(Outcome, OutcomeProposal.outcome_id == Outcome.id)
            .join(Project, Outcome.project_id == Project.id)
            .join(Proposal, OutcomeProposal.proposal_id == Proposal.id).join(Call, Proposal.call_id == Call.id)
            .where(_published_outcomes(), _public_proposals())
            .order_by(OutcomeProposal.outcome_id, Proposal.id))


_SHOWN_EVENTS = (EventState.PUBLISHED, EventState.FINISHED, EventState.CANCELLED)


def _events():
    counts = (sa.select(
        Registration.event_id.label("event_id"),
        sa.func.count().filter(Registration.state == RegistrationState.CONFIRMED).label("registrations"),
        sa.func.coalesce(sa.func.sum(Registration.seats).filter(Registration.state == RegistrationState.CONFIRMED),
                         0).label("seats"),
        sa.func.count().filter(Registration.attended_at.is_not(None)).label("attended"),
    ).group_by(Registration.event_id).subquery())
    return (sa.select(Event.id.label("id"), City.slug.label("city"), Lab.slug.label("lab"),
                      Event.title.label("title"), Event.starts_at.label("starts_at"),
                      Event.ends_at.label("ends_at"), Event.is_online.label("is_online"),
                      Event.state.label("state"), Event.capacity.label("capacity"),
                      sa.func.coalesce(counts.c.registrations, 0).label("registrations"),
                      sa.func.coalesce(counts.c.seats, 0).label("seats"),
                      sa.func.coalesce(counts.c.attended, 0).label("attended"))
            .join(Lab, Event.lab_id == Lab.id).join(City, Lab.city_id == City.id)
            .outerjoin(counts, counts.c.event_id == Event.id)
            .where(Event.state.in_(_SHOWN_EVENTS)).order_by(Event.starts_at, Event.id))


def _proposals():
    return (sa.select(Proposal.id.label("id"), City.slug.label("city"), Call.id.label("call"),
                      Call.title.label("call_title"), Project.code.label("project"), Lab.slug.label("lab"),
                      CallTheme.name.label("theme"), Proposal.title.label("title"), Proposal.body.label("body"),
                      Proposal.place.label("place"), Proposal.state.label("state"),
                      Proposal.supports_count.label("supports"), Proposal.comments_count.label("comments"),
                      Proposal.published_at.label("published_at"), User.display_name.label("author"))
            .join(Call, Proposal.call_id == Call.id).join(City, Call.city_id == City.id)
            .join(User, Proposal.author_id == User.id)
            .outerjoin(Project, Call.project_id == Project.id)
            .outerjoin(Lab, Proposal.lab_id == Lab.id)
            .outerjoin(CallTheme, Proposal.theme_id == CallTheme.id)
            .where(_public_proposals()).order_by(Proposal.id))


def _modified(column, *joins_and_filters):
    def select():
        query = sa.select(sa.func.max(column))
        for step in joins_and_filters:
            query = step(query)
        return query
    return select


def _events_modified():
    """An event's row changes with the event and with its counts: a registration made,
    cancelled or marked present."""
    shown = Event.state.in_(_SHOWN_EVENTS)
    moments = [sa.select(sa.func.max(Event.updated_at).label("at")).where(shown)]
    moments += [sa.select(sa.func.max(column).label("at")).join(Event, Registration.event_id == Event.id).where(shown)
                for column in (Registration.created_at, Registration.cancelled_at, Registration.attended_at)]
    union = sa.union_all(*moments).subquery()
    return sa.select(sa.func.max(union.c.at))


# -- the datasets ------------------------------------------------------------------------------

_C = Column
DATASETS = (
    Dataset(
        "citta", _l("Città"), _l("Le città della rete dei Laboratori aperti."), ("GOVE", "REGI"),
        (_C("slug", _l("Identificativo della città nell'indirizzo del sito.")), _C("name", _l("Nome della città.")),
         _C("region", _l("Regione.")),
         _C("municipalities_count", _l("Numero di comuni della città metropolitana, se lo è.")),
         _C("population", _l("Popolazione (dell'area metropolitana, se indicata)."))),
        _cities, _modified(City.created_at)),
    Dataset(
        "laboratori", _l("Laboratori aperti"),
        _l("I Laboratori aperti: spazi pubblici dove la città si co-progetta."), ("GOVE", "SOCI"),
        (_C("id", _l("Identificativo del laboratorio.")), _C("city", _l("Città (slug, vedi il dataset città).")),
         _C("slug", _l("Identificativo del laboratorio nell'indirizzo del sito.")), _C("name", _l("Nome.")),
         _C("venue", _l("Sede.")), _C("theme", _l("Tema del laboratorio.")), _C("address", _l("Indirizzo.")),
         _C("latitude", _l("Latitudine (WGS84).")), _C("longitude", _l("Longitudine (WGS84).")),
         _C("opening_hours", _l("Orari di apertura.")), _C("accessibility", _l("Informazioni sull'accessibilità.")),),
        _labs, _modified(Lab.updated_at)),
    Dataset(
        "progetti", _l("Progetti finanziati"),
        _l("I progetti pubblicati, con programma, asse, azione, date e i quattro importi dell'avanzamento "
           "finanziario più recente."), ("ECON", "GOVE"),
        (_C("code", _l("Codice del progetto (chiave del dataset).")),
         _C("cup", _l("CUP, Codice Unico di Progetto (può ripetersi tra progetti).")),
         _C("oc_code", _l("Codice locale del progetto in OpenCoesione (COD_LOCALE_PROGETTO).")),
         _C("title", _l("Titolo.")), _C("city_slug", _l("Città (slug); vuoto se il progetto non è di un solo comune.")),
         _C("city", _l("Nome della città.")), _C("region", _l("Regione della città.")),
         _C("territory", _l("Territorio come lo indica la fonte (per esempio \"TUTTI I COMUNI\").")),
         _C("programme", _l("Codice del programma (per esempio 2014IT16M2OP004).")),
         _C("programme_name", _l("Nome del programma.")), _C("programme_period", _l("Periodo di programmazione.")),
         _C("axis", _l("Numero dell'asse del programma.")), _C("axis_name", _l("Nome dell'asse.")),
         _C("action", _l("Codice dell'azione (per esempio 3.3.1).")), _C("action_name", _l("Nome dell'azione.")),
         _C("implementing_body", _l("Soggetto attuatore.")), _C("summary", _l("Sintesi del progetto.")),
         _C("oc_link", _l("Pagina del progetto su OpenCoesione.")),
         _C("start_date", _l("Data di inizio (AAAA-MM-GG).")), _C("end_date", _l("Data di fine (AAAA-MM-GG).")),
         *_amount_docs()),
        _projects, _modified(Project.updated_at, lambda q: q.where(Project.published.is_(True)))),
    Dataset(
        "avanzamento-finanziario", _l("Avanzamento finanziario nel tempo"),
        _l("Le rilevazioni datate dei quattro importi di ogni progetto pubblicato, con la loro fonte."), ("ECON",),
        (_C("project", _l("Codice del progetto.")), _C("as_of", _l("Data della rilevazione (AAAA-MM-GG).")),
         _C("source", _l("Fonte (\"manuale\", \"OpenCoesione 2024-08-31\", …).")), *_amount_docs()),
        _snapshots,
        _modified(FinancialSnapshot.created_at,
                  lambda q: q.join(Project, FinancialSnapshot.project_id == Project.id)
                  .where(Project.published.is_(True)))),
    Dataset(
        "risultati", _l("Risultati dei progetti"),
        _l("I risultati pubblicati dei progetti: stato, avanzamento in percentuale, date, luogo; i "
           "risultati composti indicano il risultato di cui fanno parte."), ("GOVE",),
        (_C("id", _l("Identificativo del risultato.")), _C("project", _l("Codice del progetto.")),
         _C("parent", _l("Identificativo del risultato di cui fa parte (vuoto se di primo livello).")),
         _C("title", _l("Titolo.")),
         _C("status", _l("Stato: planned (previsto), in_progress (in corso), completed (concluso), suspended "
                         "(sospeso), cancelled (annullato), o uno stato proprio della città.")),
         _C("progress", _l("Avanzamento, da 0 a 100.")), _C("start_date", _l("Data di inizio.")),
         _C("end_date", _l("Data di fine.")), _C("address", _l("Indirizzo, se ne ha uno."))),
        _outcomes,
        _modified(Outcome.updated_at, lambda q: q.join(Project, Outcome.project_id == Project.id)
                  .where(_published_outcomes()))),
    Dataset(
        "tappe", _l("Tappe dei risultati"),
        _l("Le tappe (milestone) dei risultati pubblicati: data prevista e data raggiunta."), ("GOVE",),
        (_C("id", _l("Identificativo della tappa.")), _C("outcome", _l("Identificativo del risultato.")),
         _C("title", _l("Titolo.")), _C("planned_on", _l("Data prevista.")),
         _C("reached_on", _l("Data in cui è stata raggiunta (vuoto se non ancora)."))),
        _milestones,
        _modified(Milestone.created_at, lambda q: q.join(Outcome, Milestone.outcome_id == Outcome.id)
                  .join(Project, Outcome.project_id == Project.id).where(_published_outcomes()))),
    Dataset(
        "proposte-adottate", _l("Proposte adottate dai risultati"),
        _l("Quali proposte dei partecipanti ogni risultato ha adottato."), ("GOVE", "SOCI"),
        (_C("outcome", _l("Identificativo del risultato.")), _C("proposal", _l("Identificativo della proposta.")),
         _C("proposal_title", _l("Titolo della proposta."))),
        _adopted,
        _modified(OutcomeProposal.created_at,
                  lambda q: q.join(Outcome, OutcomeProposal.outcome_id == Outcome.id)
                  .join(Project, Outcome.project_id == Project.id)
                  .join(Proposal, OutcomeProposal.proposal_id == Proposal.id)
                  .join(Call, Proposal.call_id == Call.id).where(_published_outcomes(), _public_proposals()))),
    Dataset(
        "eventi", _l("Eventi dei laboratori"),
        _l("Gli eventi pubblicati dei laboratori con la partecipazione in forma aggregata (nessuna persona)."),
        ("SOCI", "EDUC"),
        (_C("id", _l("Identificativo dell'evento.")), _C("city", _l("Città (slug).")),
         _C("lab", _l("Laboratorio (slug).")), _C("title", _l("Titolo.")),
         _C("starts_at", _l("Inizio (data e ora ISO 8601, ora italiana).")), _C("ends_at", _l("Fine.")),
         _C("is_online", _l("true se si svolge online.")),
         _C("state", _l("Stato: published (pubblicato), finished (concluso), cancelled (annullato).")),
         _C("capacity", _l("Posti disponibili.")), _C("registrations", _l("Numero di iscrizioni confermate.")),
         _C("seats", _l("Posti occupati dalle iscrizioni confermate (un gruppo ne occupa più d'uno).")),
         _C("attended", _l("Numero di iscrizioni con presenza registrata."))),
        _events, _events_modified),
    Dataset(
        "proposte", _l("Proposte pubblicate"),
        _l("Le proposte dei partecipanti accettate o adottate, con il numero di sostegni; dell'autore solo il "
           "nome pubblico."), ("SOCI", "GOVE"),
        (_C("id", _l("Identificativo della proposta.")), _C("city", _l("Città (slug).")),
         _C("call", _l("Identificativo della call.")), _C("call_title", _l("Titolo della call.")),
         _C("project", _l("Codice del progetto della call, se ne ha uno.")),
         _C("lab", _l("Laboratorio (slug), se indicato.")), _C("theme", _l("Tema.")), _C("title", _l("Titolo.")),
         _C("body", _l("Testo della proposta (Markdown).")), _C("place", _l("Luogo indicato.")),
         _C("state", _l("Stato: accepted (pubblicata) o adopted (adottata da un risultato).")),
         _C("supports", _l("Numero di sostegni.")), _C("comments", _l("Numero di commenti.")),
         _C("published_at", _l("Data e ora di pubblicazione.")),
         _C("author", _l("Nome pubblico dell'autore, come appare sul sito."))),
        _proposals,
        _modified(Proposal.updated_at, lambda q: q.join(Call, Proposal.call_id == Call.id)
                  .where(_public_proposals()))),
)
BY_NAME = {dataset.name: dataset for dataset in DATASETS}


def get(name):
    """The dataset called `name`, or None."""
    return BY_NAME.get(name)


def _plain(value):
    """A row's value as the datasets write it: enums by their value, coordinates as numbers."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def rows(dataset):
    """The dataset's rows as dicts keyed by its column names, read in batches."""
    result = db.session.execute(dataset.select().execution_options(yield_per=500))
    for row in result.mappings():
        yield {name: _CONVERTERS.get(name, _plain)(row[name]) for name in dataset.header}


def modified(dataset):
    """The latest change of the dataset's rows, as a date (None when it has none)."""
    latest = db.session.scalar(dataset.modified())
    if isinstance(latest, datetime.datetime):
        return to_rome(latest).date()
    return latest


def modified_dates():
    """Each dataset's latest change, in one query."""
    selects = [dataset.modified().scalar_subquery().label(dataset.name.replace("-", "_")) for dataset in DATASETS]
    row = db.session.execute(sa.select(*selects)).one()
    return {dataset.name: (to_rome(value).date() if isinstance(value, datetime.datetime) else value)
            for dataset, value in zip(DATASETS, row)}
