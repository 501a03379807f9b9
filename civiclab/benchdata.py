"""Bulk data for measuring growth: `flask --app wsgi bench-data --proposals 100000 --comments 1000000`.

DEVELOPMENT AND BENCHMARKS ONLY. Adds, on top of whatever is there (the demo data, usually):
citizens, published proposals in one call, their supports, and comments, a given number of them
on one proposal (the busy one), the rest spread over the new proposals with replies among them.
Rows go in by the thousands (Core executemany; COPY on PostgreSQL) with their ids chosen here,
so a run of a million comments takes a minute or two rather than an hour; the counters the
pages read (a proposal's supports_count and comments_count) are written consistent with the rows.
The same seed gives the same data on the same starting database.
"""
import random
import time
from collections import Counter
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app

from civiclab.accounts.models import ParticipantType, User
from civiclab.comments.models import Comment, Stance
from civiclab.core.time import utcnow
from civiclab.demo import is_production
from civiclab.extensions import db
from civiclab.proposals.models import (
    PUBLIC_STATES,
    Call,
    CallTheme,
    Proposal,
    ProposalState,
    Support,
    recount_public_proposals,
)

BATCH = 20_000
REPLY_SHARE = 0.3  # of the comments on a proposal, those answering an earlier one
REPLY_WINDOW = 10  # ... one of the ten before it

# Words the titles and bodies are made of: a few are what people search for ("orto", "giardino").
_TOPICS = (
    "orto giardino biblioteca scuola quartiere parco piazza strada bici pista ciclabile laboratorio "
    "corso ragazzi anziani famiglie volontari festa mercato musica teatro cinema sport palestra "
    "campo calcio basket murale arte cultura lettura doposcuola compiti tutor digitale computer rete "
    "wifi sportello servizi salute ambulatorio verde alberi fiori panchine fontana acqua pulizia "
    "rifiuti riciclo compost energia solare pannelli luce illuminazione sicurezza telecamere vigili "
    "traffico parcheggio autobus fermata navetta accessibile rampa disabili inclusione lingua "
    "italiano stranieri mediazione lavoro tirocinio impresa bottega artigiani cucina mensa cibo "
    "spreco dispensa solidale casa affitto studenti università ricerca dati aperti mappa app "
    "incontro assemblea consulta comitato associazione cooperativa condominio cortile tetto "
    "terrazza serra semi api miele gatti cani area giochi bambini nido asilo estate centro "
    "estivo gita museo storia memoria archivio fotografia video radio giornale podcast"
)
WORDS = _TOPICS.split()


# ...and the many words nobody searches for, made of syllables (none starts like a word above
# often enough to matter): a topic word is one word in seven, so "orto" is in a few proposals in
# a hundred, as a real word would be, not in one in three.
_SYLLABLES = ["ba", "be", "ci", "da", "de", "fi", "ga", "gi", "la", "le", "mi", "na", "ne", "pa", "pe", "ri",
              "sa", "se", "ti", "va", "ve", "za"]
FILLER = sorted({a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES[::3]})
TOPIC_SHARE = 0.15


class BenchDataRefused(click.ClickException):
    """bench-data on a production app: the CLI prints the message and exits with status 1."""


def _text(rng, low, high):
    return " ".join(rng.choice(WORDS) if rng.random() < TOPIC_SHARE else rng.choice(FILLER)
                    for _ in range(rng.randint(low, high)))


class _Writer:
    """Inserts rows of one table in batches, reporting rows per second."""

    def __init__(self, echo):
        self.echo = echo
        self.connection = db.session.connection()
        self.postgres = self.connection.dialect.name == "postgresql"
        if not self.postgres:
            # This connection only: a page cache (256 MB) that holds the indexes being filled; the
            # default 2 MB makes a million comments crawl.
            self.connection.exec_driver_sql("PRAGMA cache_size = -262144")

    def next_id(self, model):
        return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1

    def insert(self, model, rows, label):
        """`rows`: an iterable of dicts with every column the table needs (ids included)."""
        table = model.__table__
        started, done, batch = time.perf_counter(), 0, []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                done += self._write(table, batch)
                batch = []
                self._progress(label, done, started)
        if batch:
            done += self._write(table, batch)
        self._progress(label, done, started, last=True)
        if self.postgres and done:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))")
        return done

    def _write(self, table, rows):
        if not self.postgres:
            self.connection.execute(table.insert(), rows)
            return len(rows)
        # COPY: the values as the column types would bind them (enums by value, times naive UTC).
        columns = list(rows[0])
        processors = [table.c[name].type._cached_bind_processor(self.connection.dialect) for name in columns]
        names = ", ".join(f'"{name}"' for name in columns)
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([process(row[name]) if process else row[name]
                                for name, process in zip(columns, processors)])
        return len(rows)

    def _progress(self, label, done, started, last=False):
        elapsed = time.perf_counter() - started
        if last or done % (BATCH * 10) == 0:
            rate = done / elapsed if elapsed else 0
            self.echo(f"  {label}: {done:,} rows, {rate:,.0f} rows/s{' (done)' if last else ''}")


