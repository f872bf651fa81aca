"""Suggesting in the paragraph and whole-word quotes in Chromium (issue 22), at 1366 and 390 px.

A mouse selection of half a word quotes the whole word; a member without a mouse quotes three
words by keyboard and posts; a member edits a paragraph where it stands, by keyboard, making
two separate changes that are one suggestion, and the thread shows both as a word diff; axe
checks the suggesting mode. Screenshots go to /tmp/shots/s22-suggest/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.review.models import Comment, CommentKind
from tests.browser.conftest import sign_in, tab_to
from tests.conftest import PASSWORD, Factory, add_comment

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/s22-suggest")
WIDTHS = {"wide": (1366, 900), "phone": (390, 844)}
TEXT = "Allt publicerat material ska tydligt ange vilken CC-BY-licens som gäller för det."
OTHER = "Myndigheter bör välja en licens som är enkel att förstå och använda."


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def width(request, page):
    w, h = WIDTHS[request.param]
    page.set_viewport_size({"width": w, "height": h})
    SHOTS.mkdir(parents=True, exist_ok=True)
    return request.param


@pytest.fixture
def doc(factory):
    return factory.document(
        slug="sg",
        versions=[
            [
                ("h", "heading", 1, "Licenser"),
                ("p", "paragraph", 1, TEXT),
                ("q", "paragraph", 1, OTHER),
            ]
        ],
    )


@pytest.fixture
def member(page, factory):
    user = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    sign_in(page, user.email, PASSWORD)
    return user


def _comments(app):
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def _char_point(page, selector: str, index: int) -> dict:
    """Where to press the mouse to put the caret just before character *index* of an element's text."""
    return page.evaluate(
        """([selector, index]) => {
            const node = document.querySelector(selector).firstChild;
            const range = document.createRange();
            range.setStart(node, index);
            range.setEnd(node, index + 1);
            const box = range.getClientRects()[0];
            return { x: box.left + 1, y: box.top + box.height / 2 };
        }""",
        [selector, index],
    )


def test_a_mouse_selection_of_half_a_word_quotes_the_whole_word(page, app, doc, member, width):
    page.goto("/d/sg")
    uid = doc.block_uids["p"]
    text = f"#b-{uid} .block-body p"
    # Drag from inside "publicerat" to inside "tydligt": "licerat material ska tyd".
    page.locator(text).scroll_into_view_if_needed()
    start = _char_point(page, text, TEXT.index("licerat"))
    end = _char_point(page, text, TEXT.index("tydligt") + 3)
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    page.mouse.move(end["x"], end["y"], steps=8)
    page.mouse.up()
    assert page.evaluate("window.getSelection().toString()") == "licerat material ska tyd"
    button = page.get_by_role("button", name="Lämna synpunkt på markeringen")
    button.click()
    quote = page.get_by_label("Citerad text (valfritt)")
    quote.wait_for()
    # The member sees the widened quote before posting.
    assert quote.input_value() == "publicerat material ska tydligt"
    assert page.get_by_label("Första citerade ordet").input_value() == "1"
    assert page.get_by_label("Sista citerade ordet").input_value() == "4"
    page.screenshot(path=str(SHOTS / f"widened-quote-{width}.png"), full_page=True)
    page.get_by_label("Din synpunkt").fill("Vad menas?")
    page.get_by_role("button", name="Skicka synpunkt").click()
    page.locator("#c-1").wait_for()
    (comment,) = _comments(app)
    assert comment.quote_exact == "publicerat material ska tydligt"
    assert comment.quote_start == TEXT.index("publicerat")
    assert (
        page.locator(f"#b-{uid} .block-body").evaluate(
            "el => [...el.querySelectorAll('mark')].map((m) => m.textContent).join('')"
        )
        == "publicerat material ska tydligt"
    )


def test_a_touch_of_a_hyphenated_compound_quotes_the_compound(page, app, doc, member, width):
    page.goto("/d/sg")
    uid = doc.block_uids["p"]
    # A selection of "BY" alone (as a long press picks a word part) quotes "CC-BY-licens".
    page.evaluate(
        """([uid, at]) => {
            const node = document.querySelector(`#b-${uid} .block-body p`).firstChild;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + 2);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }""",
        [uid, TEXT.index("BY")],
    )
    page.get_by_role("button", name="Lämna synpunkt på markeringen").click()
    quote = page.get_by_label("Citerad text (valfritt)")
    quote.wait_for()
    assert quote.input_value() == "CC-BY-licens"


