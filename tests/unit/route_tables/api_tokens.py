"""Route walk rows for the token pages (/account/token-api): the site's HTML pages, signed in,
where a person manages their own personal access tokens, on their own blueprint (`api_tokens`):
cookie pages, not API operations, so no TOKEN_ROUTES rows.
"""
from tests.unit.route_tables.common import signed_in


def participants_token(w):
    """A token of the world's participant, made in this test's savepoint the first time it is asked."""
    if "participant_token" not in w:
        from civiclab.api.auth import new_secret
        from civiclab.api.models import AccessToken
        from civiclab.extensions import db

        _secret, digest, prefix = new_secret()
        token = AccessToken(user_id=w["users"]["participant"].id, name="script", scopes="read",
                            token_hash=digest, prefix=prefix)
        db.session.add(token)
        db.session.commit()
        w["participant_token"] = token
    return w["participant_token"]


ROUTES = {
    "api_tokens.tokens": ("GET", lambda w: "/account/token-api", signed_in(200)),
    # the walk's POST has no name: the form comes back with its error
    "api_tokens.create": ("POST", lambda w: "/account/token-api/nuovo", signed_in(422)),
    # one's own token only: another's is not found
    "api_tokens.revoke": ("POST", lambda w: f"/account/token-api/{participants_token(w).id}/revoca",
                         {**signed_in(404), "participant": 302}),
}

TOKEN_ROUTES = {}
