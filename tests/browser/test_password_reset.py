"""The forgotten-password journey in Chromium: ask, take the link from the outbox, choose a password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.database import utcnow
from app.notifications.delivery import send_immediate
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.notifications.conftest import smtp  # noqa: F401  (the fake SMTP server fixture)

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/reset-password/\S+")
NEW_PASSWORD = "a brand new long password"


def _ask_for_a_link(page, email: str) -> str:
    """From the sign-in page to the answer; returns the answer's text."""
    page.goto("/login")
    page.get_by_role("link", name="Glömt lösenordet?").click()
    page.get_by_label("E-post").fill(email)
    page.get_by_role("button", name="Skicka en länk till mig").click()
    heading = page.get_by_role("heading", level=1, name="Titta i din e-post")
    heading.wait_for()
    return page.locator("main").inner_text()


def _link_from_the_outbox(app, smtp, live_server) -> str:  # noqa: F811
    with app.app_context():
        assert send_immediate().sent == 1
    link = LINK.search(smtp.sent[-1].get_content()).group(0)
    return live_server + "/" + link.split("://", 1)[1].partition("/")[2]


def test_forgotten_password_journey(page, app, factory, smtp, live_server, axe_check, monkeypatch):  # noqa: F811
    user = factory.user(email="maja@example.org", name="Maja Medlem")
    # An unknown address and a known one get the same words.
    unknown = _ask_for_a_link(page, "nobody@example.org")
    axe_check(page, "a reset link asked for")
    known = _ask_for_a_link(page, "maja@example.org")
    assert known.replace("maja@example.org", "X") == unknown.replace("nobody@example.org", "X")
    link = _link_from_the_outbox(app, smtp, live_server)

    page.goto(link)
    page.get_by_role("heading", level=1, name="Välj ett nytt lösenord").wait_for()
    axe_check(page, "choose a new password")
    page.get_by_label("Nytt lösenord").fill("short")
    page.get_by_label("Upprepa lösenordet").fill("short")
    page.get_by_role("button", name="Spara det nya lösenordet och logga in").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page, "choose a new password, with an error")
    page.get_by_label("Nytt lösenord").fill(NEW_PASSWORD)
    page.get_by_label("Upprepa lösenordet").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Spara det nya lösenordet och logga in").click()
    expect(page.get_by_text("Ditt nya lösenord är sparat.")).to_be_visible()
    assert page.get_by_role("link", name=re.compile("Maja Medlem")).is_visible()
    page.get_by_role("button", name="Logga ut").click()

    # The link worked once.
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Länken fungerar inte längre")).to_be_visible()
    axe_check(page, "a used reset link")
    # The old password is gone, the new one works.
    sign_in(page, user.email, PASSWORD)
    expect(page.get_by_text("Fel e-postadress eller lösenord.")).to_be_visible()
    sign_in(page, user.email, NEW_PASSWORD)
    assert page.get_by_role("link", name=re.compile("Maja Medlem")).is_visible()
    page.get_by_role("button", name="Logga ut").click()

    # A link opened more than an hour after it was asked for has expired.
    _ask_for_a_link(page, "maja@example.org")
    link = _link_from_the_outbox(app, smtp, live_server)
    import app.notifications.password_reset as reset

    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(reset, "utcnow", lambda: later)
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Länken har gått ut")).to_be_visible()
    axe_check(page, "an expired reset link")
    page.get_by_role("link", name="Be om en ny länk").click()
    page.get_by_role("heading", level=1, name="Glömt lösenordet?").wait_for()
