"""Who hears that an outcome moved on: when its status or progress changes, or one of its
milestones is reached, the authors of the proposals it adopts, the followers of those proposals,
of the outcome and of its project are told, each once, never the person who made the change.

Through notifications.services.deliver, as "outcome_news": in-app, and by mail as each person
chose for that kind (a daily digest unless they chose otherwise), in Italian and in English. Only
the news of a published outcome of a published project is told; blocked and deleted accounts
hear nothing.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from civiclab.accounts.blocks import UserBlock
from civiclab.accounts.models import User
from civiclab.core import signals
from civiclab.core.time import utcnow
from civiclab.extensions import db
from civiclab.follows.models import Follow
from civiclab.follows.services import subject_url
from civiclab.notifications.services import deliver
from civiclab.outcomes.models import OutcomeProposal
from civiclab.outcomes.permissions import can_view_outcome
from civiclab.proposals.models import Proposal

KIND = "outcome_news"


def is_public(outcome):
    """Whether news of `outcome` may be told: it and its project are published."""
    return bool(outcome.published and outcome.project is not None and outcome.project.published)


def audience(outcome, actor=None):
    """Who hears of `outcome`: the authors of its adopted proposals and their followers, the
    followers of the outcome and of its project; active, not blocked, not `actor`; each once, by
    id (one query)."""
    adopted = sa.select(OutcomeProposal.proposal_id).where(OutcomeProposal.outcome_id == outcome.id)
    authors = sa.select(Proposal.author_id).where(Proposal.id.in_(adopted))
    followers = sa.select(Follow.user_id).where(sa.or_(
        Follow.outcome_id == outcome.id, Follow.project_id == outcome.project_id, Follow.proposal_id.in_(adopted),
    ))
    now = utcnow()
    blocked = sa.select(UserBlock.user_id).where(
        UserBlock.lifted_at.is_(None), sa.or_(UserBlock.ends_at.is_(None), UserBlock.ends_at > now))
    query = (
        sa.select(User)
        .where(sa.or_(User.id.in_(authors), User.id.in_(followers)), User.deleted_at.is_(None),
               User.id.not_in(blocked))
        .order_by(User.id)
    )
    if actor is not None and getattr(actor, "id", None) is not None:
        query = query.where(User.id != actor.id)
    return list(db.session.scalars(query))


def _percent(value):
    return round(value or 0)


def _tell(outcome, actor, message, mail_subject, dedupe_key):
    if not is_public(outcome):
        return []
    path = subject_url("risultato", outcome)
    told = []
    for user in audience(outcome, actor):
        if not can_view_outcome(user, outcome):
            continue
        notification = deliver(
            user, KIND, message, path, dedupe_key=dedupe_key, mail_subject=mail_subject,
            mail_template="codesign_outcome_news", outcome=outcome, project=outcome.project,
        )
        if notification is not None:
            told.append(user)
    return told


# ---- the listeners ----------------------------------------------------------------------------

def on_outcome_changed(outcome, actor=None, changes=None, **_extra):
    """Status and/or progress changed: (old, new) each; a status as its label."""
    changes = changes or {}
    status, progress = changes.get("status"), changes.get("progress")
    if status is None and progress is None:
        return []
    title = outcome.title

    def message():
        if status is not None and progress is not None:
            return _("Il risultato «%(title)s» ora è «%(status)s», avanzamento al %(progress)s%%.",
                     title=title, status=str(status[1]), progress=_percent(progress[1]))
        if status is not None:
            return _("Il risultato «%(title)s» ora è «%(status)s» (prima era «%(old)s»).",
                     title=title, status=str(status[1]), old=str(status[0]))
        return _("Il risultato «%(title)s» è avanzato al %(progress)s%% (prima era al %(old)s%%).",
                 title=title, progress=_percent(progress[1]), old=_percent(progress[0]))

    # One piece of news per change: told once to each person, whatever they follow.
    key = f"outcome-changed:{outcome.id}:{utcnow().isoformat()}"
    return _tell(outcome, actor, message, lambda: _("Novità sul risultato «%(title)s»", title=title), key)


def on_milestone_reached(outcome, milestone=None, actor=None, **_extra):
    if milestone is None:
        return []
    title, step = outcome.title, milestone.title

    def message():
        return _("Il risultato «%(title)s» ha raggiunto una tappa: «%(milestone)s».", title=title, milestone=step)

    return _tell(outcome, actor, message, lambda: _("Tappa raggiunta: %(milestone)s", milestone=step),
                 f"milestone-reached:{milestone.id}")


LISTENERS = (
    (signals.outcome_changed, on_outcome_changed),
    (signals.milestone_reached, on_milestone_reached),
)


def connect():
    """From outcomes' connect(): hear the signals above (once, whatever the number of apps)."""
    signals.connect_listeners(LISTENERS)
