"""Who may open calls, write, see, moderate and support proposals (pure functions)."""
from civiclab.core.permissions import is_admin, is_authenticated
from civiclab.places.permissions import can_manage_city
from civiclab.proposals.models import ProposalState


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
    if not is_authenticated(user):
        return False
    if is_admin(user) or call.city_id in user.staff_city_ids:
        return True
    if call.lab_id is not None:
        return call.lab_id in user.facilitated_lab_ids
    return any(role.lab.city_id == call.city_id for role in user.facilitator_roles)


def can_moderate_proposal(user, proposal):
    return can_moderate_call(user, proposal.call)


def can_view_proposal(user, proposal):
    """Accepted and adopted proposals are public (unless hidden pending review); authors always see
    their own; moderators see all of their calls'. Drafts are their author's alone."""
    if is_authenticated(user) and proposal.author_id == user.id:
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
    return is_authenticated(user) and proposal.author_id == user.id and proposal.is_editable


def can_support(user, proposal):
    """Confirmed participants other than the author, on a public proposal."""
    return can_contribute(user) and proposal.is_public and proposal.author_id != user.id


def can_see_history(user, proposal):
    """The author and the moderators see every transition with its reason."""
    if not is_authenticated(user):
        return False
    return proposal.author_id == user.id or can_moderate_proposal(user, proposal)
