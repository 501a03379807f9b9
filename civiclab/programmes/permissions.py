"""Who may see and change programmes, their axes, city budgets and project sheets (pure functions)."""
from civiclab.core.permissions import is_admin
from civiclab.places.permissions import can_manage_city


def can_create_project(user, city):
    return can_manage_city(user, city)


def can_edit_project(user, project):
    """Administrators and the staff of the project's city; facilitators and participants not."""
    return can_manage_city(user, project.city_id)


def can_view_project(user, project):
    """Published sheets are public; drafts only for whoever may edit them."""
    return project.published or can_edit_project(user, project)


def can_manage_programmes(user):
    """Programmes and their axes: administrators only."""
    return is_admin(user)


def can_edit_budget(user, city):
    """A city's plan under a programme (its total and budget per axis): administrators, who
    manage "axes with each city's budget"; the city's staff read it."""
    return is_admin(user)


def can_view_budget(user, city):
    """The budget page of a city: whoever manages the city (its staff, administrators)."""
    return can_manage_city(user, city)
