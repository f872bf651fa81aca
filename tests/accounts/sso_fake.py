"""A TEST DOUBLE of a protocol module, for the protocol-independent tests of issue 26.

It is not OpenID Connect nor SAML and proves nothing about them (the real-provider tests live with
the OIDC and SAML modules). It registers itself in the registry (app.accounts.sso.routing) the
way those modules do, and its "callback" takes the claims from the query string as if a provider's
answer had been checked, so the tests can drive begin → take_state → finish → respond over HTTP.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from flask import Flask, current_app, redirect, request

from app import create_app
from app.accounts.sso import identities, protocols
from app.accounts.sso.models import IdentityProvider, ProviderKind
from app.accounts.sso.respond import respond
from app.database import utcnow, writes_on_get

# Where the double sends the browser; a browser test sets FAKE_IDP in the app's config to a
# loopback server of its own that answers like a provider.
FAKE_IDP = "https://idp.test.invalid"
CALLBACK = "/test-only/fake-sso/callback"


def fake_start(provider: IdentityProvider, next_url: str, invitation=None):
    """Begin a sign-in and send the browser to the (imaginary) provider with its state."""
    state = identities.begin(provider, next_url=next_url, nonce="fake-nonce", invitation=invitation)
    idp = current_app.config.get("FAKE_IDP", FAKE_IDP)
    return redirect(f"{idp}/authorize?{urlencode({'state': state.state, 'provider': provider.id})}")


def fake_logout(provider: IdentityProvider, sso: dict):
    """The provider's own sign-out, with what respond() kept in the session."""
    idp = current_app.config.get("FAKE_IDP", FAKE_IDP)
    return redirect(f"{idp}/logout?{urlencode({'hint': sso.get('id_token_hint', '')})}")


@writes_on_get
def fake_callback():
    """The provider's answer, taken as already checked: claims come from the query string."""
    state = identities.take_state(request.args.get("state", ""))
    if state is None:
        return respond(identities.refuse(None, "state"))
    provider = state.provider
    token_id = request.args.get("jti")
    if token_id and not identities.remember_assertion(provider, token_id, utcnow() + timedelta(minutes=10)):
        return respond(identities.refuse(provider, "replay"))
    claimed = identities.Claimed(
        subject=request.args.get("sub", ""),
        email=request.args.get("email", ""),
        name=request.args.get("name", ""),
        email_verified=request.args.get("verified", "1") == "1",
        extra={"personalIdentityNumber": "197001011234"},
    )
    return respond(identities.finish(provider, claimed, state), logout={"id_token_hint": "fake-id-token"})


def install(app: Flask) -> Flask:
    """Add the fake callback route to *app* (before its first request)."""
    app.add_url_rule(CALLBACK, "fake_sso_callback", fake_callback)
    return app


def register(kind: ProviderKind = ProviderKind.OIDC) -> tuple:
    """Put the fake in the registry for *kind*, as a protocol module does; returns what was there,
    for `unregister`."""
    saved = (protocols.start_for(kind), protocols.logout_for(kind))
    protocols.register_start(kind, fake_start)
    protocols.register_logout(kind, fake_logout)
    return saved


def unregister(kind: ProviderKind, saved: tuple) -> None:
    """Give the registry back what it held before `register`."""
    # The registry has no "unregister": a test double reaches into its tables to leave no trace.
    for table, value in zip((protocols._starts, protocols._logouts), saved, strict=True):
        if value is None:
            table.pop(kind, None)
        else:
            table[kind] = value


def config_like(app: Flask) -> dict:
    """The settings of the suite's app (same database, same secret), for a second instance."""
    keys = ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "EXPORTS_DIR", "BACKUP_DIR")
    config = {key: app.config[key] for key in keys}
    config.update(RATELIMIT_ENABLED=False, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", SERVER_NAME=None)
    return config


def make_app(config: dict | None = None) -> Flask:
    """A Remiss app with the fake callback (for gunicorn: `tests.accounts.sso_fake:wsgi_app()`)."""
    return install(create_app(config))


def wsgi_app() -> Flask:
    """The app gunicorn serves in the two-servers test, configured from the environment, with the fake."""
    # After the app: creating it imports the real protocol modules, which register themselves.
    app = make_app()
    register()
    return app
