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


def _newest_public_matches(match, limit):
    """Ids (and, on SQLite, ranks) of the `limit` newest public proposals matching: read newest
    first from the index (the full-text index's rowid on SQLite, the primary key on PostgreSQL)
    and stopped at `limit`, so a word found in 4,000 proposals costs what one found in 500 does."""
    source = match.source
    if source is not Proposal.__table__:
        source = source.join(Proposal.__table__, Proposal.id == match.id)
    columns = [match.id.label("id")] + ([] if match.rank_anywhere else [match.rank.label("rank")])
    return (
        sa.select(*columns).select_from(source.join(Call.__table__, Call.id == Proposal.call_id))
        .where(match.condition, Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None),
               Call.published.is_(True))
        .order_by(match.id.desc()).limit(limit)
    )


def search_proposals(text, page=1, per_page=PER_GROUP):
    """One page of the proposals found (a Pagination), or None when the text has no words.

    Only the newest SEARCH_CANDIDATES public matches are ranked (best match first among them) and
    paged; the count stops one past them: `capped` is then true and `total` is the window's size
    (the page says "more than N results"). Two statements, bounded by the setting whatever the
    word: a COUNT over at most N+1 ids and the page's SELECT ranking at most N.
    """
    match = word_match(text)
    if match is None:
        return None
    window = current_app.config["SEARCH_CANDIDATES"]
    found = db.session.scalar(
        sa.select(sa.func.count()).select_from(_newest_public_matches(match, window + 1).subquery()))
    candidates = _newest_public_matches(match, window).subquery()
    rank = match.best_first if match.rank_anywhere else candidates.c.rank
    query = (
        sa.select(Proposal).join(candidates, candidates.c.id == Proposal.id)
        .join(Proposal.call).options(contains_eager(Proposal.call).lazyload(Call.themes))
        .order_by(rank, Proposal.id.desc())
    )
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=False)
    pagination.total = min(found, window)
    pagination.capped = found > window
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
