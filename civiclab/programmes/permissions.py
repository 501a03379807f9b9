"""Who may see and change project sheets (pure functions)."""
from civiclab.places.permissions import can_manage_city


def can_create_project(user, city):
    return can_manage_city(user, city)


def can_edit_project(user, project):
    """Administrators and the staff of the project's city; facilitators and participants not."""
    return can_manage_city(user, project.city_id)


def can_view_project(user, project):
    """Published sheets are public; drafts only for whoever may edit them."""
    return project.published or can_edit_project(user, project)