def test_a_keyboard_only_member_quotes_three_words_and_posts(page, app, doc, member, width, axe_check):
    page.goto("/d/sg")
    tab_to(page, page.get_by_role("link", name="Kommentera 1 st. 1"), limit=80)
    page.keyboard.press("Enter")
    page.get_by_label("Din synpunkt").wait_for()
    page.keyboard.type("Vilken licens gäller?")
    first = page.get_by_label("Första citerade ordet")
    last = page.get_by_label("Sista citerade ordet")
    tab_to(page, first, limit=5)
    # A closed list is chosen by typing the start of an option ("5: tydligt ange vilken ...").
    page.keyboard.type("5")
    assert first.input_value() == "4"
    page.keyboard.press("Tab")
    page.keyboard.type("7")
    assert last.input_value() == "6"
    preview = page.locator(".quote-preview")
    assert preview.inner_text() == "Citerad text: “tydligt ange vilken”"
    assert preview.get_attribute("aria-live") == "polite"
    assert page.get_by_label("Citerad text (valfritt)").input_value() == "tydligt ange vilken"
    axe_check(page, f"comment form with a quote chosen by keyboard ({width})")
    page.screenshot(path=str(SHOTS / f"keyboard-quote-{width}.png"), full_page=True)
    tab_to(page, page.get_by_role("button", name="Skicka synpunkt"), limit=5)
    page.keyboard.press("Enter")
    page.locator("#c-1").wait_for()
    assert page.evaluate("document.activeElement.id") == "c-1"
    (comment,) = _comments(app)
    assert comment.body == "Vilken licens gäller?"
    assert comment.quote_exact == "tydligt ange vilken"
    assert comment.quote_start == TEXT.index("tydligt")


