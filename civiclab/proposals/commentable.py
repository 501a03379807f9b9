"""Proposals take comments: what the comments domain reads about them (core/targets.py), added
from proposals' connect()."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from civiclab.core.targets import Commentable, commentable
from civiclab.extensions import db
from civiclab.proposals.models import Call, Proposal
from civiclab.proposals.permissions import can_moderate_proposal, can_view_proposal


def _load(proposal_id):
    return db.session.get(Proposal, proposal_id)


def _city_of(proposal):
    return proposal.call.city_id


def _discussion_problem(proposal):
    if not proposal.is_public:
        return _l("Si possono commentare solo le proposte pubblicate.")
    if not proposal.call.allows("comment"):
        return _l("I commenti sono chiusi in questa fase della call (%(phase)s).", phase=proposal.call.phase.label)
    return None


def _url_values(proposal):
    return {"proposal_id": proposal.id}


def _loads():
    return (joinedload(Proposal.call).lazyload(Call.themes),)


def _city_ids():
    return sa.select(Proposal.id, Call.city_id).join(Call, Proposal.call_id == Call.id)


def _shows_comments(proposal):
    """Once published: a proposal hidden by reports keeps its thread for who may still see it."""
    return proposal.state.is_public


PROPOSAL = Commentable(
    kind="proposal", model=Proposal, load=_load, may_view=can_view_proposal, city_of=_city_of,
    discussion_problem=_discussion_problem, endpoint="proposals.proposal", url_values=_url_values,
    loads=_loads, city_ids=_city_ids, may_moderate=can_moderate_proposal, shows_comments=_shows_comments,
    takes_stance=True, counter_table="proposals",
)


def connect():
    commentable.add(PROPOSAL.kind, PROPOSAL)
