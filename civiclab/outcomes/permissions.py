"""Who may see and change outcomes (pure functions): the municipality staff of the project's
city (and administrators) publish them; everyone sees a published outcome of a visible project."""
from civiclab.programmes.permissions import can_edit_project, can_view_project


def can_manage_outcomes(user, project):
    """Create outcomes of `project`, and edit, link and delete them."""
    return can_edit_project(user, project)


def can_edit_outcome(user, outcome):
    return can_manage_outcomes(user, outcome.project)


def can_view_outcome(user, outcome):
    """A published outcome of a visible project; a draft only for whoever may edit it."""
    if not can_view_project(user, outcome.project):
        return False
    return outcome.published or can_edit_outcome(user, outcome)
