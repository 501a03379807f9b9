"""Daily and weekly digests: one mail per user listing the news they asked to get that way.

Run by cron through `flask --app wsgi send-digests daily` (every morning) and `... weekly` (once a
week). Each user's pending news is *claimed* before the mail is sent, by

    UPDATE notifications SET mailed_at = :now
    WHERE id IN (:pending) AND mailed_at IS NULL RETURNING id

committed on its own; the digest lists only the rows this run claimed. Running the command twice,
two copies at once, or again after a crash never mails the same news twice. As with event
reminders, the price is that a crash or a refused mail between the claim and the send loses that
user's digest (the news stays on their notifications page); a failing send stops the run, and the
next run carries on with the users not yet claimed.

With a job queue (JOB_QUEUE=rq) the command only queues `digests_job`, which the worker runs: the
claims are the same, so a job retried, or two runs queued at once, mail each news once; each
digest mail is then a job of its own (core.mail.deliver), queued after its claim's commit and
retried by the worker when the mail server refuses it, instead of lost.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from civiclab.accounts.models import User
from civiclab.core.i18n import in_language
from civiclab.core.mail import send_mail
from civiclab.core.time import utcnow
from civiclab.core.urls import external_url, on_public_address
from civiclab.extensions import db
from civiclab.notifications.models import Delivery, Notification
from civiclab.notifications.services import LOCALES, preferences_link

PERIODS = (Delivery.DAILY.value, Delivery.WEEKLY.value)


def _pending(delivery):
    return sa.and_(Notification.delivery == delivery, Notification.mailed_at.is_(None))


def users_with_news(delivery):
    """Ids of the users with news of `delivery` not mailed yet."""
    return list(db.session.scalars(
        sa.select(Notification.user_id).where(_pending(delivery)).distinct().order_by(Notification.user_id)
    ))


def claim(user_id, delivery, now):
    """Mark the user's pending news of `delivery` mailed; returns the ids this caller claimed.

    Not committed here: the caller commits the claim before sending.
    """
    pending = sa.select(Notification.id).where(Notification.user_id == user_id, _pending(delivery))
    return list(db.session.scalars(
        sa.update(Notification)
        .where(Notification.id.in_(pending), Notification.mailed_at.is_(None))
        .values(mailed_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ))


def send_digest_mail(user, period, notifications):
    locale = user.locale if user.locale in LOCALES else "it"
    with in_language(locale):
        if period == Delivery.WEEKLY.value:
            subject = _("CivicLab: le novità della settimana")
        else:
            subject = _("CivicLab: le novità di oggi")
    items = [
        {"message": n.message_in(locale),
         "link": external_url("notifications.follow", notification_id=n.id) if n.url else ""}
        for n in notifications
    ]
    return send_mail(
        user.email, subject, "codesign_digest", locale=locale, user=user, period=period, notifications=items,
        notifications_link=external_url("notifications.index"), preferences_link=preferences_link(),
    )


def send_digests(period, now=None):
    """Send the `period` ("daily" or "weekly") digests; returns how many mails were sent.

    Commits as it goes: each user's claim is a transaction of its own whose first statement is
    the UPDATE, and no lock is held while a mail is being sent.
    """
    if period not in PERIODS:
        raise ValueError(f"unknown digest period {period!r}")
    now = now or utcnow()
    user_ids = users_with_news(period)
    db.session.commit()  # ends the read transaction before the first claim
    sent = 0
    for user_id in user_ids:
        claimed = claim(user_id, period, now)
        db.session.commit()  # the claim holds from here on, whatever happens to the mail
        if not claimed:
            continue  # another run got there first
        user = db.session.get(User, user_id)
        if user is None or not user.is_active or not user.email:
            continue  # nobody to write to: the news stays claimed, never mailed later
        notifications = db.session.scalars(
            sa.select(Notification).where(Notification.id.in_(claimed))
            .order_by(Notification.created_at, Notification.id)
        ).all()
        send_digest_mail(user, period, notifications)
        sent += 1
        db.session.commit()  # ends the read transaction
    return sent


def digests_job(period, base_url=None):
    """The queued run of the `period` digests (JOB_QUEUE=rq): send_digests on the public address."""
    with on_public_address(base_url):
        return send_digests(period)
