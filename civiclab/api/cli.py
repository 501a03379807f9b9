"""`flask --app wsgi api-token create EMAIL --name N --scopes "read write"`: an administrator issues a
personal access token for a person from the server's shell (a script's account, a test run). The
token is printed once, as the profile page shows it once; only its digest is kept."""
from datetime import timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from civiclab.api.auth import new_secret
from civiclab.api.models import SCOPES, AccessToken
from civiclab.core.time import utcnow
from civiclab.extensions import db

NAME_MAX = 80  # AccessToken.name


@click.group("api-token")
def api_token_command():
    """Personal access tokens of the API."""


@api_token_command.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, as its person will see it (up to 80 characters).")
@click.option("--scopes", default="read", show_default=True, help='"read", or "read write" to write too.')
@click.option("--days", type=click.IntRange(min=1), default=None, help="Expires after this many days (default: never).")
@with_appcontext
def create_command(email, name, scopes, days):
    """Issue a token for the person with EMAIL and print it (it is shown only now)."""
    from civiclab.accounts.models import User

    wanted = scopes.split()
    if not wanted or set(wanted) - set(SCOPES):
        raise click.BadParameter(f"choose among {', '.join(SCOPES)}", param_hint="--scopes")
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise click.BadParameter(f"from 1 to {NAME_MAX} characters", param_hint="--name")
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower(),
                                                   User.deleted_at.is_(None)))
    if user is None:
        raise click.ClickException(f"no account with the address {email}")
    secret, digest, prefix = new_secret()
    db.session.add(AccessToken(user=user, name=name, scopes=" ".join(s for s in SCOPES if s in wanted),
                               token_hash=digest, prefix=prefix,
                               expires_at=utcnow() + timedelta(days=days) if days else None))
    db.session.commit()
    click.echo(secret)
