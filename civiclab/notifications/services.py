"""In-app notifications: add one, count the unread, mark them read; news delivered by mail as
each user chose (at once, in a digest, or never)."""
import smtplib

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civiclab.core.errors import DomainError, NotAllowed
from civiclab.core.i18n import in_language
from civiclab.core.mail import send_mail
from civiclab.core.time import utcnow
from civiclab.core.urls import absolute_url, external_url, safe_next
from civiclab.extensions import db
from civiclab.notifications.models import (
    PREFERENCE_KINDS,
    Delivery,
    Notification,
    NotificationPreference,
)

LOCALES = ("it", "en")

MESSAGE_MAX = 2000
DETAIL_MAX = 500


def safe_path(url):
    """`url` when it is a path on this site ("/eventi/3"), else "" (core.urls.safe_next's rule),
    cut to what the column holds."""
    return (safe_next((url or "").strip()) or "")[:300]


def in_every_language(value, limit):
    """{"it": text, "en": text or None}: `value` (a callable, a lazy string or plain text)
    rendered in each language, cut to `limit`; English is None where it reads as the Italian."""
    texts = {}
    for locale in LOCALES:
        with in_language(locale):
            texts[locale] = _in_locale(value or "")[:limit]
    if texts["en"] == texts["it"]:
        texts["en"] = None
    return texts


def notify(user, kind, message, detail="", url=""):
    """Add a notification for `user` (a User or a user id) and flush; returns it.

    `message` and `detail` are plain text, escaped when shown. Given as callables or lazy strings
    they are rendered in Italian and in English, and each reader sees the language they read in.
    `url` must be a path on this site: anything else is dropped.
    """
    user_id = user if isinstance(user, int) else user.id
    messages, details = in_every_language(message, MESSAGE_MAX), in_every_language(detail, DETAIL_MAX)
    notification = Notification(
        user_id=user_id,
        kind=str(kind)[:40],
        message=messages["it"], message_en=messages["en"],
        detail=details["it"], detail_en=details["en"],
        url=safe_path(url),
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def mark_read(user, ids=None):
    """Mark the user's notifications read: those in `ids`, or all of them when `ids` is None.

    Only the user's own notifications are touched; returns how many changed.
    """
    statement = (
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        statement = statement.where(Notification.id.in_(ids))
    result = db.session.execute(statement)
    db.session.flush()
    return result.rowcount or 0


# ---- news with a mail preference ------------------------------------------------------------

def preferences_of(user):
    """{kind: Delivery} for every kind of PREFERENCE_KINDS: the user's choice, else the default."""
    chosen = dict(db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user.id)
    ).all())
    return {kind: chosen.get(kind, default) for kind, default in PREFERENCE_KINDS.items()}


def delivery_for(user, kind):
    """How `user` wants news of `kind` by mail (their choice, else the kind's default)."""
    chosen = db.session.scalar(
        sa.select(NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user.id, NotificationPreference.kind == kind)
    )
    return chosen or PREFERENCE_KINDS[kind]


def set_preferences(user, choices):
    """Save `choices` ({kind: Delivery}) for `user`; unknown kinds are refused.

    News still waiting for a digest follows the new choice (daily, weekly or none), so "Nessuna
    mail" stops what is already queued; news already mailed is left alone.
    """
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_l("Accedi per scegliere come ricevere le notifiche."))
    existing = {p.kind: p for p in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, delivery in choices.items():
        if kind not in PREFERENCE_KINDS or not isinstance(delivery, Delivery):
            raise DomainError(_l("Scelta non valida."), field=kind)
        if kind in existing:
            existing[kind].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, delivery=delivery))
        if delivery is not Delivery.INSTANT:
            db.session.execute(
                sa.update(Notification)
                .where(Notification.user_id == user.id, Notification.kind == kind,
                       Notification.mailed_at.is_(None),
                       Notification.delivery.in_([Delivery.DAILY.value, Delivery.WEEKLY.value]))
                .values(delivery=delivery.value)
                .execution_options(synchronize_session=False)
            )
    db.session.flush()


def _in_locale(value):
    """A message given as a callable or a (lazy) string, rendered now."""
    return str(value() if callable(value) else value)


def _absolute(path):
    """A path on this site as a full address for a mail, on the configured public address."""
    return absolute_url(path)


def preferences_link():
    """The full address of the preferences page, for mails."""
    return external_url("notifications.preferences")


def deliver(user, kind, message, url, dedupe_key, mail_subject, mail_template, **ctx):
    """Tell `user` a piece of news of `kind` (one of PREFERENCE_KINDS), once.

    Adds the in-app notification with the user's delivery choice; "instant" mails it now (the
    template templates/mail/<mail_template>.txt, in the user's language, with `ctx`, `message`,
    `link` and `preferences_link`); "daily" and "weekly" leave it for the digest; "none" never
    mails it. `message` and `mail_subject` are callables or lazy strings, rendered in the user's
    language. Nobody gets the same news twice: when the user already has a notification with
    `dedupe_key`, nothing happens and None is returned.
    """
    if kind not in PREFERENCE_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if user is None or not user.is_active:
        return None
    if dedupe_key and db.session.scalar(
        sa.select(sa.func.count(Notification.id))
        .where(Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)
    ):
        return None
    delivery = delivery_for(user, kind)
    locale = user.locale if user.locale in LOCALES else "it"
    texts = in_every_language(message, MESSAGE_MAX)
    text = texts[locale] or texts["it"]
    notification = Notification(
        user_id=user.id, kind=kind, message=texts["it"], message_en=texts["en"], url=safe_path(url),
        delivery=delivery.value, dedupe_key=(dedupe_key or None) and dedupe_key[:120],
    )
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return None  # the same news reached this user at the same moment by another way
    if delivery is Delivery.INSTANT and user.email:
        with in_language(locale):
            subject = _in_locale(mail_subject)
            links = {"link": _absolute(notification.url) if notification.url else "",
                     "preferences_link": preferences_link()}
        try:
            send_mail(user.email, subject, mail_template, locale=locale, user=user, message=text,
                      **links, **ctx)
        except (smtplib.SMTPException, OSError):
            current_app.logger.exception("mail %s to %s not sent", mail_template, user.email)
        else:
            notification.mailed_at = utcnow()
            db.session.flush()
    return notification
