"""The site search: published projects, public events, labs and public proposals matching a text.

Projects, events and labs match when every word of the text starts a word of one of their
searched columns (a project's code also matches as a piece of text); proposals go through the
full-text index (search/fulltext.py and proposals/fulltext.py): Italian stemming on PostgreSQL,
word prefixes on SQLite; "orto" never finds "supporto". Every group is one COUNT and one SELECT with what its list shows joined in, so a page of
results costs the same number of queries whatever it finds.
"""
import re

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, lazyload

from civiclab.core.db import LIKE_ESCAPE, like_pattern
from civiclab.events.models import Event, EventState
from civiclab.extensions import db
from civiclab.places.models import City, Lab
from civiclab.programmes.models import Project
from civiclab.proposals.fulltext import matching_proposal_ids
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


def proposals_select(text):
    """Public proposals (accepted or adopted, not hidden) of published calls, best match first."""
    matching = matching_proposal_ids(text)
    if matching is None:
        return None
    matching = matching.order_by(None).subquery()  # the page orders; its COUNT needs no order
    # ts_rank: higher is better; FTS5's bm25: lower is better.
    best_first = matching.c.rank.desc() if db.session.get_bind().dialect.name == "postgresql" else matching.c.rank
    return (
        sa.select(Proposal).join(matching, matching.c.id == Proposal.id)
        .join(Proposal.call).options(contains_eager(Proposal.call).lazyload(Call.themes))
        .where(Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None), Call.published.is_(True))
        .order_by(best_first, Proposal.id.desc())
    )


SELECTS = {
    "progetti": projects_select,
    "eventi": events_select,
    "laboratori": labs_select,
    "proposte": proposals_select,
}


def search_group(group, text, page=1, per_page=PER_GROUP):
    """One page of one group's results (a Pagination), or None when the text has no words."""
    query = SELECTS[group](text)
    if query is None:
        return None
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
