"""Who may open calls, write, see, moderate, support and move proposals (pure functions)."""
from civiclab.core.permissions import is_authenticated
from civiclab.places.permissions import can_manage_city, can_moderate_in_city
from civiclab.proposals.models import Proposal, ProposalState


def can_manage_calls(user, city):
    """The municipality opens calls: its staff, and administrators."""
    return can_manage_city(user, city)


def can_edit_call(user, call):
    return can_manage_city(user, call.city_id)


def can_view_call(user, call):
    return call.published or can_edit_call(user, call)


def can_moderate_call(user, call):
    """The facilitators of the call's lab (of any lab of its city when it names none), the city's
    municipality staff, administrators."""
    if call.lab_id is None:
        return can_moderate_in_city(user, call.city_id)
    return can_manage_city(user, call.city_id) or (
        is_authenticated(user) and call.lab_id in user.facilitated_lab_ids)


def can_moderate_proposal(user, proposal):
    return can_moderate_call(user, proposal.call)


def is_author(user, proposal):
    return is_authenticated(user) and proposal.author_id == user.id


def can_adopt(user, proposal):
    """The municipality of the call's city (and administrators) adopt proposals in outcomes."""
    return can_edit_call(user, proposal.call)


# Who each name of the "who may" column of PROPOSAL_TRANSITIONS (proposals/models.py) is.
MOVERS = {
    "author": is_author,
    "moderator": can_moderate_proposal,
    "staff": can_adopt,
}


def can_move(user, proposal, to_state):
    """The one reader of PROPOSAL_TRANSITIONS: `user` may move `proposal` from its state to
    `to_state` when the table has that move and `user` is who its "who may" column names."""
    who = Proposal.who_may(proposal.state, to_state)
    return who is not None and MOVERS[who](user, proposal)


def can_view_proposal(user, proposal):
    """Accepted and adopted proposals are public (unless hidden pending review); authors always see
    their own; moderators see all of their calls'. Drafts are their author's alone."""
    if is_author(user, proposal):
        return True
    if proposal.state is ProposalState.DRAFT:
        return False
    if proposal.is_public:
        return can_view_call(user, proposal.call)
    return can_moderate_proposal(user, proposal)


def can_contribute(user):
    """Only confirmed accounts write proposals, comments, supports and reports (anti-spam); a
    blocked user is refused by the services with the block's end date."""
    return is_authenticated(user) and user.is_confirmed


def can_propose(user, call):
    return can_contribute(user) and can_view_call(user, call)


def can_edit_proposal(user, proposal):
    """Its author, while it is a draft or changes were requested."""
    return is_author(user, proposal) and proposal.is_editable


def can_support(user, proposal):
    """Confirmed participants other than the author, on a public proposal."""
    return can_contribute(user) and proposal.is_public and proposal.author_id != user.id


def can_see_history(user, proposal):
    """The author and the moderators see every transition with its reason."""
    return is_author(user, proposal) or can_moderate_proposal(user, proposal)
