"""The API's pages in Chromium: the documentation, making a token by keyboard, open-data downloads."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def doc(factory):
    return factory.document(
        slug="oppna-licenser",
        title="Öppna licenser",
        versions=[[("h", "heading", 1, "Inledning"), ("p", "paragraph", 1, "Myndigheter skapar material.")]],
    )


def test_api_documentation_page(page, doc, axe_check):
    page.goto("/api")
    assert page.get_by_role("heading", name="Remiss API", level=1).is_visible()
    assert page.get_by_role(
        "heading", name="GET /api/v1/documents/{slug}/versions/{number}/comments"
    ).is_visible()
    axe_check(page, "the API documentation")


def test_make_and_revoke_a_token_by_keyboard(page, factory, doc, axe_check):
    member = factory.user(email="maja@example.org", name="Maja Medlem")
    sign_in(page, member.email, PASSWORD)
    page.goto("/profile")
    axe_check(page, "the profile with its API tokens section")

    # An empty name is reported, and the page still passes axe.
    page.get_by_role("button", name="Skapa token").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").is_visible()
    axe_check(page, "the profile with a token error")

    page.get_by_label("Tokenens namn").fill("Mitt skript")
    with page.expect_navigation():
        page.get_by_label("Tokenens namn").press("Enter")
    token = page.get_by_label("Din nya API-token").input_value()
    assert token.startswith("rmk_")
    axe_check(page, "the new token, shown once")

    page.goto("/profile")
    assert page.get_by_role("cell", name="Mitt skript", exact=True).is_visible()
    page.get_by_role("button", name="Återkalla Mitt skript").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("återkallad").is_visible()


def test_open_data_downloads_page(page, doc, axe_check):
    page.goto("/d/oppna-licenser/v/1")
    page.get_by_role("link", name="Öppna data för nedladdning").click()
    page.wait_for_url("**/downloads")
    assert page.get_by_role("link", name="Texten som Markdown").is_visible()
    axe_check(page, "the open-data downloads")
