"""Route walk rows for the API's events: public reads, and booking with a token.

ROUTES: the cookie walk (tests/unit/test_route_permissions.py): the API reads no cookie, so every
signed-in role is answered as a visitor: reads 200, a registration and every write 401 (no token).
TOKEN_ROUTES: the token walk (tests/unit/api/test_api_roles.py), each role with a read-and-write
token of its own: anyone with a confirmed account books a seat of the world's open day (201); the
world's class booking (its owner is the school's teacher, no role of the walk) is read and
cancelled by who runs the event, as on its page, and refused (403) to the others.
"""
from tests.unit.route_tables.common import everyone

RUNS_THE_EVENT = {"anonymous": 401, "participant": 403, "facilitator": 200, "other_staff": 403, "staff": 200,
                  "admin": 200}

ROUTES = {
    "api.events": ("GET", lambda w: "/api/v1/events", everyone(200)),
    "api.event": ("GET", lambda w: f"/api/v1/events/{w['door_event'].id}", everyone(200)),
    "api.book_seat": ("POST", lambda w: f"/api/v1/events/{w['door_event'].id}/registrations", everyone(401)),
    "api.registration": ("GET", lambda w: f"/api/v1/registrations/{w['door_registration'].id}", everyone(401)),
    "api.cancel_registration": (
        "POST", lambda w: f"/api/v1/registrations/{w['door_registration'].id}/cancel", everyone(401),
    ),
}

TOKEN_ROUTES = {
    "api.events": ("GET", lambda w: "/api/v1/events", None, everyone(200)),
    "api.event": ("GET", lambda w: f"/api/v1/events/{w['door_event'].id}", None, everyone(200)),
    "api.book_seat": (
        "POST", lambda w: f"/api/v1/events/{w['door_event'].id}/registrations", lambda w: {"seats": 1},
        {**everyone(201), "anonymous": 401},
    ),
    "api.registration": (
        "GET", lambda w: f"/api/v1/registrations/{w['door_registration'].id}", None, RUNS_THE_EVENT,
    ),
    "api.cancel_registration": (
        "POST", lambda w: f"/api/v1/registrations/{w['door_registration'].id}/cancel", None, RUNS_THE_EVENT,
    ),
}
