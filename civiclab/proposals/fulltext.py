"""Proposals found by their words: the full-text index of their title and body (SQLite FTS5, or
PostgreSQL's Italian configuration); words, never substrings. A call's page filters with it, the
"similar proposals" box ranks with it, and the site search (civiclab/search) finds proposals
with it."""
import re
from typing import NamedTuple

import sqlalchemy as sa

from civiclab.extensions import db
from civiclab.proposals.models import Proposal

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12


def _terms(text):
    """The words of `text` (letters and digits only: no query syntax reaches the database)."""
    return [word.lower() for word in _WORD.findall(text or "") if len(word) > 1][:MAX_TERMS]


def matching_proposal_ids(text, any_word=False, limit=None):
    """Ids of proposals whose title or body match `text`, best match first.

    Every word must match (as a word prefix, so "giard" finds "giardini"), or any of them when
    `any_word` (the "similar proposals" box while a title is typed). Returns a SELECT of (id, rank)
    to join or filter on; None when `text` has no words.
    """
    terms = _terms(text)
    if not terms:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        joiner = " | " if any_word else " & "
        query = joiner.join(f"{term}:*" for term in terms)
        # The stored to_tsvector('italian', title || ' ' || body) (migration 0014): matching and
        # ranking read it instead of parsing every matching proposal's text again.
        vector = sa.literal_column("proposals.search_vector")
        tsquery = sa.func.to_tsquery(sa.literal_column("'italian'"), query)
        rank = sa.func.ts_rank(vector, tsquery)
        statement = (
            sa.select(sa.literal_column("proposals.id").label("id"), rank.label("rank"))
            .select_from(sa.table("proposals"))
            .where(vector.op("@@")(tsquery))
            .order_by(rank.desc())
        )
    else:
        joiner = " OR " if any_word else " AND "
        query = joiner.join(f'"{term}"*' for term in terms)
        # bm25: lower is better; the title weighs three times the body.
        rank = sa.literal_column("bm25(proposals_fts, 3.0, 1.0)")
        statement = (
            sa.select(sa.literal_column("rowid").label("id"), rank.label("rank"))
            .select_from(sa.table("proposals_fts"))
            .where(sa.literal_column("proposals_fts").op("MATCH")(query))
            .order_by(rank)
        )
    if limit:
        statement = statement.limit(limit)
    return statement


class WordMatch(NamedTuple):
    """The pieces of a full-text match, for a caller that joins and limits it itself: select from
    `source` (it holds the proposals' ids as `id`) where `condition`; `rank` scores a match, best
    the highest when `highest_best` (PostgreSQL's ts_rank), else the lowest (FTS5's bm25, which
    must be selected where `source` is: it reads the index's current row)."""
    source: object
    id: object
    condition: object
    rank: object
    highest_best: bool


def word_match(text):
    """Every word of `text` as a word prefix (as matching_proposal_ids), as a WordMatch; None
    when `text` has no words."""
    terms = _terms(text)
    if not terms:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        query = " & ".join(f"{term}:*" for term in terms)
        vector = sa.literal_column("proposals.search_vector")  # stored and GIN-indexed (migration 0014)
        tsquery = sa.func.to_tsquery(sa.literal_column("'italian'"), query)
        table = Proposal.__table__
        return WordMatch(table, table.c.id, vector.op("@@")(tsquery), sa.func.ts_rank(vector, tsquery), True)
    query = " AND ".join(f'"{term}"*' for term in terms)
    return WordMatch(sa.table("proposals_fts"), sa.literal_column("proposals_fts.rowid"),
                     sa.literal_column("proposals_fts").op("MATCH")(query),
                     sa.literal_column("bm25(proposals_fts, 3.0, 1.0)"), False)
