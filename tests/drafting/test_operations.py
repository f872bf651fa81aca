"""Draft operations without HTTP: replacing a draft with imported blocks, and what a publish freezes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.audit import AuditEvent
from app.documents.models import Block, BlockKind, BlockRevision, Document
from app.drafting import operations
from app.drafting.operations import NewBlock
from app.extensions import db

BLOCKS = [("h", "heading", 1, "Rubrik"), ("a", "paragraph", 1, "Ett."), ("b", "paragraph", 1, "Två.")]


@pytest.fixture
def doc(factory):
    return factory.document(slug="vl", versions=[BLOCKS])


def _draft_rows(document):
    draft = db.session.get(Document, document.id).draft
    return db.session.execute(
        sa.select(Block.uid, BlockRevision.kind, BlockRevision.text)
        .join(Block, Block.id == BlockRevision.block_id)
        .where(BlockRevision.version_id == draft.id)
        .order_by(BlockRevision.position)
    ).all()


def test_replace_draft_keeps_known_uids_and_gives_new_ones(app, doc, editor):
    a, b = doc.block_uids["a"], doc.block_uids["b"]
    with app.app_context():
        document = db.session.get(Document, doc.id)
        blocks = [
            NewBlock(b, BlockKind.PARAGRAPH, 1, "Två, flyttat först."),
            NewBlock(None, BlockKind.HEADING, 2, "Ny <b>rubrik</b>"),
            NewBlock(a, BlockKind.PARAGRAPH, 1, "Ett."),
            NewBlock(a, BlockKind.PARAGRAPH, 1, "Samma uid två gånger blir ett nytt block."),
            NewBlock("okand", BlockKind.TABLE, 1, "x\ty<script>z</script>"),
        ]
        operations.replace_draft(document, blocks, db.session.get(User, editor.id), source="docx")
        db.session.commit()
        rows = _draft_rows(doc)
        assert rows[0].uid == b and rows[2].uid == a
        assert len({r.uid for r in rows}) == 5
        assert rows[1].text == "Ny <strong>rubrik</strong>"
        assert rows[4].text == "x\ty" and rows[4].uid != "okand"
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "draft.replace"))
        assert event.data == {"document": "vl", "source": "docx", "blocks": 5}
        # A second import replaces the first wholesale, in the same draft.
        operations.replace_draft(document, blocks[:1], db.session.get(User, editor.id), source="paste")
        db.session.commit()
        assert [r.uid for r in _draft_rows(doc)] == [b]
        assert len(db.session.get(Document, doc.id).versions) == 2


def test_operations_refuse_a_published_version(app, doc, editor):
    with app.app_context():
        version = db.session.get(Document, doc.id).versions[0]
        with pytest.raises(operations.DraftError):
            operations.edit_block(
                version,
                doc.block_uids["a"],
                base_revision=1,
                kind=BlockKind.PARAGRAPH,
                level=1,
                text="Ändrat",
                editor=db.session.get(User, editor.id),
            )
        with pytest.raises(operations.DraftError):
            operations.publish_draft(version, summary="x", editor=db.session.get(User, editor.id))
