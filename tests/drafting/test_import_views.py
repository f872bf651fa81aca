"""Importing a draft over HTTP: upload, paste, a new document, the report, confirm and cancel, bad files."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit import AuditEvent
from app.documents.models import Block, BlockRevision, Document, Version, VersionState
from app.docx.reading import REJECTION_CODES
from app.drafting.docx_reader import REPORT_CODES
from app.drafting.import_forms import REJECTIONS, REPORT_LABELS
from app.extensions import db
from app.review.models import Comment
from tests.conftest import add_comment, zip_of

MB = 1024 * 1024
V1 = [
    ("h1", "heading", 1, "Inledning"),
    ("p1", "paragraph", 1, "Myndigheter skapar mycket material som andra kan använda."),
    ("p2", "paragraph", 1, "Licensen ska vara enkel att förstå för den som vill återanvända."),
    ("h2", "heading", 2, "Licenser"),
    ("p3", "paragraph", 1, "Välj CC BY 4.0 för texter och CC0 för data och metadata."),
    ("p4", "paragraph", 1, "Det sista stycket handlar om hur licensen märks ut i dokumentet."),
]
UNCERTAIN_OLD = "Myndigheter skapar mycket material som andra kan använda."
UNCERTAIN_NEW = "Myndigheter skapar material, som andra organisationer kan använda fritt och utan kostnad."


@pytest.fixture(autouse=True)
def _imports_dir(app, tmp_path, monkeypatch):
    """Pending imports go to a folder of this test's own."""
    monkeypatch.setitem(app.config, "IMPORTS_DIR", str(tmp_path / "imports"))
    return tmp_path / "imports"


@pytest.fixture
def editor_language():
    """The editor reads in English: the messages below are asserted in English."""
    return "en"


@pytest.fixture
def doc(factory, editor):
    return factory.document(slug="vl", title="Öppna licenser", versions=[V1], editor=editor)


@pytest.fixture
def as_editor(client, editor):
    assert client.login(editor.email).status_code == 302
    return client


def pending_rows(app) -> list[str]:
    """The tokens of the imports waiting in the database (any app server sees them)."""
    from app.drafting.models import StoredImport

    with app.app_context():
        return sorted(db.session.scalars(sa.select(StoredImport.token)))


def snapshot(app) -> dict[str, int]:
    """Row counts of everything an import could write."""
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Document, Version, Block, BlockRevision, AuditEvent)
        }


def upload(client, url: str, data: bytes, name: str = "utkast.docx", **fields):
    return client.post(url, {"file": (io.BytesIO(data), name), **fields}, content_type="multipart/form-data")


def token_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.search(r"/imports/([A-Za-z0-9_-]+)$", response.location)
    assert match, response.location
    return match.group(1)


