"""What comments attach to: the commentable kinds (a project, a proposal, an outcome), each
described by the domain that owns it.

Comments sit above the domains they attach to and import none of them: the owner adds its entry
from its `connect()` (`commentable.add("proposal", PROPOSAL)`), and the comments domain reads
only this registry. A kind is named like the comments' relationship to it (`Comment.proposal`,
column `proposal_id`, the form's hidden field of the same name), and like the page that shows
its comments (`core.sections`: `("proposal", "comments")`).
"""
from collections.abc import Callable
from dataclasses import dataclass

from civiclab.core.registry import Registry

commentable = Registry("commentable")  # kind -> Commentable


def _always(target):
    return True


@dataclass(frozen=True)
class Commentable:
    """How the comments domain reads one kind of target (a model with `id` and `title`). Every
    function is the owner's own rule."""

    kind: str  # "proposal", "project"
    model: type
    load: Callable  # (id) -> the target, or None
    may_view: Callable  # (user, target) -> whether `user` sees it, and so its comments
    city_of: Callable  # (target) -> the id of its city
    # (target) -> why nobody may comment on it now (a translated message), or None when open
    discussion_problem: Callable
    endpoint: str  # its page, where the comments section is shown ("proposals.proposal")
    url_values: Callable  # (target) -> the endpoint's values ({"proposal_id": 7})
    loads: Callable  # () -> loader options, relative to the target, for what these functions read
    city_ids: Callable  # () -> SELECT (id, city_id) of every target: `city_of` said in SQL
    # (user, target) -> who moderates its comments; None: the city's moderators
    # (places.permissions.can_moderate_in_city)
    may_moderate: Callable | None = None
    shows_comments: Callable = _always  # (target) -> whether its page shows the comments now
    takes_stance: bool = False  # top-level comments take a stance on it (in favour, against…)
    # The table whose `comments_count` counts its visible comments ("proposals"), or None
    # (comments/models.py recounts it at flush time)
    counter_table: str | None = None

    @property
    def column(self):
        """The comments' column naming the target, and the comment form's field."""
        return f"{self.kind}_id"
