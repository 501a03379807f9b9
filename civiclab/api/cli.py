"""`flask --app wsgi api-token create EMAIL --name N --scopes "read write"`: an administrator issues a
personal access token for a person from the server's shell (a script's account, a test run). The
token is printed once, as the profile page shows it once; only its digest is kept."""
import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from civiclab.api import token_services
from civiclab.api.models import SCOPES
from civiclab.core.errors import DomainError
from civiclab.extensions import db


@click.group("api-token")
def api_token_command():
    """Personal access tokens of the API."""


@api_token_command.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, as its person will see it (up to 80 characters).")
@click.option("--scopes", default="read", show_default=True, help='"read", or "read write" to write too.')
@click.option("--days", type=click.Choice([str(days) for days in token_services.LIFETIMES if days]), default=None,
              help="Expires after this many days (default: never), as on the profile page.")
@with_appcontext
def create_command(email, name, scopes, days):
    """Issue a token for the person with EMAIL and print it (it is shown only now). The profile
    page's rules hold: a confirmed, unblocked account, a visible name, at most 10 live tokens."""
    from civiclab.accounts.models import User

    wanted = scopes.split()
    if not wanted or set(wanted) - set(SCOPES):
        raise click.BadParameter(f"choose among {', '.join(SCOPES)}", param_hint="--scopes")
    user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.strip().lower(),
                                                   User.deleted_at.is_(None)))
    if user is None:
        raise click.ClickException(f"no account with the address {email}")
    scope_choice = "read write" if "write" in wanted else "read"
    try:
        _token, secret = token_services.create_token(user, name, scope_choice, int(days) if days else None)
    except DomainError as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal.message)) from None
    db.session.commit()
    click.echo(secret)
