"""Sign-in through an organisation's OpenID Provider: the authorization code flow with PKCE (S256),
state and nonce, and the ID token checked here, not trusted (issue 26).

- ``start`` fetches the provider's discovery document (cached per issuer, with a timeout),
  writes the sign-in in flight through ``identities.begin`` (state, nonce, PKCE verifier, all in
  the database so any app server can finish it) and redirects to the authorization endpoint.
- ``callback`` claims the state once, exchanges the code (client_secret_basic, or _post when the
  provider offers only that), verifies the ID token against the provider's JWKS (kid lookup, the
  JWKS fetched again once for an unknown kid; only asymmetric algorithms the provider announces,
  never "none" or HS256), checks iss, aud/azp, exp/iat/nbf with a minute's leeway and the nonce,
  remembers the nonce (and jti) so the same token is refused on every server, and hands the
  claims to ``identities.finish``. Every failure is a refusal through ``identities.refuse``:
  audited, nothing created, never a 500.
- ``logout`` sends the browser to the provider's end_session_endpoint (RP-initiated logout).

Personal identity numbers are never stored: not in the claims handed over, not in the session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.accounts.models import Invitation
from app.accounts.sso import identities, protocols
from app.accounts.sso.models import IdentityProvider, ProviderKind, SignInState
from app.accounts.sso.respond import respond
from app.extensions import db

# Network: the provider must answer within this (seconds), or the sign-in is refused.
TIMEOUT = 5
# How long a discovery document and a JWKS are kept before being fetched again.
CACHE_SECONDS = 3600
# Clocks differ a little between the provider and us.
LEEWAY = 60
SCOPE = "openid email profile"
# The session key of the sign-ins this browser started, and how many it may have open at once.
PENDING = "sso_oidc_pending"
MAX_PENDING = 5
# Only signatures with a public key; "none" and the HMAC algorithms (keyed with the client
# secret, or with a public key by an attacker) are never accepted.
ASYMMETRIC = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}
)
# Claims handed on to the audit log beside sub, email and name (nothing that may identify a
# person further: no identity numbers, no usernames that may be one).
AUDITED_CLAIMS = ("acr", "amr", "auth_time")

MESSAGES = {
    "cancelled": _l("The sign-in was cancelled at your organisation's sign-in service. You can start again."),
    "unreachable": _l(
        "Your organisation's sign-in service could not be reached. Please try again in a while."
    ),
    "time": _l(
        "The answer from your organisation's sign-in service is not valid at this time. "
        "Please start again, and check your computer's clock if this repeats."
    ),
}


class Refusal(Exception):
    """What went wrong, for the audit log (``reason``, ``detail``) and the person (``message``)."""

    def __init__(self, reason: str, detail: str = "", message_key: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.message_key = message_key


# --------------------------------------------------------------------------- the provider's documents


@dataclass
class _Cached:
    value: dict
    fetched: float


_lock = threading.Lock()
_discovery: dict[str, _Cached] = {}
_jwks: dict[str, _Cached] = {}


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        value = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Refusal("unreachable", f"{url}: {type(error).__name__}", "unreachable") from error
    if not isinstance(value, dict):
        raise Refusal("unreachable", f"{url}: not a JSON object", "unreachable")
    return value


def discovery(issuer: str, *, fresh: bool = False) -> dict:
    """The provider's discovery document, fetched at most once an hour per issuer."""
    now = time.monotonic()
    with _lock:
        cached = _discovery.get(issuer)
    if cached is not None and not fresh and now - cached.fetched < CACHE_SECONDS:
        return cached.value
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was asked for.
    if document.get("issuer") != issuer:
        raise Refusal("issuer", f"discovery names {document.get('issuer')!r}")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(key), str):
            raise Refusal("discovery", f"no {key}")
    with _lock:
        _discovery[issuer] = _Cached(document, now)
    return document


