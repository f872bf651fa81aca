"""Commenting in Chromium: by keyboard alone, on a selection, replying, endorsing, axe-core, XSS."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.documents.models import Block, BlockRevision
from app.extensions import db
from app.review.models import Comment
from app.richtext import from_plain
from tests.browser.conftest import sign_in, tab_to
from tests.browser.xss import ACTIVE_CONTENT, assert_inert, payloads
from tests.conftest import PASSWORD, add_comment

pytestmark = pytest.mark.browser


@pytest.fixture
def doc(factory):
    return factory.document(
        slug="vl",
        versions=[
            [
                ("h", "heading", 1, "Öppna licenser"),
                ("p", "paragraph", 1, "Myndigheter bör välja en licens som är enkel att förstå och använda."),
                ("r", "paragraph", 1, "Det andra stycket handlar om data."),
            ]
        ],
    )


def _comments(app):
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def test_comment_by_keyboard_alone_in_a_side_panel(page, app, doc, factory):
    user = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/vl")
    link = page.get_by_role("link", name="Kommentera 1 st. 1")
    # Reach the control with the keyboard, then everything else by typing.
    link.focus()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Kommentera"
    page.keyboard.press("Enter")
    body = page.get_by_label("Din synpunkt")
    body.wait_for()
    assert page.evaluate("document.activeElement.name") == "body"  # focus moved into the panel
    assert page.url.endswith("/d/vl")  # no navigation: the form opened in place
    page.keyboard.type("Förtydliga gärna vad enkel betyder.")
    page.get_by_role("button", name="Skicka synpunkt").focus()
    page.keyboard.press("Enter")
    thread = page.locator("#c-1")
    thread.wait_for()
    assert "Förtydliga gärna vad enkel betyder." in thread.inner_text()
    assert page.evaluate("document.activeElement.id") == "c-1"  # focus on the new comment
    assert page.url.endswith("/d/vl")
    assert [c.body for c in _comments(app)] == ["Förtydliga gärna vad enkel betyder."]


def test_the_margin_count_says_one_and_two_in_their_own_words(page, app, doc, factory):
    """Posting in place changes the margin's "N open comments": singular for one, plural for two
    (it used to change only the number: "2 öppen synpunkt")."""
    user = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/vl")
    count = page.locator(".block[data-uid] .block-margin .comment-count")
    assert count.count() == 0
    for n, text in enumerate(["Första synpunkten.", "Andra synpunkten."], start=1):
        page.get_by_role("link", name="Kommentera 1 st. 1").click()
        page.get_by_label("Din synpunkt").fill(text)
        page.get_by_role("button", name="Skicka synpunkt").click()
        page.locator(f"#c-{n}").wait_for()
        assert count.inner_text().strip() == ("1 öppen synpunkt" if n == 1 else "2 öppna synpunkter")
    page.get_by_role("button", name="English").click()
    page.locator(".block:has(.comment-count) .block-margin a.comment-link:not(.suggest-link)").click()
    page.get_by_label("Your comment").fill("A third one.")
    page.get_by_role("button", name="Send comment").click()
    page.locator("#c-3").wait_for()
    assert count.inner_text().strip() == "3 open comments"


def test_comment_form_errors_show_in_the_panel_and_pass_axe(page, app, doc, factory, axe_check):
    user = factory.user(email="maja@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/vl")
    page.get_by_role("link", name="Kommentera 1 st. 1").click()
    page.get_by_role("button", name="Skicka synpunkt").click()
    summary = page.locator(".comment-panel-inline .error-summary")
    summary.wait_for()
    assert "Skriv något innan du skickar." in summary.inner_text()
    axe_check(page, "reading view with the comment form showing an error")
    assert _comments(app) == []


def test_comment_on_a_selection(page, app, doc, factory):
    user = factory.user(email="maja@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/vl")
    uid = doc.block_uids["p"]
    paragraph = page.locator(f"#b-{uid} .block-body p")
    # Select "enkel att förstå" with the mouse: from its first to its last character.
    page.evaluate(
        """([uid, word]) => {
            const p = document.querySelector(`#b-${uid} .block-body p`);
            const node = p.firstChild;
            const start = node.textContent.indexOf(word);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + word.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [uid, "enkel att förstå"],
    )
    paragraph.dispatch_event("mouseup")
    button = page.get_by_role("button", name="Lämna synpunkt på markeringen")
    button.wait_for()
    # Beside the selection: just below the selected words, not at the foot of the page.
    words = page.evaluate("window.getSelection().getRangeAt(0).getBoundingClientRect().toJSON()")
    box = button.bounding_box()
    assert 0 <= box["y"] - (words["y"] + words["height"]) < 20
    assert abs(box["x"] - words["x"]) < 2
    page.screenshot(path="test-results/selection-in-a-paragraph.png")
    button.click()
    quote = page.get_by_label("Citerad text (valfritt)")
    quote.wait_for()
    assert quote.input_value() == "enkel att förstå"
    page.get_by_label("Din synpunkt").fill("Vad betyder enkel?")
    page.get_by_role("button", name="Skicka synpunkt").click()
    page.locator("#c-1").wait_for()
    (comment,) = _comments(app)
    assert comment.quote_exact == "enkel att förstå"
    assert comment.quote_start == len("Myndigheter bör välja en licens som är ")
    # Posted: the quote is marked in its paragraph at once, and the control is gone.
    assert page.locator(f"#b-{uid} .block-body mark").inner_text() == "enkel att förstå"
    assert button.is_hidden()
    page.reload()
    assert page.locator(f"#b-{uid} mark").inner_text() == "enkel att förstå"


