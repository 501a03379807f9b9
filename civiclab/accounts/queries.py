"""Reading accounts for pages: the loaders that answer 404 (not there, or not yours to see) or
403 (there, but not yours to act on) in one place."""
from flask import abort
from flask_login import current_user

from civiclab.accounts.models import Membership, Organisation, UserSession
from civiclab.accounts.permissions import (
    can_decide_membership,
    can_end_session,
    can_verify_organisation,
)
from civiclab.core.permissions import require
from civiclab.extensions import db


def load_organisation(org_id, for_="view"):
    """The organisation `org_id`: anyone sees it; "verify" is for its city's staff."""
    organisation = db.get_or_404(Organisation, org_id)
    if for_ == "verify":
        require(can_verify_organisation(current_user, organisation))
    elif for_ != "view":
        raise ValueError(for_)
    return organisation


def load_membership(org_id, membership_id, for_="decide"):
    """A request to join `org_id` (404 if it is another organisation's), for who may decide it."""
    membership = db.get_or_404(Membership, membership_id)
    if membership.organisation_id != org_id:
        abort(404)
    if for_ == "decide":
        require(can_decide_membership(current_user, membership))
    else:
        raise ValueError(for_)
    return membership


def load_session(session_id, for_="end"):
    """One of the signed-in person's own sign-in sessions; another's is not found (404)."""
    user_session = db.session.get(UserSession, session_id)
    if for_ != "end":
        raise ValueError(for_)
    if user_session is None or not can_end_session(current_user, user_session):
        abort(404)
    return user_session
