"""Live in Chromium (issue 27), two people at once, at 1366 and 390 px.

A member's comment appears on another member's reading page and on an editor's dashboard within
2 s, announced politely (axe checks the page with the announcement); one editor's "deciding" and
decision show on the other editor's card; a dropped stream resumes without losing what happened
meanwhile; a block saved by one editor is marked in the other's working draft.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.documents.models import Block, BlockRevision, Document
from app.extensions import db
from app.review.models import Comment, CommentStatus
from tests.browser.conftest import sign_in
from tests.conftest import add_comment

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-password-2020"
SLUG = "oppna-licenser"
SHOTS = Path(os.environ.get("LIVE_SHOTS", "/tmp/s27-live-shots"))
SIZES = {"wide": (1366, 900), "narrow": (390, 844)}


@pytest.fixture
def demo(app):
    from app.demo.seed import seed

    with app.app_context():
        seed()
        db.session.commit()
        document = db.session.scalar(sa.select(Document).where(Document.slug == SLUG))
        version = document.current_version
        uids = db.session.scalars(
            sa.select(Block.uid)
            .join(BlockRevision, BlockRevision.block_id == Block.id)
            .where(BlockRevision.version_id == version.id, BlockRevision.kind == "paragraph")
            .order_by(BlockRevision.position)
        ).all()
        return {"document": document, "version": version.number, "uids": uids}


@pytest.fixture
def second(browser, live_server):
    """Another person's browser (a context of its own: own cookies)."""
    contexts = []

    def make(size):
        context = browser.new_context(
            locale="sv-SE", base_url=live_server, viewport=dict(zip(("width", "height"), size, strict=True))
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


def _user(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


def _streaming(page) -> None:
    """Wait until the page's event stream is open (its first event came)."""
    page.wait_for_function("() => window.remissLive && window.remissLive.open", timeout=10_000)


def _decide(app, number, email) -> None:
    """Editor *email* decides comment *number* ("noted") elsewhere, as if on another page."""
    from app.review.operations import decide

    with app.app_context():
        comment = db.session.scalar(
            sa.select(Comment).join(Document).where(Document.slug == SLUG, Comment.number == int(number))
        )
        editor = db.session.scalar(sa.select(User).where(User.email == email))
        decide(comment, status=CommentStatus.NOTED, response=None, editor=editor)
        db.session.commit()


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_comment_appears_for_another_member_and_on_the_dashboard(page, second, app, demo, axe_check, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    sign_in(page, "member2@demo.example", DEMO_PASSWORD)
    uid = demo["uids"][3]
    page.goto(f"/d/{SLUG}")
    editor = second(SIZES[size])
    sign_in(editor, "editor@demo.example", DEMO_PASSWORD)
    editor.goto(f"/d/{SLUG}/v/{demo['version']}/review")
    _streaming(page)
    _streaming(editor)
    block = page.locator(f".block[data-uid='{uid}']")
    block.scroll_into_view_if_needed()
    scrolled = page.evaluate("() => window.scrollY")
    open_before = int(editor.locator("[data-count='open']").inner_text())
    ref = block.locator(".ref").inner_text().strip()

    body = f"Live-synpunkt {size} {time.time():.0f}"
    sent = time.monotonic()
    with app.app_context():
        add_comment(demo["document"], uid, _user(app, "member@demo.example"), body=body)
    block.locator(".block-comments", has_text=body).wait_for(timeout=2_000)
    editor.locator("#live-board-new").wait_for(timeout=2_000)
    assert time.monotonic() - sent < 2.5
    page.locator("#live-status", has_text=f"1 ny synpunkt i {ref}").wait_for(state="attached", timeout=3_000)
    assert abs(page.evaluate("() => window.scrollY") - scrolled) < 400  # the reader was not thrown away
    assert int(editor.locator("[data-count='open']").inner_text()) == open_before + 1
    # The margin's count changed with the wording its number asks for.
    count = block.locator(".block-margin .comment-count").inner_text().strip()
    n = int(count.split()[0])
    assert count == (f"{n} öppen synpunkt" if n == 1 else f"{n} öppna synpunkter")
    assert "1 ny synpunkt sedan sidan laddades" in editor.locator("#live-board-new").inner_text()
    _shot(page, f"reading-{size}")
    _shot(editor, f"dashboard-{size}")
    axe_check(page, "the reading page with a live announcement")
    axe_check(editor, "the dashboard with new comments")
    assert not editor.js_errors


def test_a_reader_typing_in_the_thread_gets_a_show_button(page, app, demo):
    sign_in(page, "member2@demo.example", DEMO_PASSWORD)
    uid = demo["uids"][3]
    with app.app_context():
        add_comment(demo["document"], uid, _user(app, "member@demo.example"), body="Första.")
    page.goto(f"/d/{SLUG}")
    _streaming(page)
    block = page.locator(f".block[data-uid='{uid}']")
    block.locator("details.reply-box > summary").first.click()
    block.locator("textarea").first.fill("Jag skriver ett svar")
    with app.app_context():
        add_comment(demo["document"], uid, _user(app, "member@demo.example"), body="Andra, under tiden.")
    block.locator(".live-new-here").wait_for(timeout=3_000)
    assert block.locator("textarea").first.input_value() == "Jag skriver ett svar"
    assert block.locator(".block-comments", has_text="Andra, under tiden.").count() == 0
    block.locator(".live-new-here button").click()
    block.locator(".block-comments", has_text="Andra, under tiden.").wait_for(timeout=3_000)
    assert block.locator("textarea").first.input_value() == "Jag skriver ett svar"


@pytest.mark.parametrize("size", list(SIZES))
def test_one_editors_decision_updates_the_others_card(page, second, app, demo, axe_check, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    sign_in(page, "editor2@demo.example", DEMO_PASSWORD)
    dashboard = f"/d/{SLUG}/v/{demo['version']}/review?unanswered=1"
    page.goto(dashboard)
    other = second(SIZES[size])
    sign_in(other, "editor@demo.example", DEMO_PASSWORD)
    other.goto(dashboard)
    _streaming(page)
    _streaming(other)
    card = page.locator(".triage-card[data-status='open']").first
    number = card.get_attribute("data-number")

    # The other editor opens the card's decision: this one sees who is deciding.
    other.locator(f"#c-{number} details.decide-card > summary").click()
    page.locator(f"#c-{number} .live-deciding").wait_for(timeout=3_000)
    assert "Erik Redaktör" in page.locator(f"#c-{number} .live-deciding").inner_text()
    page.locator(f"#c-{number}").scroll_into_view_if_needed()
    _shot(page, f"deciding-{size}")

    _decide(app, number, "editor@demo.example")
    page.locator(f"#c-{number}[data-status='noted']").wait_for(timeout=2_000)
    page.locator(f"#c-{number} .live-decided").wait_for()
    assert page.locator(f"#c-{number} .live-deciding").count() == 0
    assert page.locator(f"#c-{number} .left-filter").count() == 1  # it leaves "not yet decided"
    page.locator(f"#c-{number}").scroll_into_view_if_needed()
    _shot(page, f"decided-{size}")
    axe_check(page, "the dashboard with another editor's decision")
    assert not other.js_errors


def test_a_bulk_decision_in_the_making_shows_on_each_ticked_card(page, second, app, demo, axe_check):
    """Two editors triaging at once: ticking cards and opening "Decide for the selected comments"
    shows the other editor who is deciding on each of them, and on no other card."""
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "editor2@demo.example", DEMO_PASSWORD)
    dashboard = f"/d/{SLUG}/v/{demo['version']}/review?unanswered=1"
    page.goto(dashboard)
    other = second(SIZES["wide"])
    sign_in(other, "editor@demo.example", DEMO_PASSWORD)
    other.goto(dashboard)
    _streaming(page)
    _streaming(other)
    numbers = [
        card.get_attribute("data-number")
        for card in page.locator(".triage-card[data-status='open']").all()[:3]
    ]
    assert len(numbers) == 3
    for number in numbers[:2]:
        other.locator(f"#sel-{_comment_id(app, number)}").check()
    other.locator("details.bulk-decision > summary").click()
    for number in numbers[:2]:
        page.locator(f"#c-{number} .live-deciding").wait_for(timeout=3_000)
        assert "Erik Redaktör" in page.locator(f"#c-{number} .live-deciding").inner_text()
    # A card ticked while the bulk decision is open is told of too; the untouched one is not.
    other.locator(f"#sel-{_comment_id(app, numbers[2])}").check()
    page.locator(f"#c-{numbers[2]} .live-deciding").wait_for(timeout=3_000)
    other.locator(f"#sel-{_comment_id(app, numbers[2])}").uncheck()
    assert page.locator(".live-deciding").count() == 3
    page.locator(f"#c-{numbers[0]}").scroll_into_view_if_needed()
    _shot(page, "deciding-in-bulk-wide")
    axe_check(page, "the dashboard while another editor decides in bulk")
    assert not other.js_errors and not page.js_errors


def _comment_id(app, number) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(Comment.id).join(Document).where(Document.slug == SLUG, Comment.number == int(number))
        )


@pytest.mark.parametrize("size", list(SIZES))
def test_the_decision_page_says_who_is_deciding_and_who_decided(page, second, app, demo, axe_check, size):
    """An editor on one comment's decision page (the no-card way in) is seen deciding on the other
    editor's dashboard, and learns at once when the other editor decides it first."""
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    sign_in(page, "editor2@demo.example", DEMO_PASSWORD)
    dashboard = f"/d/{SLUG}/v/{demo['version']}/review?unanswered=1"
    page.goto(dashboard)
    _streaming(page)
    card = page.locator(".triage-card[data-status='open']").first
    number = card.get_attribute("data-number")
    decide_url = card.locator('.card-actions a[href*="/review/c/"]').first.get_attribute("href")

    other = second(SIZES[size])
    sign_in(other, "editor@demo.example", DEMO_PASSWORD)
    other.goto(decide_url)
    _streaming(other)
    page.locator(f"#c-{number} .live-deciding").wait_for(timeout=3_000)
    assert _user(app, "editor@demo.example").name in page.locator(f"#c-{number} .live-deciding").inner_text()

    # This editor decides first, on the dashboard's card: the other's page says so before a save.
    _decide(app, number, "editor2@demo.example")
    notice = other.locator("#live-decided")
    notice.wait_for(timeout=2_000)
    assert _user(app, "editor2@demo.example").name in notice.inner_text()
    assert notice.evaluate(
        "(el) => el.compareDocumentPosition(document.querySelector('main form[method=post]')) & 4"
    )
    # Announced politely too (say() sets the live region's text a moment after clearing it).
    other.locator("#live-status", has_text=notice.inner_text().strip()).wait_for(
        state="attached", timeout=3_000
    )
    _shot(other, f"decide-page-decided-{size}")
    axe_check(other, "the decision page told of another editor's decision")
    assert not other.js_errors


def test_a_dropped_stream_resumes_without_loss(page, app, demo):
    sign_in(page, "member2@demo.example", DEMO_PASSWORD)
    uids = demo["uids"]
    page.goto(f"/d/{SLUG}")
    _streaming(page)
    page.evaluate("() => window.remissLive.drop()")
    bodies = [f"Under avbrottet {n}" for n in range(3)]
    author = _user(app, "member@demo.example")
    with app.app_context():
        for n, body in enumerate(bodies):
            add_comment(demo["document"], uids[n + 1], author, body=body)
    for body in bodies:
        page.locator(".block-comments", has_text=body).wait_for(timeout=5_000)


def test_a_saved_block_is_marked_in_the_other_editors_draft(page, app, demo):
    from app.drafting.operations import edit_block, start_draft

    starter = _user(app, "editor@demo.example")
    with app.app_context():
        document = db.session.get(Document, demo["document"].id)
        start_draft(document, db.session.merge(starter))
        db.session.commit()
    sign_in(page, "editor2@demo.example", DEMO_PASSWORD)
    uid = demo["uids"][2]
    page.goto(f"/d/{SLUG}/draft/b/{uid}")
    _streaming(page)
    with app.app_context():
        editor = db.session.scalar(sa.select(User).where(User.email == "editor@demo.example"))
        document = db.session.get(Document, demo["document"].id)
        draft = document.draft
        revision = db.session.scalar(
            sa.select(BlockRevision).join(Block).where(BlockRevision.version_id == draft.id, Block.uid == uid)
        )
        edit_block(
            draft,
            uid,
            base_revision=revision.revision,
            kind=revision.kind,
            level=revision.level,
            text="Ändrad av den andra redaktören.",
            editor=editor,
        )
        db.session.commit()
    notice = page.locator("#live-changed")
    notice.wait_for(timeout=3_000)
    assert "Ändrat av" in notice.inner_text()
    _shot(page, "draft-block-changed")