def test_a_selection_across_paragraphs_says_so_beside_it(page, doc, factory):
    user = factory.user(email="maja@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/vl")
    first, second = doc.block_uids["p"], doc.block_uids["r"]
    page.evaluate(
        """([a, b]) => {
            const range = document.createRange();
            range.setStart(document.querySelector(`#b-${a} .block-body p`).firstChild, 12);
            range.setEnd(document.querySelector(`#b-${b} .block-body p`).firstChild, 10);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }""",
        [first, second],
    )
    note = page.get_by_text("markera ord inom ett och samma stycke")
    note.wait_for()
    assert page.get_by_role("button", name="Lämna synpunkt på markeringen").is_hidden()
    words = page.evaluate("window.getSelection().getRangeAt(0).getBoundingClientRect().toJSON()")
    assert 0 <= note.bounding_box()["y"] - (words["y"] + words["height"]) < 20
    page.screenshot(path="test-results/selection-across-paragraphs.png")
    # Narrowing the selection to one paragraph offers the control instead.
    page.evaluate(
        """(a) => {
            const node = document.querySelector(`#b-${a} .block-body p`).firstChild;
            const range = document.createRange();
            range.setStart(node, 0);
            range.setEnd(node, 11);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }""",
        first,
    )
    page.get_by_role("button", name="Lämna synpunkt på markeringen").wait_for()
    assert note.is_hidden()


def test_reply_and_endorse_without_reload(page, app, doc, factory, axe_check):
    other = factory.user(email="olle@example.org", name="Olle Annan", organisation="SKR")
    with app.app_context():
        add_comment(doc, "p", other, body="Licensvalet behöver motiveras.")
    user = factory.user(email="maja@example.org", name="Maja Medlem")
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/vl")
    axe_check(page, "reading view with comments")
    endorse = page.get_by_role("button", name="Instämmer (0)")
    endorse.click()
    page.get_by_role("button", name="Instämmer (1)").wait_for()
    assert page.get_by_role("button", name="Instämmer (1)").get_attribute("aria-pressed") == "true"
    page.locator(".reply-box summary").first.click()
    page.get_by_label("Ditt svar").fill("Håller med, särskilt för data.")
    page.get_by_role("button", name="Skicka svar").click()
    page.locator(".replies .reply").wait_for()
    assert "Håller med" in page.locator(".replies").inner_text()
    axe_check(page, "reading view with a reply and the reply box")
    bodies = [c.body for c in _comments(app)]
    assert bodies == ["Licensvalet behöver motiveras.", "Håller med, särskilt för data."]


def test_without_javascript_the_comment_link_is_a_page_of_its_own(
    browser, live_server, app, doc, factory, axe_check
):
    user = factory.user(email="maja@example.org")
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/vl")
    page.set_default_timeout(15_000)
    page.get_by_role("link", name="Kommentera 1 st. 1").click()
    assert "/comment" in page.url
    page.get_by_label("Din synpunkt").fill("Utan skript.")
    page.get_by_role("button", name="Skicka synpunkt").click()
    assert page.url.endswith("#c-1")
    assert page.get_by_text("Tack! Din synpunkt #1 har registrerats.").is_visible()
    context.close()


