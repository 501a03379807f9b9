"""A person's API tokens in their data export ("access_tokens"): names, scopes and dates, never a
secret (only digests are kept). Deleting the account deletes the rows (auth.on_user_deleted)."""
import sqlalchemy as sa

from civiclab.accounts.services import export_section
from civiclab.api.models import AccessToken
from civiclab.core.time import isoformat
from civiclab.extensions import db


def export_access_tokens(user):
    rows = db.session.scalars(sa.select(AccessToken).where(AccessToken.user_id == user.id)
                              .order_by(AccessToken.id))
    return [{"name": row.name, "scopes": row.scopes.split(), "starts_with": row.prefix,
             "created_at": isoformat(row.created_at), "expires_at": isoformat(row.expires_at),
             "last_used_at": isoformat(row.last_used_at), "revoked_at": isoformat(row.revoked_at)}
            for row in rows]


def connect():
    export_section("access_tokens", export_access_tokens)