def _key_set(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    now = time.monotonic()
    with _lock:
        cached = _jwks.get(jwks_uri)
    if cached is None or fresh or now - cached.fetched >= CACHE_SECONDS:
        document = _get_json(jwks_uri)
        with _lock:
            _jwks[jwks_uri] = cached = _Cached(document, now)
    try:
        return KeySet.import_key_set(
            {"keys": [key for key in cached.value.get("keys", []) if key.get("use", "sig") == "sig"]}
        )
    except (JoseError, ValueError, TypeError, AttributeError) as error:
        raise Refusal("jwks", type(error).__name__) from error


def clear_caches() -> None:
    """Forget every discovery document and JWKS (tests; a provider that rotated everything)."""
    with _lock:
        _discovery.clear()
        _jwks.clear()


# --------------------------------------------------------------------------- starting


def redirect_uri() -> str:
    """The callback as the provider knows it: on BASE_URL when set (several servers behind one
    name), else on the host of this request."""
    base = current_app.config.get("BASE_URL") or ""
    if base:
        return base.rstrip("/") + url_for("accounts.sso_oidc_callback")
    return url_for("accounts.sso_oidc_callback", _external=True)


def post_logout_redirect_uri() -> str:
    base = current_app.config.get("BASE_URL") or ""
    if base:
        return base.rstrip("/") + url_for("accounts.sso_oidc_signed_out")
    return url_for("accounts.sso_oidc_signed_out", _external=True)


def _session(provider: IdentityProvider, document: dict) -> OAuth2Session:
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_post" if "client_secret_basic" not in methods else "client_secret_basic"
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri(),
        code_challenge_method="S256",
        token_endpoint_auth_method=method,
    )


def start(provider: IdentityProvider, next_url: str, invitation: Invitation | None = None):
    """Redirect to the provider's authorization endpoint (registered with protocols)."""
    try:
        document = discovery(provider.issuer)
    except Refusal as refusal:
        return respond(_refuse(provider, refusal))
    nonce = secrets.token_urlsafe(32)
    code_verifier = generate_token(64)
    state = identities.begin(
        provider, next_url=next_url, nonce=nonce, code_verifier=code_verifier, invitation=invitation
    )
    db.session.commit()
    # The state is also bound to this browser (the signed session cookie, valid on every server):
    # an answer started in another browser cannot sign this one in (login CSRF).
    session[PENDING] = [*session.get(PENDING, [])[-(MAX_PENDING - 1) :], state.state]
    url, _state = _session(provider, document).create_authorization_url(
        document["authorization_endpoint"], state=state.state, nonce=nonce, code_verifier=code_verifier
    )
    return _go_on(
        url,
        provider,
        _("Signing in"),
        _("Now taking you to %(name)s to sign in.", name=provider.name),
    )


# --------------------------------------------------------------------------- finishing


@dataclass
class Checked:
    """What a callback established: the claims, and what sign-out will need."""

    claims: dict
    id_token: str
    extras: dict = field(default_factory=dict)


def _refuse(provider: IdentityProvider | None, refusal: Refusal) -> identities.Result:
    result = identities.refuse(provider, refusal.reason, detail=refusal.detail[:300])
    if refusal.message_key in MESSAGES:
        result.message = str(MESSAGES[refusal.message_key])
    elif refusal.reason == "replay":
        result.message = str(identities.REFUSALS["replay"])
    return result


def callback(args) -> tuple[identities.Result, dict]:
    """Finish a sign-in from the provider's answer (the callback's query string): the decision of
    ``identities.finish`` or a refusal, and what the session keeps for sign-out. The state is
    claimed and committed first; the caller commits the rest."""
    value = args.get("state", "")
    pending = session.get(PENDING, [])
    if not value or value not in pending:
        return identities.refuse(None, "state", detail="not started in this browser"), {}
    session[PENDING] = [item for item in pending if item != value]
    state = identities.take_state(value)
    if state is None:
        return identities.refuse(None, "state", error=(args.get("error") or "")[:100]), {}
    provider = state.provider
    if provider.kind is not ProviderKind.OIDC:
        return identities.refuse(provider, "state", detail="not an OIDC sign-in"), {}
    _commit_keeping_loaded()
    try:
        checked = _check(provider, state, args)
    except Refusal as refusal:
        return _refuse(provider, refusal), {}
    claims = checked.claims
    claimed = identities.Claimed(
        subject=claims["sub"],
        email=claims.get("email") if isinstance(claims.get("email"), str) else "",
        name=claims.get("name") if isinstance(claims.get("name"), str) else "",
        email_verified=claims.get("email_verified") in (True, "true"),
        extra={key: claims[key] for key in AUDITED_CLAIMS if key in claims},
    )
    return identities.finish(provider, claimed, state), checked.extras


