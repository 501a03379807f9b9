"""Outcomes (results) of a project, as the municipality publishes them: a tree of results with
status and progress, their milestones, the proposals they adopt and the events where they were
co-designed, and their documents and photos.

Progress is 0-100. A leaf's progress is set by staff (or filled from its status' default);
a parent's progress is computed from its children (see services.recompute_progress), weighted
by `weight` when any child has one, the weights normalised to sum to 1.
"""
import datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import ROME, UTCDateTime, utcnow
from civiclab.extensions import db

# The statuses every city starts with: key -> default progress (None: keep the current one).
DEFAULT_STATUSES = (
    ("planned", 0),
    ("in_progress", None),
    ("completed", 100),
    ("suspended", None),
    ("cancelled", None),
)


def default_status_labels():
    """The names of the default statuses, translated in code (a city's own carry name / name_en)."""
    return {
        "planned": _l("Pianificato"),
        "in_progress": _l("In corso"),
        "completed": _l("Completato"),
        "suspended": _l("Sospeso"),
        "cancelled": _l("Annullato"),
    }


STATUS_BADGES = {"completed": "bg-success", "in_progress": "bg-primary", "suspended": "bg-warning text-dark",
                 "cancelled": "bg-danger"}


class OutcomeStatus(db.Model):
    """One entry of a city's list of outcome statuses. The default ones have a `key` that the
    code translates; a city's own additions carry their names in `name` / `name_en`."""

    __tablename__ = "outcome_statuses"
    __table_args__ = (
        sa.UniqueConstraint("city_id", "key", name="uq_outcome_statuses_city_key"),
        sa.CheckConstraint("default_progress IS NULL OR (default_progress >= 0 AND default_progress <= 100)",
                           name="default_progress_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(40))  # "planned", "in_progress", … or a city's own
    name: Mapped[str] = mapped_column(sa.String(80), default="")  # Italian; empty for default keys
    name_en: Mapped[str] = mapped_column(sa.String(80), default="")
    default_progress: Mapped[int | None] = mapped_column(sa.Integer)
    position: Mapped[int] = mapped_column(default=0)

    city = relationship("City")

    @property
    def label(self):
        """The status' name in the page's language: the code's for a default key, else the city's."""
        if not self.name and self.key in default_status_labels():
            return default_status_labels()[self.key]
        locale = get_locale()
        if locale is not None and locale.language == "en" and self.name_en:
            return self.name_en
        return self.name or self.key

    @property
    def badge(self):
        """The Bootstrap Italia badge class the status is shown with."""
        return STATUS_BADGES.get(self.key, "bg-secondary")


class Outcome(db.Model):
    __tablename__ = "outcomes"
    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_in_range"),
        sa.CheckConstraint("weight IS NULL OR weight >= 0", name="weight_not_negative"),
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
                           name="dates_in_order"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.Index("ix_outcomes_project_parent", "project_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown source
    description_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered and sanitised
    status_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcome_statuses.id", ondelete="RESTRICT"),
                                                  index=True)
    progress: Mapped[float] = mapped_column(sa.Float, default=0.0)  # 0-100
    weight: Mapped[float | None] = mapped_column(sa.Float)  # among its siblings; None: equal share
    start_date: Mapped[datetime.date | None] = mapped_column(sa.Date)
    end_date: Mapped[datetime.date | None] = mapped_column(sa.Date)
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=True)
    comments_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    project = relationship("Project")
    parent: Mapped["Outcome | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Outcome"]] = relationship(back_populates="parent",
                                                     order_by="(Outcome.position, Outcome.id)")
    status: Mapped[OutcomeStatus | None] = relationship()
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="outcome", order_by="(Milestone.planned_on, Milestone.id)", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["OutcomeAttachment"]] = relationship(
        back_populates="outcome", order_by="OutcomeAttachment.id", viewonly=True
    )

    @property
    def progress_shown(self):
        """Progress rounded to one decimal, as pages and mails show it."""
        return round(self.progress or 0.0, 1)

    def __repr__(self):
        return f"<Outcome {self.id} {self.title!r}>"


def _today():
    """Today in Rome (a milestone planned for today is not late until tomorrow there)."""
    return utcnow().astimezone(ROME).date()


class Milestone(db.Model):
    """A dated step of an outcome's timeline: planned for a day, reached (or not) on another."""

    __tablename__ = "outcome_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = mapped_column(sa.Text, default="")
    planned_on: Mapped[datetime.date] = mapped_column(sa.Date)
    reached_on: Mapped[datetime.date | None] = mapped_column(sa.Date)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    outcome: Mapped[Outcome] = relationship(back_populates="milestones")

    @property
    def is_reached(self):
        return self.reached_on is not None

    @property
    def is_late(self):
        """Not reached and its planned day is past, or reached after its planned day."""
        if self.reached_on is not None:
            return self.reached_on > self.planned_on
        return self.planned_on < _today()


class OutcomeProposal(db.Model):
    """An outcome adopts a proposal (the proposal moves to "adopted" with the outcome as reason)."""

    __tablename__ = "outcome_proposals"

    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    outcome: Mapped[Outcome] = relationship()
    proposal = relationship("Proposal")


class OutcomeEvent(db.Model):
    """An event where the outcome was co-designed."""

    __tablename__ = "outcome_events"

    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)

    outcome: Mapped[Outcome] = relationship()
    event = relationship("Event")


class OutcomeAttachment(db.Model):
    """A document or photo of an outcome, under the proposals' attachment rules (stored under
    instance/uploads/ by a random name)."""

    __tablename__ = "outcome_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(160))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    outcome: Mapped[Outcome] = relationship(back_populates="attachments")

    @property
    def is_image(self):
        return self.content_type.startswith("image/")