def flashes(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return " ".join(re.findall(r'<p class="flash[^"]*">(.*?)</p>', html, re.S))


def draft_blocks(app, document_id: int) -> list[tuple[str, str, int, str]]:
    with app.app_context():
        draft = db.session.get(Document, document_id).draft
        assert draft is not None
        rows = db.session.execute(
            sa.select(Block.uid, BlockRevision.kind, BlockRevision.level, BlockRevision.text)
            .join(Block)
            .where(BlockRevision.version_id == draft.id)
            .order_by(BlockRevision.position)
        ).all()
        return [(uid, kind.value, level, text) for uid, kind, level, text in rows]


# --------------------------------------------------------------------------- fixtures: files


def every_feature(docx_kit) -> bytes:
    """A Word draft with every feature the import reads, plus things it cannot import."""
    from tests.drafting.test_docx_reader import para, run

    def fill(document):
        document.add_heading("Inledning", 1)
        document.add_paragraph(V1[1][3])
        paragraph = document.add_paragraph("Licensen ska vara ")
        paragraph.add_run("enkel").bold = True
        paragraph.add_run(" att förstå för den som vill ")
        paragraph.add_run("återanvända").italic = True
        paragraph.add_run(".")
        document.add_heading("Licenser", 2)
        document.add_paragraph(V1[4][3])
        document.add_paragraph("Den första punkten", style="List Bullet")
        document.add_paragraph("En djupare punkt", style="List Bullet 2")
        document.add_paragraph("Ett numrerat steg", style="List Number")
        document.add_paragraph("Offentliga data ska vara fria.", style="Quote")
        table = document.add_table(rows=2, cols=2)
        for r, row in enumerate([["Licens", "Användning"], ["CC0", "Data"]]):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        document.add_heading("Fyra nivåer ner", 4)
        document.add_paragraph(V1[5][3])
        document.add_picture(io.BytesIO(docx_kit.png()))
        rid = docx_kit.link(document, "https://www.digg.se/")
        docx_kit.append(
            document,
            para(
                run("Läs mer hos ")
                + f'<w:hyperlink r:id="{rid}">{run("DIGG")}</w:hyperlink>'
                + '<w:ins w:id="1" w:author="A" w:date="2020-01-01T00:00:00Z">'
                + run(" Inlagd text.")
                + "</w:ins>"
                + '<w:del w:id="2" w:author="A" w:date="2020-01-01T00:00:00Z"><w:r><w:delText>Struken</w:delText></w:r></w:del>'
                + '<w:r><w:footnoteReference w:id="1"/></w:r>'
            ),
        )
        docx_kit.footnotes(document, {1: "En fotnot."})
        docx_kit.append(
            document,
            para(
                run("Före rutan ")
                + "<w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>I en textruta</w:t></w:r>"
                "</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
            ),
        )
        docx_kit.append(
            document,
            "<w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>I en innehållskontroll.</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>",
        )

    return docx_kit.build(fill)


def bad_files(docx_kit) -> dict[str, bytes]:
    """One hostile or broken upload per kind of refusal (id → bytes)."""
    good = docx_kit.build(lambda document: document.add_paragraph("Text."))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>'
    )
    xxe = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    return {
        "not_zip": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
        "not_docx": zip_of({"hej.txt": b"inte ett dokument"}),
        "encrypted": ole + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le"),
        "legacy_doc": ole + "WordDocument".encode("utf-16-le") + b"\x00" * 512,
        "macro": docx_kit.rewrite(
            good,
            replace={
                "[Content_Types].xml": lambda xml: xml.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            },
        ),
        "truncated": good[: len(good) // 2],
        "zip_bomb": docx_kit.zip_bomb(100),
        "xxe": docx_kit.rewrite(good, replace={"word/document.xml": xxe}),
        "billion_laughs": docx_kit.rewrite(good, replace={"word/styles.xml": laughs}),
        "empty": docx_kit.build(lambda document: document.add_paragraph("   ")),
        "empty_file": b"",
    }


# --------------------------------------------------------------------------- bad uploads


EXPECTED_CODE = {"xxe": "doctype", "billion_laughs": "doctype", "empty_file": "empty"}


@pytest.mark.parametrize(
    "kind",
    [
        "not_zip",
        "not_docx",
        "encrypted",
        "legacy_doc",
        "macro",
        "truncated",
        "zip_bomb",
        "xxe",
        "billion_laughs",
        "empty",
        "empty_file",
    ],
)
def test_every_bad_upload_gives_a_clear_message_and_writes_nothing(
    app, as_editor, doc, docx_kit, _imports_dir, kind
):
    data = bad_files(docx_kit)[kind]
    before = snapshot(app)
    response = upload(as_editor, "/d/vl/draft/import", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:500]
    code = EXPECTED_CODE.get(kind, kind)
    assert str(REJECTIONS[code]).replace("'", "&#39;").replace('"', "&#34;") in html
    assert 'class="error-summary"' in html
    assert snapshot(app) == before
    assert pending_rows(app) == []


def test_the_same_refusals_for_a_new_document(app, as_editor, docx_kit, _imports_dir):
    before = snapshot(app)
    for kind, data in bad_files(docx_kit).items():
        response = upload(
            as_editor,
            "/documents/new/import",
            data,
            title="Nytt",
            slug="nytt",
            licence="CC-BY-4.0",
            visibility="network",
        )
        assert response.status_code == 400, kind
    assert snapshot(app) == before
    assert pending_rows(app) == []


def test_a_file_over_20_mb_gets_a_413_page_in_the_users_language(app, as_editor, doc, _imports_dir):
    before = snapshot(app)
    data = b"PK\x03\x04" + b"\x00" * (20 * MB)
    response = upload(as_editor, "/d/vl/draft/import", data)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "The file is too large: at most 20 MB can be uploaded. Nothing was saved." in html
    assert "<html" in html and "Remiss" in html
    assert snapshot(app) == before
    assert pending_rows(app) == []


def test_the_413_page_is_swedish_for_a_swedish_user(app, make_client, factory, doc):
    user = factory.user(email="sven@example.org", roles=(Role.EDITOR,), language="sv")
    client = make_client()
    client.login(user.email)
    response = upload(client, "/d/vl/draft/import", b"PK\x03\x04" + b"\x00" * (20 * MB + 10))
    assert response.status_code == 413
    assert "Filen är för stor" in response.get_data(as_text=True)


def test_no_file_at_all_asks_for_one(app, as_editor, doc):
    response = as_editor.post("/d/vl/draft/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a Word file to upload." in response.get_data(as_text=True)


def test_every_code_has_a_message_and_a_label():
    assert set(REJECTIONS) == set(REJECTION_CODES)
    assert set(REPORT_LABELS) == set(REPORT_CODES)


# --------------------------------------------------------------------------- the happy path


def test_upload_report_confirm_keeps_uids_and_comments(app, as_editor, doc, docx_kit, editor, _imports_dir):
    with app.app_context():
        comment_id = add_comment(doc, "p2", editor, body="Förklara licensen.")
    before = snapshot(app)
    response = upload(as_editor, "/d/vl/draft/import", every_feature(docx_kit))
    token = token_of(response)
    assert snapshot(app) == before  # uploading writes nothing to the database
    assert len(pending_rows(app)) == 1

    report = as_editor.get(f"/imports/{token}")
    html = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "utkast.docx" in html
    assert "compared with version Utkast 1" in html
    for text in (
        "paragraphs unchanged",
        "paragraph edited",
        "new paragraphs",
        "Pictures",
        "Footnotes (the notes were not imported)",
        "En fotnot.",
        "Text boxes (their text was not imported)",
        "I en textruta",
        "Headings deeper than level 3, imported as level 3",
    ):
        assert text in html, text
    assert "already has a working draft" not in html

    response = as_editor.post(f"/imports/{token}/confirm")
    assert response.status_code == 302
    assert response.location.endswith("/d/vl/draft")
    assert "The draft was imported" in flashes(as_editor)
    blocks = draft_blocks(app, doc.id)
    by_uid = {uid: (kind, level, text) for uid, kind, level, text in blocks}
    for key in ("h1", "p1", "p2", "h2", "p3", "p4"):
        assert doc.block_uids[key] in by_uid, key
    assert by_uid[doc.block_uids["p2"]][2] == (
        "Licensen ska vara <strong>enkel</strong> att förstå för den som vill <em>återanvända</em>."
    )
    kinds = [(kind, level) for _uid, kind, level, _text in blocks]
    assert ("bullet", 2) in kinds and ("number", 1) in kinds and ("quote", 1) in kinds
    assert ("table", 1) in kinds and ("heading", 3) in kinds
    texts = [text for *_rest, text in blocks]
    assert 'Läs mer hos <a href="https://www.digg.se/">DIGG</a> Inlagd text.' in texts
    assert "I en innehållskontroll." in texts
    assert not any("Struken" in t or "I en textruta" in t for t in texts)
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert comment.block.uid == doc.block_uids["p2"]  # the comment follows its paragraph
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "draft.replace"))
        assert event.data["source"] == "docx"
    assert pending_rows(app) == []

    # Confirming again (a second tab, the back button) changes nothing and says why.
    again = as_editor.post(f"/imports/{token}/confirm")
    assert again.status_code == 302
    assert "no longer waiting" in flashes(as_editor)
    assert draft_blocks(app, doc.id) == blocks


