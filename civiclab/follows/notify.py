"""Who hears about proposals, comments, replies and followed news: listeners on the co-design
signals (authors of their proposal's state and comments, moderators of proposals to review).

Each piece of news goes through notifications.services.deliver, which writes the in-app
notification and mails it as the recipient chose (at once, in a digest, or never), in their
language, once: every piece has a dedupe key, so someone who follows both a call and its project
hears of a new proposal one time.
"""
from flask import url_for
from flask_babel import gettext as _

from civiclab.core import signals
from civiclab.core.targets import commentable
from civiclab.follows import services
from civiclab.notifications.services import deliver
from civiclab.proposals import queries as proposal_queries
from civiclab.proposals.models import ProposalState
from civiclab.proposals.permissions import can_moderate_proposal, can_view_proposal

EXCERPT_MAX = 500


def proposal_path(proposal):
    return services.subject_url("proposta", proposal)


def comment_path(comment):
    """The comment's own address: it sends the reader to the page of the thread that holds it."""
    return url_for("comments.comment", comment_id=comment.id)


# ---- my proposal changed state --------------------------------------------------------------

def on_proposal_state_changed(proposal, transition, **_extra):
    to_state = ProposalState(transition.to_state)
    by_author = transition.actor_id is not None and transition.actor_id == proposal.author_id
    if by_author and to_state is ProposalState.SUBMITTED:
        services.follow(proposal.author, proposal)  # authors hear of what happens to their proposal
    if not by_author:
        _tell_author(proposal, transition, to_state)
    if to_state is ProposalState.SUBMITTED:
        _tell_moderators(proposal, transition)
    if to_state is ProposalState.ACCEPTED:
        _tell_followers(proposal)


def _tell_author(proposal, transition, to_state):
    def message():
        if transition.reason:
            return _("La tua proposta «%(title)s» ora è «%(state)s». Motivo: %(reason)s",
                     title=proposal.title, state=to_state.label, reason=transition.reason)
        return _("La tua proposta «%(title)s» ora è «%(state)s».", title=proposal.title, state=to_state.label)

    deliver(
        proposal.author, "proposal_state", message, proposal_path(proposal),
        dedupe_key=f"proposal-state:{transition.id}",
        mail_subject=lambda: _("La tua proposta «%(title)s»: %(state)s", title=proposal.title,
                               state=to_state.label),
        mail_template="codesign_proposal_state",
        proposal=proposal, state=to_state, reason=transition.reason,
    )


def _tell_moderators(proposal, transition):
    """The call's facilitators and staff hear of a proposal to review: new, or sent again after
    they asked for changes (their page then shows what changed)."""
    call = proposal.call
    again = transition.from_state == ProposalState.CHANGES_REQUESTED.value

    def message():
        if again:
            return _("«%(title)s» è stata modificata e inviata di nuovo nella call «%(call)s»: guarda cosa è "
                     "cambiato e decidi.", title=proposal.title, call=call.title)
        return _("Nuova proposta da valutare nella call «%(call)s»: «%(title)s».", call=call.title,
                 title=proposal.title)

    for user in proposal_queries.call_moderators(call):
        if user.id == proposal.author_id or not can_moderate_proposal(user, proposal):
            continue
        deliver(
            user, "proposal_to_review", message,
            url_for("moderation.proposal_decision", proposal_id=proposal.id),
            dedupe_key=f"proposal-review:{transition.id}",
            mail_subject=lambda: (_("Proposta inviata di nuovo: %(title)s", title=proposal.title) if again
                                  else _("Proposta da valutare: %(title)s", title=proposal.title)),
            mail_template="codesign_proposal_review",
            proposal=proposal, call=call, again=again,
        )


def _tell_followers(proposal):
    """Followers of the proposal, its call or the call's project hear of its publication once."""
    call = proposal.call
    for user in services.followers_of_proposal_news(proposal):
        if user.id == proposal.author_id or not can_view_proposal(user, proposal):
            continue
        deliver(
            user, "followed_news",
            lambda: _("Nuova proposta pubblicata nella call «%(call)s»: «%(title)s».",
                      call=call.title, title=proposal.title),
            proposal_path(proposal),
            dedupe_key=f"proposal-published:{proposal.id}",
            mail_subject=lambda: _("Nuova proposta: %(title)s", title=proposal.title),
            mail_template="codesign_followed_news",
            proposal=proposal, call=call,
        )


# ---- a reply to my comment ------------------------------------------------------------------

def on_comment_posted(comment, **_extra):
    _tell_proposal_author(comment)
    parent = comment.parent if comment.parent_id is not None else None
    if parent is None or parent.author_id == comment.author_id or parent.is_deleted:
        return
    subject = _subject_of(comment)
    author_name = comment.author.display_name
    deliver(
        parent.author, "comment_reply",
        lambda: _("%(name)s ha risposto al tuo commento su «%(title)s».", name=author_name,
                  title=subject.title),
        comment_path(comment),
        dedupe_key=f"comment-reply:{comment.id}",
        mail_subject=lambda: _("%(name)s ha risposto al tuo commento", name=author_name),
        mail_template="codesign_comment_reply",
        subject_title=subject.title, author_name=author_name, excerpt=comment.body[:EXCERPT_MAX],
    )


def _subject_of(comment):
    """What `comment` is about, whatever its kind (core/targets.py: a project, a proposal, an
    outcome…)."""
    for kind in commentable.values():
        if getattr(comment, kind.column) is not None:
            return getattr(comment, kind.kind)
    raise LookupError(f"comment {comment.id} is about nothing known")


# ---- a comment on my proposal ---------------------------------------------------------------

def _tell_proposal_author(comment):
    """Its author hears of every comment on their proposal but their own; a reply to one of their
    comments is told once, as a reply (comment_reply)."""
    if comment.proposal_id is None:
        return
    proposal = comment.proposal
    if comment.author_id == proposal.author_id:
        return
    parent = comment.parent if comment.parent_id is not None else None
    if parent is not None and parent.author_id == proposal.author_id and not parent.is_deleted:
        return  # on_comment_posted tells them of the reply to their comment
    author_name = comment.author.display_name
    deliver(
        proposal.author, "proposal_comment",
        lambda: _("%(name)s ha commentato la tua proposta «%(title)s».", name=author_name, title=proposal.title),
        comment_path(comment),
        dedupe_key=f"proposal-comment:{comment.id}",
        mail_subject=lambda: _("Un commento alla tua proposta «%(title)s»", title=proposal.title),
        mail_template="codesign_proposal_comment",
        proposal=proposal, author_name=author_name, excerpt=comment.body[:EXCERPT_MAX],
    )


# ---- wiring -----------------------------------------------------------------------------------

LISTENERS = (
    (signals.proposal_state_changed, on_proposal_state_changed),
    (signals.comment_posted, on_comment_posted),
)


def connect():
    """From follows' connect(): hear the signals above (connecting a listener twice, as a second
    app in the same process does, keeps it once)."""
    signals.connect_listeners(LISTENERS)
