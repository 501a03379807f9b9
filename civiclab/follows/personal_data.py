"""What a user follows: their section of the data export, and its end when the account is deleted."""
import sqlalchemy as sa

from civiclab.accounts.services import export_section
from civiclab.core import signals
from civiclab.core.time import isoformat
from civiclab.extensions import db
from civiclab.follows import services
from civiclab.follows.models import Follow


def export_follows(user):
    """Everything `user` follows, of every kind (one query). A subject they may no longer see (a
    hidden proposal, an unpublished call) is named by its id alone."""
    query, _proposal_call = services.with_subjects(sa.select(Follow))
    follows = db.session.scalars(
        query.where(Follow.user_id == user.id).order_by(Follow.created_at, Follow.id)
    ).unique()
    exported = []
    for follow in follows:
        kind = services.kind_of(follow.subject)
        exported.append({
            "kind": kind,
            "id": follow.subject.id,
            "title": follow.subject.title if services.can_follow(user, follow.subject) else None,
            "created_at": isoformat(follow.created_at),
        })
    return exported


def on_user_deleted(user, **_extra):
    """A deleted account follows nothing (and so hears of nothing)."""
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id).execution_options(synchronize_session=False))
    db.session.flush()


def connect():
    """From follows' connect(): the export's section, and what deleting an account ends."""
    export_section("follows", export_follows)
    signals.connect_listeners([(signals.user_deleted, on_user_deleted)])
