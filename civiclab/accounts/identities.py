"""Verified identities: an account's link to a SPID or CIE identity, as an OpenID Connect gateway
(the IAM Proxy Italia, or any provider configured in OIDC_*) vouched for it.

The fiscal number is personal data the platform needs only to recognise the same person again:
it is kept as a keyed hash (HMAC-SHA256 with the app's IDENTITY_HASH_KEY, or SECRET_KEY), never in
clear; `fiscal_masked` ("RSS***********1U") is what pages show.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

# The kinds of identity a gateway asserts (the login page's two official buttons).
IDENTITY_KINDS = ("spid", "cie")


class VerifiedIdentity(db.Model):
    """One person's verified identity, linked to one account; a fiscal number links to one account
    only (the unique index), and an account has at most one linked identity."""

    __tablename__ = "verified_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # "spid" or "cie": the button the person chose
    issuer: Mapped[str] = mapped_column(sa.String(300))  # the OIDC issuer that vouched for it
    subject: Mapped[str] = mapped_column(sa.String(255))  # the issuer's `sub`
    fiscal_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    fiscal_masked: Mapped[str] = mapped_column(sa.String(40))
    linked_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[object | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship(back_populates="verified_identity")  # noqa: F821
