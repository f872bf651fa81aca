"""Importing a draft in Chromium: upload → report → confirm by keyboard and mouse, axe-core, and the XSS corpus."""

from __future__ import annotations

import re

import pytest

from app.documents.models import Document
from app.extensions import db
from tests.browser.conftest import sign_in
from tests.browser.xss import assert_inert, payloads
from tests.conftest import PASSWORD
from tests.drafting.conftest import DocxKit
from tests.drafting.test_import_views import UNCERTAIN_NEW, V1, draft_blocks, token_of, upload

pytestmark = pytest.mark.browser
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Characters XML 1.0 (and so python-docx) cannot hold.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@pytest.fixture(autouse=True)
def _imports_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORTS_DIR", str(tmp_path / "imports"))


@pytest.fixture
def docx_kit() -> DocxKit:
    return DocxKit()


@pytest.fixture
def doc(factory, editor):
    return factory.document(slug="vl", title="Öppna licenser", versions=[V1], editor=editor)


def word_draft(docx_kit) -> bytes:
    """V1 with its second paragraph rewritten (an uncertain match), one new list and a picture."""
    import io

    def fill(document):
        for key, kind, level, text in V1:
            if kind == "heading":
                document.add_heading(text, level)
            elif key == "p1":
                document.add_paragraph(UNCERTAIN_NEW)
            else:
                document.add_paragraph(text)
        document.add_paragraph("En ny punkt i en lista", style="List Bullet")
        document.add_picture(io.BytesIO(docx_kit.png()))

    return docx_kit.build(fill)


def test_upload_report_confirm_with_axe(page, app, doc, docx_kit, editor, axe_check):
    sign_in(page, editor.email, PASSWORD)
    page.goto("/d/vl")
    page.get_by_role("link", name="Importera utkastet från Word").click()
    page.wait_for_url("**/d/vl/draft/import")
    axe_check(page, "the upload page")

    # Uploading without a file keeps the editor on the page with a linked error.
    page.get_by_role("button", name="Ladda upp och jämför").click()
    page.locator(".error-summary").wait_for()
    assert "Välj en Word-fil att ladda upp." in page.locator(".error-summary").inner_text()
    axe_check(page, "the upload page with an error")

    page.get_by_label("Word-fil (.docx)").set_input_files(
        {"name": "utkast.docx", "mimeType": DOCX_TYPE, "buffer": word_draft(docx_kit)}
    )
    page.get_by_role("button", name="Ladda upp och jämför").click()
    page.get_by_role("heading", level=1, name="Kontrollera importen").wait_for()
    text = page.locator("main").inner_text()
    assert "Word-filen utkast.docx" in text
    assert "1 nytt stycke" in text and "Bilder" in text
    assert "1 osäker matchning att kontrollera" in text
    page.locator("details.import-preview summary").first.click()  # axe checks the opened preview too
    axe_check(page, "the import report")

    # Choose by keyboard: from "same paragraph" to "different paragraphs" with an arrow key.
    same = page.get_by_label("Samma stycke, ändrat: behåll dess identitet och synpunkter")
    assert same.is_checked()
    same.focus()
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Olika stycken: importera som ett nytt stycke, det gamla tas bort").is_checked()
    page.get_by_role("button", name="Bekräfta och skriv utkastet").click()
    page.wait_for_url("**/d/vl/draft")
    assert "Utkastet importerades" in page.locator(".flashes").inner_text()
    uids = [uid for uid, *_ in draft_blocks(app, doc.id)]
    assert doc.block_uids["p1"] not in uids  # split off as the editor chose
    assert all(doc.block_uids[key] in uids for key in ("h1", "p2", "h2", "p3", "p4"))


def test_cancel_and_the_other_forms_pass_axe(page, app, doc, docx_kit, editor, axe_check):
    sign_in(page, editor.email, PASSWORD)
    page.goto("/d/vl/draft/paste")
    axe_check(page, "the paste page")
    page.get_by_label("Text", exact=True).fill("# Inledning\n\nEtt inklistrat stycke.")
    page.get_by_role("button", name="Jämför").click()
    page.get_by_role("heading", level=1, name="Kontrollera importen").wait_for()
    axe_check(page, "the report of a paste")
    page.get_by_role("button", name="Avbryt importen").click()
    page.wait_for_url("**/d/vl")
    assert "Importen avbröts. Inget ändrades." in page.locator(".flashes").inner_text()
    with app.app_context():
        assert db.session.get(Document, doc.id).draft is None

    page.goto("/")
    page.get_by_role("link", name="Nytt dokument från en Word-fil").click()
    page.wait_for_url("**/documents/new/import")
    axe_check(page, "the new-document page")
    page.get_by_role("button", name="Ladda upp och kontrollera").click()
    page.locator(".error-summary").wait_for()
    axe_check(page, "the new-document page with errors")


def _payloads() -> list[str]:
    # Word files cannot hold XML's forbidden control characters.
    return [_NOT_XML.sub("", line) for line in payloads() if _NOT_XML.sub("", line).strip()]


def _inert(page, path: str) -> None:
    assert_inert(page, path, open_details=True)


def test_xss_corpus_in_word_paragraphs_and_pastes_renders_inert(page, app, doc, docx_kit, editor, client):
    payloads = _payloads()

    def fill(document):
        rid = docx_kit.link(document, "javascript:alert(document.domain)")
        for payload in payloads:
            document.add_paragraph(payload)
            document.add_heading(payload[:200], 2)
        docx_kit.append(
            document,
            f'<w:p><w:hyperlink r:id="{rid}"><w:r><w:t>klicka</w:t></w:r></w:hyperlink></w:p>',
        )

    client.login(editor.email)
    sign_in(page, editor.email, PASSWORD)
    word = token_of(upload(client, "/d/vl/draft/import", docx_kit.build(fill)))
    _inert(page, f"/imports/{word}")
    assert client.post(f"/imports/{word}/confirm").status_code == 302
    _inert(page, "/d/vl/draft")
    _inert(page, "/d/vl/v/2")

    pasted = token_of(client.post("/d/vl/draft/paste", {"text": "\n\n".join(payloads)}))
    _inert(page, f"/imports/{pasted}")
    assert client.post(f"/imports/{pasted}/confirm").status_code == 302
    _inert(page, "/d/vl/draft")
    texts = [text for *_rest, text in draft_blocks(app, doc.id)]
    assert not any('href="javascript' in text.lower() for text in texts)


def test_xss_corpus_as_new_document_titles_renders_inert(page, app, docx_kit, editor, client):
    """Every payload becomes the title of a new document; the list, the reports and the drafts stay inert."""
    payloads = _payloads()
    data = docx_kit.build(lambda document: document.add_paragraph("Ett stycke."))
    client.login(editor.email)
    tokens = []
    for i, payload in enumerate(payloads):
        response = upload(
            client,
            "/documents/new/import",
            data,
            title=payload[:300],
            slug=f"xss-{i}",
            licence="CC-BY-4.0",
            visibility="public",
        )
        tokens.append(token_of(response))
    sign_in(page, editor.email, PASSWORD)
    for token in tokens[::20]:
        _inert(page, f"/imports/{token}")
    for token in tokens:
        assert client.post(f"/imports/{token}/confirm").status_code == 302
    _inert(page, "/")
    for i in range(0, len(payloads), 20):
        _inert(page, f"/d/xss-{i}/draft")
        _inert(page, f"/d/xss-{i}/v/1")
