"""Organisations and memberships: finding, creating, asking to join, deciding."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from civiclab.accounts import mails
from civiclab.accounts.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationVerification,
    User,
)
from civiclab.accounts.names import check_line, check_organisation_name
from civiclab.accounts.permissions import (
    can_decide_membership,
    can_request_membership,
    can_verify_organisation,
)
from civiclab.core import signals
from civiclab.core.audit import audit
from civiclab.core.errors import DomainError, NotAllowed
from civiclab.extensions import db

REASON_MAX = 1000


def create_organisation(name, kind, city_name=""):
    """A new organisation, unverified until the staff of its city (or an administrator) check it."""
    name = check_organisation_name(name)
    city_name = check_line(city_name, "new_organisation_city")
    organisation = Organisation(name=name, name_key=Organisation.key_for(name), kind=kind, city_name=city_name,
                                city_id=_city_id_named(city_name),
                                verification=OrganisationVerification.UNVERIFIED)
    try:
        with db.session.begin_nested():
            db.session.add(organisation)
            db.session.flush()
    except IntegrityError:
        raise DomainError(_("Esiste già un'organizzazione con questo nome: sceglila dall'elenco per "
                            "chiedere di aderire."), field="new_organisation_name") from None
    return organisation


def find_organisation(name, kind):
    return db.session.scalar(sa.select(Organisation).where(
        Organisation.kind == kind, Organisation.name_key == Organisation.key_for(name)))


def search_organisations(query="", kind=None, page=1, per_page=20):
    """A page of organisations matching `query` (in the name) and `kind`, by name."""
    stmt = sa.select(Organisation).order_by(Organisation.name_key, Organisation.id)
    key = Organisation.key_for(query or "")
    if key:
        stmt = stmt.where(Organisation.name_key.contains(key, autoescape=True))
    if kind is not None:
        stmt = stmt.where(Organisation.kind == kind)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def active_member_counts(organisation_ids):
    """{organisation id: number of active members}, in one query."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        sa.select(Membership.organisation_id, sa.func.count(Membership.id))
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_(organisation_ids),
               Membership.status == MembershipStatus.ACTIVE, User.deleted_at.is_(None))
        .group_by(Membership.organisation_id)
    )
    return dict(rows.all())


def organisation_memberships(organisation):
    """The organisation's memberships with their users, oldest first, in one query."""
    return db.session.scalars(
        sa.select(Membership).options(selectinload(Membership.user))
        .where(Membership.organisation_id == organisation.id)
        .order_by(Membership.requested_at, Membership.id)
    ).all()


def organisations_for_registration():
    """Every organisation a registrant may ask to join, by kind and name."""
    return db.session.scalars(sa.select(Organisation).order_by(Organisation.kind, Organisation.name_key)).all()


def request_membership(user, organisation):
    """Ask to join `organisation`; its approvers are told.

    Asking again while the request waits answers as the first time did, without telling the
    approvers twice, also when two submissions race (the loser's insert meets the unique key in
    a savepoint, as supports do).
    """
    membership = _membership_of(user, organisation)
    if membership is not None and membership.is_pending:
        return membership
    if not can_request_membership(user, organisation):
        raise NotAllowed(_("Non puoi chiedere di aderire a questa organizzazione."))
    if membership is None:
        membership = Membership(organisation_id=organisation.id, user_id=user.id, status=MembershipStatus.PENDING)
        try:
            with db.session.begin_nested():
                db.session.add(membership)
                db.session.flush()
        except IntegrityError:  # the same request, sent a moment ago by another request
            db.session.expire(organisation, ["memberships"])
            db.session.expire(user, ["memberships"])
            return _membership_of(user, organisation)
        db.session.expire(organisation, ["memberships"])
        db.session.expire(user, ["memberships"])
    else:
        membership.ask_again()
    db.session.flush()
    notify_approvers(membership)
    return membership


def _membership_of(user, organisation):
    """`user`'s membership of `organisation` as the database has it now, or None."""
    return db.session.scalar(sa.select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.user_id == user.id))


def notify_approvers(membership):
    signals.membership_requested.send(membership)
    for approver in membership_approvers(membership.organisation):
        mails.send_membership_requested(approver, membership)


def membership_approvers(organisation):
    """Who is mailed about a request: the active members, or the administrators when none is left."""
    members = db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.status == MembershipStatus.ACTIVE,
               User.deleted_at.is_(None), User.email_confirmed_at.is_not(None), User.email.is_not(None))
        .order_by(Membership.id)
    ).all()
    if members:
        return members
    return db.session.scalars(sa.select(User).where(
        User.is_admin.is_(True), User.deleted_at.is_(None), User.email.is_not(None))).all()


def decide_membership(actor, membership, approve):
    if not can_decide_membership(actor, membership):
        raise NotAllowed(_("Non puoi decidere su questa richiesta."))
    membership.decide(approve, by=actor)
    db.session.flush()
    if approve:
        signals.membership_approved.send(membership)
    if membership.user.email:
        mails.send_membership_decided(membership)
    return membership


def user_memberships(user):
    """The user's memberships with their organisations, oldest first, in one query."""
    return db.session.scalars(
        sa.select(Membership).options(selectinload(Membership.organisation))
        .where(Membership.user_id == user.id)
        .order_by(Membership.requested_at, Membership.id)
    ).all()


# ---- verification by the city's staff --------------------------------------------------------

def _city_id_named(city_name):
    """The id of the CivicLab city called `city_name` (any case), or None: then only
    administrators verify. Cities live a floor up (places/), so their table is read, not imported."""
    if not city_name:
        return None
    cities = db.metadata.tables["cities"]
    return db.session.scalar(sa.select(sa.func.min(cities.c.id))
                             .where(sa.func.lower(cities.c.name) == city_name.lower()))


def organisations_to_verify(user, page=1, per_page=20):
    """A page of the organisations `user` may verify that wait for it (or were refused), oldest first."""
    stmt = (sa.select(Organisation)
            .where(Organisation.verification != OrganisationVerification.VERIFIED)
            .order_by(Organisation.verification.desc(), Organisation.created_at, Organisation.id))
    if not user.is_admin:
        stmt = stmt.where(Organisation.city_id.in_(user.staff_city_ids))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def decide_verification(actor, organisation, approve, reason=""):
    """Verify `organisation`, or refuse it with a reason; its active members (its creator) are told."""
    if not can_verify_organisation(actor, organisation):
        raise NotAllowed(_("Non puoi verificare questa organizzazione."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError(_("Scrivi il motivo: lo leggerà chi ha registrato l'organizzazione."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Il motivo può avere al massimo %(n)s caratteri.", n=REASON_MAX), field="reason")
    organisation.decide_verification(approve, by=actor, reason=reason)
    db.session.flush()
    audit(actor, "organisation.verified" if approve else "organisation.refused", organisation,
          city_id=organisation.city_id, reason=reason, name=organisation.name)
    for member in organisation_members(organisation):
        mails.send_organisation_verified(member, organisation)
    return organisation


def organisation_members(organisation):
    """Active members with an address to write to, oldest membership first."""
    return db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation.id, Membership.status == MembershipStatus.ACTIVE,
               User.deleted_at.is_(None), User.email.is_not(None))
        .order_by(Membership.id)
    ).all()
