"""What a comment is about, read through the registry of commentable kinds (core/targets.py): the
comments domain imports none of the domains it attaches to."""
from sqlalchemy.orm import joinedload

from civiclab.core.targets import commentable


def kind_of(target):
    """The Commentable describing `target` (a Proposal, a Project, …)."""
    for kind in commentable.values():
        if isinstance(target, kind.model):
            return kind
    raise LookupError(f"{type(target).__name__} takes no comments")


def target_of(comment):
    """(its Commentable, what `comment` is about)."""
    for kind in commentable.values():
        if getattr(comment, kind.column) is not None:
            return kind, getattr(comment, kind.kind)
    raise LookupError(f"comment {comment.id} is about nothing known")


def named_target(named):
    """(its Commentable, the target) from the keywords naming it by its kind (`proposal=…`), or
    None when no target or more than one is named."""
    unknown = set(named) - set(commentable)
    if unknown:
        raise TypeError(f"not commentable: {', '.join(sorted(unknown))}")
    given = [(commentable[name], target) for name, target in named.items() if target is not None]
    return given[0] if len(given) == 1 else None


def loads(relationship_of):
    """Loader options for every kind of target, through `relationship_of(kind)` (a comment's
    relationship to it): the target with what its kind's functions read."""
    return [joinedload(relationship_of(kind)).options(*kind.loads()) for kind in commentable.values()]
