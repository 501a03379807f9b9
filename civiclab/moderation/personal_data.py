"""The reports a user filed and the blocks on them, in their data export.

Account deletion leaves both in place: a report still counts towards hiding what it is about
and is resolved by a moderator like any other (its reporter shown as "Utente eliminato"), and a
block is part of the moderation record.
"""
import sqlalchemy as sa

from civiclab.accounts.blocks import UserBlock
from civiclab.accounts.services import export_section
from civiclab.core.time import isoformat
from civiclab.extensions import db
from civiclab.moderation.models import Report


def export_reports(user):
    """The reports `user` filed, with how they ended (one query)."""
    reports = db.session.scalars(
        sa.select(Report).where(Report.reporter_id == user.id).order_by(Report.created_at, Report.id)
    )
    return [
        {
            "subject": _subject(report),
            "reason": report.reason,
            "created_at": isoformat(report.created_at),
            "resolved_at": isoformat(report.resolved_at),
            "upheld": report.upheld,
        }
        for report in reports
    ]


def _subject(report):
    if report.comment_id is not None:
        return {"comment_id": report.comment_id}
    if report.room_message_id is not None:
        return {"room_message_id": report.room_message_id}
    return {"proposal_id": report.proposal_id}


def export_blocks(user):
    """The blocks moderators put on `user`, lifted or not (one query)."""
    blocks = db.session.scalars(
        sa.select(UserBlock).where(UserBlock.user_id == user.id).order_by(UserBlock.created_at, UserBlock.id)
    )
    return [
        {"reason": block.reason, "created_at": isoformat(block.created_at), "ends_at": isoformat(block.ends_at),
         "lifted_at": isoformat(block.lifted_at)}
        for block in blocks
    ]


def connect():
    export_section("reports", export_reports)
    export_section("blocks", export_blocks)
