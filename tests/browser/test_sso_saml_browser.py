"""The SAML journey in Chromium at 1366 and 390 px (issue 26): to the real IdP (pysaml2's Server
on loopback) and back, first sign-in, linking an existing account, and sign-out with single
logout, with and without JavaScript. Screenshots in /tmp/s26-saml-shots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts.models import Organisation
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.extensions import db
from tests.providers.saml.idp_server import LOA3, IdP, write_pair

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/s26-saml-shots")
WIDTHS = {"wide": {"width": 1366, "height": 900}, "narrow": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def saml_idp(app, live_server, tmp_path_factory):
    keys = tmp_path_factory.mktemp("saml-browser-keys")
    key_file, cert_file = write_pair(keys, "sp")
    saved = {k: app.config.get(k) for k in ("SAML_SP_KEY_FILE", "SAML_SP_CERT_FILE")}
    app.config.update(SAML_SP_KEY_FILE=key_file, SAML_SP_CERT_FILE=cert_file)
    import requests

    idp = IdP().start()
    idp.trust(requests.get(live_server + "/sso/saml/metadata", timeout=30).text)
    yield idp
    idp.stop()
    app.config.update(saved)


@pytest.fixture
def provider_id(app, saml_idp) -> int:
    with app.app_context():
        organisation = Organisation(name="PRV")
        provider = IdentityProvider(
            organisation=organisation,
            kind=ProviderKind.SAML,
            name="PRV-konto",
            issuer=saml_idp.entity_id,
            metadata_xml=saml_idp.metadata(),
            level_of_assurance=LOA3,
        )
        provider.domains.append(IdentityProviderDomain(domain="prv.example"))
        db.session.add(provider)
        db.session.commit()
        return provider.id


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _at_idp(page, label: str, person: str = "anna") -> None:
    page.wait_for_url("**/idp/sso/redirect**")
    _shot(page, f"{label}-1-idp")
    page.get_by_label("Person").select_option(person)
    page.get_by_role("button", name="Logga in").click()


def _sign_out_with_slo(page) -> None:
    """The header's sign-out button (a same-site form) ends the session here and at the IdP."""
    page.get_by_role("button", name="Logga ut").first.click()


@pytest.mark.parametrize("size", WIDTHS)
def test_first_sign_in_and_sign_out_with_single_logout(page, saml_idp, provider_id, size, axe_check):
    page.set_viewport_size(WIDTHS[size])
    page.goto(f"/sign-in/sso/{provider_id}?next=/profile")
    _at_idp(page, f"first-{size}")
    page.wait_for_url("**/profile")
    page.get_by_text("Anna Andersson").first.wait_for()
    _shot(page, f"first-{size}-2-profile")
    _sign_out_with_slo(page)
    # Through the continue page (script follows its link), the IdP's logout, back to us.
    page.get_by_text("Du har loggat ut, även från din organisations inloggning.").wait_for()
    _shot(page, f"first-{size}-3-signed-out")
    assert saml_idp.logout_requests and "persistent-anna" in saml_idp.logout_requests[-1]
    assert page.goto("/profile").url.find("/login") > 0


@pytest.mark.parametrize("size", WIDTHS)
def test_linking_an_existing_account(page, factory, saml_idp, provider_id, size):
    page.set_viewport_size(WIDTHS[size])
    factory.user(email="anna.andersson@prv.example", organisation="PRV", name="Anna A.")
    page.goto(f"/sign-in/sso/{provider_id}?next=/profile")
    _at_idp(page, f"link-{size}")
    page.wait_for_url("**/sign-in/link")
    _shot(page, f"link-{size}-2-confirm")
    page.get_by_role("button", name="Koppla och logga in").click()
    page.wait_for_url("**/profile")
    page.get_by_text("anna.andersson@prv.example").first.wait_for()


@pytest.mark.parametrize("size", WIDTHS)
def test_sign_in_without_javascript(browser, live_server, saml_idp, provider_id, size):
    """Without script every step is a button the person clicks (the IdP's page too)."""
    context = browser.new_context(
        locale="sv-SE", base_url=live_server, java_script_enabled=False, viewport=WIDTHS[size]
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"/sign-in/sso/{provider_id}?next=/profile")
        page.get_by_label("Person").select_option("anna")
        page.get_by_role("button", name="Logga in").click()
        page.get_by_role("button", name="Fortsätt").click()
        page.wait_for_url("**/profile")
        page.get_by_text("Anna Andersson").first.wait_for()
    finally:
        context.close()


@pytest.mark.parametrize("size", WIDTHS)
def test_continue_page_works_without_our_script_and_refusals_read_well(
    page, saml_idp, provider_id, size, axe_check
):
    """Our two pages on the way (continue, refused) pass axe at both widths; with our script
    blocked the continue page waits for a click on its link, and the sign-out still completes."""
    page.set_viewport_size(WIDTHS[size])
    page.route("**/static/js/sso-continue.js*", lambda route: route.abort())
    page.goto(f"/sign-in/sso/{provider_id}?next=/profile")
    _at_idp(page, f"noscript-{size}")
    page.wait_for_url("**/profile")
    _sign_out_with_slo(page)
    page.get_by_role("heading", name="Vidare till din organisation").wait_for()
    axe_check(page, "continue page")
    _shot(page, f"continue-{size}")
    page.get_by_role("link", name="Fortsätt").click()
    page.get_by_text("Du har loggat ut, även från din organisations inloggning.").wait_for()

    page.goto("/sso/saml/slo?SAMLRequest=bm9uZQ")
    page.get_by_role("heading", name="Utloggningsmeddelandet nekades").wait_for()
    axe_check(page, "refused page")
    _shot(page, f"refused-{size}")
