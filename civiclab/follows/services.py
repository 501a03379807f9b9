"""Following a project, a call, a proposal, or what a higher domain adds (follows/kinds.py: an
outcome): start, stop, who follows what.

Any signed-in user may follow what they can see (confirmed or not: following writes nothing
others read). Following twice is following once: the unique constraints hold it, and a race
between two requests ends in one row.
"""
import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from civiclab.accounts.models import User
from civiclab.core.errors import NotAllowed
from civiclab.core.permissions import is_admin, is_authenticated
from civiclab.extensions import db
from civiclab.follows.kinds import followable
from civiclab.follows.models import Follow
from civiclab.programmes.models import Project
from civiclab.programmes.permissions import can_view_project
from civiclab.proposals.models import PUBLIC_STATES, Call, Proposal
from civiclab.proposals.permissions import can_view_call, can_view_proposal

# Follows' own kinds: the word in the URL -> (model, Follow's column, who may see it). Higher
# domains add theirs to follows.kinds.followable.
SUBJECTS = {
    "progetto": (Project, "project_id", can_view_project),
    "call": (Call, "call_id", can_view_call),
    "proposta": (Proposal, "proposal_id", can_view_proposal),
}
LABELS = {"progetto": _l("Progetto"), "call": _l("Call per idee"), "proposta": _l("Proposta")}


def kinds():
    """Every followable kind: the word in the URL -> (model, Follow's column, who may see it)."""
    found = dict(SUBJECTS)
    for entry in followable.values():
        found[entry.kind] = (entry.model, entry.column, entry.may_view)
    return found


def kind_of(subject):
    """The URL word of a followable object: "progetto", "call", "proposta", "risultato"…"""
    for kind, (model, _column, _can_view) in kinds().items():
        if isinstance(subject, model):
            return kind
    raise TypeError(f"{subject!r} cannot be followed")


def label_of(kind):
    """The name of a kind in lists ("Progetto", "Risultato")."""
    return LABELS[kind] if kind in LABELS else followable[kind].label


def subject_url(kind, subject):
    """The path of a followed subject's page (also outside a request, for listeners a command or
    a test triggers)."""
    if kind == "progetto":
        endpoint, values = "programmes.project", {"code": subject.code}
    elif kind == "call":
        endpoint, values = "proposals.call", {"call_id": subject.id}
    elif kind == "proposta":
        endpoint, values = "proposals.proposal", {"proposal_id": subject.id}
    else:
        endpoint, values = followable[kind].endpoint, followable[kind].url_values(subject)
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def can_follow(user, subject):
    """Signed-in users, on what they can see."""
    _model, _column, can_view = kinds()[kind_of(subject)]
    return is_authenticated(user) and can_view(user, subject)


def _column(subject):
    return getattr(Follow, kinds()[kind_of(subject)][1])


def is_following(user, subject):
    """One query; False for anonymous visitors."""
    if not is_authenticated(user):
        return False
    return db.session.scalar(
        sa.select(sa.func.count(Follow.id)).where(Follow.user_id == user.id, _column(subject) == subject.id)
    ) > 0


def follow(user, subject):
    """`user` follows `subject` (nothing changes if they already did); returns True if new."""
    if not can_follow(user, subject):
        raise NotAllowed(_l("Non puoi seguire questo contenuto."))
    if is_following(user, subject):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Follow(user_id=user.id, **{kinds()[kind_of(subject)][1]: subject.id}))
    except IntegrityError:
        return False  # another request of the same user got there first
    return True


def unfollow(user, subject):
    """`user` stops following `subject`; returns True if they were following it."""
    if not is_authenticated(user):
        raise NotAllowed(_l("Accedi per gestire ciò che segui."))
    result = db.session.execute(
        sa.delete(Follow).where(Follow.user_id == user.id, _column(subject) == subject.id)
    )
    db.session.flush()
    return bool(result.rowcount)


def with_subjects(query):
    """`query` on Follow with every kind of subject outer-joined and loaded (a proposal with its
    call), in the same query."""
    proposal_call = aliased(Call)
    query = (
        query.outerjoin(Follow.project).outerjoin(Follow.call).outerjoin(Follow.proposal)
        .outerjoin(proposal_call, Proposal.call_id == proposal_call.id)
        .options(contains_eager(Follow.project), contains_eager(Follow.call).lazyload(Call.themes),
                 contains_eager(Follow.proposal).contains_eager(Proposal.call.of_type(proposal_call))
                 .lazyload(proposal_call.themes))
    )
    for entry in followable.values():
        query = entry.joins(query)
    return query, proposal_call


def follows_select(user):
    """What `user` follows and can still see, newest first, each Follow with its subject (and a
    proposal's call) loaded in the same query.

    Projects and calls: published ones, and those of the cities the user manages. Proposals:
    public ones of published calls, and the user's own. Other kinds: by their own rule.
    """
    query, proposal_call = with_subjects(sa.select(Follow))
    query = query.where(Follow.user_id == user.id).order_by(Follow.created_at.desc(), Follow.id.desc())
    if is_admin(user):
        return query
    managed = list(user.staff_city_ids) or [-1]
    return query.where(sa.or_(
        Project.published.is_(True), Project.city_id.in_(managed),
        Call.published.is_(True), Call.city_id.in_(managed),
        Proposal.author_id == user.id,
        sa.and_(Proposal.state.in_(PUBLIC_STATES), Proposal.hidden_at.is_(None),
                proposal_call.published.is_(True)),
        *(entry.visible(user, managed) for entry in followable.values()),
    ))


def followers_of_proposal_news(proposal):
    """Active users who follow `proposal`, its call or the call's project (each once)."""
    call = proposal.call
    followed = [Follow.call_id == call.id, Follow.proposal_id == proposal.id]
    if call.project_id is not None:
        followed.append(Follow.project_id == call.project_id)
    return followers_where(*followed)


def followers_where(*followed):
    """Active users with a follow matching any of `followed` (conditions on Follow), each once."""
    return list(db.session.scalars(
        sa.select(User)
        .where(User.id.in_(sa.select(Follow.user_id).where(sa.or_(*followed))), User.deleted_at.is_(None))
        .order_by(User.id)
    ))
