"""Who may read the audit log (pure functions): administrators all of it, a city's municipality
staff the entries of their cities; nobody changes it."""
from civiclab.core.permissions import is_admin, is_authenticated


def can_read_audit_log(user):
    return is_admin(user) or (is_authenticated(user) and bool(user.staff_city_ids))


def audit_city_ids(user):
    """The cities whose entries `user` reads: None for every entry (administrators), else a set."""
    if is_admin(user):
        return None
    return set(user.staff_city_ids) if is_authenticated(user) else set()


def can_export_audit_log(user):
    """The CSV of the log is the network's record: administrators only."""
    return is_admin(user)
