"""Who may do what with accounts, organisations and memberships (pure functions)."""
from civiclab.accounts.models import MembershipStatus
from civiclab.core.permissions import is_admin, is_authenticated


def is_municipality_staff(user):
    return is_authenticated(user) and bool(user.staff_roles)


def membership_of(user, organisation):
    """The user's membership of `organisation` (any status), or None."""
    if not is_authenticated(user):
        return None
    return next((m for m in organisation.memberships if m.user_id == user.id), None)


def is_active_member(user, organisation):
    membership = membership_of(user, organisation)
    return membership is not None and membership.status is MembershipStatus.ACTIVE


def can_approve_membership(user, organisation):
    """An active member of the organisation, an administrator or any municipality staff."""
    if not is_authenticated(user) or not user.is_confirmed:
        return False
    return is_admin(user) or is_municipality_staff(user) or is_active_member(user, organisation)


def can_decide_membership(user, membership):
    """Approvers decide others' requests, never their own."""
    return membership.user_id != getattr(user, "id", None) and can_approve_membership(
        user, membership.organisation
    )


def can_request_membership(user, organisation):
    """A confirmed participant of the organisation's kind with no open or active membership."""
    if not is_authenticated(user) or not user.is_confirmed:
        return False
    if user.participant_type is not organisation.kind:
        return False
    membership = membership_of(user, organisation)
    return membership is None or membership.status is MembershipStatus.REFUSED


def can_see_member_emails(user, organisation):
    """Approvers see requesters' addresses to recognise colleagues; the public never does."""
    return can_approve_membership(user, organisation)


def can_end_session(user, user_session):
    """A sign-in session is ended by its own user only."""
    return is_authenticated(user) and user_session.user_id == user.id


def can_verify_organisation(user, organisation):
    """Administrators, and the staff of the city the organisation is in."""
    if not is_authenticated(user) or not user.is_confirmed:
        return False
    return is_admin(user) or (organisation.city_id is not None and organisation.city_id in user.staff_city_ids)


def can_see_organisations_to_verify(user):
    """The page of organisations waiting for verification: administrators and municipality staff."""
    return is_authenticated(user) and user.is_confirmed and (is_admin(user) or is_municipality_staff(user))


def meets_identity_requirement(user, required):
    """Whether `user` may act where a verified identity is `required` ("solo con SPID/CIE"): anyone
    the other rules let in when it is not; else only a signed-in account with a SPID or CIE identity
    linked (accounts/identities.py). Services enforce it (accounts/identity_rule.py); pages ask it to
    explain instead of showing a button that would fail."""
    return not required or (is_authenticated(user) and user.has_verified_identity)
