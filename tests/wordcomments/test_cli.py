"""`flask import-comments`: the same report as the preview, then the comments stored (or not, with --dry-run)."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.review.models import Comment
from tests.wordcomments.wordfiles import Reviewer


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Comment))


def test_dry_run_prints_the_report_and_stores_nothing(app, doc, pack, member, tmp_path):
    r = Reviewer(pack)
    r.comment("Varför väldigt?", on="väldigt")
    r.insert(" gärna", after="Välj en licens")
    path = tmp_path / "granskning.docx"
    path.write_bytes(r.save())
    runner = app.test_cli_runner()
    args = ["import-comments", "oppna-licenser", "2", str(path), "--as", member.email]
    result = runner.invoke(args=[*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "To store: 2" in result.output and "Varför väldigt?" in result.output
    assert "quote: “licens”" in result.output and "wording: “licens gärna”" in result.output
    assert "Dry run" in result.output and _count(app) == 1
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Stored 2 comments (#2, #3)" in result.output and _count(app) == 3
    again = runner.invoke(args=args)
    assert "Stored 0 comments (none); 2 taken in before." in again.output and _count(app) == 3


def test_on_behalf_needs_an_editor_and_a_sender(app, doc, pack, member, editor, factory, tmp_path):
    factory.organisation("Kommun B")
    r = Reviewer(pack)
    r.comment("Från kommunen.", on="väldigt")
    path = tmp_path / "kommun.docx"
    path.write_bytes(r.save())
    runner = app.test_cli_runner()
    base = ["import-comments", "oppna-licenser", "2", str(path), "--organisation", "Kommun B"]
    assert "only editors" in runner.invoke(args=[*base, "--as", member.email, "--sender", "x"]).output
    assert "--sender" in runner.invoke(args=[*base, "--as", editor.email]).output
    result = runner.invoke(args=[*base, "--as", editor.email, "--sender", "Registrator"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        comment = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
        assert comment.organisation.name == "Kommun B"


def test_a_refused_file_is_a_clear_error(app, doc, member, tmp_path):
    path = tmp_path / "inte.docx"
    path.write_bytes(b"not a word file")
    result = app.test_cli_runner().invoke(
        args=["import-comments", "oppna-licenser", "2", str(path), "--as", member.email]
    )
    assert result.exit_code != 0 and "file refused" in result.output
