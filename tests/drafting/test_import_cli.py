"""`flask import-docx`: the same import from the command line, with the report printed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent
from app.documents.models import Block, BlockRevision, Document, VersionState
from app.extensions import db
from tests.drafting.test_import_views import (
    UNCERTAIN_OLD,
    V1,
    bad_files,
    draft_blocks,
    every_feature,
    snapshot,
    uncertain_docx,
)


@pytest.fixture
def doc(factory, editor):
    return factory.document(slug="vl", title="Öppna licenser", versions=[V1], editor=editor)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["import-docx", *map(str, args), "--language", "en"])


def test_import_prints_the_report_and_writes_the_draft(app, doc, docx_kit, tmp_path):
    path = tmp_path / "utkast.docx"
    path.write_bytes(every_feature(docx_kit))
    result = run(app, "vl", path, "--editor", "eva@example.org")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "blocks read from utkast.docx; compared with version Utkast 1." in out
    assert "  Unchanged" in out and "  Removed" in out
    assert "Not imported:" in out and "image ×1" in out and "footnote ×1" in out and "En fotnot." in out
    assert "Draft written: vl, version 2," in out
    uids = [uid for uid, *_ in draft_blocks(app, doc.id)]
    assert all(doc.block_uids[key] in uids for key, *_ in V1)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "draft.replace"))
        assert event.actor.email == "eva@example.org"


def test_dry_run_writes_nothing(app, doc, docx_kit, tmp_path):
    path = tmp_path / "utkast.docx"
    path.write_bytes(uncertain_docx(docx_kit))
    before = snapshot(app)
    result = run(app, "vl", path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Uncertain matches: 1, kept" in result.output
    assert "old: " + UNCERTAIN_OLD in result.output
    assert "Dry run: nothing written." in result.output
    assert snapshot(app) == before


def test_split_uncertain_makes_them_new(app, doc, docx_kit, tmp_path):
    path = tmp_path / "utkast.docx"
    path.write_bytes(uncertain_docx(docx_kit))
    result = run(app, "vl", path, "--editor", "eva@example.org", "--split-uncertain")
    assert result.exit_code == 0, result.output
    uids = [uid for uid, *_ in draft_blocks(app, doc.id)]
    assert doc.block_uids["p1"] not in uids and doc.block_uids["p2"] in uids


def test_new_document_and_markdown(app, editor, tmp_path):
    path = tmp_path / "utkast.md"
    path.write_text("# Inledning\n\nEtt **första** stycke.\n\n- en punkt\n", encoding="utf-8")
    result = run(
        app,
        "ny-vagledning",
        path,
        "--new",
        "--title",
        "Ny vägledning",
        "--editor",
        editor.email,
        "--visibility",
        "public",
    )
    assert result.exit_code == 0, result.output
    assert "no earlier version: all new." in result.output
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == "ny-vagledning"))
        assert document.title == "Ny vägledning" and document.visibility.value == "public"
        assert [(v.number, v.state) for v in document.versions] == [(1, VersionState.DRAFT)]
    assert [b[1:] for b in draft_blocks(app, document.id)] == [
        ("heading", 1, "Inledning"),
        ("paragraph", 1, "Ett <strong>första</strong> stycke."),
        ("bullet", 1, "en punkt"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["finns-inte", "{path}", "--editor", "eva@example.org"], "there is no document 'finns-inte'"),
        (["vl", "{path}", "--new", "--title", "X", "--editor", "eva@example.org"], "exists already"),
        (["nytt", "{path}", "--new", "--editor", "eva@example.org"], "--new needs --title"),
        (["Fel Slug", "{path}", "--new", "--title", "X", "--editor", "eva@example.org"], "lower-case"),
        (["vl", "{path}"], "needed unless --dry-run"),
        (["vl", "{path}", "--editor", "member@example.org"], "is not an active editor"),
    ],
)
def test_mistakes_are_reported_and_nothing_is_written(app, doc, factory, docx_kit, tmp_path, args, message):
    factory.user(email="member@example.org")
    path = tmp_path / "utkast.docx"
    path.write_bytes(every_feature(docx_kit))
    before = snapshot(app)
    result = run(app, *[a.format(path=path) for a in args])
    assert result.exit_code != 0
    assert message in result.output
    assert snapshot(app) == before


def test_bad_files_are_refused_with_their_reason(app, doc, docx_kit, tmp_path):
    before = snapshot(app)
    for kind, data in bad_files(docx_kit).items():
        path = tmp_path / f"{kind}.docx"
        path.write_bytes(data)
        result = run(app, "vl", path, "--editor", "eva@example.org")
        assert result.exit_code == 1, kind
        assert f"refused ({kind}.docx): " in result.output, kind
        assert "Traceback" not in result.output
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BlockRevision)) == len(V1)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Block)) == len(V1)
