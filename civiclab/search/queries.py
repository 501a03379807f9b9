"""The site search: published projects, public events, labs and public proposals matching a text.

Projects, events and labs match when every word of the text starts a word of one of their
searched columns (a project's code also matches as a piece of text); proposals go through the
full-text index (search/fulltext.py and proposals/fulltext.py): Italian stemming on PostgreSQL,
word prefixes on SQLite; "orto" never finds "supporto". Every group is one COUNT and one SELECT
with what its list shows joined in, so a page of results costs the same number of queries whatever
it finds; proposals, where one word may match thousands, are also bounded in rows read: ranked
among the newest SEARCH_CANDIDATES matches and counted up to one past them (search_proposals).
"""
import re

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, lazyload

from civiclab.core.db import LIKE_ESCAPE, like_pattern
from civiclab.events.models import Event, EventState
from civiclab.extensions import db
from civiclab.places.models import City, Lab
from civiclab.programmes.models import Project
from civiclab.proposals.fulltext import word_match
from civiclab.proposals.models import PUBLIC_STATES, Call, Proposal
from civiclab.search.fulltext import every_word_starts_a_word

# The groups of results, in the page's order, by the word ?tipo= uses.
GROUPS = ("progetti", "eventi", "laboratori", "proposte")
PER_GROUP = 10  # results per group on the first page, and per page of one group
QUERY_MAX = 200  # characters of the text looked at
WORDS_MAX = 8
WORD_MAX = 50
# Events the public finds: not drafts, not cancelled ones.
FOUND_EVENT_STATES = (EventState.PUBLISHED, EventState.FINISHED)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_query(text):
    """The text as searched: no control characters (PostgreSQL refuses NUL), trimmed, cut short."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:QUERY_MAX]


def words(text):
    """The words of `text`, lower-cased (punctuation alone has none)."""
    return [word.lower()[:WORD_MAX] for word in _WORD.findall(text)][:WORDS_MAX]


def _every_word_in(columns, terms):
    """Each term appears anywhere in at least one of `columns` (lower-cased): for codes only."""
    return sa.and_(*[
        sa.or_(*[sa.func.lower(column).like(like_pattern(term), escape=LIKE_ESCAPE) for column in columns])
        for term in terms
    ])


def projects_select(text):
    terms = words(text)
    if not terms:
        return None
    return (
        sa.select(Project).outerjoin(Project.city).options(contains_eager(Project.city))
        .where(Project.published.is_(True),
               sa.or_(every_word_starts_a_word([Project.title, Project.summary, Project.code], terms),
                      _every_word_in([Project.code], terms)))
        .order_by(Project.title, Project.id)
    )


def events_select(text):
    terms = words(text)
    if not terms:
        return None
    return (
        sa.select(Event).join(Event.lab).join(Lab.city)
        .options(contains_eager(Event.lab).contains_eager(Lab.city), lazyload(Event.audience_rows))
        .where(Event.state.in_(FOUND_EVENT_STATES), every_word_starts_a_word([Event.title, Event.description], terms))
        .order_by(Event.starts_at.desc(), Event.id.desc())
    )


def labs_select(text):
    terms = words(text)
    if not terms:
        return None
    return (
        sa.select(Lab).join(Lab.city).options(contains_eager(Lab.city))
        .where(every_word_starts_a_word([Lab.name, Lab.theme, Lab.venue, Lab.address, City.name], terms))
        .order_by(Lab.name, Lab.id)
    )


def _public_proposals(statement):
    """`statement` (with proposals and calls in it) kept to what the public sees."""
    return statement.where(Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None),
                           Call.published.is_(True))


class _RankedWindow(Pagination):
    """A page of proposals out of `ranked` ids (best first), read by id: the page's one SELECT."""

    def _query_items(self):
        start = (self.page - 1) * self.per_page
        ids = self._query_args["ranked"][start:start + self.per_page]
        if not ids:
            return []
        rows = db.session.scalars(_public_proposals(
            sa.select(Proposal).join(Proposal.call).options(contains_eager(Proposal.call).lazyload(Call.themes))
            .where(Proposal.id.in_(ids))))
        by_id = {proposal.id: proposal for proposal in rows}
        return [by_id[id_] for id_ in ids if id_ in by_id]  # one hidden since the first statement: gone

    def _query_count(self):
        return len(self._query_args["ranked"])


def search_proposals(text, page=1, per_page=PER_GROUP):
    """One page of the proposals found (a Pagination), or None when the text has no words.

    A common word matches thousands of proposals; ranking and counting them all is what made
    search grow with the data. So the public matches are read newest first, in an order the
    index gives without sorting (FTS5's rowid, the proposal's id, on SQLite; the primary key on
    PostgreSQL), and the read stops one past SEARCH_CANDIDATES: one statement returns at most
    N+1 (id, rank) pairs. Past N, `capped` is true and `total` is N ("more than N results");
    the N newest are ranked here, best match first then newest, and paged; a second statement
    reads the page's proposals by id. Two statements, at most N+1 rows, whatever the data size.
    """
    match = word_match(text)
    if match is None:
        return None
    window = current_app.config["SEARCH_CANDIDATES"]
    source = match.source
    if source is not Proposal.__table__:
        source = source.join(Proposal.__table__, Proposal.id == match.id)
    found = db.session.execute(_public_proposals(
        sa.select(match.id, match.rank).select_from(source.join(Call.__table__, Call.id == Proposal.call_id))
        .where(match.condition).order_by(match.id.desc()).limit(window + 1))).all()
    sign = -1 if match.highest_best else 1
    ranked = [id_ for id_, rank in sorted(found[:window], key=lambda row: (sign * row[1], -row[0]))]
    pagination = _RankedWindow(page=page, per_page=per_page, error_out=False, ranked=ranked)
    pagination.capped = len(found) > window
    return pagination


# The groups other than proposals (search_proposals): one SELECT each, paged with its COUNT.
SELECTS = {
    "progetti": projects_select,
    "eventi": events_select,
    "laboratori": labs_select,
}


def search_group(group, text, page=1, per_page=PER_GROUP):
    """One page of one group's results (a Pagination), or None when the text has no words."""
    if group == "proposte":
        return search_proposals(text, page, per_page)
    query = SELECTS[group](text)
    if query is None:
        return None
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    pagination.capped = False  # counted in full (search_proposals counts up to a cap)
    return pagination
