"""SPID and CIE through an OpenID Connect gateway: CivicLab as a plain relying party (Authlib).

The flow is the authorization code flow with PKCE (S256), `state` and `nonce`, all three kept in
the signed session cookie between the start and the return. The ID token's signature is checked
against the gateway's JWKS, and its `iss` (the configured issuer, nothing else), `aud` (our client
id), `exp`, `iat` and `nonce`. The token endpoint is called with `private_key_jwt` when a private
key is configured, else `client_secret_basic`. Every failure raises IdentityProblem with a message
for the person; the routes log it and send them back to the login page.
"""
import hmac
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oidc.core import CodeIDToken
from flask import current_app, session
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from civiclab.accounts.identities import IDENTITY_KINDS
from civiclab.core.errors import DomainError
from civiclab.core.urls import external_url

FLOW_KEY = "oidc_flow"  # the session's record of a flow under way
FLOW_MAX_AGE = 600  # seconds a person has at the gateway before the return is refused
METADATA_MAX_AGE = 3600  # discovery and JWKS are fetched again after this long
LEEWAY = 60  # seconds of clock difference allowed on exp and iat
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
# Authorization parameters the flow sets itself: a configured extra never overrides them.
# The fiscal number's claim names: a gateway's plain one, and the one SPID and CIE OIDC define.
FISCAL_NUMBER_CLAIMS = ("fiscal_number", "https://attributes.eid.gov.it/fiscal_number")
RESERVED_PARAMS = {"state", "nonce", "code_challenge", "code_challenge_method", "redirect_uri",
                   "client_id", "response_type", "scope"}
INTENTS = ("login", "link")

_discovered = {}  # issuer -> {"at": time, "metadata": {...}, "jwks": {...}}


class IdentityProblem(DomainError):
    """A SPID/CIE sign-in that cannot go on: `message` for the person, `reason` for the log."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


@dataclass
class Assertion:
    """What the gateway vouched for, once every check passed, and what the flow was for."""

    kind: str
    intent: str
    issuer: str
    subject: str
    claims: dict = field(default_factory=dict)
    next_url: str | None = None
    user_id: int | None = None


# ---- configuration ------------------------------------------------------------------------

def is_configured():
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def enabled_kinds():
    """The identity buttons to show, in order ("spid", "cie"): those enabled, when a gateway is set."""
    if not is_configured():
        return []
    return [kind for kind in IDENTITY_KINDS if current_app.config.get(f"OIDC_{kind.upper()}_ENABLED")]


def _extra_params(kind):
    raw = current_app.config.get(f"OIDC_{kind.upper()}_PARAMS") or ""
    return {key: value for key, value in parse_qsl(raw) if key not in RESERVED_PARAMS}


def _unreachable(reason):
    return IdentityProblem(_("Il servizio di accesso con SPID e CIE non risponde in questo momento: "
                             "riprova tra qualche minuto o accedi con email e password."), reason)


def _refused(reason):
    return IdentityProblem(_("Non è stato possibile verificare la tua identità: la risposta del "
                             "servizio di accesso non è valida. Riprova."), reason)


def _get_json(url):
    try:
        response = requests.get(url, timeout=current_app.config.get("OIDC_TIMEOUT", 10),
                                headers={"Accept": "application/json"})
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        raise _unreachable(f"GET {url}: {error}") from None


def discover(force=False):
    """The gateway's metadata and key set (fetched, then kept METADATA_MAX_AGE seconds)."""
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    known = _discovered.get(issuer)
    if known and not force and time.time() - known["at"] < METADATA_MAX_AGE:
        return known
    metadata = _get_json(f"{issuer}/.well-known/openid-configuration")
    if metadata.get("issuer", "").rstrip("/") != issuer:
        raise _refused(f"discovery names issuer {metadata.get('issuer')!r}, not {issuer!r}")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not metadata.get(name):
            raise _unreachable(f"discovery has no {name}")
    known = {"at": time.time(), "metadata": metadata, "jwks": _get_json(metadata["jwks_uri"])}
    _discovered[issuer] = known
    return known


def forget_discovery():
    """Drop what was discovered (a key rotated; tests start a new provider)."""
    _discovered.clear()


def _client(metadata):
    config = current_app.config
    options = {"client_id": config["OIDC_CLIENT_ID"], "scope": config.get("OIDC_SCOPES") or "openid",
               "redirect_uri": external_url("accounts.identity_return"), "code_challenge_method": "S256"}
    if config.get("OIDC_PRIVATE_KEY_FILE"):
        try:
            key = Path(config["OIDC_PRIVATE_KEY_FILE"]).read_text()
        except OSError as error:
            raise _unreachable(f"private key: {error}") from None
        client = OAuth2Session(client_secret=key, token_endpoint_auth_method="private_key_jwt", **options)
        headers = {"kid": config["OIDC_PRIVATE_KEY_ID"]} if config.get("OIDC_PRIVATE_KEY_ID") else None
        client.register_client_auth_method(PrivateKeyJWT(metadata["token_endpoint"], headers=headers))
        return client
    return OAuth2Session(client_secret=config.get("OIDC_CLIENT_SECRET") or "",
                         token_endpoint_auth_method="client_secret_basic", **options)


# ---- the flow -----------------------------------------------------------------------------