def test_two_changes_in_one_paragraph_by_keyboard_are_one_suggestion(
    page, app, doc, member, width, axe_check
):
    page.goto("/d/sg")
    uid = doc.block_uids["q"]
    link = page.get_by_role("link", name="Föreslå ändring i 1 st. 2")
    tab_to(page, link, limit=80)
    page.keyboard.press("Enter")
    editable = page.get_by_role("textbox", name="Din lydelse av stycket")
    editable.wait_for()
    # The paragraph itself became the field: its text is hidden meanwhile, the field holds it.
    assert page.locator(f"#b-{uid} > .block-body").is_hidden()
    assert editable.inner_text() == OTHER
    assert page.evaluate("document.activeElement.id") == "text"  # focus in the paragraph, at its end
    axe_check(page, f"suggesting mode ({width})")
    page.screenshot(path=str(SHOTS / f"suggesting-mode-{width}.png"), full_page=True)
    # First change, at the start: the first word replaced.
    page.keyboard.press("Control+Home")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.type("Kommuner")
    # Second change, at the end: "använda." becomes "tillämpa.".
    page.keyboard.press("Control+End")
    for _ in range(len("använda.")):
        page.keyboard.press("Backspace")
    page.keyboard.type("tillämpa.")
    # Enter never splits the paragraph.
    page.keyboard.press("Enter")
    assert editable.inner_text() == "Kommuner bör välja en licens som är enkel att förstå och tillämpa."
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "body"
    page.keyboard.type("Kommunerna tillämpar licensen.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    thread = page.locator("#c-1")
    thread.wait_for()
    assert page.evaluate("document.activeElement.id") == "c-1"
    assert page.locator(f"#b-{uid} > .block-body").is_visible()  # the paragraph stands again
    diff = thread.locator(".redline").inner_html()
    assert re.search(r"<del>Myndigheter</del>\s*<ins>Kommuner</ins>", diff), diff
    assert re.search(r"<del>använda</del>\s*<ins>tillämpa</ins>", diff), diff
    page.screenshot(path=str(SHOTS / f"suggestion-thread-{width}.png"), full_page=True)
    (comment,) = _comments(app)
    assert comment.kind is CommentKind.SUGGESTION
    assert comment.suggestion == "Kommuner bör välja en licens som är enkel att förstå och tillämpa."
    assert comment.block_text == OTHER and comment.body == "Kommunerna tillämpar licensen."


def test_the_toolbar_and_shortcuts_format_and_say_their_state(page, app, doc, member, width, axe_check):
    page.goto("/d/sg")
    page.get_by_role("link", name="Föreslå ändring i 1 st. 2").click()
    editable = page.get_by_role("textbox", name="Din lydelse av stycket")
    editable.wait_for()
    bold = page.get_by_role("button", name="Fetstil")
    italic = page.get_by_role("button", name="Kursiv")
    assert page.get_by_role("toolbar", name="Formatering").is_visible()
    # Select "enkel" by keyboard and make it bold with Ctrl+B: the button says so.
    page.keyboard.press("Control+End")
    for _ in range(len(" att förstå och använda.")):
        page.keyboard.press("ArrowLeft")
    for _ in range(len("enkel")):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Control+b")
    assert bold.get_attribute("aria-pressed") == "true"
    assert italic.get_attribute("aria-pressed") == "false"
    # A link by keyboard: Ctrl+K opens the address field, Enter adds it.
    page.keyboard.press("Control+k")
    address = page.get_by_label("Länkadress")
    assert page.evaluate("document.activeElement.id") == "link-href"
    address.type("javascript:alert(1)")
    page.keyboard.press("Enter")
    assert address.get_attribute("aria-invalid") == "true"  # not a web address: refused
    address.fill("https://example.org/")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "text"
    axe_check(page, f"suggesting mode with formatting ({width})")
    page.get_by_role("button", name="Skicka förslag").click()
    page.locator("#c-1").wait_for()
    (comment,) = _comments(app)
    assert comment.suggestion == (
        'Myndigheter bör välja en licens som är <a href="https://example.org/"><strong>enkel</strong></a> '
        "att förstå och använda."
    )


def test_a_refused_proposal_says_why_in_place_and_escape_cancels(page, app, doc, member, width):
    page.goto("/d/sg")
    link = page.get_by_role("link", name="Föreslå ändring i 1 st. 2")
    link.click()
    page.get_by_role("textbox", name="Din lydelse av stycket").wait_for()
    page.get_by_role("button", name="Skicka förslag").click()  # nothing changed
    summary = page.locator(".suggest-panel .error-summary")
    summary.wait_for()
    assert "Din lydelse är densamma som styckets text." in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.screenshot(path=str(SHOTS / f"suggestion-refused-{width}.png"), full_page=True)
    page.get_by_role("textbox", name="Din lydelse av stycket").focus()
    page.keyboard.press("Escape")
    assert page.locator(".suggest-panel").count() == 0
    assert page.locator(f"#b-{doc.block_uids['q']} > .block-body").is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Föreslå ändring"
    assert _comments(app) == []


def test_the_author_edits_an_open_suggestion_in_the_paragraph(page, app, doc, member, width):
    with app.app_context():
        add_comment(
            doc, "q", member, kind=CommentKind.SUGGESTION, body="", suggestion=OTHER.replace("bör", "ska")
        )
    page.goto("/d/sg")
    page.locator("#c-1 .edit-link").click()
    editable = page.get_by_role("textbox", name="Din lydelse av stycket")
    editable.wait_for()
    assert editable.inner_text() == OTHER.replace("bör", "ska")
    page.keyboard.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.type("!")
    page.get_by_role("button", name="Skicka förslag").click()
    page.locator("#c-1 .badge", has_text="redigerad").wait_for()
    assert page.locator("#c-1").count() == 1
    assert (
        _comments(app)[0].suggestion == "Myndigheter ska välja en licens som är enkel att förstå och använda!"
    )


def test_suggestions_shown_in_the_text(page, app, doc, member, factory, width, axe_check):
    other = factory.user(email="olle@example.org", name="Olle Annan", organisation="SKR")
    with app.app_context():
        add_comment(
            doc,
            "q",
            other,
            kind=CommentKind.SUGGESTION,
            body="Enklare.",
            suggestion=OTHER.replace("enkel att förstå och använda", "lätt att använda"),
        )
        add_comment(
            doc, "q", member, kind=CommentKind.SUGGESTION, body="", suggestion=OTHER.replace("bör", "ska")
        )
    page.goto("/d/sg")
    page.get_by_role("link", name="Visa förslag i texten").click()
    assert page.url.endswith("/d/sg?suggestions=1")
    inline = page.locator(f"#b-{doc.block_uids['q']} .inline-suggestion")
    assert inline.count() == 2
    assert (
        inline.first.locator(".inline-suggestion-head")
        .inner_text()
        .startswith("Förslag #1 · Olle Annan, SKR")
    )
    assert inline.nth(1).locator("del").inner_text() == "bör"
    axe_check(page, f"reading page with suggestions in the text ({width})")
    page.screenshot(path=str(SHOTS / f"suggestions-in-text-{width}.png"), full_page=True)
    # Remembered by the filter form; and turned off again.
    page.get_by_label("Synpunkter", exact=True).select_option("open")
    page.get_by_role("button", name="Filtrera").click()
    assert "suggestions=1" in page.url and inline.count() == 2
    page.get_by_role("link", name="Dölj förslag i texten").click()
    assert "suggestions" not in page.url and page.locator(".inline-suggestion").count() == 0


def _publish_with(app, doc, key: str, text: str) -> None:
    """An editor publishes the next version with paragraph *key* reading *text* (the old one closes)."""
    from app.accounts.models import Role
    from app.documents.models import Document
    from app.drafting.operations import current_revision, edit_block, publish_draft, start_draft

    with app.app_context():
        editor = Factory(app).user(email="redaktor@example.org", roles=(Role.EDITOR,))
        document = db.session.get(Document, doc.id)
        draft = start_draft(document, editor)
        revision = current_revision(draft, doc.block_uids[key])
        edit_block(
            draft,
            doc.block_uids[key],
            base_revision=revision.revision,
            kind=revision.kind,
            level=revision.level,
            text=text,
            editor=editor,
        )
        publish_draft(draft, summary="Nytt utkast", editor=editor)
        db.session.commit()


def test_a_paragraph_changed_while_suggesting_shows_both_texts_and_stores_nothing(
    page, app, doc, member, width, axe_check
):
    page.goto("/d/sg")
    page.get_by_role("link", name="Föreslå ändring i 1 st. 2").click()
    editable = page.get_by_role("textbox", name="Din lydelse av stycket")
    editable.wait_for()
    page.keyboard.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.type("!")
    # Meanwhile the editors publish the next version, in which the paragraph reads otherwise.
    _publish_with(app, doc, "q", OTHER.replace("enkel", "lätt"))
    page.get_by_role("button", name="Skicka förslag").click()
    conflict = page.locator(".suggest-conflict")
    conflict.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('suggest-conflict')")
    words = conflict.inner_text()
    assert "Stycket har ändrats sedan du öppnade sidan" in words
    assert OTHER in words and OTHER.replace("enkel", "lätt") in words
    # The form again, on the paragraph as it reads now, ready for the member's changes.
    assert page.get_by_role("textbox", name="Din lydelse av stycket").inner_text() == OTHER.replace(
        "enkel", "lätt"
    )
    axe_check(page, f"a suggestion refused because the paragraph changed ({width})")
    page.screenshot(path=str(SHOTS / f"suggestion-conflict-{width}.png"), full_page=True)
    assert _comments(app) == []


def test_without_javascript_suggesting_is_a_form_of_its_own(
    browser, live_server, app, doc, factory, axe_check
):
    user = factory.user(email="maja@example.org", name="Maja Medlem")
    for width, (w, h) in WIDTHS.items():
        context = browser.new_context(
            base_url=live_server,
            java_script_enabled=False,
            locale="sv-SE",
            viewport={"width": w, "height": h},
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, user.email, PASSWORD)
        page.goto("/d/sg")
        page.get_by_role("link", name="Föreslå ändring i 1 st. 2").click()
        assert page.url.endswith(f"/b/{doc.block_uids['q']}/suggest")
        field = page.get_by_label("Din lydelse av stycket")
        assert field.input_value() == OTHER
        page.screenshot(path=str(SHOTS / f"suggest-form-nojs-{width}.png"), full_page=True)
        field.fill(OTHER.replace("enkel", "**lätt**"))
        with page.expect_navigation():
            page.get_by_role("button", name="Skicka förslag").click()
        assert re.search(r"/d/sg/v/1#c-\d+$", page.url)
        page.get_by_text("Tack! Ditt förslag").wait_for()
        context.close()
    suggestions = [c.suggestion for c in _comments(app)]
    assert suggestions == [OTHER.replace("enkel", "<strong>lätt</strong>")] * 2


def test_the_suggestion_form_page_passes_axe(page, doc, member, width, axe_check):
    # The page a member without JavaScript gets (axe itself needs the browser's JavaScript).
    page.goto(f"/d/sg/v/1/b/{doc.block_uids['q']}/suggest")
    axe_check(page, f"the suggestion form page ({width})")
    page.get_by_role("button", name="Skicka förslag").click()
    page.locator(".error-summary").wait_for()
    axe_check(page, f"the suggestion form page with an error ({width})")