def _commit_keeping_loaded() -> None:
    """Commit the used-up state before the calls to the provider, so that no lock is held while it
    answers (on SQLite a write lock is the whole database's), keeping the provider and the state
    loaded: nothing is read again before the next write. On SQLite a GET's transaction is deferred,
    and one that read first cannot write once another request has written meanwhile."""
    session_ = db.session()
    expire = session_.expire_on_commit
    session_.expire_on_commit = False
    try:
        session_.commit()
    finally:
        session_.expire_on_commit = expire


def _check(provider: IdentityProvider, state: SignInState, args) -> Checked:
    if args.get("error"):
        error = str(args.get("error"))[:100]
        key = "cancelled" if error in ("access_denied", "login_required", "consent_required") else ""
        raise Refusal("provider_error", error, key)
    document = discovery(provider.issuer)
    # RFC 9207: the provider says who answered (and must, if it announces so); a mix-up with
    # another provider stops here.
    announced = document.get("authorization_response_iss_parameter_supported") is True
    if ("iss" in args or announced) and args.get("iss") != provider.issuer:
        raise Refusal("issuer", f"iss parameter {str(args.get('iss'))[:200]!r}")
    code = args.get("code", "")
    if not code or len(code) > 2048:
        raise Refusal("provider_error", "no code")
    token = exchange_code(provider, document, code, state.code_verifier)
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise Refusal("id_token", "no id_token in the token response")
    claims = verify_id_token(provider, document, id_token, state.nonce)
    if ("email" not in claims or "name" not in claims) and token.get("access_token"):
        info = _userinfo(provider, document, token)
        # OIDC Core 5.3.2: userinfo about someone else than the ID token is not used.
        if info and info.get("sub") != claims["sub"]:
            raise Refusal("userinfo", "sub differs from the ID token's")
        claims = {**info, **claims}
    expires = datetime.fromtimestamp(int(claims["exp"]), UTC) + timedelta(seconds=LEEWAY)
    if not identities.remember_assertion(provider, "nonce:" + state.nonce, expires):
        raise Refusal("replay", "nonce used before")
    jti = claims.get("jti")
    if isinstance(jti, str) and jti:
        jti_key = "jti:" + hashlib.sha256(jti.encode()).hexdigest()
        if not identities.remember_assertion(provider, jti_key, expires):
            raise Refusal("replay", "jti used before")
    extras = {"sid": claims.get("sid")} if isinstance(claims.get("sid"), str) else {}
    # The ID token is kept (for id_token_hint at sign-out) only if it carries nothing that may
    # never be stored; otherwise sign-out names the client instead.
    if not set(claims) & identities.NEVER_STORED and len(id_token) < 2500:
        extras["id_token"] = id_token
    clean = {key: value for key, value in claims.items() if key not in identities.NEVER_STORED}
    return Checked(clean, id_token, extras)


def exchange_code(provider: IdentityProvider, document: dict, code: str, code_verifier: str) -> dict:
    """The token response for *code*, proven with the PKCE verifier and the client secret."""
    client = _session(provider, document)
    try:
        token = client.fetch_token(
            document["token_endpoint"],
            code=code,
            code_verifier=code_verifier,
            grant_type="authorization_code",
            timeout=TIMEOUT,
        )
    except AuthlibBaseError as error:
        raise Refusal(
            "token_error", str(getattr(error, "error", "") or type(error).__name__)[:100]
        ) from error
    except (requests.RequestException, ValueError) as error:
        raise Refusal("unreachable", f"token endpoint: {type(error).__name__}", "unreachable") from error
    finally:
        client.close()
    return dict(token)


def _userinfo(provider: IdentityProvider, document: dict, token: dict) -> dict:
    endpoint = document.get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        return {}
    try:
        response = requests.get(
            endpoint, timeout=TIMEOUT, headers={"Authorization": f"Bearer {token['access_token']}"}
        )
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Refusal("unreachable", f"userinfo: {type(error).__name__}", "unreachable") from error
    return info if isinstance(info, dict) else {}


