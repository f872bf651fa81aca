"""Sign-in through an organisation's OpenID Provider in Chromium (issue 26), at 1366 and 390 px:
the whole redirect journey to a real provider (oidc-provider on loopback) and back, first sign-in,
linking an existing account, the refusal page, and sign-out reaching the provider and back."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import Organisation, User
from app.accounts.sso.models import ExternalIdentity, IdentityProvider, IdentityProviderDomain, ProviderKind
from app.extensions import db
from tests.providers.oidc_provider import oidc_provider_fixture  # noqa: F401  (the fixture oidc_provider)

pytestmark = pytest.mark.browser

ORGANISATION = "Lantmäteriet"
SHOTS = os.environ.get("SSO_SHOTS_DIR", "/tmp/s26-oidc-shots")
WIDTHS = [1366, 390]


@pytest.fixture(scope="module")
def live_credentials(oidc_provider, live_server):
    return oidc_provider.register_client(live_server)


@pytest.fixture
def provider_id(app, oidc_provider, live_credentials):
    client_id, client_secret = live_credentials
    with app.app_context():
        provider = IdentityProvider(
            organisation=Organisation(name=ORGANISATION),
            kind=ProviderKind.OIDC,
            name="Lantmäteriets konto",
            issuer=oidc_provider.issuer,
            client_id=client_id,
            client_secret=client_secret,
        )
        provider.domains.append(IdentityProviderDomain(domain="lm.example"))
        db.session.add(provider)
        db.session.commit()
        return provider.id


def shot(page, name: str, width: int) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


def sign_in_at_provider(page, oidc_provider, account: str) -> None:
    """The provider's own login form (devInteractions): any password."""
    expect(page).to_have_url(re.compile(re.escape(oidc_provider.issuer) + "/interaction/"))
    page.locator("input[name=login]").fill(account)
    page.locator("input[name=password]").fill("whatever-the-provider-accepts")
    page.locator("button[type=submit]").click()


@pytest.mark.parametrize("width", WIDTHS)
def test_first_sign_in_and_sign_out_through_the_provider(
    page, app, oidc_provider, provider_id, axe_check, width
):
    page.set_viewport_size({"width": width, "height": 900})
    account = f"ingrid-{width}"
    oidc_provider.set_account(account, email=f"ingrid.{width}@lm.example", name="Ingrid Lind")

    page.goto(f"/sso/oidc/start/{provider_id}?next=/profile")
    sign_in_at_provider(page, oidc_provider, account)
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("header")).to_contain_text("Ingrid Lind")
    shot(page, "oidc-signed-in", width)
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == f"ingrid.{width}@lm.example"))
        assert user.organisation.name == ORGANISATION
        assert db.session.scalar(db.select(ExternalIdentity).where(ExternalIdentity.user_id == user.id))

    page.get_by_role("button", name="Logga ut").click()
    # The provider asks whether to end its session too.
    expect(page).to_have_url(re.compile(re.escape(oidc_provider.issuer) + "/session/end"))
    shot(page, "oidc-provider-logout", width)
    page.locator("button[name=logout][value=yes], button[value=yes]").first.click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("main")).to_contain_text("även från din organisations inloggningstjänst")
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    shot(page, "oidc-signed-out", width)
    axe_check(page, "signed out through the provider")

    # Signed out at the provider too: the next sign-in shows its login form again.
    page.goto(f"/sso/oidc/start/{provider_id}")
    expect(page.locator("input[name=login]")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_linking_an_existing_account(page, app, factory, oidc_provider, provider_id, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    person = factory.user(email=f"jonas.{width}@lm.example", name="Jonas Ek", organisation=ORGANISATION)
    oidc_provider.set_account(f"jonas-{width}", email=f"jonas.{width}@lm.example", name="Jonas E.")

    page.goto(f"/sso/oidc/start/{provider_id}")
    sign_in_at_provider(page, oidc_provider, f"jonas-{width}")
    page.get_by_role("heading", level=1, name="Koppla ditt konto").wait_for()
    expect(page.locator("main")).to_contain_text(f"jonas.{width}@lm.example")
    shot(page, "oidc-confirm-link", width)
    axe_check(page, "confirm the link")
    page.get_by_role("button", name="Koppla och logga in").click()
    expect(page.locator("header")).to_contain_text("Jonas Ek")
    with app.app_context():
        identity = db.session.scalar(db.select(ExternalIdentity).where(ExternalIdentity.user_id == person.id))
        assert identity.subject == f"jonas-{width}"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_refusal_page(page, provider_id, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto("/sso/oidc/callback?code=stolen&state=made-up")
    assert response.status == 400
    page.get_by_role("heading", level=1, name="Inloggningen blev inte klar").wait_for()
    expect(page.locator("main")).to_contain_text("Börja om")
    shot(page, "oidc-refused", width)
    axe_check(page, "sign-in refused")
