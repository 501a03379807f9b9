"""Who may manage a city, its labs and the people who run them (pure functions)."""
from civiclab.core.permissions import is_admin, is_authenticated


def _city_id(city):
    """The id of `city` (an id, a City, or None for no city: a project of no single municipality)."""
    return city if city is None or isinstance(city, int) else city.id


def can_manage_city(user, city):
    """Administrators, and the municipality staff of that city."""
    if not is_authenticated(user):
        return False
    return is_admin(user) or _city_id(city) in user.staff_city_ids


def facilitates_in_city(user, city):
    """A facilitator of any lab of `city` (id or City)."""
    if not is_authenticated(user):
        return False
    city_id = _city_id(city)
    return any(role.lab.city_id == city_id for role in user.facilitator_roles)


def can_moderate_in_city(user, city):
    """The city-wide moderators (of a project's comments and room, of a call that names no lab):
    administrators, the city's municipality staff, the facilitators of any of its labs. The one
    place this rule is written."""
    return can_manage_city(user, city) or facilitates_in_city(user, city)


def can_manage_anything(user):
    """Whether the management dashboard has something to show this user."""
    return is_admin(user) or (is_authenticated(user) and bool(user.staff_city_ids))


def can_create_lab(user, city):
    return can_manage_city(user, city)


def can_edit_lab(user, lab):
    # Facilitators run a lab's events, but its sheet is the municipality's to publish.
    return can_manage_city(user, lab.city_id)


def can_appoint_facilitators(user, city):
    return can_manage_city(user, city)


def can_appoint_staff(user):
    return is_admin(user)


def can_manage_cities(user):
    """Creating and editing cities themselves (name, slug, region…): administrators only."""
    return is_admin(user)


def can_see_administration(user):
    """The administration index: administrators, and municipality staff (for their own cities)."""
    return can_manage_anything(user)
