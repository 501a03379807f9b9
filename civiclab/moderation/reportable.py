"""What people report to moderators: the reportable kinds (a comment, a proposal, a room message),
each described by the domain that owns it.

Moderation reads reported and moderated content only through this registry, so it imports none of
the domains above it that use it: comments and rooms add their kind from their `connect()`
(`reportable.add("commento", COMMENT)`) and call moderation's services; proposals, a floor below,
are described here and added from moderation's own `connect()`.
"""
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from civiclab.core.registry import Registry
from civiclab.proposals.models import Call, Proposal
from civiclab.proposals.permissions import can_moderate_proposal

reportable = Registry("reportable")  # name -> Reportable


def _hidden(content):
    return content.hidden_at is not None


def _nothing(content):
    return {}


@dataclass(frozen=True)
class Reportable:
    """How moderation reads one kind of content. Every function is the owner's own rule."""

    name: str  # the queue's word for it, in its URLs and form prefixes: "commento", "proposta", "messaggio"
    model: type  # with `id`, `author` and `author_id`
    column: str  # the column of reports and of log entries naming it: "comment_id"
    may_moderate: Callable  # (user, content) -> whether `user` moderates it
    city_of: Callable  # (content) -> the id of the city whose moderators read its log entries
    url: Callable  # (content) -> where it is read
    loads: Callable  # () -> loader options, relative to the content, for what these functions read
    author_city_ids: Callable  # (user) -> SELECTs of the ids of the cities where `user` wrote such content
    # Reports hide it: the third reporter hides it until a moderator decides, rejecting the reports
    # shows it again. Else (a room message, watched live) reports only queue it.
    hidden_by_reports: bool = True
    pending_review: Callable = _hidden  # (content) -> hidden by reports, waiting for a moderator
    # (actor, content, reason, now): what upholding its reports does, besides keeping it hidden
    upheld: Callable | None = None
    refuses_second_report: bool = False  # a second report by the same person is refused, not answered again
    logged_with: Callable = _nothing  # (content) -> more of a decision's log entry ({"user": …, "room": …})

    @property
    def relationship(self):
        """The name of Report's (and ModerationAction's) relationship to it."""
        return self.column.removesuffix("_id")


def kind_of(content):
    """The Reportable describing `content`."""
    for kind in reportable.values():
        if isinstance(content, kind.model):
            return kind
    raise LookupError(f"{type(content).__name__} is not reportable")


def content_url(content):
    """Where a reported or moderated content is read."""
    return kind_of(content).url(content)


def city_of(content):
    """The city whose moderators read the log entries about `content` (None if unknown)."""
    return kind_of(content).city_of(content)


# ---- proposals (a floor below: described here) ---------------------------------------------

def _proposal_city(proposal):
    return proposal.call.city_id if proposal.call is not None else None


def _proposal_url(proposal):
    return url_for("proposals.proposal", proposal_id=proposal.id)


def _proposal_loads():
    return (joinedload(Proposal.call).lazyload(Call.themes),)


def _proposal_author_cities(user):
    return (sa.select(Call.city_id).join(Proposal, Proposal.call_id == Call.id).where(Proposal.author_id == user.id),)


PROPOSAL = Reportable(
    name="proposta", model=Proposal, column="proposal_id", may_moderate=can_moderate_proposal,
    city_of=_proposal_city, url=_proposal_url, loads=_proposal_loads, author_city_ids=_proposal_author_cities,
)


def connect():
    reportable.add(PROPOSAL.name, PROPOSAL)
