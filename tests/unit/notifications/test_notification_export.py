"""My notifications and mail preferences, in "I miei dati" (/account/i-miei-dati.json)."""
import json

from civiclab.notifications import personal_data
from civiclab.notifications.models import Delivery, Notification, NotificationPreference
from tests.conftest import login


def _export(client, user):
    login(client, user)
    response = client.get("/account/i-miei-dati.json")
    assert response.status_code == 200
    return json.loads(response.data)


def test_the_export_holds_my_preferences_with_the_defaults_i_kept(client, db_session, make_user):
    giulia, other = make_user(), make_user()
    db_session.add_all([
        NotificationPreference(user_id=giulia.id, kind="comment_reply", delivery=Delivery.WEEKLY),
        NotificationPreference(user_id=other.id, kind="proposal_state", delivery=Delivery.NONE),
    ])
    db_session.commit()

    data = _export(client, giulia)

    assert data["notification_preferences"] == {"proposal_state": "instant", "comment_reply": "weekly",
                                                "followed_news": "daily", "proposal_comment": "instant",
                                                "proposal_to_review": "instant", "outcome_news": "daily"}


def test_the_export_holds_my_notifications_and_not_others(client, db_session, make_user):
    giulia, other = make_user(), make_user()
    db_session.add_all([
        Notification(user_id=giulia.id, kind="comment_reply", message="Marco ha risposto al tuo commento.",
                     url="/commenti/3", delivery="instant"),
        Notification(user_id=other.id, kind="comment_reply", message="Una notizia per un altro."),
    ])
    db_session.commit()

    notifications = _export(client, giulia)["notifications"]

    assert [(n["message"], n["url"], n["read_at"]) for n in notifications] == [
        ("Marco ha risposto al tuo commento.", "/commenti/3", None)]
    assert "Una notizia per un altro." not in json.dumps(notifications)


def test_each_notification_section_takes_one_query(db_session, make_user, count_queries):
    giulia = make_user()
    db_session.add_all([Notification(user_id=giulia.id, kind="x", message=f"N. {n}") for n in range(3)])
    db_session.commit()
    db_session.refresh(giulia)  # loaded, as current_user is

    for section in (personal_data.export_preferences, personal_data.export_notifications):
        with count_queries() as queries:
            section(giulia)
        assert len(queries) == 1, queries
