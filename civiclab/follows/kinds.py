"""What may be followed beyond follows' own kinds (projects, calls and proposals, on the floors
below): a higher domain (outcomes) adds its kind from its `connect()`, and follows reads only this
registry, never importing it.

A kind is named by the word in the follow URLs ("risultato"), and stored in Follow's column
`column` ("outcome_id", with its relationship named as the column without "_id").
"""
from collections.abc import Callable
from dataclasses import dataclass

from civiclab.core.registry import Registry

followable = Registry("followable")  # URL word -> Followable


@dataclass(frozen=True)
class Followable:
    """How follows reads one kind of subject (a model with `id` and `title`), by its owner's rules."""

    kind: str  # the word in the URL: "risultato"
    model: type
    column: str  # Follow's column: "outcome_id"
    may_view: Callable  # (user, subject) -> whether `user` sees it (and so may follow it)
    endpoint: str  # its page ("outcomes.outcome")
    url_values: Callable  # (subject) -> the endpoint's values ({"outcome_id": 7})
    label: object  # its name in lists ("Risultato"), a lazy string
    # (query on Follow) -> the query with the subject (and what `may_view` reads) outer-joined and
    # loaded with contains_eager, for the "Cosa seguo" list and the data export
    joins: Callable
    # (user, ids of the cities they manage) -> SQL: the followed subjects of this kind that user
    # still sees, on what `joins` joined (administrators see everything)
    visible: Callable

    @property
    def relationship(self):
        """Follow's relationship to the subject ("outcome")."""
        return self.column.removesuffix("_id")
