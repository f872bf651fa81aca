"""Applying a suggestion by merging it, in Chromium, by keyboard alone (issue 22, point 4).

An editor takes one change of a suggestion and leaves the other after another editor changed a
different sentence of the same paragraph: the draft holds exactly the expected text. An
overlapping change opens the conflict view, which changes nothing until the editor chooses.
axe on the preview and on the conflict view, at 1366 and 390 px. Screenshots go to
REMISS_SCREENSHOTS (a folder) when it is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.documents.models import BlockKind, BlockRevision, Document
from app.drafting.operations import current_revision, edit_block
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentStatus
from tests.browser.conftest import sign_in, tab_to
from tests.browser.test_layout import LAYOUT_PROBLEMS
from tests.conftest import PASSWORD, add_comment

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("REMISS_SCREENSHOTS")
BASE = (
    "Allt publicerat material ska tydligt ange vilken licens det har. "
    "Licensen gäller även bilder och kartor. "
    "Myndigheten ansvarar för att ange upphovspersonen."
)
PROPOSAL = (
    "Allt publicerat material bör tydligt ange vilken licens det har. "
    "Licensen gäller även bilder och kartor. "
    "Myndigheten ansvarar för att namnge upphovspersonen."
)
SIZES = {1366: 900, 390: 844}


@pytest.fixture
def setting(app, factory):
    """A paragraph with a member's suggestion (two changes), a working draft, two editors."""
    editor = factory.user(
        email="erik@prv.example", name="Erik Redaktör", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV"
    )
    factory.user(email="dina@digg.example", name="Dina Redaktör", roles=(Role.EDITOR,), organisation="DIGG")
    member = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    doc = factory.document(
        slug="licenser",
        title="Öppna licenser",
        editor=editor,
        versions=[[("h", "heading", 1, "Licenser"), ("p", "paragraph", 1, BASE)]],
    )
    with app.app_context():
        cid = add_comment(
            doc, "p", member, body="Tydligare ord.", kind=CommentKind.SUGGESTION, suggestion=PROPOSAL
        )
        number = db.session.get(Comment, cid).number
        from app.drafting.operations import start_draft

        start_draft(db.session.get(Document, doc.id), db.session.get(User, editor.id))
        db.session.commit()
    return editor, doc, cid, number


def other_editor_writes(app, text: str) -> None:
    """The second editor saves the paragraph in the draft, as the draft editor does."""
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == "licenser"))
        dina = db.session.scalar(sa.select(User).where(User.email == "dina@digg.example"))
        uid = draft_uid(document)
        revision = current_revision(document.draft, uid)
        edit_block(
            document.draft,
            uid,
            base_revision=revision.revision,
            kind=revision.kind,
            level=revision.level,
            text=text,
            editor=dina,
        )
        db.session.commit()


def draft_uid(document) -> str:
    revision = db.session.scalar(
        sa.select(BlockRevision).where(
            BlockRevision.version_id == document.draft.id, BlockRevision.kind == BlockKind.PARAGRAPH
        )
    )
    return revision.block.uid


def draft_text(app) -> str:
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == "licenser"))
        return current_revision(document.draft, draft_uid(document)).text


def status(app, cid) -> CommentStatus:
    with app.app_context():
        return db.session.get(Comment, cid).status


