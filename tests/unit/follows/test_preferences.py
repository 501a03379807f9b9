"""The preferences page: per kind of news, mail at once, a daily or weekly digest, or none."""
import re

from civiclab.notifications import services
from civiclab.notifications.models import Delivery
from tests.conftest import login, text_of


def _checked(page):
    return dict(re.findall(r'<input checked id="[^"]+" name="(\w+)"[^>]*type="radio" value="(\w+)"', page))


def test_the_page_shows_the_defaults_and_saves_a_choice(client, db_session, make_user):
    user = make_user()
    login(client, user)
    page = client.get("/notifiche/preferenze").get_data(as_text=True)
    assert _checked(page) == {"proposal_state": "instant", "comment_reply": "instant", "followed_news": "daily",
                              "proposal_comment": "instant", "proposal_to_review": "instant",
                              "outcome_news": "daily"}
    assert "Nuove proposte pubblicate in ciò che seguo" in text_of(client.get("/notifiche/preferenze"))

    response = client.post("/notifiche/preferenze", data={
        "proposal_state": "weekly", "comment_reply": "none", "followed_news": "instant",
        "proposal_comment": "daily", "proposal_to_review": "none", "outcome_news": "weekly"})
    assert response.status_code == 302
    assert services.preferences_of(user) == {
        "proposal_state": Delivery.WEEKLY, "comment_reply": Delivery.NONE, "followed_news": Delivery.INSTANT,
        "proposal_comment": Delivery.DAILY, "proposal_to_review": Delivery.NONE,
        "outcome_news": Delivery.WEEKLY}
    assert _checked(client.get("/notifiche/preferenze").get_data(as_text=True))["comment_reply"] == "none"


def test_a_bad_choice_is_refused_and_nothing_is_saved(client, db_session, make_user):
    user = make_user()
    login(client, user)
    response = client.post("/notifiche/preferenze", data={
        "proposal_state": "hourly", "comment_reply": "none", "followed_news": "daily"})
    assert response.status_code == 422
    assert services.preferences_of(user)["comment_reply"] is Delivery.INSTANT
    assert client.post("/notifiche/preferenze", data={}).status_code == 422


def test_the_page_is_linked_from_the_notifications_and_the_profile(client, make_user):
    login(client, make_user())
    for page in ("/notifiche", "/account/profilo"):
        assert 'href="/notifiche/preferenze"' in client.get(page).get_data(as_text=True), page
