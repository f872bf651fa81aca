"""Round trip: a version exported as the meeting pack's clean DOCX, edited in Word (python-docx), imported again."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.documents.models import Block, BlockRevision, Document
from app.drafting.docx_reader import read_docx
from app.drafting.importing import prepare_import, write_import
from app.extensions import db
from app.meetings import operations
from app.meetings.models import Meeting
from app.meetings.pack import write_pack

V1 = [
    ("h1", "heading", 1, "Inledning"),
    ("p1", "paragraph", 1, "Myndigheter skapar mycket material som andra kan använda."),
    ("p2", "paragraph", 1, "Ett stycke som tas bort i nästa version."),
    ("h2", "heading", 2, "Licenser"),
    ("p4", "paragraph", 1, "Välj en licens som är enkel att förstå."),
]
V2 = [
    ("h1", "heading", 1, "Inledning"),
    (
        "p1",
        "paragraph",
        1,
        "Myndigheter skapar <strong>väldigt</strong> mycket material som andra kan använda.",
    ),
    ("p3", "paragraph", 1, "Ett helt nytt stycke om <em>öppna data</em> och vidareutnyttjande."),
    ("h2", "heading", 2, "Licenser"),
    ("p4", "paragraph", 1, "Välj en licens som är enkel att förstå."),
    ("b1", "bullet", 1, "CC BY 4.0 för texter och bilder."),
    ("b2", "bullet", 2, "Ange alltid upphovsperson."),
    ("n1", "number", 1, "Läs licensvillkoren."),
    ("q1", "quote", 1, "Offentliga data ska vara fria att använda."),
    ("t1", "table", 1, "Licens\tAnvändning\nCC0\tData"),
    ("h3", "heading", 3, "Källor"),
    (
        "p5",
        "paragraph",
        1,
        'Mer finns på <a href="https://www.digg.se/">DIGG:s webbplats</a> och hos PRV om upphovsrätt.',
    ),
    ("p6", "paragraph", 1, "Det sista stycket handlar om hur licensen märks ut i dokumentet."),
]
EDITED = {
    "Välj en licens som är enkel att förstå.": "Välj en licens som är enkel att förstå och använda.",
    "Det sista stycket handlar om hur licensen märks ut i dokumentet.": (
        "Det sista stycket handlar om hur licensen märks ut tydligt i själva dokumentet."
    ),
}


@pytest.fixture
def doc(factory, editor):
    return factory.document(slug="oppna-licenser", title="Öppna licenser", versions=[V1, V2], editor=editor)


def clean_pack(app, document) -> bytes:
    """The clean DOCX of a meeting pack presenting version 2 against version 1."""
    with app.app_context():
        stored = db.session.get(Document, document.id)
        meeting = Meeting(
            document_id=stored.id,
            title="Nätverksträff",
            starts_at=datetime(2020, 10, 6, 11, tzinfo=UTC),
            version_id=stored.versions[1].id,
            base_version_id=stored.versions[0].id,
        )
        db.session.add(meeting)
        db.session.commit()
        return write_pack(operations.build_pack(meeting), tracked=False)


def edit_in_word(data: bytes) -> bytes:
    """Change a few paragraphs the way an editor does in Word: retype a run's text."""
    document = docx.Document(io.BytesIO(data))
    done = 0
    for paragraph in document.paragraphs:
        new = EDITED.get(paragraph.text)
        if new is not None:
            for run in paragraph.runs[1:]:
                run.text = ""
            paragraph.runs[0].text = new
            done += 1
    assert done == len(EDITED)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _draft_uids(document_id: int) -> dict[str, str]:
    rows = db.session.execute(
        sa.select(Block.uid, BlockRevision.text)
        .join(Block)
        .where(BlockRevision.version_id == db.session.get(Document, document_id).draft.id)
    ).all()
    return dict(rows)


def test_clean_pack_edited_in_word_keeps_every_uid(app, doc):
    """Untouched blocks come back unchanged, retyped ones edited, all with their uids; nothing else comes in."""
    data = edit_in_word(clean_pack(app, doc))
    with app.app_context():
        document = db.session.get(Document, doc.id)
        editor = db.session.scalar(sa.select(User).where(User.email == "eva@example.org"))
        result = read_docx(data)
        # Only the text is read: the title page, history and compilation around it are left out.
        assert len(result.blocks) == len(V2)
        assert "pack_parts" in {item.code for item in result.report}
        pending = prepare_import(
            document, result.blocks, result.report, source="docx", filename="pack.docx", user=editor
        )
        by_uid = {m.uid: m for m in pending.matches if m.uid}
        for key, _kind, _level, text in V2:
            uid = doc.block_uids[key]
            assert uid in by_uid, f"{key} lost its uid: {text}"
            expected = "edited" if text in EDITED else "unchanged"
            assert by_uid[uid].status == expected, (key, by_uid[uid])
        assert not [m for m in pending.uncertain if m.uid in set(doc.block_uids.values())]
        write_import(pending, editor)
        db.session.commit()
        draft = _draft_uids(doc.id)
        for key, *_spec in V2:
            assert doc.block_uids[key] in draft
        assert draft[doc.block_uids["p4"]] == EDITED["Välj en licens som är enkel att förstå."]


def test_clean_pack_saved_again_by_libreoffice_keeps_every_uid(app, doc, soffice, tmp_path):
    source = tmp_path / "pack.docx"
    source.write_bytes(edit_in_word(clean_pack(app, doc)))
    data = soffice(source, "docx:MS Word 2007 XML").read_bytes()
    with app.app_context():
        document = db.session.get(Document, doc.id)
        result = read_docx(data)
        assert len(result.blocks) == len(V2)  # LibreOffice keeps the text bookmark
        pending = prepare_import(document, result.blocks, result.report, source="docx", filename="pack.docx")
        by_uid = {m.uid: m for m in pending.matches if m.uid}
        for key, _kind, _level, text in V2:
            assert doc.block_uids[key] in by_uid, f"{key} lost its uid: {text}"
            assert by_uid[doc.block_uids[key]].status == ("edited" if text in EDITED else "unchanged"), key
