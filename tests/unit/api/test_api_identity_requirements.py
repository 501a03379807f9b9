"""The API and "solo con SPID/CIE": calls and events say what they require, and the services'
refusal answers 403 with the code identity_required, as the pages refuse (one rule, no copy)."""
import pytest

from civiclab.events.models import EventState
from tests.fixtures.api import bearer
from tests.unit.events.helpers import registrations_of

NEEDED = ("Per questa azione serve un'identità verificata: accedi con SPID o CIE, o collega la tua "
          "identità dal profilo.")


def refused_for_identity(response):
    assert response.status_code == 403, response.get_data(as_text=True)
    error = response.get_json()["error"]
    return error["code"] == "identity_required" and error["message"] == NEEDED


@pytest.fixture
def send(client, make_token):
    def request(method, url, user, json=None):
        return client.open(url, method=method, json=json, headers=bearer(make_token(user)))

    return request


# ---- reading -----------------------------------------------------------------------------------

def test_a_call_says_what_needs_an_identity(client, make_call):
    call = make_call(supports_require_identity=True)
    body = client.get(f"/api/v1/calls/{call.id}").get_json()
    assert (body["proposals_require_identity"], body["supports_require_identity"]) == (False, True)
    listed = client.get("/api/v1/calls").get_json()["data"]
    assert [(c["id"], c["supports_require_identity"]) for c in listed] == [(call.id, True)]


def test_an_event_says_whether_booking_needs_an_identity(client, make_event):
    event = make_event(requires_identity=True)
    assert client.get(f"/api/v1/events/{event.id}").get_json()["requires_identity"] is True
    assert client.get("/api/v1/events").get_json()["data"][0]["requires_identity"] is True


def test_the_document_describes_the_flags_with_their_italian_labels(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    call = schemas["CallOut"]["properties"]
    assert call["proposals_require_identity"]["x-label-it"] == "Solo con SPID/CIE: per proporre"
    assert call["supports_require_identity"]["x-label-it"] == "Solo con SPID/CIE: per sostenere"
    assert schemas["EventOut"]["properties"]["requires_identity"]["x-label-it"] == "Solo con SPID/CIE"
    assert "requires_identity" in schemas["EventOut"]["required"]


def test_the_document_lists_403_for_booking(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "identity_required" in paths["/events/{event_id}/registrations"]["post"]["responses"]["403"]["description"]


# ---- writing -----------------------------------------------------------------------------------

def proposal_body(call, **changes):
    return {"title": "Orti condivisi", "body": "Un orto nel cortile.", "theme_id": call.themes[0].id,
            "submit": True, **changes}


def test_proposing_under_a_call_that_requires_an_identity(send, make_call, make_user, make_verified_user):
    call = make_call(proposals_require_identity=True)
    url = f"/api/v1/calls/{call.id}/proposals"
    assert refused_for_identity(send("POST", url, make_user(), json=proposal_body(call)))
    response = send("POST", url, make_verified_user(), json=proposal_body(call))
    assert response.status_code == 201 and response.get_json()["state"] == "submitted"


def test_the_refusal_is_in_the_readers_language(client, make_call, make_user, make_token):
    call = make_call(proposals_require_identity=True)
    response = client.post(f"/api/v1/calls/{call.id}/proposals", json=proposal_body(call),
                           headers={**bearer(make_token(make_user())), "Accept-Language": "en"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "identity_required"


def test_supporting_under_a_call_that_requires_an_identity(
        send, make_call, make_proposal, make_user, make_verified_user):
    proposal = make_proposal(call=make_call(phase="supports", supports_require_identity=True))
    url = f"/api/v1/proposals/{proposal.id}/support"
    assert refused_for_identity(send("POST", url, make_user()))
    response = send("POST", url, make_verified_user())
    assert response.status_code == 201 and response.get_json()["supports_count"] == 1


def test_booking_an_event_that_requires_an_identity(send, db_session, make_event, make_user, make_verified_user):
    event = make_event(requires_identity=True)
    url = f"/api/v1/events/{event.id}/registrations"
    assert refused_for_identity(send("POST", url, make_user(), json={"seats": 1}))
    assert registrations_of(db_session, event) == []
    response = send("POST", url, make_verified_user(), json={"seats": 1})
    assert response.status_code == 201 and response.get_json()["state"] == "confirmed"


def test_a_cancelled_event_is_still_a_conflict_first(send, make_event, make_user):
    event = make_event(requires_identity=True, state=EventState.CANCELLED)
    response = send("POST", f"/api/v1/events/{event.id}/registrations", make_user(), json={"seats": 1})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