def start(kind, intent="login", next_url=None, user_id=None):
    """The gateway's authorization address for a new flow; the flow's secrets go in the session."""
    if kind not in enabled_kinds() or intent not in INTENTS:
        raise IdentityProblem(_("L'accesso con questa identità digitale non è attivo."), f"{kind} not enabled")
    metadata = discover()["metadata"]
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), generate_token(64)
    url, _state = _client(metadata).create_authorization_url(
        metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier,
        **_extra_params(kind))
    session[FLOW_KEY] = {"state": state, "nonce": nonce, "verifier": verifier, "kind": kind,
                         "intent": intent, "next": next_url, "user_id": user_id, "at": int(time.time())}
    return url


def finish(args):
    """Check the gateway's answer (`args`: the return's query) and return the Assertion.

    The flow in the session is used once: a second return with the same answer finds none."""
    flow = session.pop(FLOW_KEY, None)
    if not flow or time.time() - flow.get("at", 0) > FLOW_MAX_AGE:
        raise IdentityProblem(_("La richiesta di accesso è scaduta o non è partita da questo browser: "
                                "riprova dall'inizio."), "no flow under way, or too old")
    if args.get("error"):
        raise IdentityProblem(_("L'accesso non è stato completato presso il gestore dell'identità: "
                                "riprova, o accedi con email e password."),
                              f"provider error {args.get('error')!r}: {args.get('error_description', '')!r}")
    if not hmac.compare_digest(str(args.get("state", "")).encode(), flow["state"].encode()):
        raise IdentityProblem(_("La risposta del servizio di accesso non corrisponde alla tua richiesta: "
                                "riprova dall'inizio."), "state mismatch")
    if not args.get("code"):
        raise _refused("no code in the return")
    known = discover()
    metadata = known["metadata"]
    client = _client(metadata)
    try:
        token = client.fetch_token(metadata["token_endpoint"], grant_type="authorization_code",
                                   code=args["code"], code_verifier=flow["verifier"],
                                   timeout=current_app.config.get("OIDC_TIMEOUT", 10))
    except requests.RequestException as error:
        raise _unreachable(f"token endpoint: {error}") from None
    except (AuthlibBaseError, ValueError) as error:
        raise _refused(f"token endpoint refused: {error}") from None
    if not token.get("id_token"):
        raise _refused("no id_token in the token response")
    claims = verify_id_token(token, flow["nonce"], known)
    claims = _with_userinfo(client, token, claims, metadata)
    return Assertion(kind=flow["kind"], intent=flow["intent"], issuer=claims["iss"], subject=str(claims["sub"]),
                     claims=claims, next_url=flow.get("next"), user_id=flow.get("user_id"))


def verify_id_token(token, nonce, known):
    """The ID token's claims, once its signature, issuer, audience, times and nonce passed."""
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    client_id = current_app.config["OIDC_CLIENT_ID"]
    try:
        decoded = _decode(token["id_token"], known["jwks"])
    except InvalidKeyIdError:  # the gateway rotated its keys: fetch them once more
        try:
            decoded = _decode(token["id_token"], discover(force=True)["jwks"])
        except (JoseError, ValueError) as error:
            raise _refused(f"id_token signature: {error}") from None
    except (JoseError, ValueError) as error:
        raise _refused(f"id_token signature: {error}") from None
    options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id},
               "exp": {"essential": True}, "iat": {"essential": True}, "nonce": {"essential": True}}
    claims = CodeIDToken(decoded.claims, decoded.header, options,
                         {"nonce": nonce, "client_id": client_id, "access_token": token.get("access_token")})
    try:
        claims.validate(leeway=LEEWAY)
    except ExpiredTokenError:
        raise IdentityProblem(_("La conferma della tua identità è scaduta: riprova."), "id_token expired") from None
    except InvalidClaimError as error:
        if error.claim == "iss":
            raise IdentityProblem(_("La tua identità è stata confermata da un gestore che CivicLab non "
                                    "riconosce: l'accesso non è consentito."),
                                  f"unknown issuer {claims.get('iss')!r}") from None
        raise _refused(f"id_token claim {error.claim}: {error}") from None
    except (JoseError, ValueError) as error:
        raise _refused(f"id_token claims: {error}") from None
    return dict(claims)


def _decode(id_token, jwks):
    return jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=ALGORITHMS)


def _with_userinfo(client, token, claims, metadata):
    """The ID token's claims, completed from the userinfo endpoint when the fiscal number is not
    in the token (some gateways put only `sub` there); the userinfo's `sub` must be the same."""
    if any(claims.get(name) for name in FISCAL_NUMBER_CLAIMS) or not metadata.get("userinfo_endpoint"):
        return claims
    client.token = token
    try:
        response = client.get(metadata["userinfo_endpoint"], timeout=current_app.config.get("OIDC_TIMEOUT", 10))
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError, AuthlibBaseError) as error:
        raise _unreachable(f"userinfo: {error}") from None
    if not isinstance(info, dict) or str(info.get("sub")) != str(claims.get("sub")):
        raise _refused("userinfo names another subject")
    protected = {"iss", "aud", "sub", "exp", "iat", "nonce"}
    return {**{k: v for k, v in info.items() if k not in protected}, **claims}
