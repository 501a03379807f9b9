"""Helpers the domains' permissions.py build on: who is signed in, and refusing cleanly."""
from functools import wraps

from flask import abort
from flask_login import current_user


def is_authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False)


def is_admin(user):
    return is_authenticated(user) and bool(user.is_admin)


def require(allowed):
    """403 unless `allowed` is true; returns nothing. Routes call it after loading the object."""
    if not allowed:
        abort(403)


def login_required_confirmed(view):
    """Signed in (else to the login page) with a confirmed email (else 403)."""
    from flask_login import login_required

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_confirmed:
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)
