"""Threaded comments on projects, proposals and outcomes, their stances and votes."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from civiclab.core.targets import commentable
from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

EDIT_WINDOW_MINUTES = 15
MAX_SHOWN_DEPTH = 3  # replies deeper than this are shown at this depth, "in reply to …"


class Stance(enum.Enum):
    IN_FAVOUR = "in_favour"
    NEUTRAL = "neutral"
    AGAINST = "against"

    @property
    def label(self):
        return {
            Stance.IN_FAVOUR: _l("A favore"),
            Stance.NEUTRAL: _l("Neutrale"),
            Stance.AGAINST: _l("Contrario"),
        }[self]

    @property
    def badge(self):
        """The Bootstrap Italia badge class the stance is shown with."""
        return {Stance.IN_FAVOUR: "bg-success", Stance.AGAINST: "bg-danger"}.get(self, "bg-secondary")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint(
            "(project_id IS NOT NULL AND proposal_id IS NULL AND outcome_id IS NULL)"
            " OR (project_id IS NULL AND proposal_id IS NOT NULL AND outcome_id IS NULL)"
            " OR (project_id IS NULL AND proposal_id IS NULL AND outcome_id IS NOT NULL)",
            name="one_subject"
        ),
        sa.Index("ix_comments_project_root", "project_id", "root_id"),
        sa.Index("ix_comments_proposal_root", "proposal_id", "root_id"),
        sa.Index("ix_comments_outcome_root", "outcome_id", "root_id"),
        # A page of threads: a target's top-level comments in order, then their replies by root.
        # Partial: on each, the rows about other kinds of target are NULL, and SQLite's statistics
        # would take a million NULLs for one value and scan the table instead.
        *(sa.Index(f"ix_comments_{kind}_thread", f"{kind}_id", "parent_id", "created_at", "id",
                   sqlite_where=sa.text(f"{kind}_id IS NOT NULL"), postgresql_where=sa.text(f"{kind}_id IS NOT NULL"))
          for kind in ("project", "proposal", "outcome")),
        sa.Index("ix_comments_root_created", "root_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it is about: exactly one of these.
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    outcome_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # The thread: a reply names its parent and the thread's first comment (root_id is NULL on it),
    # so a page of threads loads with all their replies in one query.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    root_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(default=0)
    body: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown source
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered and sanitised
    stance: Mapped[Stance | None] = mapped_column(
        sa.Enum(Stance, name="comment_stance", values_callable=lambda e: [m.value for m in e],
                validate_strings=True))
    upvotes: Mapped[int] = mapped_column(default=0)
    downvotes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[object | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[object | None] = mapped_column(UTCDateTime)  # by its author: a placeholder
    # Hidden by a moderator (with a reason) or pending review after three reports.
    hidden_at: Mapped[object | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(sa.Text, default="")
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    author = relationship("User", foreign_keys=[author_id])
    parent = relationship("Comment", remote_side=[id], foreign_keys=[parent_id])
    project = relationship("Project")
    proposal = relationship("Proposal")
    outcome = relationship("Outcome")

    @property
    def score(self):
        return self.upvotes - self.downvotes

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def is_pending_review(self):
        """Hidden by reports, waiting for a moderator (no moderator has hidden it)."""
        return self.hidden_at is not None and self.hidden_by_id is None

    @property
    def is_visible(self):
        return self.deleted_at is None and self.hidden_at is None


class CommentVote(db.Model):
    """One person's up (+1) or down (-1) vote on a comment."""

    __tablename__ = "comment_votes"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "user_id", name="uq_comment_votes_comment_user"),
        sa.CheckConstraint("value IN (-1, 1)", name="value_is_up_or_down"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    value: Mapped[int]
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


# ---- <target>.comments_count ---------------------------------------------------------------
# Comments change visibility in several places (posting and deleting here; hiding, restoring and
# reports in moderation/services.py), so the counter of a kind of target that keeps one (its
# Commentable's `counter_table`: proposals, outcomes) is recounted at flush time whatever changed
# it: one UPDATE ... SELECT COUNT per kind for the targets touched, never a drifting +1/-1.

def _counted_kinds():
    return [kind for kind in commentable.values() if kind.counter_table]


def _touched_target_ids(session, kinds):
    """{kind: ids of its targets whose comments were added, deleted or changed visibility}."""
    touched = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(obj, Comment):
            continue
        if obj in session.dirty:
            attrs = sa.inspect(obj).attrs
            if not (attrs.deleted_at.history.has_changes() or attrs.hidden_at.history.has_changes()):
                continue
        for kind in kinds:
            target_id = getattr(obj, kind.column)
            if target_id is not None:
                touched.setdefault(kind, set()).add(target_id)
    return touched


@sa.event.listens_for(Session, "after_flush")
def recount_comments(session, flush_context):
    kinds = _counted_kinds()
    if not kinds:
        return
    comments = Comment.__table__
    for kind, ids in _touched_target_ids(session, kinds).items():
        targets = sa.table(kind.counter_table, sa.column("id"), sa.column("comments_count"))
        visible = (sa.select(sa.func.count(comments.c.id))
                   .where(comments.c[kind.column] == targets.c.id, comments.c.deleted_at.is_(None),
                          comments.c.hidden_at.is_(None))
                   .scalar_subquery())
        session.connection().execute(sa.update(targets).where(targets.c.id.in_(ids)).values(comments_count=visible))
        session.info.setdefault("recounted_comments", set()).update((kind.counter_table, i) for i in ids)


@sa.event.listens_for(Session, "after_flush_postexec")
def _expire_recounted_targets(session, flush_context):
    """Targets already loaded read their new count from the database when next used."""
    recounted = session.info.pop("recounted_comments", None)
    if not recounted:
        return
    tables = {table for table, _id in recounted}
    for key, obj in list(session.identity_map.items()):
        table = getattr(key[0], "__tablename__", None)
        if table in tables and (table, key[1][0]) in recounted:
            session.expire(obj, ["comments_count"])