def default_call():
    """The first published call still open (the demo's first), else the first published one."""
    now = utcnow()
    published = sa.select(Call).where(Call.published.is_(True)).order_by(Call.id)
    return (db.session.scalar(published.where(Call.closes_at > now).limit(1))
            or db.session.scalar(published.limit(1)))


def generate(*, proposals=0, comments=0, comments_on_one=2000, supports=None, users=None,
             call_id=None, busy_proposal_id=None, seed=13, force=False, echo=click.echo):
    """Add the rows; returns {what: how many} (flushes and writes; the caller commits)."""
    if is_production(current_app) and not force:
        raise BenchDataRefused(
            "Questa app è configurata per la produzione: bench-data aggiunge migliaia di righe finte. "
            "Usa --force solo su una copia di prova.")
    rng = random.Random(seed)
    call = db.session.get(Call, call_id) if call_id else default_call()
    if call is None:
        raise click.ClickException("Nessuna call a cui aggiungere le proposte: carica prima i dati demo "
                                   "(seed-demo) o indica --call.")
    comments_on_one = min(comments_on_one, comments)
    supports = proposals * 2 if supports is None else supports
    users = max(50, proposals // 10) if users is None else max(users, 1)
    writer = _Writer(echo)
    now = utcnow()
    start = min(call.proposals_from, now - timedelta(days=1))
    span = max((now - start).total_seconds(), 3600)

    # Citizens: the authors, supporters and commenters.
    first_user = writer.next_id(User)
    user_ids = list(range(first_user, first_user + users))
    writer.insert(User, ({
        "id": i, "email": f"bench{i}@example.invalid", "display_name": f"Partecipante {i}",
        "password_hash": None, "participant_type": ParticipantType.CITTADINO, "bio": "", "locale": "it",
        "is_admin": False, "email_confirmed_at": start, "privacy_consent_at": start, "created_at": start,
        "deleted_at": None, "session_version": 1,
    } for i in user_ids), "utenti")

    # What each new proposal gets, decided first so its counters go in with it.
    first_proposal = writer.next_id(Proposal)
    proposal_ids = list(range(first_proposal, first_proposal + proposals))
    busy = _busy_proposal(call, busy_proposal_id) if comments_on_one else None
    spread = comments - comments_on_one
    targets = proposal_ids or _public_ids(call)
    if spread and not targets:
        raise click.ClickException("Nessuna proposta pubblica su cui spargere i commenti.")
    comment_counts = Counter(rng.choice(targets) for _ in range(spread)) if spread else Counter()
    supports = min(supports, proposals * len(user_ids))
    support_counts = Counter(rng.choice(proposal_ids) for _ in range(supports)) if supports else Counter()
    for proposal_id, count in support_counts.items():  # no more supporters than there are users
        support_counts[proposal_id] = min(count, len(user_ids))
    themes = db.session.scalars(sa.select(CallTheme.id).where(CallTheme.call_id == call.id)).all() or [None]
    published = {i: start + timedelta(seconds=rng.uniform(0, span)) for i in proposal_ids}

    def proposal_rows():
        for i in proposal_ids:
            title = _text(rng, 3, 8).capitalize()
            body = _text(rng, 20, 60)
            at = published[i]
            yield {
                "id": i, "call_id": call.id, "author_id": rng.choice(user_ids), "title": title[:200],
                "body": body, "body_html": f"<p>{body}</p>", "theme_id": rng.choice(themes), "lab_id": None,
                "place": "", "state": ProposalState.ACCEPTED, "supports_count": support_counts.get(i, 0),
                "comments_count": comment_counts.get(i, 0) if proposal_ids else 0, "hidden_at": None,
                "created_at": at - timedelta(days=1), "updated_at": at, "submitted_at": at - timedelta(hours=12),
                "published_at": at,
            }

    writer.insert(Proposal, proposal_rows(), "proposte")

    def support_rows():
        next_id = writer.next_id(Support)
        for proposal_id in proposal_ids:
            for user_id in rng.sample(user_ids, support_counts.get(proposal_id, 0)):
                yield {"id": next_id, "proposal_id": proposal_id, "user_id": user_id,
                       "created_at": published[proposal_id] + timedelta(hours=1)}
                next_id += 1

    added_supports = writer.insert(Support, support_rows(), "sostegni")

    first_comment = writer.next_id(Comment)
    plan = ([(busy.id, comments_on_one, busy.published_at or start)] if busy else []) + [
        (proposal_id, count, published.get(proposal_id, start)) for proposal_id, count in sorted(comment_counts.items())]
    added_comments = writer.insert(Comment, _comment_rows(rng, plan, user_ids, first_comment, now), "commenti")
    if not proposal_ids or busy:  # proposals that existed before: their counter recounted
        recount = ([busy.id] if busy else []) + ([] if proposal_ids else list(comment_counts))
        _recount_comments(recount)
    recount_public_proposals(db.session.connection(), [call.id])
    db.session.expire_all()
    return {"utenti": users, "proposte": proposals, "sostegni": added_supports, "commenti": added_comments,
            "call": call.id, "proposta con più commenti": busy.id if busy else None}


def _public_ids(call):
    return db.session.scalars(sa.select(Proposal.id).where(
        Proposal.call_id == call.id, Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None))
        .order_by(Proposal.id)).all()


