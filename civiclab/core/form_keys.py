"""One-time form keys: a form that creates something is sent once, however often it is posted.

Every create form carries a hidden `form_key` (the template global `form_key()`, a fresh random
key each time the form is drawn). The first POST with a key claims it, in the request's own
transaction, for its owner (the signed-in user, or the visitor's session); when that request
answers with a redirect (to what it created), the redirect's address is stored with the key and
committed with the rest. A repeat of the same form — the Back button and "Invia" again, or a
double click sending it twice at once — finds the key taken and is sent to that address with a
flash, "già inviato", without running the view: never a duplicate.

The Back button alone does not carry the key back: signed-in pages are `no-store`, so the browser
fetches the form again (with a new key) and refills what was typed. Views that create content
nobody wants twice (a proposal, a comment, an event, a call…) are marked
`@same_content_is_a_repeat`: for them the POST also claims a content key, a digest of the address
and of every field sent, which holds for CONTENT_WINDOW. The same text sent again by the same
person within it lands on the first result as well; a booking, cancelled and made again, is not
marked, and goes through.

Concurrency is the database's: the key is unique per owner, so a concurrent repeat's INSERT
waits for the first request's transaction (PostgreSQL's unique index; SQLite's write lock, taken
at BEGIN by every POST) and then finds the committed row. A request that does not redirect (a
form error) or fails gives its key back, so the corrected form can be sent. Keys are kept for
KEY_LIFETIME, then forgotten.
"""
import hashlib
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from civiclab.core.page_cache import personal
from civiclab.core.time import UTCDateTime, utcnow
from civiclab.extensions import db

FIELD = "form_key"
KEY_LIFETIME = timedelta(days=1)
CONTENT_WINDOW = timedelta(minutes=30)
_CONTENT = "c-"  # content keys start with it; random keys (token_urlsafe(24)) never do: 32 characters
_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SESSION_OWNER = "form_owner"  # a visitor's random id in the (signed) session cookie


class FormKey(db.Model):
    """A form key already used by its owner, and where its first POST led."""

    __tablename__ = "form_keys"
    __table_args__ = (sa.UniqueConstraint("owner", "key", name="uq_form_keys_owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "user:<id>" or "session:<random>". Not a foreign key: a key holds nothing a person wrote
    # and is forgotten after KEY_LIFETIME.
    owner: Mapped[str] = mapped_column(sa.String(80))
    key: Mapped[str] = mapped_column(sa.String(64))
    url: Mapped[str | None] = mapped_column(sa.String(2000))  # where the first POST redirected
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)


def form_key_field():
    """The hidden input of a create form (a template global: `{{ form_key() }}`)."""
    personal()  # a key is this visitor's: the page is never shared from the page cache
    _owner(create=True)
    return Markup('<input type="hidden" name="%s" value="%s">') % (FIELD, secrets.token_urlsafe(24))


def _owner(create=False):
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    visitor = session.get(_SESSION_OWNER)
    if not visitor and create:
        visitor = session[_SESSION_OWNER] = secrets.token_urlsafe(24)
    return f"session:{visitor}" if visitor else None


def same_content_is_a_repeat(view):
    """Mark a create view: the same fields sent again by the same person within CONTENT_WINDOW
    are a repeat of the first send, whatever form key they carry."""
    view.same_content_is_a_repeat = True
    return view


def _content_key():
    """A digest of this POST's address and fields (the CSRF token and form key left out)."""
    fields = sorted((name, value) for name, value in request.form.items(multi=True)
                    if name not in (FIELD, "csrf_token"))
    files = sorted((name, upload.filename or "") for name, upload in request.files.items(multi=True))
    digest = hashlib.sha256(repr((request.path, fields, files)).encode("utf-8", "surrogatepass"))
    return _CONTENT + digest.hexdigest()[:48]


def claim(owner, key):
    """Claim `key` for `owner` in the current transaction; None when it is ours now, else the
    FormKey of the POST that claimed it first (waiting for that one to commit if it runs now)."""
    taken = sa.select(FormKey).where(FormKey.owner == owner, FormKey.key == key)
    now = utcnow()
    existing = db.session.scalar(taken)
    if existing is not None and key.startswith(_CONTENT) and existing.created_at < now - CONTENT_WINDOW:
        db.session.delete(existing)  # the same text, sent again long after: a new submission
        db.session.flush()
        existing = None
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            db.session.add(FormKey(owner=owner, key=key))
    except IntegrityError:  # the same form, sent at the same moment, got there first
        return db.session.scalar(taken.execution_options(populate_existing=True))
    return None


def _submitted_key():
    if request.method != "POST":
        return None
    key = request.form.get(FIELD, "")
    return key if _KEY_SHAPE.fullmatch(key) else None


def register_form_keys(app):
    app.jinja_env.globals["form_key"] = form_key_field

    @app.before_request
    def send_repeats_to_the_first_result():
        key = _submitted_key()
        owner = _owner() if key else None
        if owner is None:
            return None
        db.session.execute(sa.delete(FormKey).where(FormKey.created_at < utcnow() - KEY_LIFETIME))
        keys = [key]
        if getattr(app.view_functions.get(request.endpoint), "same_content_is_a_repeat", False):
            keys.append(_content_key())
        for n, claimed_key in enumerate(keys):
            first = claim(owner, claimed_key)
            if first is not None:
                if not first.url:  # claimed, but its request gave no address (cannot happen once committed)
                    abort(409)
                g.form_key = (owner, keys[:n])  # keys this repeat claimed lead to the first result too
                flash(_l("Già inviato: questo modulo era già stato spedito, ecco il risultato."), "info")
                return redirect(first.url)
        g.form_key = (owner, keys)
        return None

    @app.after_request
    def remember_where_the_form_led(response):
        claimed = g.pop("form_key", None)
        if claimed is None or response.status_code >= 400:
            return response  # a 4xx or 5xx rolls the claim back with everything else
        owner, keys = claimed
        ours = (FormKey.owner == owner, FormKey.key.in_(keys))
        if response.status_code in (301, 302, 303, 307, 308) and response.location:
            db.session.execute(sa.update(FormKey).where(*ours).values(url=response.location[:2000]))
        else:  # the form came back (with its errors): the key may be sent again
            db.session.execute(sa.delete(FormKey).where(*ours))
        return response