def test_comment_form_page_passes_axe(page, doc, factory, axe_check):
    user = factory.user(email="maja@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto(f"/d/vl/v/1/b/{doc.block_uids['p']}/comment")
    axe_check(page, "comment form page")
    page.get_by_role("button", name="Skicka synpunkt").click()
    page.locator(".error-summary").wait_for()
    axe_check(page, "comment form page with an error")
    page.goto("/d/vl/v/1/overview")
    axe_check(page, "overview")


def test_xss_corpus_renders_inert_in_comments_replies_quotes_and_suggestions(page, app, factory, client):
    corpus = payloads()
    doc = factory.document(
        slug="xss",
        versions=[[(f"b{i}", "paragraph", 1, from_plain(p)) for i, p in enumerate(corpus)]],
    )
    user = factory.user(
        email="eve@example.org", name="<img src=x onerror=alert(1)>", organisation="<svg onload=alert(2)>"
    )
    client.login(user.email)
    with app.app_context():
        revisions = dict(
            db.session.execute(
                sa.select(Block.uid, BlockRevision.id).join(BlockRevision, BlockRevision.block_id == Block.id)
            ).all()
        )
    for i, payload in enumerate(corpus):
        uid = doc.block_uids[f"b{i}"]
        url = f"/d/xss/v/1/b/{uid}/comment"
        response = client.post(url, {"kind": "question", "body": payload, "quote": payload})
        if len(payload) > 2000:  # longer than a quote may be: refused, then sent without the quote
            assert response.status_code == 400, payload
            response = client.post(url, {"kind": "question", "body": payload})
        assert response.status_code == 302, payload
        # The same payload as a proposed paragraph, typed (no JavaScript) or as the editable's HTML.
        field = "html" if i % 2 else "text"
        proposal = {"revision": revisions[uid], field: payload + " och mer", "body": payload}
        response = client.post(f"/d/xss/v/1/b/{uid}/suggest", proposal)
        # Markup that swallows the rest of the paragraph leaves nothing: refused, with the reason.
        assert response.status_code == 302 or (
            field == "html" and "Skriv den lydelse du föreslår" in response.get_data(as_text=True)
        ), payload
    comments = _comments(app)
    assert len([c for c in comments if c.suggestion]) > len(corpus) * 3 // 4
    for comment in comments[:: max(1, len(comments) // 40)]:
        assert client.post(f"/comments/{comment.id}/reply", {"body": comment.body}).status_code == 302
    sign_in(page, user.email, PASSWORD)
    suggestion = next(c for c in comments if c.suggestion)
    for path in ("/d/xss", "/d/xss?suggestions=1", "/d/xss/v/1/overview", f"/comments/{suggestion.id}/edit"):
        assert_inert(page, path)
    # The paragraph editor holding hostile text, opened in place.
    page.goto("/d/xss")
    for i in range(0, len(corpus), max(1, len(corpus) // 10)):
        page.locator(f"#b-{doc.block_uids[f'b{i}']} .suggest-link").click()
        page.locator(".para-editable").wait_for()
        assert page.dialogs == [], corpus[i]
        assert page.evaluate(ACTIVE_CONTENT) == [], corpus[i]


def test_busy_version_loads_a_blocks_comments_in_place(page, app, doc, factory, monkeypatch, axe_check):
    import app.pages.reading as document_views

    monkeypatch.setattr(document_views, "INLINE_LIMIT", 1)
    other = factory.user(email="olle@example.org", name="Olle Annan")
    with app.app_context():
        add_comment(doc, "p", other, body="Första om licensen.")
        add_comment(doc, "p", other, body="Andra om licensen.")
    user = factory.user(email="maja@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/vl")
    link = page.get_by_role("link", name="Visa 2 synpunkter")
    axe_check(page, "busy reading view")
    link.click()
    page.get_by_text("Andra om licensen.").wait_for()
    assert page.url.endswith("/d/vl")  # loaded in place
    page.get_by_role("button", name="Instämmer (0)").first.click()
    page.get_by_role("button", name="Instämmer (1)").wait_for()
    axe_check(page, "busy reading view with a block's comments open")
    page.goto(f"/d/vl/v/1/b/{doc.block_uids['p']}/comments")
    axe_check(page, "a block's comments page")


def test_compare_views_pass_axe(page, factory, axe_check):
    factory.document(
        slug="cmp",
        versions=[
            [("a", "paragraph", 1, "Första lydelsen av stycket."), ("t", "table", 1, "A\tB\n1\t2")],
            [("a", "paragraph", 1, "Andra lydelsen av stycket."), ("t", "table", 1, "A\tB\n1\t3")],
        ],
    )
    for path in ("/d/cmp/compare/1..2", "/d/cmp/compare/1..2?view=side&only=changed"):
        page.goto(path)
        axe_check(page, path)


def _compare_doc(factory):
    """Two versions with four changes among unchanged paragraphs."""
    same = [(f"s{i}", "paragraph", 1, f"Oförändrat stycke nummer {i} om licenser.") for i in range(4)]
    old = [
        same[0],
        ("e1", "paragraph", 1, "Första lydelsen."),
        same[1],
        ("gone", "paragraph", 1, "Bort."),
        same[2],
        ("e2", "paragraph", 1, "Tredje lydelsen."),
        same[3],
    ]
    new = [
        same[0],
        ("e1", "paragraph", 1, "Första nya lydelsen."),
        same[1],
        same[2],
        ("e2", "paragraph", 1, "Tredje nya lydelsen."),
        same[3],
        ("new", "paragraph", 1, "Nytt."),
    ]
    return factory.document(slug="cmpk", versions=[old, new])


def test_next_and_previous_change_by_keyboard(page, factory, axe_check):
    # Issue 23: the comparison has "next change / previous change" by keyboard: links that move the
    # focus to the change and say where it is, and the keys n and p, never while typing in a field.
    _compare_doc(factory)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/d/cmpk/compare/1..2")
    changes = page.eval_on_selector_all("[data-change]", "els => els.map((e) => e.id)")
    assert len(changes) == 4
    focused = "document.activeElement.id"
    status = page.locator("#change-status")
    tab_to(page, page.locator("a.first-change"))
    page.keyboard.press("Enter")
    assert page.evaluate(focused) == changes[0]
    assert status.inner_text() == "Ändring 1 av 4"
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"  # the focus is visible where it lands
    page.keyboard.press("n")
    assert page.evaluate(focused) == changes[1] and status.inner_text() == "Ändring 2 av 4"
    page.keyboard.press("n")
    page.keyboard.press("p")
    assert page.evaluate(focused) == changes[1]
    # The links inside a change: Tab from the change reaches its own "next change" first or second.
    tab_to(page, page.locator(f"#{changes[1]} a.change-next"), limit=3)
    page.keyboard.press("Enter")
    assert page.evaluate(focused) == changes[2] and status.inner_text() == "Ändring 3 av 4"
    assert page.locator(f"#{changes[2]}").get_attribute("aria-labelledby")
    name = page.evaluate(
        """(id) => document.getElementById(id).getAttribute("aria-labelledby").split(" ")
             .map((ref) => document.getElementById(ref).textContent.trim()).join(" ")""",
        changes[2],
    )
    assert "Ändring 3 av 4" in name  # a screen reader hears the position with the focus
    page.screenshot(path="/tmp/shots/i23-phone/compare-keys-390.png")
    axe_check(page, "comparison with a change in focus")
    # Typing in a field is never taken for a shortcut.
    search = page.get_by_role("searchbox").first
    search.focus()
    page.keyboard.type("np")
    assert search.input_value() == "np" and page.evaluate("document.activeElement.type") == "search"
    # The keys can be turned off (WCAG 2.1.4), and stay off.
    toggle = page.get_by_label("Gå mellan ändringarna med tangenterna n (nästa) och p (föregående)")
    toggle.focus()
    page.keyboard.press("Space")
    assert not toggle.is_checked()
    page.locator(f"#{changes[0]}").focus()
    page.keyboard.press("n")
    assert page.evaluate(focused) == changes[0]
    page.reload()
    page.locator(f"#{changes[0]}").focus()
    page.keyboard.press("n")
    assert page.evaluate(focused) == changes[0]


def test_next_change_links_work_without_javascript(browser, live_server, factory):
    _compare_doc(factory)
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/d/cmpk/compare/1..2?view=side")
    changes = page.eval_on_selector_all("[data-change]", "els => els.map((e) => e.id)")
    page.locator("a.first-change").click()
    assert page.url.endswith(f"#{changes[0]}")
    page.locator(f"#{changes[0]} a.change-next").click()
    assert page.url.endswith(f"#{changes[1]}")
    assert page.evaluate("document.activeElement.id") == changes[1]  # the target takes the focus
    context.close()
