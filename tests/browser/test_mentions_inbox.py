"""@mentions and the inbox in Chromium (issue 27), at 1366 and 390 px: picking a person by keyboard
alone in the comment field's suggestion list (a WAI-ARIA combobox and listbox); the person sees the
bell's count and the inbox item; axe-core on the inbox and with the list open; hostile names inert."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import InboxItem
from app.review.models import Comment
from tests.browser.conftest import sign_in
from tests.browser.xss import ACTIVE_CONTENT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/s27-inbox-shots")
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def doc(factory):
    return factory.document(
        slug="vl",
        title="Öppna licenser",
        versions=[
            [("h", "heading", 1, "Öppna licenser"), ("p", "paragraph", 1, "Myndigheter väljer licens.")]
        ],
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_mention_by_keyboard_then_the_bell_and_the_inbox(page, app, doc, factory, axe_check, size):
    SHOTS.mkdir(exist_ok=True)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    anna = factory.user(email="anna@example.org", name="Anna Andersson", organisation="Skatteverket")
    factory.user(email="anders@example.org", name="Anders Berg", organisation="Vinnova")
    factory.user(email="h@example.org", name='Ann <img src=x onerror="alert(1)">', organisation="<b>Org</b>")
    maja = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    sign_in(page, maja.email, PASSWORD)
    page.goto("/d/vl")
    page.get_by_role("link", name="Kommentera 1 st. 1").focus()
    page.keyboard.press("Enter")
    field = page.get_by_role("combobox", name="Din synpunkt")
    field.wait_for()
    assert field.get_attribute("aria-expanded") == "false"
    page.keyboard.type("Fråga @an")
    listbox = page.get_by_role("listbox", name="Personer att nämna")
    listbox.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    names = [o.inner_text() for o in options.all()]
    assert any("Anna Andersson" in n and "Skatteverket" in n for n in names)
    assert any("Ann <img" in n for n in names)  # a hostile name is text
    assert page.evaluate(ACTIVE_CONTENT) == []
    first = options.nth(0)
    assert first.get_attribute("aria-selected") == "true"
    assert field.get_attribute("aria-activedescendant") == first.get_attribute("id")
    page.screenshot(path=str(SHOTS / f"listbox-{size}.png"))
    axe_check(page, "the comment form with the mention list open")
    # Down moves on, Up comes back, wrapping; Escape closes without changing the text.
    page.keyboard.press("ArrowDown")
    assert options.nth(1).get_attribute("aria-selected") == "true"
    assert field.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    page.keyboard.press("Escape")
    assert listbox.is_hidden() and field.get_attribute("aria-expanded") == "false"
    assert field.input_value() == "Fråga @an"
    assert page.get_by_role("region").count() >= 1  # the panel stayed open
    page.keyboard.type("na a")
    listbox.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[role=option]')].map(o => o.textContent).join('|').includes('Anna Andersson') "
        "&& document.querySelectorAll('[role=option]').length === 1"
    )
    page.keyboard.press("Enter")
    assert listbox.is_hidden()
    assert field.input_value() == f"Fråga @[user:{anna.id}] "
    page.keyboard.type("om licensen.")
    page.get_by_role("button", name="Skicka synpunkt").focus()
    page.keyboard.press("Enter")
    thread = page.locator("#c-1")
    thread.wait_for()
    assert thread.locator(".mention").inner_text() == "@Anna Andersson"
    with app.app_context():
        comment = db.session.scalars(sa.select(Comment)).one()
        assert comment.body == f"Fråga @[user:{anna.id}] om licensen."
        assert db.session.scalars(sa.select(InboxItem).where(InboxItem.user_id == anna.id)).one()

    # Anna sees the bell with its count, and the item in her inbox.
    page.context.clear_cookies()
    sign_in(page, anna.email, PASSWORD)
    page.goto("/")
    bell = page.get_by_role("link", name="Inkorg, 1 oläst")
    assert bell.is_visible()
    page.screenshot(path=str(SHOTS / f"bell-{size}.png"))
    bell.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Inkorg", level=1).is_visible()
    item = page.get_by_role("link", name="Maja Medlem nämnde dig i synpunkt #1 på ”Öppna licenser”.")
    assert item.is_visible()
    page.screenshot(path=str(SHOTS / f"inbox-{size}.png"), full_page=True)
    axe_check(page, "the inbox")
    item.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/d/vl/v/1#c-1")
    assert page.get_by_role("link", name="Inkorg").first.is_visible()
    page.goto("/inbox")
    assert page.locator(".inbox-item--unread").count() == 0
    axe_check(page, "the inbox, all read")
