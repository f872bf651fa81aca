"""Signing in with one's organisation in Chromium, at 1366 and 390 px: the admin adds the
provider, a person is routed to it by e-mail, confirms linking their account, and signs out of
both; axe on every new page.

The provider is the registry's TEST DOUBLE (tests/accounts/sso_fake.py) answered by Playwright's
request routing: this is the pages' journey, not a test of OpenID Connect or SAML.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from app.accounts.sso.models import ProviderKind
from tests.accounts import sso_fake
from tests.browser.conftest import serving, sign_in, tab_to
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/s26-core-shots")
WIDTHS = {"wide": (1366, 900), "narrow": (390, 844)}


IDP_HITS: list[str] = []


def _identity_provider(environ, start_response):
    """A provider double on loopback: every authorisation answers with Anna's claims, every
    logout goes back to Remiss's start page."""
    remiss = environ["REMISS_BASE"]
    IDP_HITS.append(environ["PATH_INFO"])
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if environ["PATH_INFO"] == "/authorize":
        claims = {
            "state": query["state"][0],
            "sub": "anna-sub",
            "email": "anna@prv.se",
            "name": "Anna Andersson",
        }
        target = f"{remiss}{sso_fake.CALLBACK}?{urlencode(claims)}"
    else:
        target = f"{remiss}/"
    start_response("302 Found", [("Location", target), ("Content-Length", "0")])
    return [b""]


@pytest.fixture(scope="module")
def sso_server(app):
    """The app with the test double's callback, and the provider double, served on loopback."""
    remiss: dict[str, str] = {}

    def provider(environ, start_response):
        environ["REMISS_BASE"] = remiss["url"]
        return _identity_provider(environ, start_response)

    with serving(provider) as idp_url:
        config = {**sso_fake.config_like(app), "FAKE_IDP": idp_url}
        with serving(sso_fake.make_app(config)) as url:
            remiss["url"] = url
            yield url


@pytest.fixture
def fake_protocol():
    saved = sso_fake.register(ProviderKind.OIDC)
    yield
    sso_fake.unregister(ProviderKind.OIDC, saved)


@pytest.fixture(params=list(WIDTHS))
def sso_page(request, browser, sso_server, fake_protocol):
    """A Swedish browser at one of the two widths, on the app with the test double; the fake
    provider answers every authorisation with Anna's claims and every logout with the start page."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(
        locale="sv-SE", base_url=sso_server, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.width_name = request.param
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    SHOTS.mkdir(exist_ok=True)
    yield page
    context.close()
    assert not errors, errors


def _shot(page, name: str) -> None:
    """A screenshot to look at, and no sideways scrolling of the page itself."""
    page.screenshot(path=str(SHOTS / f"{page.width_name}-{name}.png"), full_page=True)
    width = WIDTHS[page.width_name][0]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"


def test_admin_adds_a_provider_and_a_member_signs_in_through_it(sso_page, sso_server, factory, axe_check):
    page = sso_page
    factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    factory.user(email="anna@prv.se", name="Anna med konto", organisation="PRV")
    sign_in(page, "admin@example.org", PASSWORD)
    page.get_by_role("link", name="Inloggningstjänster").first.click()
    page.get_by_role("heading", level=1, name="Inloggningstjänster").wait_for()
    axe_check(page, "the providers, none yet")
    page.get_by_role("link", name="Lägg till en inloggningstjänst").click()
    page.get_by_role("heading", level=1, name="Lägg till en inloggningstjänst").wait_for()
    _shot(page, "admin-new")
    axe_check(page, "a new provider")
    page.get_by_label("Namn på inloggningssidan").fill("PRV:s inloggning")
    page.get_by_label("Organisation", exact=True).select_option(label="PRV")
    page.get_by_label("E-postdomäner").fill("prv.se")
    page.get_by_label("Utfärdare (OpenID Connect) eller entitets-id (SAML)").fill("http://intranet.prv.se")
    page.get_by_label("Klient-id").fill("remiss")
    page.get_by_label("Klienthemlighet").fill("a-secret-value")
    page.get_by_role("button", name="Spara").click()
    expect(page.locator(".error-summary")).to_be_visible()
    _shot(page, "admin-error")
    axe_check(page, "a new provider, with an error")
    page.get_by_label("Utfärdare (OpenID Connect) eller entitets-id (SAML)").fill("https://login.prv.se")
    page.get_by_label("Klienthemlighet").fill("a-secret-value")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("cell", name="PRV:s inloggning", exact=True).wait_for()
    _shot(page, "admin-list")
    axe_check(page, "the providers")
    page.get_by_role("link", name="PRV:s inloggning").click()
    page.get_by_role("heading", level=1, name="PRV:s inloggning").wait_for()
    assert "a-secret-value" not in page.content()
    axe_check(page, "a provider's settings")
    page.get_by_role("button", name="Logga ut").click()

    # Anna: the e-mail first, Enter, and she is at her organisation's sign-in and back.
    page.goto("/login")
    _shot(page, "sign-in")
    axe_check(page, "the sign-in page with organisations")
    email = page.get_by_label("E-post", exact=True)
    email.fill("anna@prv.se")
    email.press("Enter")
    page.get_by_role("heading", level=1, name="Koppla ditt konto").wait_for()
    assert "state=" not in page.url
    _shot(page, "link")
    axe_check(page, "confirm the link")
    button = page.get_by_role("button", name="Koppla och logga in")
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Anna med konto")).to_be_visible()

    # Signing out ends Remiss's session and goes through the provider's sign-out.
    IDP_HITS.clear()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{sso_server}/")
    expect(page.get_by_role("link", name="Logga in")).to_be_visible()
    assert IDP_HITS == ["/logout"]


def test_choosing_the_organisation_and_a_refusal(sso_page, make_provider_page, axe_check):
    page = sso_page
    page.goto("/login")
    page.get_by_role("link", name="Välj din organisation i en lista").click()
    page.get_by_role("heading", level=1, name="Logga in med din organisation").wait_for()
    _shot(page, "choose")
    axe_check(page, "choose the organisation")
    page.get_by_label("E-post", exact=True).fill("someone@example.org")
    page.get_by_role("button", name="Fortsätt").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page, "choose the organisation, unknown address")
    # Anna's account is at another organisation than the provider's: refused.
    page.get_by_role("link", name="PRV:s inloggning").click()
    page.get_by_role("heading", level=1, name="Inloggningen blev inte klar").wait_for()
    _shot(page, "refused")
    axe_check(page, "a refused sign-in")
    expect(page.get_by_text("en annan organisation")).to_be_visible()


@pytest.fixture
def make_provider_page(app, factory):
    """PRV's provider, and Anna's account at DIGG (so her sign-in through PRV is refused)."""
    from app.accounts.models import Organisation
    from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain
    from app.extensions import db

    prv = factory.organisation("PRV")
    factory.user(email="anna@prv.se", organisation="DIGG")
    with app.app_context():
        db.session.add(
            IdentityProvider(
                organisation=db.session.get(Organisation, prv.id),
                kind=ProviderKind.OIDC,
                name="PRV:s inloggning",
                issuer="https://login.prv.se",
                domains=[IdentityProviderDomain(domain="prv.se")],
            )
        )
        db.session.commit()
