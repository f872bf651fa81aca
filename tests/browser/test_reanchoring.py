"""Quotes after an edit, in Chromium at 1366 and 390 px, with axe: the reading page marks the
quoted words where they now stand, and a quote whose words are gone is shown as "the quoted words
have changed" with the original; the decision page and the dashboard's cards mark it in the
redline or say the same.

Set REMISS_SCREENSHOTS=<folder> to keep screenshots.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.accounts.models import Role, User
from app.documents.models import Document
from app.drafting.operations import current_revision, edit_block, publish_draft, start_draft
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.test_layout import LAYOUT_PROBLEMS
from tests.conftest import PASSWORD, add_comment
from tests.review.test_reanchoring import LICENCE, LICENCE_EDITED, RIGHTS, RIGHTS_EDITED, SAME

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("REMISS_SCREENSHOTS")
SIZES = ((1366, 900), (390, 844))
CHANGED = "De citerade orden har ändrats; synpunkten gäller hela stycket."


@pytest.fixture
def published(app, factory):
    """Version 1 with three quoted comments; version 2, published by the editor, edits two paragraphs."""
    document = factory.document(
        slug="ra",
        versions=[
            [
                ("h", "heading", 1, "Licenser"),
                ("lic", "paragraph", 1, LICENCE),
                ("rights", "paragraph", 1, RIGHTS),
                ("same", "paragraph", 1, SAME),
            ]
        ],
    )
    editor = factory.user(email="erik@prv.example", name="Erik Redaktör", roles=(Role.EDITOR, Role.MEMBER))
    maja = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    with app.app_context():
        ids = {
            "lic": add_comment(
                document, "lic", maja, body="Vilken licens?", quote="ska tydligt ange vilken licens"
            ),
            "rights": add_comment(
                document, "rights", maja, body="Vem utreder?", quote="Tredje parts rättigheter"
            ),
        }
        row = db.session.get(Document, document.id)
        editor_row = db.session.get(User, editor.id)
        draft = start_draft(row, editor_row)
        for key, text in (("lic", LICENCE_EDITED), ("rights", RIGHTS_EDITED)):
            uid = document.block_uids[key]
            revision = current_revision(draft, uid)
            edit_block(
                draft,
                uid,
                base_revision=revision.revision,
                kind=revision.kind,
                level=revision.level,
                text=text,
                editor=editor_row,
            )
        publish_draft(draft, summary="Ändrat.", label="Utkast 2", editor=editor_row)
        db.session.commit()
    return document, ids, editor


def _shot(page, target, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def test_the_reading_page_marks_the_moved_words_and_says_when_they_are_gone(page, published, axe_check):
    document, _ids, _editor = published
    uids = document.block_uids
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/d/ra")
        mark = page.locator(f"#b-{uids['lic']} .block-body mark")
        assert mark.count() == 1 and mark.inner_text() == "bör tydligt ange vilken licens"
        assert mark.is_visible()
        assert page.locator(f"#b-{uids['rights']} .block-body mark").count() == 0
        thread = page.locator("#c-2")
        assert thread.locator(".comment-quote").inner_text().endswith("Tredje parts rättigheter")
        hint = thread.get_by_text(CHANGED)
        assert hint.is_visible()
        assert page.locator("#c-1").get_by_text(CHANGED).count() == 0
        assert page.evaluate(LAYOUT_PROBLEMS) == []
        axe_check(page, f"reading page at {width} px")
        _shot(page, page.locator(f"#b-{uids['lic']}"), f"reading-moved-{width}")
        _shot(page, page.locator(f"#b-{uids['rights']}"), f"reading-changed-{width}")


def test_the_decision_page_marks_the_words_in_the_redline_or_says_they_changed(page, published, axe_check):
    _document, ids, editor = published
    sign_in(page, editor.email, PASSWORD)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/d/ra/review/c/{ids['lic']}?v=2")
        paragraph = page.locator(".paragraph-now .paragraph-text")
        assert paragraph.is_visible()  # open on the decision page
        assert [m.inner_text() for m in paragraph.locator("mark").all()] == [
            "bör",
            " tydligt ange vilken licens",
        ]
        assert page.locator(".quote-lost").count() == 0
        assert page.evaluate(LAYOUT_PROBLEMS) == []
        axe_check(page, f"decision page at {width} px")
        _shot(page, page.locator(".paragraph-now"), f"decision-moved-{width}")
        page.goto(f"/d/ra/review/c/{ids['rights']}?v=2")
        assert page.locator(".paragraph-now .paragraph-text mark").count() == 0
        assert page.locator(".quote-lost").inner_text() == CHANGED
        axe_check(page, f"decision page (quote lost) at {width} px")
        _shot(page, page.locator("main"), f"decision-changed-{width}")
        page.goto("/d/ra/v/2/review")
        cards = page.locator(".triage-card")
        assert cards.count() == 2 and page.locator(".triage-card .quote-lost").count() == 1
        assert page.evaluate(LAYOUT_PROBLEMS) == []
        axe_check(page, f"dashboard at {width} px")
