"""Comments from Word in Chromium: keyboard-only upload → preview → confirm, axe-core on both pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.review.models import Comment
from tests.browser.conftest import sign_in, tab_to
from tests.conftest import PASSWORD
from tests.wordcomments.conftest import doc, member, pack, web_comment  # noqa: F401  (fixtures)
from tests.wordcomments.wordfiles import UNCERTAIN_COPY, Reviewer, plain_copy, to_bytes

pytestmark = pytest.mark.browser
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Set REMISS_SCREENSHOTS=<folder> to keep screenshots of the preview at 1366 and 390 px.
SHOTS = os.environ.get("REMISS_SCREENSHOTS")


@pytest.fixture(autouse=True)
def _imports_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORTS_DIR", str(tmp_path / "imports"))


def reviewed(data: bytes) -> bytes:
    r = Reviewer(data)
    question = r.comment("Varför väldigt?", on="väldigt")
    r.reply(question, "Håller med.", author="Bertil Berg")
    r.insert(" gärna", after="Välj en licens")
    r.comment("", on="upphovsrätt")
    return r.save()


def uncertain_copy() -> bytes:
    r = Reviewer(to_bytes(plain_copy(UNCERTAIN_COPY)))
    r.comment("Stämmer det?", on="en hel del")
    return r.save()


def _upload_by_keyboard(page, data: bytes, name: str) -> None:
    page.goto("/d/oppna-licenser/v/2")
    link = page.get_by_role("link", name="Skicka synpunkter från Word")
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    file_input = page.get_by_label("Word-fil (.docx)")
    tab_to(page, file_input)
    # A file chooser cannot be driven by keys in a headless browser: hand it the file once focused.
    file_input.set_input_files({"name": name, "mimeType": DOCX_TYPE, "buffer": data})
    tab_to(page, page.get_by_role("button", name="Läs filen"))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_keyboard_upload_preview_confirm_with_axe(page, app, doc, pack, member, axe_check):  # noqa: F811
    sign_in(page, member.email, PASSWORD)
    page.goto("/d/oppna-licenser/v/2/word-comments")
    axe_check(page, "the upload page")
    _upload_by_keyboard(page, reviewed(pack), "granskning.docx")
    page.wait_for_url("**/word-comments/*")
    assert "Varför väldigt?" in page.content()
    assert "En Word-kommentar utan text" in page.content()
    axe_check(page, "the preview")
    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(folder / f"preview-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})
    tab_to(page, page.get_by_role("button", name="Bekräfta och spara synpunkterna"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "3 synpunkter från Word-filen sparades." in page.content()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1 + 3


def test_uncertain_match_is_confirmed_with_the_space_bar(page, app, doc, member, axe_check):  # noqa: F811
    sign_in(page, member.email, PASSWORD)
    _upload_by_keyboard(page, uncertain_copy(), "kopia.docx")
    page.wait_for_url("**/word-comments/*")
    box = page.get_by_label("Ja, det är samma stycke: spara den här synpunkten")
    axe_check(page, "the preview with an uncertain match")
    if SHOTS:
        page.set_viewport_size({"width": 390, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / "preview-uncertain-390.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})
    tab_to(page, box)
    page.keyboard.press("Space")
    assert box.is_checked()
    tab_to(page, page.get_by_role("button", name="Bekräfta och spara synpunkterna"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with app.app_context():
        bodies = [c.body for c in db.session.scalars(sa.select(Comment))]
        assert any(b.startswith("Stämmer det?") for b in bodies)


def test_xss_corpus_in_word_comments_stays_inert(page, app, doc, member):  # noqa: F811
    """Every line of the corpus as a Word comment (and some as Word author names): inert in preview and page."""
    import re

    from tests.browser.xss import assert_inert, payloads

    not_xml = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    r = Reviewer(to_bytes(plain_copy(["Inledning", "Välj en licens som passar materialet och mottagarna."])))
    for i, payload in enumerate(payloads()):
        text = not_xml.sub("", payload)
        author = text[:60] if i % 10 == 0 else "Anna Andersson"
        r.comment(f"Synpunkt {i}: {text}", on="mottagarna", author=author or "Anna")
    sign_in(page, member.email, PASSWORD)
    _upload_by_keyboard(page, r.save(), "<img src=x onerror=alert(1)>.docx")
    page.wait_for_url("**/word-comments/*")
    preview = page.url
    assert_inert(page, preview)
    page.goto(preview)
    with page.expect_navigation():
        page.get_by_role("button", name="Bekräfta och spara synpunkterna").click()
    assert "synpunkter från Word-filen sparades" in page.content()
    assert_inert(page, "/d/oppna-licenser/v/2")


def test_editor_sends_a_mailed_file_for_an_organisation(page, app, doc, pack, editor, factory, axe_check):  # noqa: F811
    factory.organisation("Kommun B")
    sign_in(page, editor.email, PASSWORD)
    page.goto("/d/oppna-licenser/v/2/word-comments")
    page.get_by_label("Synpunkter från").select_option(label="Kommun B")
    page.get_by_role("button", name="Läs filen").click()
    page.locator(".error-summary").wait_for()
    axe_check(page, "the upload page with errors, as an editor")
    if SHOTS:
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"upload-editor-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("Word-fil (.docx)").set_input_files(
        {"name": "kommun.docx", "mimeType": DOCX_TYPE, "buffer": reviewed(pack)}
    )
    page.get_by_label("Synpunkter från").select_option(label="Kommun B")
    page.get_by_label("Avsändare (vem som skickade filen)").fill("Registrator, Kommun B")
    with page.expect_navigation():
        page.get_by_role("button", name="Läs filen").click()
    assert "Synpunkterna skickas in av Eva Redaktör för Kommun B" in page.content()
    axe_check(page, "the preview for another organisation")
    with page.expect_navigation():
        page.get_by_role("button", name="Bekräfta och spara synpunkterna").click()
    with app.app_context():
        organisations = {
            c.organisation.name for c in db.session.scalars(sa.select(Comment).where(Comment.number > 1))
        }
        assert organisations == {"Kommun B"}


@pytest.mark.parametrize("width", [1366, 390])
def test_after_confirming_the_focus_is_on_the_first_new_comment(
    page,
    app,
    doc,  # noqa: F811
    pack,  # noqa: F811
    member,  # noqa: F811
    axe_check,
    width,
):
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    sign_in(page, member.email, PASSWORD)
    _upload_by_keyboard(page, reviewed(pack), "granskning.docx")
    page.wait_for_url("**/word-comments/*")
    # Placed by the pack's markers, every match certain: nothing to check.
    assert "osäkra" not in page.content()
    tab_to(page, page.get_by_role("button", name="Bekräfta och spara synpunkterna"), limit=120)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    with app.app_context():
        newest = max(
            db.session.scalars(sa.select(Comment).where(Comment.author_id == member.id)),
            key=lambda c: (c.created_at, c.id),
        )
        number = newest.number
    assert page.url.endswith(f"/d/oppna-licenser/mine#c-{number}")
    target = page.locator(f"#c-{number}")
    page.wait_for_function(f"document.activeElement && document.activeElement.id === 'c-{number}'")
    assert target.evaluate("el => el.matches(':target')")
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < (900 if width > 500 else 844)
    assert page.get_by_text("3 synpunkter från Word-filen sparades.").is_visible()
    axe_check(page, f"my comments after a Word upload at {width} px")
    folder = Path(SHOTS or "/tmp/shots/i23-responses")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"word-landing-{width}.png"))
    # Tab from there goes on into the new comment's own links.
    page.keyboard.press("Tab")
    assert page.evaluate(f"document.activeElement.closest('#c-{number}') !== null")
