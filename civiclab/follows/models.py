"""What a user follows (a project, a call, a proposal, an outcome) to hear its news."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN project_id IS NULL THEN 0 ELSE 1 END + CASE WHEN call_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN outcome_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subject",
        ),
        sa.UniqueConstraint("user_id", "project_id", name="uq_follows_user_project"),
        sa.UniqueConstraint("user_id", "call_id", name="uq_follows_user_call"),
        sa.UniqueConstraint("user_id", "proposal_id", name="uq_follows_user_proposal"),
        sa.UniqueConstraint("user_id", "outcome_id", name="uq_follows_user_outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    outcome_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outcomes.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    project = relationship("Project")
    call = relationship("Call")
    proposal = relationship("Proposal")
    outcome = relationship("Outcome")

    @property
    def subject(self):
        return self.project or self.call or self.proposal or self.outcome