def _busy_proposal(call, proposal_id):
    """The proposal that gets the long thread: the one named, or the call's first public one
    commented already (the demo's /proposte/4 on a fresh demo database: see the bench)."""
    if proposal_id:
        proposal = db.session.get(Proposal, proposal_id)
        if proposal is None or not proposal.is_public:
            raise click.ClickException(f"La proposta {proposal_id} non esiste o non è pubblica.")
        return proposal
    ids = _public_ids(call)
    if not ids:
        raise click.ClickException("La call non ha proposte pubbliche per il thread lungo: usa --busy-proposal.")
    return db.session.get(Proposal, ids[min(3, len(ids) - 1)])


def _comment_rows(rng, plan, user_ids, next_id, now):
    """Comments per (proposal id, how many, from when): top-level ones and replies to earlier ones
    of the same proposal, spread between the proposal's publication and now, in order."""
    stances = [None, None, Stance.IN_FAVOUR, Stance.NEUTRAL, Stance.AGAINST]
    for proposal_id, count, since in plan:
        earlier = []  # (id, root id, depth)
        gap = (now - since) / (count + 1)
        for k in range(count):
            at = since + gap * (k + 1)
            body = _text(rng, 5, 30).capitalize() + "."
            if earlier and rng.random() < REPLY_SHARE:  # to one of the latest, as conversations go
                parent_id, root_id, depth = rng.choice(earlier[-REPLY_WINDOW:])
                parent, root, depth = parent_id, root_id or parent_id, depth + 1
            else:
                parent, root, depth = None, None, 0
            earlier.append((next_id, root, depth))
            yield {
                "id": next_id, "project_id": None, "proposal_id": proposal_id, "outcome_id": None,
                "author_id": rng.choice(user_ids), "parent_id": parent, "root_id": root, "depth": depth,
                "body": body, "body_html": f"<p>{body}</p>", "stance": rng.choice(stances) if depth == 0 else None,
                "upvotes": 0, "downvotes": 0, "created_at": at, "edited_at": None, "deleted_at": None,
                "hidden_at": None, "hidden_reason": "", "hidden_by_id": None,
            }
            next_id += 1


def _recount_comments(proposal_ids):
    """comments_count as the services keep it: the visible comments, replies included."""
    comments = Comment.__table__
    for chunk in range(0, len(proposal_ids), 500):
        ids = proposal_ids[chunk:chunk + 500]
        visible = (sa.select(sa.func.count(comments.c.id))
                   .where(comments.c.proposal_id == Proposal.id, comments.c.deleted_at.is_(None),
                          comments.c.hidden_at.is_(None)).scalar_subquery())
        db.session.execute(sa.update(Proposal).where(Proposal.id.in_(ids)).values(comments_count=visible)
                           .execution_options(synchronize_session=False))
