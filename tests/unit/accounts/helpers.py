"""Small helpers the accounts tests share."""
import re

import sqlalchemy as sa

from civiclab.accounts.models import User

STRONG = "Lavagna-Verde-2024"


def registration_data(**overrides):
    data = {
        "email": "anna.bianchi@example.org",
        "display_name": "Anna Bianchi",
        "password": STRONG,
        "password_confirm": STRONG,
        "participant_type": "cittadino",
        "privacy_consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def link_in(message, path_prefix):
    """The first absolute link in a captured mail whose path starts with `path_prefix`."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S+)", message.body)
    assert match, f"no link to {path_prefix} in:\n{message.body}"
    return match.group(1)


def user_with_email(db_session, email):
    return db_session.scalar(sa.select(User).where(User.email == email))


def users_count(db_session):
    return db_session.scalar(sa.select(sa.func.count(User.id)))


def without_csrf_tokens(html):
    """A page with its CSRF inputs removed: their signed timestamps differ from second to second."""
    return re.sub(r"<input[^>]*csrf_token[^>]*>", "", html)
