"""Users, the organisations they act for, and their memberships."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from civiclab.core.errors import DomainError
from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db


class ParticipantType(enum.Enum):
    """Who a participant is, as the labs count them."""

    CITTADINO = "cittadino"
    SCUOLA = "scuola"
    IMPRESA = "impresa"
    TERZO_SETTORE = "terzo_settore"
    UNIVERSITA = "universita"
    ENTE_PUBBLICO = "ente_pubblico"

    @property
    def needs_organisation(self):
        return self is not ParticipantType.CITTADINO

    @property
    def label(self):
        return PARTICIPANT_TYPE_LABELS[self]

    @classmethod
    def organisation_kinds(cls):
        return [kind for kind in cls if kind.needs_organisation]


PARTICIPANT_TYPE_LABELS = {
    ParticipantType.CITTADINO: _l("Cittadino"),
    ParticipantType.SCUOLA: _l("Scuola"),
    ParticipantType.IMPRESA: _l("Impresa"),
    ParticipantType.TERZO_SETTORE: _l("Terzo settore"),
    ParticipantType.UNIVERSITA: _l("Università / ricerca"),
    ParticipantType.ENTE_PUBBLICO: _l("Ente pubblico"),
}


# The badges beside staff names (institutions' words, neutral in gender).
ROLE_BADGES = {
    "admin": _l("Amministrazione"),
    "staff": _l("Comune"),
    "facilitator": _l("Facilitazione"),
}


def role_badge(user, is_staff, is_facilitator):
    """The badge of `user`, who is or not municipality staff and facilitator (None: none)."""
    if user.deleted_at is not None:
        return None
    if user.is_admin:
        return ROLE_BADGES["admin"]
    if is_staff:
        return ROLE_BADGES["staff"]
    if is_facilitator:
        return ROLE_BADGES["facilitator"]
    return None


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)  # None once deleted
    display_name: Mapped[str] = mapped_column(sa.String(80))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    participant_type: Mapped[ParticipantType] = mapped_column(
        sa.Enum(ParticipantType, name="participant_type", values_callable=lambda e: [m.value for m in e],
                validate_strings=True),
        default=ParticipantType.CITTADINO,
    )
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    locale: Mapped[str] = mapped_column(sa.String(5), default="it")
    is_admin: Mapped[bool] = mapped_column(default=False)
    email_confirmed_at: Mapped[object | None] = mapped_column(UTCDateTime)
    privacy_consent_at: Mapped[object] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # Bumped on password change and deletion so reset links stop working (sign-ins: user_sessions).
    session_version: Mapped[int] = mapped_column(default=1)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", cascade="all, delete-orphan"
    )
    # Roles (the tables live in places/, beside the cities and labs they point to).
    staff_roles: Mapped[list["CityStaff"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    facilitator_roles: Mapped[list["LabFacilitator"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # A SPID/CIE identity linked through the OIDC gateway (accounts/identities.py), or None.
    verified_identity: Mapped["VerifiedIdentity | None"] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )  # loaded when asked (lazily): a list of authors must not pay a statement for it

    @property
    def has_verified_identity(self):
        """Whether a SPID or CIE identity vouches for this account ("solo con SPID/CIE")."""
        return self.verified_identity is not None

    @property
    def staff_city_ids(self):
        return {role.city_id for role in self.staff_roles}

    @property
    def facilitated_lab_ids(self):
        return {role.lab_id for role in self.facilitator_roles}

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # The sign-in session this request acts in (accounts/sessions.py sets it when it opens or
    # loads one); never stored.
    current_session = None

    def get_id(self):
        """What Flask-Login keeps in the session and the remember-me cookie: "<user id>:<session
        key>", so both name one revocable row of user_sessions."""
        if self.current_session is None or not self.current_session.key:
            raise RuntimeError("sign in through accounts.sessions.sign_in, not login_user")
        return f"{self.id}:{self.current_session.key}"

    # The same person whatever session each object was loaded with (UserMixin compares get_id()).
    __hash__ = object.__hash__

    def __eq__(self, other):
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    @property
    def is_active(self):
        return self.deleted_at is None

    @property
    def is_confirmed(self):
        return self.email_confirmed_at is not None

    @property
    def role_badge(self):
        """The role shown beside their name where they write (None for a participant): who
        speaks for the network, a municipality or a lab, so a look-alike name has no badge.
        Pages of many authors ask `places.roles.role_badges` once instead."""
        return role_badge(self, bool(self.staff_roles), bool(self.facilitator_roles))

    @property
    def active_memberships(self):
        return [m for m in self.memberships if m.status is MembershipStatus.ACTIVE]

    @property
    def verified_memberships(self):
        """Active memberships of organisations the city's staff verified: the ones a user acts for."""
        return [m for m in self.active_memberships if m.organisation.is_verified]

    @property
    def acting_type(self):
        """Who the user counts as when booking: the declared kind once a verified organisation of
        that kind counts them as an active member, else a citizen (anyone may declare a school)."""
        if not self.participant_type.needs_organisation:
            return self.participant_type
        if any(m.organisation.kind is self.participant_type for m in self.verified_memberships):
            return self.participant_type
        return ParticipantType.CITTADINO

    def __repr__(self):
        return f"<User {self.id} {self.email}>"


