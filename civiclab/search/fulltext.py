"""Word search in plain columns (projects, events, labs): `every_word_starts_a_word`; words,
never substrings. Proposals go through their full-text index (civiclab/proposals/fulltext.py)."""
import sqlalchemy as sa

from civiclab.core.db import SQLITE_WORDS_START
from civiclab.extensions import db


def every_word_starts_a_word(columns, terms):
    """A condition: each of `terms` (lower-case words) starts a word of one of `columns` — "orto"
    finds "Orto botanico", never "supporto".

    On PostgreSQL the words are also compared by their Italian stems ("giardini" finds
    "giardino"), with the unstemmed 'simple' configuration besides, so stop words and names match;
    on SQLite, by word prefix (civiclab.core.db.words_start).
    """
    parts = [sa.func.coalesce(column, "") for column in columns]
    document = parts[0]
    for part in parts[1:]:
        document = document.concat(" ").concat(part)
    if db.session.get_bind().dialect.name == "postgresql":
        query = " & ".join(f"{term}:*" for term in terms)

        def matches(config):
            language = sa.literal_column(f"'{config}'")
            return sa.func.to_tsvector(language, document).op("@@")(sa.func.to_tsquery(language, query))

        return sa.or_(matches("italian"), matches("simple"))
    return getattr(sa.func, SQLITE_WORDS_START)(document, " ".join(terms)) == 1
