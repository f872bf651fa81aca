"""Fixtures for the sign-in through organisations' providers (issue 26): providers, and a second
app on the suite's database with the test double of a protocol (tests/accounts/sso_fake.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.accounts.models import Organisation
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.extensions import db
from tests.accounts import sso_fake
from tests.conftest import Client

PEM = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBszCCAVmgAwIBAgIUXg9yZ1b8h0Cw5vQnq2j7mQ0xYzAwCgYIKoZIzj0EAwIw\n"
    "-----END CERTIFICATE-----"
)


@pytest.fixture
def fake_protocol():
    """The test double registered for OIDC providers for the length of one test."""
    saved = sso_fake.register(ProviderKind.OIDC)
    yield
    sso_fake.unregister(ProviderKind.OIDC, saved)


@pytest.fixture(scope="session")
def sso_app(app):
    """A second app instance on the suite's database, with the fake protocol's callback route."""
    made = sso_fake.make_app(sso_fake.config_like(app))
    yield made
    with made.app_context():
        db.engine.dispose()


@pytest.fixture
def sso_client(sso_app, fake_protocol):
    """A browser on the app with the fake protocol."""
    return Client(sso_app.test_client())


@pytest.fixture
def make_provider(app, factory):
    """Factory: an identity provider for an organisation; returns its id."""

    def make(
        organisation: str = "PRV",
        domains=("prv.se",),
        *,
        name: str | None = None,
        kind: ProviderKind = ProviderKind.OIDC,
        password_sign_in: bool = True,
        active: bool = True,
        issuer: str | None = None,
    ) -> int:
        org = factory.organisation(organisation)
        with app.app_context():
            provider = IdentityProvider(
                organisation=db.session.get(Organisation, org.id),
                kind=kind,
                name=name or f"{organisation}:s inloggning",
                issuer=issuer or f"https://login.{domains[0] if domains else organisation.lower()}",
                client_id="remiss",
                client_secret="s3cret-value",
                password_sign_in=password_sign_in,
                active=active,
                domains=[IdentityProviderDomain(domain=d) for d in domains],
            )
            db.session.add(provider)
            db.session.commit()
            return provider.id

    return make


def state_of(response) -> str:
    """The state a (fake) start put in its redirect to the provider."""
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["state"][0]


def audit_actions(app) -> list[str]:
    """Every audited action, oldest first."""
    from app.audit import AuditEvent

    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def continued_to(response) -> str:
    """Where a "continue to" page (accounts/sso/continue.html) sends the browser at once."""
    import html
    import re

    assert response.status_code == 200, response.status_code
    match = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', response.get_data(as_text=True))
    assert match, "no meta refresh on the page"
    return html.unescape(match.group(1))