def uncertain_docx(docx_kit) -> bytes:
    def fill(document):
        document.add_heading("Inledning", 1)
        document.add_paragraph(UNCERTAIN_NEW)
        for _key, kind, level, text in V1[2:]:
            if kind == "heading":
                document.add_heading(text, level)
            else:
                document.add_paragraph(text)

    return docx_kit.build(fill)


@pytest.mark.parametrize("choice", ["accept", "split"])
def test_uncertain_matches_are_shown_side_by_side_and_the_choice_is_applied(
    app, as_editor, doc, docx_kit, choice
):
    token = token_of(upload(as_editor, "/d/vl/draft/import", uncertain_docx(docx_kit)))
    html = as_editor.get(f"/imports/{token}").get_data(as_text=True)
    assert "uncertain match to check" in html
    fieldset = html[html.index('<fieldset class="uncertain-match">') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert UNCERTAIN_OLD in fieldset and UNCERTAIN_NEW in fieldset
    assert 'type="radio"' in fieldset and 'value="split"' in fieldset
    name = re.search(r'name="(m\d+)"', fieldset).group(1)
    response = as_editor.post(f"/imports/{token}/confirm", {name: choice})
    assert response.status_code == 302
    uids = [uid for uid, *_ in draft_blocks(app, doc.id)]
    assert (doc.block_uids["p1"] in uids) is (choice == "accept")
    assert len(uids) == len(V1)


def test_an_invalid_choice_shows_the_report_again(app, as_editor, doc, docx_kit):
    token = token_of(upload(as_editor, "/d/vl/draft/import", uncertain_docx(docx_kit)))
    html = as_editor.get(f"/imports/{token}").get_data(as_text=True)
    name = re.search(r'name="(m\d+)"', html).group(1)
    before = snapshot(app)
    response = as_editor.post(f"/imports/{token}/confirm", {name: "maybe"})
    assert response.status_code == 400
    assert snapshot(app) == before
    assert as_editor.get(f"/imports/{token}").status_code == 200  # still waiting


def test_cancel_writes_nothing_and_forgets_the_import(app, as_editor, doc, docx_kit, _imports_dir):
    before = snapshot(app)
    token = token_of(upload(as_editor, "/d/vl/draft/import", every_feature(docx_kit)))
    response = as_editor.post(f"/imports/{token}/cancel")
    assert response.status_code == 302
    assert response.location.endswith("/d/vl")
    assert "The import was cancelled. Nothing was changed." in flashes(as_editor)
    assert snapshot(app) == before
    assert pending_rows(app) == []
    assert as_editor.post(f"/imports/{token}/confirm").status_code == 302
    assert "no longer waiting" in flashes(as_editor)
    assert snapshot(app) == before


def test_an_existing_draft_is_announced_and_replaced(app, as_editor, doc, docx_kit, editor):
    from app.drafting.operations import start_draft

    with app.app_context():
        start_draft(db.session.get(Document, doc.id), db.session.merge(editor))
        db.session.commit()
    assert "already has a working draft" in as_editor.get("/d/vl/draft/import").get_data(as_text=True)
    token = token_of(upload(as_editor, "/d/vl/draft/import", every_feature(docx_kit)))
    html = as_editor.get(f"/imports/{token}").get_data(as_text=True)
    assert "already has a working draft (version 2)" in html
    assert as_editor.post(f"/imports/{token}/confirm").status_code == 302
    with app.app_context():
        versions = db.session.get(Document, doc.id).versions
        assert [(v.number, v.state) for v in versions] == [(1, VersionState.OPEN), (2, VersionState.DRAFT)]
    assert len(draft_blocks(app, doc.id)) > len(V1)


def test_a_version_published_after_the_upload_makes_the_import_stale(app, as_editor, doc, docx_kit, editor):
    from app.drafting.operations import publish_draft, replace_draft

    token = token_of(upload(as_editor, "/d/vl/draft/import", every_feature(docx_kit)))
    with app.app_context():
        document = db.session.get(Document, doc.id)
        user = db.session.merge(editor)
        draft = replace_draft(document, [], user, source="test")
        publish_draft(draft, summary="Tom", editor=user)
        db.session.commit()
    before = snapshot(app)
    response = as_editor.post(f"/imports/{token}/confirm")
    assert response.status_code == 302
    assert response.location.endswith("/d/vl/draft/import")
    assert "A new version was published after you uploaded the file" in flashes(as_editor)
    assert snapshot(app) == before


def test_someone_elses_token_or_a_made_up_one_is_refused(app, as_editor, doc, docx_kit, factory, make_client):
    token = token_of(upload(as_editor, "/d/vl/draft/import", every_feature(docx_kit)))
    other = factory.user(email="olle@example.org", roles=(Role.EDITOR,), language="en")
    client = make_client()
    client.login(other.email)
    before = snapshot(app)
    # A token that is not (or no longer) this editor's: back to the start page, nothing done.
    for response in (
        client.get(f"/imports/{token}"),
        client.post(f"/imports/{token}/confirm"),
        client.post(f"/imports/{token}/cancel"),
        as_editor.get("/imports/" + "A" * 32),
        as_editor.post("/imports/not-a-token/confirm"),
    ):
        assert (response.status_code, response.location) == (302, "/")
    # A "token" with slashes in it matches no route at all.
    assert as_editor.get("/imports/..%2F..%2Fsecret_key").status_code == 404
    assert "no longer waiting" in flashes(client)
    assert snapshot(app) == before
    assert as_editor.get(f"/imports/{token}").status_code == 200  # still the owner's


def test_expired_imports_are_refused_and_purged_with_old_files(
    app, as_editor, doc, docx_kit, _imports_dir, monkeypatch
):
    from app.drafting import pending
    from app.drafting.models import StoredImport

    token = token_of(upload(as_editor, "/d/vl/draft/import", every_feature(docx_kit)))
    fresh = token_of(upload(as_editor, "/d/vl/draft/import", every_feature(docx_kit)))
    # A file an older version left in IMPORTS_DIR a day ago, and one of today.
    _imports_dir.mkdir(parents=True, exist_ok=True)
    stale_file, new_file = _imports_dir / ("x" * 32 + ".json"), _imports_dir / ("y" * 32 + ".json")
    stale_file.write_text("{}")
    new_file.write_text("{}")
    os.utime(stale_file, (time.time() - pending.TTL_SECONDS - 60,) * 2)
    with app.app_context():
        row = db.session.get(StoredImport, token)
        row.created_at = row.created_at - timedelta(seconds=pending.TTL_SECONDS + 60)
        db.session.commit()
    expired = as_editor.get(f"/imports/{token}")  # expired: refused, back to the document list
    assert expired.status_code == 302 and expired.location == "/"
    assert as_editor.get(f"/imports/{fresh}").status_code == 200
    result = app.test_cli_runner().invoke(args=["purge", "--language", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Purged ") and " 1 expired pending import, " in result.output
    assert pending_rows(app) == [fresh]
    assert not stale_file.exists() and new_file.exists()


# --------------------------------------------------------------------------- paste


def test_paste_markdown_aligns_like_a_word_file(app, as_editor, doc):
    text = "\n\n".join(
        [
            "# Inledning",
            V1[1][3],
            "Licensen ska vara **enkel** att förstå för den som vill återanvända.",
            "## Licenser",
            V1[4][3],
            "- en punkt med [länk](https://www.digg.se/)",
            V1[5][3],
        ]
    )
    response = as_editor.post("/d/vl/draft/paste", {"text": text})
    token = token_of(response)
    html = as_editor.get(f"/imports/{token}").get_data(as_text=True)
    assert "Pasted text" in html and "Everything pasted was imported." in html
    assert "1 new paragraph" in html
    assert as_editor.post(f"/imports/{token}/confirm").status_code == 302
    blocks = draft_blocks(app, doc.id)
    assert [uid for uid, *_ in blocks if uid in doc.block_uids.values()] == [
        doc.block_uids[k] for k in ("h1", "p1", "p2", "h2", "p3", "p4")
    ]
    assert ("bullet", 1, 'en punkt med <a href="https://www.digg.se/">länk</a>') in [b[1:] for b in blocks]


def test_an_empty_paste_is_refused(app, as_editor, doc):
    before = snapshot(app)
    for text in ("", "   \n\n  ", "---\n\n***"):
        response = as_editor.post("/d/vl/draft/paste", {"text": text})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "Paste the text to import." in html or "There is no text to import." in html
    assert snapshot(app) == before


# --------------------------------------------------------------------------- a new document


def test_a_new_document_from_a_word_file(app, as_editor, docx_kit, _imports_dir):
    before = snapshot(app)
    response = upload(
        as_editor,
        "/documents/new/import",
        every_feature(docx_kit),
        title="Vägledning om öppna data",
        slug="",
        licence="CC0-1.0",
        visibility="public",
    )
    token = token_of(response)
    assert snapshot(app) == before
    html = as_editor.get(f"/imports/{token}").get_data(as_text=True)
    assert "Vagledning" not in html and "/d/vagledning-om-oppna-data" in html
    assert "no earlier version" not in html  # that line is for existing documents
    response = as_editor.post(f"/imports/{token}/confirm")
    assert response.location.endswith("/d/vagledning-om-oppna-data/draft")
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == "vagledning-om-oppna-data"))
        assert document.title == "Vägledning om öppna data"
        assert document.licence == "CC0-1.0" and document.visibility.value == "public"
        assert [(v.number, v.state) for v in document.versions] == [(1, VersionState.DRAFT)]
        assert document.created_by_id is not None
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions[-3:] == ["document.create", "draft.start", "draft.replace"]
    assert len(draft_blocks(app, document.id)) > 10


def test_new_document_form_errors(app, as_editor, doc, docx_kit):
    data = every_feature(docx_kit)
    cases = [
        ({"title": "", "slug": "x"}, "Give the document a title."),
        ({"title": "T", "slug": "Inte OK!"}, "Use lower-case letters a–z"),
        ({"title": "T", "slug": "vl"}, "Another document already has this address."),
    ]
    before = snapshot(app)
    for fields, message in cases:
        response = upload(
            as_editor, "/documents/new/import", data, licence="CC-BY-4.0", visibility="network", **fields
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True), message
    assert snapshot(app) == before


def test_a_slug_taken_between_upload_and_confirm(app, as_editor, docx_kit, factory):
    token = token_of(
        upload(
            as_editor,
            "/documents/new/import",
            every_feature(docx_kit),
            title="Ny",
            slug="ny",
            licence="CC-BY-4.0",
            visibility="network",
        )
    )
    factory.document(slug="ny")
    before = snapshot(app)
    response = as_editor.post(f"/imports/{token}/confirm")
    assert response.location.endswith("/documents/new/import")
    assert "Another document got this web address in the meantime" in flashes(as_editor)
    assert snapshot(app) == before


# --------------------------------------------------------------------------- who may


@pytest.mark.parametrize(
    "path", ["/d/vl/draft/import", "/d/vl/draft/paste", "/documents/new/import", "/imports/" + "A" * 32]
)
def test_only_editors_import(app, make_client, factory, doc, path):
    anonymous = make_client()
    response = anonymous.get(path)
    assert response.status_code == 302 and "/login" in response.location
    member = make_client()
    member.login(factory.user(email="m@example.org").email)
    assert member.get(path).status_code == 403
    host = make_client()
    host.login(factory.user(email="h@example.org", roles=(Role.HOST, Role.MEMBER)).email)
    assert host.get(path).status_code == 403


def test_members_cannot_post_an_upload_or_confirm(app, make_client, factory, doc, docx_kit, as_editor):
    token = token_of(upload(as_editor, "/d/vl/draft/import", every_feature(docx_kit)))
    member = make_client()
    member.login(factory.user(email="m@example.org").email)
    before = snapshot(app)
    assert upload(member, "/d/vl/draft/import", every_feature(docx_kit)).status_code == 403
    assert member.post("/d/vl/draft/paste", {"text": "Hej"}).status_code == 403
    assert member.post(f"/imports/{token}/confirm").status_code == 403
    assert member.post(f"/imports/{token}/cancel").status_code == 403
    assert snapshot(app) == before


def test_editors_see_the_import_links(app, as_editor, doc):
    assert "/d/vl/draft/import" in as_editor.get("/d/vl").get_data(as_text=True)
    assert "/documents/new/import" in as_editor.get("/").get_data(as_text=True)


def test_unknown_document_is_404(as_editor):
    assert as_editor.get("/d/finns-inte/draft/import").status_code == 404
    assert as_editor.get("/d/finns-inte/draft/paste").status_code == 404
