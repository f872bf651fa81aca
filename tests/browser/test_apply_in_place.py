"""Applying a suggestion in place, in Chromium: by keyboard from a dashboard card, with no page load.

The card shows the paragraph as it would read; applying turns it accepted with the draft's new
wording, the counts follow, a polite message says so and focus goes to the card's response, which
the editor writes and saves next, still in place. A suggestion applied meanwhile, or a paragraph
changed meanwhile, is said on the card, nothing changed. Set REMISS_SCREENSHOTS=<folder> to keep screenshots at 1366 and 390 px.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.documents.models import Block, BlockKind, BlockRevision, Document
from app.drafting.operations import (
    apply_suggestion,
    current_revision,
    edit_block,
    start_draft,
    suggestion_merge,
)
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentStatus
from tests.browser.conftest import sign_in
from tests.browser.test_layout import LAYOUT_PROBLEMS
from tests.browser.test_triage import DEMO_PASSWORD, SLUG, demo  # noqa: F401  (the demo fixture)
from tests.conftest import add_comment

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("REMISS_SCREENSHOTS")
WORDING = "Myndigheter ska ange licensen tydligt, med en länk till licenstexten."


@pytest.fixture
def suggestions(app, demo):  # noqa: F811
    """A working draft, and three suggestions on paragraphs of the version under review: (id, number, uid)."""
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == SLUG))
        editor = db.session.scalar(sa.select(User).where(User.email == "editor@demo.example"))
        member = db.session.scalar(sa.select(User).where(User.email == "member@demo.example"))
        uids = db.session.scalars(
            sa.select(Block.uid)
            .join(BlockRevision, BlockRevision.block_id == Block.id)
            .where(
                BlockRevision.version_id == document.current_version.id,
                BlockRevision.kind == BlockKind.PARAGRAPH,
            )
            .order_by(BlockRevision.position)
        ).all()
        start_draft(document, editor)
        db.session.commit()
        made = []
        for i, uid in enumerate(uids[1:4]):
            cid = add_comment(
                document,
                uid,
                member,
                body=f"Förslag {i + 1}.",
                kind=CommentKind.SUGGESTION,
                suggestion=WORDING if i == 0 else f"Ny lydelse {i + 1}.",
            )
            made.append((cid, db.session.get(Comment, cid).number, uid))
    return made


def _draft_text(app, uid: str) -> str:
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == SLUG))
        return current_revision(document.draft, uid).text


def _focus(page) -> dict:
    """What has the focus: its tag, name and the number of the card it is in."""
    return page.evaluate(
        "() => { const e = document.activeElement; const card = e.closest('.triage-card');"
        " return {tag: e.tagName, name: e.name || null, card: card ? card.dataset.number : null,"
        " notice: e.classList.contains('card-notice')}; }"
    )


def _count(page, status: str) -> int:
    return int(page.locator(f"[data-count='{status}']").inner_text())


def test_an_editor_applies_a_suggestion_in_place_by_keyboard(page, app, suggestions, axe_check):
    cid, number, uid = suggestions[0]
    sign_in(page, "editor@demo.example", DEMO_PASSWORD)
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    page.goto(f"/d/{SLUG}/v/2/review?suggestion=1")
    assert len(loads) == 1
    open_before, accepted_before = _count(page, "open"), _count(page, "accepted")

    # Keyboard only: Tab to the card's button (its name starts with its visible text), Enter.
    button = page.locator(f"#c-{number}").get_by_role(
        "button", name=f"För in förslaget i #{number} i utkastet"
    )
    for _ in range(300):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the card's Apply suggestion button")
    page.keyboard.press("Enter")

    card = page.locator(f"#c-{number}[data-status='accepted']")
    card.wait_for()
    assert card.locator(".badge.status--accepted").inner_text() == "Beaktad"
    assert card.locator(".applied-note").inner_text() == "Infört i arbetsutkastet"
    assert card.get_by_role("button", name=re.compile("^För in förslaget")).count() == 0
    # The paragraph as the draft has it now is open on the card, the new wording marked.
    paragraph = card.locator("details.paragraph-now")
    assert paragraph.get_attribute("open") is not None
    assert "Stycket i arbetsutkastet" in paragraph.locator("summary").inner_text()
    assert "länk till licenstexten" in paragraph.locator("ins").all_inner_texts()[-1]
    assert (_count(page, "open"), _count(page, "accepted")) == (open_before - 1, accepted_before + 1)
    message = f"Ändringsförslaget i #{number} finns nu i arbetsutkastet och synpunkten är beaktad."
    page.locator("#triage-status", has_text=message).wait_for(state="attached")
    assert page.locator("#triage-status").get_attribute("aria-live") == "polite"
    # Focus is on this card's response: what the editor writes next.
    assert _focus(page) == {"tag": "TEXTAREA", "name": "response", "card": str(number), "notice": False}
    assert len(loads) == 1, f"applying in place loaded a page: {loads}"
    assert _draft_text(app, uid) == WORDING

    # The response, by keyboard, saved in place too.
    page.keyboard.type("Infört i utkastet, tack.")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
    assert page.evaluate("document.activeElement.textContent").startswith("Spara beslutet")
    page.keyboard.press("Enter")
    page.locator("#triage-status", has_text=f"Beslutet om synpunkt #{number} har sparats.").wait_for(
        state="attached"
    )
    with app.app_context():
        saved = db.session.get(Comment, cid)
        assert (saved.status, saved.response) == (CommentStatus.ACCEPTED, "Infört i utkastet, tack.")
    assert len(loads) == 1, loads
    axe_check(page, "the dashboard after a suggestion applied in place")


def test_a_suggestion_applied_meanwhile_is_said_on_the_card(page, app, suggestions):
    cid, number, uid = suggestions[1]
    sign_in(page, "editor@demo.example", DEMO_PASSWORD)
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    # Without live events (a dropped stream, a blocked proxy): the page stays as it was loaded, and
    # the server's answer says what happened. With them the card refreshes itself (test_live.py).
    page.route(f"**/d/{SLUG}/live*", lambda route: route.abort())
    page.goto(f"/d/{SLUG}/v/2/review?suggestion=1")
    button = page.locator(f"#c-{number}").get_by_role("button", name=re.compile("^För in förslaget"))
    # The other editor applies it while this page is open.
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == SLUG))
        other = db.session.scalar(sa.select(User).where(User.email == "editor2@demo.example"))
        suggestion = db.session.get(Comment, cid)
        revision, merged = suggestion_merge(document.draft, suggestion)
        taken = [c.number for c in merged.takeable]
        apply_suggestion(document.draft, suggestion, other, base_revision=revision.revision, taken=taken)
        db.session.commit()
    text = _draft_text(app, uid)
    button.click()
    notice = page.locator(f"#c-{number} .card-notice--error")
    notice.wait_for()
    said = "Förslaget är redan infört i arbetsutkastet. Ingenting ändrades."
    assert notice.inner_text() == said
    page.locator("#triage-status", has_text=said).wait_for(state="attached")
    assert _focus(page)["notice"] and _focus(page)["card"] == str(number)
    # The card shows what is true now: accepted, applied.
    assert page.locator(f"#c-{number}").get_attribute("data-status") == "accepted"
    assert page.locator(f"#c-{number} .applied-note").count() == 1
    assert _draft_text(app, uid) == text
    assert len(loads) == 1, loads


@pytest.mark.parametrize("width", [1366, 390])
def test_the_cards_after_applying_and_after_a_conflict_fit_the_screen(
    page, app, suggestions, axe_check, width
):
    (_, applied, _), (stale_id, stale, uid), _ = suggestions
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    sign_in(page, "editor@demo.example", DEMO_PASSWORD)
    page.goto(f"/d/{SLUG}/v/2/review?suggestion=1")
    page.locator(f"#c-{applied}").get_by_role("button", name=re.compile("^För in förslaget")).click()
    page.locator(f"#c-{applied}[data-status='accepted']").wait_for()
    _shot(page, f"applied-{width}")
    # Meanwhile another editor rewrites the paragraph of the second suggestion in the draft.
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == SLUG))
        other = db.session.scalar(sa.select(User).where(User.email == "editor2@demo.example"))
        revision = current_revision(document.draft, uid)
        edit_block(
            document.draft,
            uid,
            base_revision=revision.revision,
            kind=revision.kind,
            level=revision.level,
            text="Omskrivet av en annan redaktör.",
            editor=other,
        )
        db.session.commit()
    page.locator(f"#c-{stale}").get_by_role("button", name=re.compile("^För in förslaget")).click()
    notice = page.locator(f"#c-{stale} .card-notice--error")
    notice.wait_for()
    assert (
        "Stycket i utkastet eller förslaget har ändrats sedan du såg förhandsgranskningen"
        in notice.inner_text()
    )
    assert notice.get_by_role("link", name=f"Lös konflikten för #{stale}").is_visible()
    # The card sent back offers the conflict view, not the button that was just refused.
    stale_card = page.locator(f"#c-{stale}")
    assert stale_card.get_by_role("button", name=re.compile("^För in förslaget")).count() == 0
    assert "Utkastet har ändrats på samma ställe som förslaget." in stale_card.inner_text()
    with app.app_context():
        assert db.session.get(Comment, stale_id).status is CommentStatus.OPEN
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    axe_check(page, f"the dashboard after applying and a conflict at {width} px")
    _shot(page, f"conflict-{width}")
    for number, name in ((applied, "applied"), (stale, "conflict")):
        _shot(page.locator(f"#c-{number}"), f"card-{name}-{width}")


def _shot(target, name: str) -> None:
    """What the editor sees (the screen, or one card), kept when REMISS_SCREENSHOTS names a folder."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(Path(SHOTS) / f"{name}.png"))
