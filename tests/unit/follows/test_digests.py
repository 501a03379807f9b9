"""Daily and weekly digests: one mail per user with the news they chose to get that way, never twice."""
from types import SimpleNamespace

import sqlalchemy as sa

from civiclab.core.time import utcnow
from civiclab.follows import digests
from civiclab.notifications import services as notifications
from civiclab.notifications.models import Delivery, Notification

BASE_URL = "https://civiclab.example.org"


def _news(user, delivery, n=1, key="news"):
    """`n` pieces of followed news for `user`, delivered as `delivery`."""
    notifications.set_preferences(user, {"followed_news": delivery})
    for i in range(n):
        notifications.deliver(user, "followed_news", f"Nuova proposta pubblicata: «Idea {key} {i}».",
                              f"/proposte/{i + 1}", f"{key}:{i}", "Oggetto", "codesign_followed_news",
                              proposal=SimpleNamespace(title=f"Idea {key} {i}"),
                              call=SimpleNamespace(title="Call"))


def test_the_daily_digest_lists_each_users_news_once_however_often_it_runs(ctx, db_session, make_user, outbox):
    anna, bruno = make_user(display_name="Anna"), make_user(display_name="Bruno")
    _news(anna, Delivery.DAILY, n=3)
    _news(bruno, Delivery.DAILY, n=1)
    db_session.commit()
    assert digests.send_digests("daily") == 2
    by_recipient = {m.recipients[0]: m for m in outbox}
    mail = by_recipient[anna.email]
    assert "le novità di oggi" in mail.subject
    assert all(f"«Idea news {i}»" in mail.body for i in range(3))
    assert f"{BASE_URL}/notifiche/" in mail.body and f"{BASE_URL}/notifiche/preferenze" in mail.body
    assert digests.send_digests("daily") == 0 and len(outbox) == 2
    pending = db_session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.mailed_at.is_(None)))
    assert pending == 0


def test_weekly_news_waits_for_the_weekly_digest(ctx, db_session, make_user, outbox):
    daily, weekly = make_user(), make_user()
    _news(daily, Delivery.DAILY)
    _news(weekly, Delivery.WEEKLY, n=2)
    db_session.commit()
    assert digests.send_digests("daily") == 1 and [m.recipients for m in outbox] == [[daily.email]]
    assert digests.send_digests("weekly") == 1 and outbox[-1].recipients == [weekly.email]
    assert "della settimana" in outbox[-1].subject
    assert digests.send_digests("weekly") == 0 and len(outbox) == 2


def test_news_with_instant_mail_or_no_mail_never_reaches_a_digest(ctx, db_session, make_user, outbox):
    at_once, never = make_user(), make_user()
    _news(at_once, Delivery.INSTANT)
    _news(never, Delivery.NONE)
    db_session.commit()
    assert len(outbox) == 1  # the instant one, already sent
    assert digests.send_digests("daily") == 0 and digests.send_digests("weekly") == 0
    assert len(outbox) == 1


def test_only_what_a_run_claimed_is_sent(ctx, db_session, make_user, outbox):
    """Another run claimed part of a user's news in between: this run mails only the rest."""
    user = make_user()
    _news(user, Delivery.DAILY, n=2)
    db_session.commit()
    first = db_session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                               .order_by(Notification.id)).first()
    first.mailed_at = utcnow()  # claimed by another run
    db_session.commit()
    assert digests.send_digests("daily") == 1
    assert "Idea news 1" in outbox[0].body and "Idea news 0" not in outbox[0].body


def test_choosing_no_mail_stops_news_already_waiting_for_a_digest(ctx, db_session, make_user, outbox):
    user = make_user()
    _news(user, Delivery.DAILY, n=2)
    notifications.set_preferences(user, {"followed_news": Delivery.NONE})
    db_session.commit()
    assert digests.send_digests("daily") == 0 and outbox == []


def test_the_command_sends_the_digests_and_says_how_many(app, public_address, db_session, make_user, outbox):
    with app.test_request_context("/", base_url=BASE_URL):
        _news(make_user(), Delivery.WEEKLY)
    db_session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-digests", "weekly", "--base-url", BASE_URL])
    assert result.exit_code == 0, result.output
    assert "1 digest mail(s) sent" in result.output
    assert f"{BASE_URL}/notifiche/" in outbox[0].body
    assert "0 digest mail(s) sent" in runner.invoke(args=["send-digests", "weekly", "--base-url", BASE_URL]).output
    assert runner.invoke(args=["send-digests", "monthly"]).exit_code == 2
