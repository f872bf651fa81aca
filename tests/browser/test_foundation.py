"""The foundation in a real browser: a reader's journey, keyboard use and axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from tests.browser.conftest import sign_in
from tests.browser.xss import assert_inert
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_open_document_and_follow_a_permalink(page, factory):
    document = factory.document(slug="vl", title="Vägledning om öppna licenser")
    user = factory.user(email="maja@example.org", name="Maja Medlem")
    sign_in(page, user.email, PASSWORD)
    assert page.get_by_role("link", name=re.compile("Maja Medlem")).is_visible()
    page.get_by_role("link", name="Vägledning om öppna licenser").click()
    page.wait_for_url("**/d/vl")
    assert page.get_by_role("heading", level=1, name="Vägledning om öppna licenser").is_visible()
    uid = document.block_uids["p2"]
    page.locator(f"#b-{uid} a.ref").click()
    page.wait_for_url(f"**/d/vl/v/1#b-{uid}")
    # The target paragraph is highlighted by :target (waiting: the new page's stylesheet may
    # still be loading when the URL has changed).
    expect(page.locator(f"#b-{uid}")).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
    expect(page.locator(f"#b-{uid}")).to_be_in_viewport()


def test_keyboard_only_skip_link_and_sign_in(page, factory):
    factory.user(email="kalle@example.org", name="Kalle Tangent")
    page.goto("/")
    page.keyboard.press("Tab")
    assert "Hoppa till innehållet" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The sign-in form focuses the e-mail field; the rest is typing, Tab and Enter.
    page.goto("/login")
    # autofocus is applied when the page is next rendered, which can come after "load": wait.
    expect(page.locator("input[name=email]")).to_be_focused()
    page.keyboard.type("kalle@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("link", name=re.compile("Kalle Tangent")).is_visible()


def test_axe_finds_no_violations_on_public_pages(page, factory, axe_check):
    factory.document(
        slug="vl",
        versions=[
            [("h", "heading", 1, "Rubrik"), ("p", "paragraph", 1, "Text.")],
            [
                ("h", "heading", 1, "Rubrik"),
                ("p", "paragraph", 1, 'Ny text med <a href="https://example.org">länk</a>.'),
                ("q", "quote", 1, "Ett citat."),
                ("t", "table", 1, "Licens\tPassar för\nCC0\tData"),
                ("n", "number", 1, "Ett numrerat steg"),
            ],
        ],
    )
    for path in ("/", "/d/vl", "/d/vl/v/1", "/login", "/accessibility", "/d/finns-inte"):
        page.goto(path)
        axe_check(page, path)
    # the sign-in form showing an error
    page.goto("/login")
    page.get_by_label("E-post").fill("nobody@example.org")
    page.get_by_label("Lösenord").fill("wrong password")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_text("Fel e-postadress eller lösenord.").is_visible()
    axe_check(page, "login with error")


def test_axe_finds_no_violations_on_signed_in_and_admin_pages(app, page, factory, axe_check):
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    member = factory.user(email="m@example.org", organisation="Samtrafiken")
    hostile = factory.user(email="eve@example.org", name="<img src=x onerror=alert(1)>")
    _undelivered_mail(app, factory, member, hostile)
    sign_in(page, admin.email, PASSWORD)
    # A recipient's name and an SMTP server's error text reach this page: both stay text.
    assert_inert(page, "/admin/mail")
    for path in (
        "/profile",
        "/admin/users",
        f"/admin/users/{member.id}",
        "/admin/organisations",
        "/admin/mail",
    ):
        page.goto(path)
        axe_check(page, path)
    # Sending a given-up message again, by keyboard.
    page.goto("/admin/mail")
    page.get_by_role("button", name=re.compile("Skicka igen")).first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Meddelandet skickas igen vid nästa körning.")).to_be_visible()
    axe_check(page, "/admin/mail after sending again")
    # a form error, then an invitation created
    page.goto("/admin/invitations")
    axe_check(page, "invite form")
    page.get_by_role("button", name="Skapa inbjudan").click()
    assert page.locator(".error-summary").is_visible()
    axe_check(page, "invite form with errors")
    page.get_by_label("Namn").fill("Nina Ny")
    page.get_by_label("E-post").fill("nina@example.org")
    page.get_by_role("button", name="Skapa inbjudan").click()
    link = page.get_by_label("Inbjudningslänk").input_value()
    axe_check(page, "invitation created")
    # the invited person's pages, in a signed-out state
    page.get_by_role("button", name="Logga ut").click()
    page.goto(link)
    axe_check(page, "accept invitation")
    page.get_by_label("Nytt lösenord").fill("a good long password")
    page.get_by_label("Upprepa lösenordet").fill("a good long password")
    page.get_by_role("button", name="Välj lösenord och logga in").click()
    assert page.get_by_role("link", name=re.compile("Nina Ny")).is_visible()
    page.get_by_role("button", name="Logga ut").click()
    page.goto(link)
    assert page.get_by_role("heading", name="Inbjudan har redan använts").is_visible()
    axe_check(page, "used invitation")


def test_reading_view_works_on_a_phone(browser, live_server, factory):
    factory.document(slug="vl")
    context = browser.new_context(
        base_url=live_server, viewport={"width": 375, "height": 740}, locale="sv-SE"
    )
    page = context.new_page()
    page.goto("/d/vl")
    # nothing wider than the screen: no sideways scrolling of the text
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def _undelivered_mail(app, factory, person, other) -> None:
    """Given-up messages to *person* and *other*, and one to *person* waiting for another try."""
    from app.database import utcnow
    from app.extensions import db
    from app.notifications.models import Frequency, Notification, NotificationKind, OutboxState

    document = factory.document(slug="post")
    with app.app_context():
        for who, state, attempts in (
            (person, OutboxState.FAILED, 7),
            (other, OutboxState.FAILED, 7),
            (person, OutboxState.PENDING, 2),
        ):
            db.session.add(
                Notification(
                    user_id=who.id,
                    kind=NotificationKind.NEW_VERSION,
                    delivery=Frequency.IMMEDIATE,
                    document_id=document.id,
                    state=state,
                    attempts=attempts,
                    next_attempt_at=utcnow(),
                    last_error="SMTPDataError: <script>alert(3)</script>",
                )
            )
        db.session.commit()