class OrganisationVerification(enum.Enum):
    """Whether the city's staff checked that the organisation exists (new ones wait)."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"

    @property
    def label(self):
        return {
            OrganisationVerification.UNVERIFIED: _l("In attesa di verifica"),
            OrganisationVerification.VERIFIED: _l("Verificata"),
            OrganisationVerification.REJECTED: _l("Non verificata"),
        }[self]


# Which verification an organisation may move to from each (staff may reconsider a refusal).
VERIFICATION_TRANSITIONS = {
    OrganisationVerification.UNVERIFIED: {OrganisationVerification.VERIFIED, OrganisationVerification.REJECTED},
    OrganisationVerification.REJECTED: {OrganisationVerification.VERIFIED},
    OrganisationVerification.VERIFIED: set(),
}


class Organisation(db.Model):
    """A school, business, third-sector body, university or public body participants act for.

    Anyone may register a new one, so it acts as an organisation (group seats, events reserved to
    its kind) only once the staff of its city, or an administrator, verified it.
    """

    __tablename__ = "organisations"
    __table_args__ = (sa.UniqueConstraint("kind", "name_key", name="uq_organisations_kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    name_key: Mapped[str] = mapped_column(sa.String(160))  # casefolded name, for uniqueness
    kind: Mapped[ParticipantType] = mapped_column(
        sa.Enum(ParticipantType, name="participant_type", values_callable=lambda e: [m.value for m in e],
                validate_strings=True)
    )
    city_name: Mapped[str] = mapped_column(sa.String(120), default="")
    # The CivicLab city whose staff verify it (None: only administrators do).
    city_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cities.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    verification: Mapped[OrganisationVerification] = mapped_column(
        sa.Enum(OrganisationVerification, name="organisation_verification", native_enum=False, length=12,
                values_callable=lambda e: [m.value for m in e], validate_strings=True),
        default=OrganisationVerification.UNVERIFIED, index=True,
    )
    verification_decided_at: Mapped[object | None] = mapped_column(UTCDateTime)
    verification_decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verification_reason: Mapped[str] = mapped_column(sa.Text, default="")

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    verification_decided_by: Mapped[User | None] = relationship(foreign_keys=[verification_decided_by_id])

    @property
    def is_verified(self):
        return self.verification is OrganisationVerification.VERIFIED

    @property
    def awaits_verification(self):
        return self.verification is OrganisationVerification.UNVERIFIED

    def decide_verification(self, approve, by, reason=""):
        """Verify the organisation, or refuse it with a reason its members read."""
        status = OrganisationVerification.VERIFIED if approve else OrganisationVerification.REJECTED
        if status not in VERIFICATION_TRANSITIONS[self.verification]:
            raise DomainError(str(_l("Questa organizzazione è già stata verificata.")))
        self.verification = status
        self.verification_decided_at = utcnow()
        self.verification_decided_by = by
        self.verification_reason = reason

    @staticmethod
    def key_for(name):
        return " ".join(name.split()).casefold()


class MembershipStatus(enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    REFUSED = "refused"

    @property
    def label(self):
        return {
            MembershipStatus.PENDING: _l("In attesa di approvazione"),
            MembershipStatus.ACTIVE: _l("Attiva"),
            MembershipStatus.REFUSED: _l("Rifiutata"),
        }[self]


# Which status a membership may move to from each status (a refused request may be asked again).
MEMBERSHIP_TRANSITIONS = {
    MembershipStatus.PENDING: {MembershipStatus.ACTIVE, MembershipStatus.REFUSED},
    MembershipStatus.REFUSED: {MembershipStatus.PENDING},
    MembershipStatus.ACTIVE: set(),
}


class Membership(db.Model):
    """A user acting for an organisation; later members wait for approval."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "user_id", name="uq_memberships_org_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        sa.Enum(MembershipStatus, name="membership_status", values_callable=lambda e: [m.value for m in e],
                validate_strings=True)
    )
    requested_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[object | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def _move_to(self, status):
        if status not in MEMBERSHIP_TRANSITIONS[self.status]:
            raise DomainError(str(_l("Questa richiesta è già stata decisa.")))
        self.status = status

    def decide(self, approve, by):
        """Approve or refuse a pending request."""
        self._move_to(MembershipStatus.ACTIVE if approve else MembershipStatus.REFUSED)
        self.decided_at = utcnow()
        self.decided_by = by

    def ask_again(self):
        """A refused request is asked once more and waits again."""
        self._move_to(MembershipStatus.PENDING)
        self.requested_at = utcnow()
        self.decided_at = None
        self.decided_by = None

    @property
    def is_pending(self):
        return self.status is MembershipStatus.PENDING

    @property
    def is_active(self):
        return self.status is MembershipStatus.ACTIVE


class UserSession(db.Model):
    """One sign-in on one device: the session cookie and the remember-me cookie name it by a random
    key (only its hash is stored), and it ends when revoked or unused for its lifetime."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 of the cookie's key
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)  # to SESSION_TOUCH_INTERVAL
    user_agent: Mapped[str] = mapped_column(sa.String(80), default="")  # "Firefox, Linux": a summary
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")  # as the app sees it
    revoked_at: Mapped[object | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    key = None  # the cookie's key, known only in the request that opened or loaded the session
