"""Calls for ideas with their phases and themes, the proposals written under them, their history,
supports and attachments."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.errors import DomainError
from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db


def _enum(enum_class, name):
    return sa.Enum(enum_class, name=name, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)


class CallPhase(enum.Enum):
    """Where a call is in its calendar; each phase allows different things (see `Call.allows`)."""

    UPCOMING = "upcoming"
    PROPOSALS = "proposals"  # proposals may be written and submitted
    REVIEW = "review"  # facilitators finish moderating; authors answer change requests
    SUPPORTS = "supports"  # participants support accepted proposals
    CLOSED = "closed"

    @property
    def label(self):
        return {
            CallPhase.UPCOMING: _l("In arrivo"),
            CallPhase.PROPOSALS: _l("Raccolta delle proposte"),
            CallPhase.REVIEW: _l("Valutazione"),
            CallPhase.SUPPORTS: _l("Sostegni"),
            CallPhase.CLOSED: _l("Chiusa"),
        }[self]

    @property
    def badge(self):
        """The Bootstrap Italia badge class the phase is shown with."""
        return {CallPhase.PROPOSALS: "bg-success", CallPhase.SUPPORTS: "bg-primary"}.get(self, "bg-secondary")

    @property
    def is_upcoming(self):
        return self is CallPhase.UPCOMING

    @property
    def is_closed(self):
        return self is CallPhase.CLOSED


# What each phase allows, in one table: the services check it, the pages show it.
PHASE_ALLOWS = {
    CallPhase.UPCOMING: frozenset(),
    CallPhase.PROPOSALS: frozenset({"submit", "resubmit", "moderate", "comment"}),
    CallPhase.REVIEW: frozenset({"resubmit", "moderate", "comment"}),
    CallPhase.SUPPORTS: frozenset({"support", "moderate", "comment"}),
    CallPhase.CLOSED: frozenset(),
}

# What the pages say of each phase, and which of the call's moments they name: when the phase
# ends (for a closed call, when it closed).
PHASE_NOW = {
    CallPhase.UPCOMING: (_l("Le proposte si aprono"), "proposals_from"),
    CallPhase.PROPOSALS: (_l("Puoi proporre fino a"), "review_from"),
    CallPhase.REVIEW: (_l("I facilitatori valutano le proposte. I sostegni si aprono"), "supports_from"),
    CallPhase.SUPPORTS: (_l("Sostegni aperti fino a"), "closes_at"),
    CallPhase.CLOSED: (_l("La call si è chiusa"), "closes_at"),
}


class Call(db.Model):
    """A call for ideas the municipality opens on a project or on a lab."""

    __tablename__ = "calls"
    __table_args__ = (
        sa.CheckConstraint("project_id IS NOT NULL OR lab_id IS NOT NULL", name="has_subject"),
        sa.CheckConstraint(
            "proposals_from < review_from AND review_from <= supports_from AND supports_from < closes_at",
            name="phases_in_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    # A lab call, or a project call run by one lab: its facilitators moderate.
    lab_id: Mapped[int | None] = mapped_column(sa.ForeignKey("labs.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown source
    description_html: Mapped[str] = mapped_column(sa.Text, default="")  # sanitised
    # The phases' start times (UTC); each phase lasts until the next one starts.
    proposals_from: Mapped[object] = mapped_column(UTCDateTime)
    review_from: Mapped[object] = mapped_column(UTCDateTime)
    supports_from: Mapped[object] = mapped_column(UTCDateTime)
    closes_at: Mapped[object] = mapped_column(UTCDateTime)
    published: Mapped[bool] = mapped_column(default=False)
    # Its public proposals (accepted or adopted, not hidden), recounted at flush time whenever one
    # changes (see the end of this module): the page says how many without counting a long list.
    public_proposals_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # "Solo con SPID/CIE": proposing under the call, and supporting its proposals, may each need an
    # account with a verified identity (accounts/identities.py; the services check it).
    proposals_require_identity: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    supports_require_identity: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    city = relationship("City")
    project = relationship("Project")
    lab = relationship("Lab")
    themes: Mapped[list["CallTheme"]] = relationship(
        back_populates="call", order_by="CallTheme.position", cascade="all, delete-orphan", lazy="selectin"
    )

    def phase_at(self, moment):
        if moment < self.proposals_from:
            return CallPhase.UPCOMING
        if moment < self.review_from:
            return CallPhase.PROPOSALS
        if moment < self.supports_from:
            return CallPhase.REVIEW
        if moment < self.closes_at:
            return CallPhase.SUPPORTS
        return CallPhase.CLOSED

    @property
    def phase(self):
        return self.phase_at(utcnow())

    def allows(self, what, moment=None):
        """Whether the call's current phase allows `what` ("submit", "support", …)."""
        phase = self.phase if moment is None else self.phase_at(moment)
        return what in PHASE_ALLOWS[phase]

    def phase_now(self):
        """(what the pages say of the call's current phase, the moment they name)."""
        sentence, moment = PHASE_NOW[self.phase]
        return sentence, getattr(self, moment)

    @property
    def requires_identity(self):
        """Whether anything on the call (proposing, supporting) needs a verified identity: its badge."""
        return self.proposals_require_identity or self.supports_require_identity

    def phases(self):
        """(phase, starts, ends) for the page's timeline."""
        return [
            (CallPhase.PROPOSALS, self.proposals_from, self.review_from),
            (CallPhase.REVIEW, self.review_from, self.supports_from),
            (CallPhase.SUPPORTS, self.supports_from, self.closes_at),
        ]

    def __repr__(self):
        return f"<Call {self.id} {self.title!r}>"


