"""E-mail settings, following and unsubscribing in Chromium: by keyboard, with axe-core."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.notifications import operations
from app.notifications.models import Frequency, NotificationKind
from app.notifications.tokens import unsubscribe_token
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


def _preferences(app, user):
    from app.accounts.models import User

    with app.app_context():
        return operations.preferences_of(db.session.get(User, user.id))


def test_email_settings_by_keyboard(page, app, factory, axe_check):
    member = factory.user(email="maja@example.org", name="Maja Medlem")
    sign_in(page, member.email, PASSWORD)
    page.goto("/profile")
    section = page.get_by_role("region", name="Aviseringar via e-post")
    assert section.get_by_role("group", name="Svar på mina synpunkter").is_visible()
    axe_check(page, "the profile with its e-mail settings")

    group = section.get_by_role("group", name="Beslut om mina synpunkter")
    group.get_by_label("I en daglig sammanfattning").check()
    group.get_by_label("I en daglig sammanfattning").focus()
    page.keyboard.press("ArrowDown")  # radio groups move with the arrow keys: to "Never"
    assert group.get_by_label("Aldrig").is_checked()
    section.get_by_role("button", name="Spara e-postinställningarna").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Dina e-postinställningar har sparats.").is_visible()
    assert _preferences(app, member)[NotificationKind.DECISION] is Frequency.NONE
    axe_check(page, "the profile after saving")


def test_follow_a_document_by_keyboard(page, factory, doc, axe_check):
    member = factory.user(email="mats@example.org", name="Mats Medlem")
    sign_in(page, member.email, PASSWORD)
    page.goto("/d/oppna-licenser")
    page.get_by_role("button", name="Följ dokumentet").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("button", name="Sluta följa").is_visible()
    axe_check(page, "the reading view with the follow button")


def test_unsubscribe_page_without_signing_in(page, app, factory, axe_check):
    member = factory.user(email="maja@example.org", name="Maja Medlem")
    with app.app_context():
        token = unsubscribe_token(member.id, "new_version")
    page.goto(f"/unsubscribe/{token}")
    assert page.get_by_role("heading", name="Stoppa e-post", level=1).is_visible()
    axe_check(page, "the unsubscribe confirmation")
    page.get_by_role("button", name="Stoppa den här e-posten").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="E-posten har stoppats", level=1).is_visible()
    axe_check(page, "the unsubscribe result")
    assert _preferences(app, member)[NotificationKind.NEW_VERSION] is Frequency.NONE

    page.goto("/unsubscribe/not-a-valid-token")
    assert page.get_by_role("heading", name="Länken fungerar inte", level=1).is_visible()
    axe_check(page, "a broken unsubscribe link")


@pytest.mark.parametrize("width", [1366, 390])
def test_response_reminders_have_a_setting_of_their_own(page, app, factory, axe_check, width):
    """Issue 17's reminders to whoever answers for the organisation: own group, own choice, by keyboard."""
    page.set_viewport_size({"width": width, "height": 900})
    member = factory.user(email="anna@example.org", name="Anna Svarare")
    sign_in(page, member.email, PASSWORD)
    page.goto("/profile")
    section = page.get_by_role("region", name="Aviseringar via e-post")
    group = section.get_by_role(
        "group",
        name="Remissvar som min organisation ännu inte lämnat, en vecka och två dagar före sista dagen",
    )
    assert group.get_by_label("Direkt").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page, f"the profile's e-mail settings at {width} px")

    group.get_by_label("I en daglig sammanfattning").focus()
    page.keyboard.press("ArrowDown")  # to "Never"
    assert group.get_by_label("Aldrig").is_checked()
    section.get_by_role("button", name="Spara e-postinställningarna").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Dina e-postinställningar har sparats.").is_visible()
    preferences = _preferences(app, member)
    assert preferences[NotificationKind.RESPONSE_DUE] is Frequency.NONE
    assert preferences[NotificationKind.DEADLINE] is Frequency.DIGEST  # comment deadlines untouched