def focused(page, locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_editor_takes_one_change_and_leaves_the_other_after_another_editor_changed_a_sentence(
    page, app, setting, axe_check, width
):
    editor, _doc, cid, number = setting
    page.set_viewport_size({"width": width, "height": SIZES[width]})
    # Another editor rewrites the second sentence of the paragraph in the draft.
    others = BASE.replace("Licensen gäller även bilder och kartor.", "Licensen gäller också filmer.")
    other_editor_writes(app, others)
    sign_in(page, editor.email, PASSWORD)
    page.goto("/d/licenser/v/1/review?suggestion=1")
    card = page.locator(f"#c-{number}")
    # The card shows the paragraph as it would read (the other editor's sentence in it) ...
    preview = card.locator(".apply-preview .paragraph-text")
    assert "Licensen gäller också filmer." in preview.inner_text()
    assert preview.locator("ins").all_inner_texts() == ["bör", "namnge"]
    shot(card, f"card-preview-{width}")
    # ... and, by keyboard, the way to choose the changes.
    choose = card.get_by_role("link", name=f"Välj ändringar i #{number}")
    tab_to(page, choose, limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name=f"För in förslaget i #{number}").wait_for()
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    axe_check(page, f"the apply preview at {width} px")
    shot(page, f"preview-{width}")

    # Leave change 2 (Space on its box): the preview follows at once, with no page load.
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    second = page.get_by_role("checkbox", name="Ta med ändring 2: Byt ”ange” mot ”namnge”")
    tab_to(page, second)
    page.keyboard.press("Space")
    assert not second.is_checked()
    shown = page.locator("#merge-preview")
    assert shown.locator("ins:visible").all_inner_texts() == ["bör"]
    assert shown.inner_text().endswith("Myndigheten ansvarar för att ange upphovspersonen.")
    assert page.get_by_role("button", name="Uppdatera förhandsgranskningen").count() == 0  # live instead
    assert loads == []
    shot(page, f"preview-one-left-{width}")

    # Partly accepted: the reason, then apply, all by keyboard.
    response = page.get_by_label("Svar till den som lämnade synpunkten")
    tab_to(page, response)
    page.keyboard.type("Vi tar första ändringen; upphovspersonen anges redan.")
    apply = page.get_by_role("button", name="För in i utkastet")
    tab_to(page, apply)
    assert draft_text(app) == others  # nothing written yet
    with page.expect_navigation():
        page.keyboard.press("Enter")
    flash = page.locator(".flashes")
    assert "1 av de 2 ändringar som föreslogs" in flash.inner_text()
    assert draft_text(app) == (
        "Allt publicerat material bör tydligt ange vilken licens det har. "
        "Licensen gäller också filmer. "
        "Myndigheten ansvarar för att ange upphovspersonen."
    )
    assert status(app, cid) is CommentStatus.PARTLY_ACCEPTED
    axe_check(page, f"the decision page after a partly applied suggestion at {width} px")
    shot(page, f"after-{width}")


@pytest.mark.parametrize("width", [1366, 390])
def test_an_overlapping_change_opens_the_conflict_view_and_changes_nothing_until_the_editor_chooses(
    page, app, setting, axe_check, width
):
    editor, _doc, cid, number = setting
    page.set_viewport_size({"width": width, "height": SIZES[width]})
    sign_in(page, editor.email, PASSWORD)
    page.goto("/d/licenser/v/1/review?suggestion=1")
    card = page.locator(f"#c-{number}")
    assert card.get_by_role("button", name=f"För in förslaget i #{number} i utkastet").is_visible()
    # Meanwhile the other editor changes the very word the suggestion changes.
    mine = BASE.replace("ska tydligt", "måste tydligt")
    other_editor_writes(app, mine)
    # The card's button was shown for the old paragraph: pressing it applies nothing and the card
    # comes back with the way to the conflict view.
    button = card.get_by_role("button", name=f"För in förslaget i #{number} i utkastet")
    tab_to(page, button, limit=200)
    page.keyboard.press("Enter")
    notice = page.locator(f"#c-{number} .card-notice--error")
    notice.wait_for()
    assert "har ändrats sedan du såg förhandsgranskningen" in notice.inner_text()
    assert draft_text(app) == mine and status(app, cid) is CommentStatus.OPEN
    assert (
        page.locator(f"#c-{number}")
        .get_by_role("button", name=f"För in förslaget i #{number} i utkastet")
        .count()
        == 0
    )
    shot(page.locator(f"#c-{number}"), f"card-conflict-{width}")
    resolve = notice.get_by_role("link", name=f"Lös konflikten för #{number}")
    tab_to(page, resolve, limit=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.get_by_role("heading", level=1, name=f"Lös konflikten: förslaget i #{number}").wait_for()
    texts = page.locator(".merge-texts")
    assert "Allt publicerat material ska tydligt" in texts.locator(".paragraph-text").first.inner_text()
    assert texts.locator("ins").all_inner_texts() == ["bör", "namnge", "måste"]
    assert page.locator(".merge-open-label").inner_text() == "[konflikt 1: inte vald än]"
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    axe_check(page, f"the conflict view at {width} px")
    shot(page, f"conflict-{width}")

    # Applying without a choice: refused, nothing written.
    apply = page.get_by_role("button", name="För in i utkastet")
    tab_to(page, apply, limit=100)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("#apply-notice").wait_for()
    assert (
        "Välj utkastets text eller förslagets för varje konflikt"
        in page.locator("#apply-notice").inner_text()
    )
    assert draft_text(app) == mine and status(app, cid) is CommentStatus.OPEN
    axe_check(page, f"the conflict view, refused, at {width} px")
    shot(page, f"conflict-refused-{width}")

    # The suggestion's text, by keyboard: the preview shows it before anything is written.
    choice = page.get_by_role("radio", name="Ta förslagets text: Allt publicerat material bör")
    tab_to(
        page,
        page.get_by_role("radio", name="Behåll utkastets text: Allt publicerat material måste"),
        limit=100,
    )
    page.keyboard.press("ArrowDown")
    assert choice.is_checked()
    preview = page.locator("#merge-preview")
    assert preview.locator("del:visible").all_inner_texts()[:1] == ["måste"]
    assert preview.locator("ins:visible").all_inner_texts() == ["bör", "namnge"]
    assert draft_text(app) == mine
    tab_to(page, apply, limit=100)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator(".flashes").wait_for()
    assert draft_text(app) == PROPOSAL
    assert status(app, cid) is CommentStatus.ACCEPTED


def shot(target, name: str) -> None:
    """Keep what the editor sees when REMISS_SCREENSHOTS names a folder."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        path = str(Path(SHOTS) / f"merge-{name}.png")
        if hasattr(target, "goto"):
            target.screenshot(path=path, full_page=True)
        else:
            target.screenshot(path=path)
