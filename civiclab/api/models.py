"""Personal access tokens: a person's key for the API, named, scoped, revocable."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

SCOPES = ("read", "write")  # what a token may do; "write" includes "read"


class AccessToken(db.Model):
    """A token a person made on their profile. Only its SHA-256 is kept (the token itself is shown
    once, at creation); `prefix` is its first characters, so the person can tell tokens apart."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    scopes: Mapped[str] = mapped_column(sa.String(40))  # space-separated, from SCOPES
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[object | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[object | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[object | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship()  # noqa: F821

    @property
    def scope_set(self):
        return frozenset(self.scopes.split())

    def allows(self, scope):
        return scope in self.scope_set or (scope == "read" and "write" in self.scope_set)

    def is_live(self, now=None):
        now = now or utcnow()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