def _header(id_token: str) -> dict:
    try:
        segment = id_token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, IndexError) as error:
        raise Refusal("id_token", "unreadable header") from error
    if not isinstance(header, dict):
        raise Refusal("id_token", "unreadable header")
    return header


def _allowed_algorithms(document: dict) -> set[str]:
    announced = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    return {alg for alg in announced if alg in ASYMMETRIC}


def verify_id_token(provider: IdentityProvider, document: dict, id_token: str, nonce: str) -> dict:
    """The ID token's claims, if its signature, issuer, audience, times and nonce are right."""
    header = _header(id_token)
    alg = header.get("alg")
    allowed = _allowed_algorithms(document)
    if alg not in allowed:
        raise Refusal("alg", f"alg {str(alg)[:20]!r} not accepted")
    if id_token.count(".") != 2:
        raise Refusal("id_token", "not a signed JWT")
    kid = header.get("kid")
    keys = _key_set(document["jwks_uri"])
    if kid is not None and not any(key.kid == kid for key in keys):
        # The provider may have rotated its keys: fetch them again, once.
        keys = _key_set(document["jwks_uri"], fresh=True)
        if not any(key.kid == kid for key in keys):
            raise Refusal("signature", f"unknown kid {str(kid)[:60]!r}")
    try:
        token = jwt.decode(id_token, keys, algorithms=[alg])
    except JoseError as error:
        raise Refusal("signature", type(error).__name__) from error
    claims = token.claims
    _check_claims(provider, claims, nonce)
    return claims


def _check_claims(provider: IdentityProvider, claims: dict, nonce: str) -> None:
    if claims.get("iss") != provider.issuer:
        raise Refusal("issuer", f"iss {str(claims.get('iss'))[:200]!r}")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    if provider.client_id not in audiences:
        raise Refusal("audience", f"aud {str(audience)[:200]!r}")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != provider.client_id:
        raise Refusal("audience", f"azp {str(claims.get('azp'))[:200]!r}")
    now = time.time()
    for name in ("exp", "iat"):
        if not isinstance(claims.get(name), int | float) or isinstance(claims.get(name), bool):
            raise Refusal("id_token", f"no {name}")
    if claims["exp"] < now - LEEWAY:
        raise Refusal("expired", f"exp {claims['exp']}", "time")
    if claims["iat"] > now + LEEWAY:
        raise Refusal("not_yet_valid", f"iat {claims['iat']}", "time")
    if "nbf" in claims and (not isinstance(claims["nbf"], int | float) or claims["nbf"] > now + LEEWAY):
        raise Refusal("not_yet_valid", f"nbf {claims['nbf']}", "time")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not hmac.compare_digest(token_nonce.encode(), nonce.encode()):
        raise Refusal("nonce", "nonce differs from the one sent")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise Refusal("id_token", "no usable sub")


# --------------------------------------------------------------------------- signing out


def logout(provider: IdentityProvider, data: dict):
    """Send the browser on to the provider's end_session_endpoint; None if it has none."""
    try:
        document = discovery(provider.issuer)
    except Refusal:
        return None
    endpoint = document.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    params = {"post_logout_redirect_uri": post_logout_redirect_uri(), "client_id": provider.client_id}
    if data.get("id_token"):
        params["id_token_hint"] = data["id_token"]
    return _go_on(
        add_params_to_uri(endpoint, params),
        provider,
        _("You have signed out of Remiss"),
        _("Now signing you out of %(name)s too.", name=provider.name),
        always=True,
    )


def _go_on(url: str, provider: IdentityProvider, heading: str, text: str, *, always: bool = False):
    """A redirect to the provider, or, after a form (sign-out, the sign-in page's e-mail form), a
    page that goes on by itself: the site's CSP (form-action 'self') stops a form's redirects to
    another origin. The page uses an instant meta refresh, which no CSP directive governs, and has
    a link for when it does not."""
    if not always and request.method == "GET":
        return redirect(url)
    return make_response(
        render_template("accounts/sso_continue.html", url=url, provider=provider, heading=heading, text=text)
    )


protocols.register_start(ProviderKind.OIDC, start)
protocols.register_logout(ProviderKind.OIDC, logout)
