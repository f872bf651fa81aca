"""A first sign-in through the real SAML IdP (pysaml2's Server on loopback) for an eID person who
has no `mail` attribute, in Chromium at 1366 and 390 px (issue 26): the work address page, its
errors, the mailed link and the confirmation, with axe-core on each of our pages, by keyboard, and
without JavaScript. Screenshots in /tmp/s26-nomail-shots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.sso.models import ExternalIdentity
from app.extensions import db
from tests.browser import test_sso_saml_browser as saml_journey
from tests.providers.saml.idp_server import PEOPLE

# The SAML browser tests' IdP and PRV's provider, as fixtures of this module too.
saml_idp = saml_journey.saml_idp
provider_id = saml_journey.provider_id
WIDTHS = saml_journey.WIDTHS

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/s26-nomail-shots")
CILLA = {
    "displayName": ["Cecilia Carlsson"],
    "givenName": ["Cecilia"],
    "sn": ["Carlsson"],
    "personalIdentityNumber": ["197703033456"],
}
FIELD = "Din e-postadress i arbetet"
SEND = "Skicka en bekräftelselänk till mig"


@pytest.fixture
def outbox(outbox, monkeypatch):
    """The shared outbox, with the IdP knowing Cilla (an eID person without mail)."""
    monkeypatch.setitem(PEOPLE, "cilla", CILLA)
    return outbox


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _link(message) -> str:
    return re.search(r"http://127\.0\.0\.1:\d+/sign-in/email/\S+", message.get_content()).group(0)


def _at_idp_as_cilla(page, with_script: bool = True) -> None:
    page.get_by_label("Person").select_option("cilla")
    page.get_by_role("button", name="Logga in").click()
    if not with_script:
        page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url("**/sign-in/email")


@pytest.mark.parametrize("size", WIDTHS)
def test_the_no_mail_journey_by_keyboard_with_axe_on_every_page(
    page, app, saml_idp, provider_id, outbox, size, axe_check
):
    page.set_viewport_size(WIDTHS[size])
    page.goto(f"/sign-in/sso/{provider_id}?next=/profile")
    _at_idp_as_cilla(page)
    page.get_by_role("heading", name="Din e-postadress i arbetet").wait_for()
    axe_check(page, "work address page")
    _shot(page, f"{size}-1-ask")

    # A wrong domain, typed and sent by keyboard: the summary's link leads to the field.
    page.get_by_label(FIELD).fill("cecilia@gmail.com")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "@prv.example" in summary.inner_text()
    field = page.get_by_label(FIELD)
    assert field.get_attribute("aria-invalid") == "true"
    assert "email-error" in field.get_attribute("aria-describedby")
    axe_check(page, "work address page with an error")
    _shot(page, f"{size}-2-wrong-domain")
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "email"
    assert outbox == []

    field.fill("cecilia.carlsson@prv.example")
    page.keyboard.press("Enter")
    page.get_by_text("En länk har skickats till cecilia.carlsson@prv.example").first.wait_for()
    axe_check(page, "work address page, link sent")
    _shot(page, f"{size}-3-sent")
    (message,) = outbox

    page.goto(_link(message))
    page.get_by_role("heading", name="Bekräfta din e-postadress").wait_for()
    assert "medlem i PRV" in page.content()
    axe_check(page, "confirmation page")
    _shot(page, f"{size}-4-confirm")
    button = page.get_by_role("button", name="Skapa mitt konto och logga in")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/profile")
    page.get_by_text("Cecilia Carlsson").first.wait_for()
    _shot(page, f"{size}-5-profile")
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "cecilia.carlsson@prv.example"
        assert db.session.scalar(sa.select(ExternalIdentity.subject)) == "persistent-cilla"


def test_without_javascript_and_a_link_opened_in_another_browser(
    browser, live_server, page, saml_idp, provider_id, outbox, axe_check
):
    """Every step is a form or a link; a link opened elsewhere is refused, clearly, and still works
    in the browser that signed in."""
    context = browser.new_context(locale="sv-SE", base_url=live_server, java_script_enabled=False)
    context.set_default_timeout(15_000)
    quiet = context.new_page()
    try:
        quiet.goto(f"/sign-in/sso/{provider_id}?next=/profile")
        _at_idp_as_cilla(quiet, with_script=False)
        quiet.get_by_label(FIELD).fill("cecilia.carlsson@prv.example")
        quiet.get_by_role("button", name=SEND).click()
        quiet.get_by_text("En länk har skickats till").first.wait_for()
        link = _link(outbox[-1])

        # Another browser (the page fixture's own context) is told to use the one that signed in.
        page.goto(link)
        page.get_by_text("samma webbläsare").wait_for()
        axe_check(page, "refused link")

        quiet.goto(link)
        quiet.get_by_role("button", name="Skapa mitt konto och logga in").click()
        quiet.wait_for_url("**/profile")
        quiet.get_by_text("Cecilia Carlsson").first.wait_for()
    finally:
        context.close()
