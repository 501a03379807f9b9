"""Following outcomes: the existing follows, with the outcome kind ("risultato") added from
outcomes' connect()."""
import json

import sqlalchemy as sa

from civiclab.follows import services
from civiclab.follows.models import Follow
from tests.conftest import login, text_of


def test_a_participant_follows_and_unfollows_an_outcome(client, db_session, make_user, make_published_outcome):
    outcome = make_published_outcome(title="Giardino nuovo")
    user = make_user()
    login(client, user)

    followed = client.post(f"/segui/risultato/{outcome.id}", data={})

    assert followed.status_code == 302 and followed.headers["Location"].endswith(f"/risultati/{outcome.id}")
    assert services.is_following(user, outcome)
    assert db_session.scalar(sa.select(Follow.outcome_id).where(Follow.user_id == user.id)) == outcome.id
    page = text_of(client.get("/account/cosa-seguo"))
    assert "Risultato Giardino nuovo" in page

    assert client.post(f"/segui/risultato/{outcome.id}", data={}).status_code == 302  # twice is once
    assert db_session.scalar(sa.select(sa.func.count(Follow.id)).where(Follow.user_id == user.id)) == 1
    assert client.post(f"/non-seguire/risultato/{outcome.id}", data={}).status_code == 302
    assert not services.is_following(user, outcome)
    assert "Non segui ancora niente" in text_of(client.get("/account/cosa-seguo"))


def test_an_unpublished_outcome_or_an_unknown_kind_cannot_be_followed(client, db_session, make_user,
                                                                     make_published_outcome):
    draft = make_published_outcome(published=False)
    login(client, make_user())

    assert client.post(f"/segui/risultato/{draft.id}", data={}).status_code == 404
    assert client.post(f"/segui/cosa/{draft.id}", data={}).status_code == 404
    assert db_session.scalar(sa.select(sa.func.count(Follow.id))) == 0


def test_an_outcome_no_longer_visible_leaves_the_list(client, db_session, make_user, make_published_outcome):
    outcome = make_published_outcome(title="Giardino nuovo")
    user = make_user()
    login(client, user)
    client.post(f"/segui/risultato/{outcome.id}", data={})
    assert "Risultato Giardino nuovo" in text_of(client.get("/account/cosa-seguo"))  # (and the flash read)
    outcome.published = False
    db_session.commit()

    assert "Giardino nuovo" not in text_of(client.get("/account/cosa-seguo"))


def test_the_export_holds_outcome_follows(client, db_session, make_user, make_published_outcome, make_project):
    outcome = make_published_outcome(title="Giardino nuovo")
    project = make_project()
    user = make_user()
    login(client, user)
    client.post(f"/segui/progetto/{project.id}", data={})
    client.post(f"/segui/risultato/{outcome.id}", data={})

    data = json.loads(client.get("/account/i-miei-dati.json").data)

    assert [(f["kind"], f["id"]) for f in data["follows"]] == [("progetto", project.id), ("risultato", outcome.id)]
    assert data["follows"][1]["title"] == "Giardino nuovo"