class CallTheme(db.Model):
    __tablename__ = "call_themes"
    __table_args__ = (sa.UniqueConstraint("call_id", "name", name="uq_call_themes_call_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)

    call: Mapped[Call] = relationship(back_populates="themes")


class ProposalState(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"  # published
    REJECTED = "rejected"
    ADOPTED = "adopted"  # an outcome uses it
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return {
            ProposalState.DRAFT: _l("Bozza"),
            ProposalState.SUBMITTED: _l("In valutazione"),
            ProposalState.CHANGES_REQUESTED: _l("Modifiche richieste"),
            ProposalState.ACCEPTED: _l("Pubblicata"),
            ProposalState.REJECTED: _l("Respinta"),
            ProposalState.ADOPTED: _l("Adottata"),
            ProposalState.WITHDRAWN: _l("Ritirata"),
        }[self]

    @property
    def badge(self):
        """The Bootstrap Italia badge class the state is shown with."""
        return {
            ProposalState.SUBMITTED: "bg-info text-dark",
            ProposalState.CHANGES_REQUESTED: "bg-warning text-dark",
            ProposalState.ACCEPTED: "bg-success",
            ProposalState.REJECTED: "bg-danger",
            ProposalState.ADOPTED: "bg-primary",
        }.get(self, "bg-secondary")

    @property
    def is_public(self):
        return self in PUBLIC_STATES


PUBLIC_STATES = (ProposalState.ACCEPTED, ProposalState.ADOPTED)

# The proposal's life, one table in one place: (from, to) -> who may move it.
# "author": its author; "moderator": who moderates the call (a reason is required);
# "staff": the municipality, when an outcome adopts it (a reason is required).
# permissions.can_move is the one reader of the "who may" column; move_to refuses any other move.
PROPOSAL_TRANSITIONS = {
    (ProposalState.DRAFT, ProposalState.SUBMITTED): "author",
    (ProposalState.CHANGES_REQUESTED, ProposalState.SUBMITTED): "author",
    (ProposalState.SUBMITTED, ProposalState.ACCEPTED): "moderator",
    (ProposalState.SUBMITTED, ProposalState.REJECTED): "moderator",
    (ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED): "moderator",
    (ProposalState.ACCEPTED, ProposalState.WITHDRAWN): "author",
    (ProposalState.ACCEPTED, ProposalState.ADOPTED): "staff",
    # the last outcome that adopted it let it go (a reason is required)
    (ProposalState.ADOPTED, ProposalState.ACCEPTED): "staff",
}

EDITABLE_STATES = (ProposalState.DRAFT, ProposalState.CHANGES_REQUESTED)


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        sa.CheckConstraint("supports_count >= 0", name="supports_not_negative"),
        sa.CheckConstraint("comments_count >= 0", name="comments_not_negative"),
        sa.Index("ix_proposals_call_state", "call_id", "state"),
        # A call's list in each of its orders, read a page at a time from a cursor.
        sa.Index("ix_proposals_call_published", "call_id", "published_at", "id"),
        sa.Index("ix_proposals_call_supports", "call_id", "supports_count", "id"),
        sa.Index("ix_proposals_call_comments", "call_id", "comments_count", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown source, as the author wrote it
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered and sanitised
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("call_themes.id", ondelete="SET NULL"))
    lab_id: Mapped[int | None] = mapped_column(sa.ForeignKey("labs.id", ondelete="SET NULL"))
    place: Mapped[str] = mapped_column(sa.String(200), default="")  # e.g. "Giardino di via Libia"
    state: Mapped[ProposalState] = mapped_column(_enum(ProposalState, "proposal_state"), default=ProposalState.DRAFT)
    # Counters kept by the services, so lists sort and show them without counting rows.
    supports_count: Mapped[int] = mapped_column(default=0)
    comments_count: Mapped[int] = mapped_column(default=0)
    # Hidden while reports are reviewed (three reporters) or by a moderator; None when visible.
    hidden_at: Mapped[object | None] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[object | None] = mapped_column(UTCDateTime)  # last submission: queue order
    published_at: Mapped[object | None] = mapped_column(UTCDateTime)

    call: Mapped[Call] = relationship()
    author = relationship("User")
    theme: Mapped[CallTheme | None] = relationship()
    lab = relationship("Lab")
    transitions: Mapped[list["ProposalTransition"]] = relationship(
        back_populates="proposal", order_by="ProposalTransition.id", viewonly=True
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="proposal", order_by="Attachment.id", viewonly=True
    )

    @property
    def is_public(self):
        return self.state in PUBLIC_STATES and self.hidden_at is None

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def is_draft(self):
        return self.state is ProposalState.DRAFT

    @property
    def is_in_review(self):
        """Submitted: waiting for the facilitators' decision."""
        return self.state is ProposalState.SUBMITTED

    @property
    def awaits_changes(self):
        return self.state is ProposalState.CHANGES_REQUESTED

    @property
    def can_be_withdrawn(self):
        """Whether the table lets a proposal in this state be withdrawn (by its author)."""
        return self.who_may(self.state, ProposalState.WITHDRAWN) is not None

    def snapshot(self):
        """The parts a facilitator compares between two versions (stored on a change request)."""
        return {"title": self.title, "body": self.body, "theme": self.theme.name if self.theme else ""}

    @staticmethod
    def who_may(from_state, to_state):
        """"author", "moderator", "staff", or None when the move is not allowed at all."""
        return PROPOSAL_TRANSITIONS.get((from_state, to_state))

    def move_to(self, new_state):
        """Change state if the table allows it; the service records who and why."""
        if (self.state, new_state) not in PROPOSAL_TRANSITIONS:
            raise DomainError(_l("Una proposta «%(state)s» non può diventare «%(new)s».",
                                 state=self.state.label, new=new_state.label))
        now = utcnow()
        if new_state is ProposalState.SUBMITTED:
            self.submitted_at = now
        if new_state is ProposalState.ACCEPTED and self.published_at is None:
            self.published_at = now  # (kept when an outcome lets an adopted proposal go)
        self.state = new_state

    def __repr__(self):
        return f"<Proposal {self.id} {self.state.value}>"


class ProposalTransition(db.Model):
    """One recorded change of state: who, when, from, to and why (shown to the author)."""

    __tablename__ = "proposal_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    from_state: Mapped[str] = mapped_column(sa.String(20))  # ProposalState values
    to_state: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # On a change request: the proposal as the facilitator read it ({title, body, theme}), so the
    # resubmitted version can be shown as a diff of what changed.
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="transitions")
    actor = relationship("User")

    @property
    def from_label(self):
        return ProposalState(self.from_state).label

    @property
    def to_label(self):
        return ProposalState(self.to_state).label


class Support(db.Model):
    """One participant's support of one proposal (withdrawing deletes it)."""

    __tablename__ = "proposal_supports"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "user_id", name="uq_proposal_supports_proposal_user"),
        # "solo con SPID/CIE" counts people, not accounts: one support per verified identity, whichever
        # account it is linked to now (unlinked and relinked elsewhere, or the account deleted).
        sa.UniqueConstraint("proposal_id", "identity_hash", name="uq_proposal_supports_proposal_identity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    # The supporter's VerifiedIdentity.fiscal_hash, kept when the call requires an identity to support.
    identity_hash: Mapped[str | None] = mapped_column(sa.String(64))


class Attachment(db.Model):
    """An image or PDF attached to a proposal, stored under instance/uploads/ by a random name."""

    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(160))  # shown to people, cleaned
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(40))  # decided from the content
    size: Mapped[int]
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="attachments")

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class UploadRecord(db.Model):
    """One file a user attached, kept when the attachment is removed: the daily upload quota
    (UPLOAD_QUOTA_*) counts these, so deleting and uploading again does not reset it."""

    __tablename__ = "upload_records"
    __table_args__ = (sa.Index("ix_upload_records_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    size: Mapped[int]  # bytes as received, before re-encoding
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


# ---- calls.public_proposals_count ------------------------------------------------------------
# A proposal becomes public or stops being public in several places (moderation, withdrawal,
# adoption, hiding on reports), so the counter is recounted at flush time for the calls touched,
# whatever changed it: one UPDATE ... SELECT COUNT over an index, never a drifting +1/-1.

def _touched_call_ids(session):
    touched = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Proposal):
            continue
        if obj in session.dirty:
            attrs = sa.inspect(obj).attrs
            changed = [attrs.state.history, attrs.hidden_at.history, attrs.call_id.history]
            if not any(history.has_changes() for history in changed):
                continue
            touched.update(value for value in attrs.call_id.history.deleted if value is not None)
        if obj.call_id is not None:
            touched.add(obj.call_id)
    return touched


def recount_public_proposals(connection, call_ids):
    """calls.public_proposals_count of `call_ids`, counted again from their proposals."""
    proposals = Proposal.__table__
    calls = Call.__table__
    public = (sa.select(sa.func.count(proposals.c.id))
              .where(proposals.c.call_id == calls.c.id, proposals.c.state.in_(PUBLIC_STATES),
                     proposals.c.hidden_at.is_(None))
              .scalar_subquery())
    connection.execute(sa.update(calls).where(calls.c.id.in_(list(call_ids))).values(public_proposals_count=public))


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _recount_public_proposals(session, flush_context):
    call_ids = _touched_call_ids(session)
    if call_ids:
        recount_public_proposals(session.connection(), call_ids)
        session.info.setdefault("recounted_calls", set()).update(call_ids)


@sa.event.listens_for(sa.orm.Session, "after_flush_postexec")
def _expire_recounted_calls(session, flush_context):
    """Calls already loaded read their new count from the database when next used."""
    recounted = session.info.pop("recounted_calls", None)
    if not recounted:
        return
    for key, obj in list(session.identity_map.items()):
        if key[0] is Call and key[1][0] in recounted:
            session.expire(obj, ["public_proposals_count"])
