"""Route walk rows for the API's co-design: calls, proposals, supports and comments.

ROUTES: the cookie walk (tests/unit/test_route_permissions.py): the API reads no cookie, so every
signed-in role is a visitor: reads are public, writes are 401. TOKEN_ROUTES: the token walk
(tests/unit/api/test_api_roles.py), each role with a read-and-write token of its own. The world's
call is in its proposals phase (proposals and comments are taken, supports are not: 409); its
`own_draft` is the participant's, which nobody else sees (404); the outcome is the outcomes
table's (`outcome_world`).
"""
from tests.unit.route_tables.common import everyone
from tests.unit.route_tables.outcomes import outcome_world


def _writes(status):
    """Every role with a token gets `status`; a visitor without one, 401."""
    return {**everyone(status), "anonymous": 401}


def _outcome(w):
    return outcome_world(w)["outcome"]


def _idea(w):
    return {"title": "Un orto nel cortile", "body": "Con le classi.", "theme_id": w["call"].themes[0].id}


READS = {
    "api.calls": lambda w: "/api/v1/calls",
    "api.call": lambda w: f"/api/v1/calls/{w['call'].id}",
    "api.proposals": lambda w: f"/api/v1/proposals?call={w['call'].id}",
    "api.proposal": lambda w: f"/api/v1/proposals/{w['proposal'].id}",
    "api.proposal_comments": lambda w: f"/api/v1/proposals/{w['proposal'].id}/comments",
    "api.project_comments": lambda w: f"/api/v1/projects/{w['project'].code}/comments",
    "api.outcome_comments": lambda w: f"/api/v1/outcomes/{_outcome(w)}/comments",
}

WRITES = {
    "api.proposal_new": ("POST", lambda w: f"/api/v1/calls/{w['call'].id}/proposals"),
    "api.proposal_edit": ("PATCH", lambda w: f"/api/v1/proposals/{w['own_draft'].id}"),
    "api.support": ("POST", lambda w: f"/api/v1/proposals/{w['proposal'].id}/support"),
    "api.withdraw_support": ("DELETE", lambda w: f"/api/v1/proposals/{w['proposal'].id}/support"),
    "api.proposal_comment_new": ("POST", lambda w: f"/api/v1/proposals/{w['proposal'].id}/comments"),
    "api.project_comment_new": ("POST", lambda w: f"/api/v1/projects/{w['project'].code}/comments"),
    "api.outcome_comment_new": ("POST", lambda w: f"/api/v1/outcomes/{_outcome(w)}/comments"),
}

ROUTES = {
    **{endpoint: ("GET", url, everyone(200)) for endpoint, url in READS.items()},
    **{endpoint: (method, url, everyone(401)) for endpoint, (method, url) in WRITES.items()},
}

ONLY_THE_PARTICIPANT = {**everyone(404), "participant": 200}

TOKEN_ROUTES = {
    **{endpoint: ("GET", url, None, everyone(200)) for endpoint, url in READS.items()},
    # a draft is its author's alone, through the API as on its page
    "api.proposal": ("GET", lambda w: f"/api/v1/proposals/{w['own_draft'].id}", None, ONLY_THE_PARTICIPANT),
    "api.proposal_new": ("POST", WRITES["api.proposal_new"][1], _idea, _writes(201)),
    "api.proposal_edit": ("PATCH", WRITES["api.proposal_edit"][1], lambda w: {"title": "Un titolo migliore",
                                                                   "theme_id": w["call"].themes[0].id},
                          {**_writes(404), "participant": 200}),
    # the call takes no supports in its proposals phase
    "api.support": ("POST", WRITES["api.support"][1], None, _writes(409)),
    "api.withdraw_support": ("DELETE", WRITES["api.withdraw_support"][1], None, _writes(409)),
    "api.proposal_comment_new": ("POST", WRITES["api.proposal_comment_new"][1], lambda w: {"body": "Ciao"},
                                 _writes(201)),
    "api.project_comment_new": ("POST", WRITES["api.project_comment_new"][1], lambda w: {"body": "Ciao"},
                                _writes(201)),
    "api.outcome_comment_new": ("POST", WRITES["api.outcome_comment_new"][1], lambda w: {"body": "Ciao"},
                                _writes(201)),
}
