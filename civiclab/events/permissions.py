"""Who may run an event, register for it, see its link and check people in (pure functions)."""
from civiclab.core.permissions import is_authenticated
from civiclab.events.models import EventState, RegistrationState
from civiclab.places.permissions import can_manage_city


def can_manage_lab_events(user, lab):
    """The lab's facilitators, the city's municipality staff, administrators."""
    if not is_authenticated(user):
        return False
    return lab.id in user.facilitated_lab_ids or can_manage_city(user, lab.city_id)


def can_manage_event(user, event):
    return can_manage_lab_events(user, event.lab)


def can_view_event(user, event):
    """Drafts are seen only by who runs them; published, finished and cancelled ones by all."""
    return event.state is not EventState.DRAFT or can_manage_event(user, event)


def can_register(user):
    """A signed-in participant with a confirmed address (guests book through the mail link)."""
    return is_authenticated(user) and user.is_confirmed


def can_see_online_link(user, event, registration=None):
    """The online link is for confirmed registrants and for who runs the event."""
    if can_manage_event(user, event):
        return True
    return registration is not None and registration.state is RegistrationState.CONFIRMED


def is_registration_owner(user, registration):
    return is_authenticated(user) and registration.user_id is not None and registration.user_id == user.id


def can_view_registration(user, registration):
    """Its owner (a guest, through the signed link instead), or who runs the event."""
    return is_registration_owner(user, registration) or can_manage_event(user, registration.event)


def can_cancel_registration(user, registration):
    """Its owner, or who runs the event (e.g. a school that told the lab by phone); while it can
    be cancelled at all is the registration's own rule (Registration.can_be_cancelled)."""
    return is_registration_owner(user, registration) or can_manage_event(user, registration.event)


def can_check_in(user, event):
    return can_manage_event(user, event)


def can_see_dashboard(user, lab):
    return can_manage_lab_events(user, lab)
