"""`flask import-comments`: the same report as the preview, then the comments stored (or not, with --dry-run)."""

from __future__ import annotations

import pytest
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
    args = ["import-comments", "oppna-licenser", "2", str(path), "--as", member.email, "--language", "en"]
    result = runner.invoke(args=[*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "To store: 2" in result.output and "Varför väldigt?" in result.output
    assert "quote: “licens”" in result.output
    assert "proposal: “Välj en licens {+gärna +}som passar materialet och mottagarna.”" in result.output
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
    base = [
        "import-comments",
        "oppna-licenser",
        "2",
        str(path),
        "--organisation",
        "Kommun B",
        "--language",
        "en",
    ]
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
        args=["import-comments", "oppna-licenser", "2", str(path), "--as", member.email, "--language", "en"]
    )
    assert result.exit_code != 0 and "file refused" in result.output


def test_a_closed_version_is_refused_in_the_operators_language(app, doc, member, tmp_path):
    """It used to crash ('Working outside of request context') instead of printing the refusal."""
    path = tmp_path / "sent.docx"
    path.write_bytes(b"PK not read: the version is closed first")
    runner = app.test_cli_runner()
    args = ["import-comments", "oppna-licenser", "1", str(path), "--as", member.email]
    swedish = runner.invoke(args=args, env={"REMISS_CLI_LANGUAGE": None, "LANG": "C.UTF-8"})
    assert swedish.exit_code == 1, swedish.output
    assert swedish.output.strip() == (
        "Fel: Den här versionen är inte öppen för synpunkter längre, så inget sparades."
    )
    english = runner.invoke(args=[*args, "--language", "en"])
    assert english.exit_code == 1
    assert english.output.strip() == (
        "Error: This version is not open for comments any more, so nothing was stored."
    )
    assert _count(app) == 0


@pytest.mark.parametrize(
    ("args", "swedish", "english"),
    [
        (
            ["finns-inte", "2", "{path}", "--as", "{member}"],
            "inget dokument med kortnamnet 'finns-inte'",
            "no document with slug 'finns-inte'",
        ),
        (
            ["oppna-licenser", "9", "{path}", "--as", "{member}"],
            "har ingen publicerad version 9",
            "has no published version 9",
        ),
        (
            ["oppna-licenser", "2", "{path}", "--as", "ingen@example.org"],
            "ingen aktiv användare med e-postadressen ingen@example.org",
            "no active user with e-mail ingen@example.org",
        ),
        (
            [
                "oppna-licenser",
                "2",
                "{path}",
                "--as",
                "{member}",
                "--organisation",
                "Kommun B",
                "--sender",
                "x",
            ],
            "bara redaktörer lämnar in synpunkter för en annan organisation",
            "only editors submit comments for another organisation",
        ),
        (
            [
                "oppna-licenser",
                "2",
                "{path}",
                "--as",
                "{editor}",
                "--organisation",
                "Finns Inte",
                "--sender",
                "x",
            ],
            "ingen organisation som heter 'Finns Inte'",
            "no organisation named 'Finns Inte'",
        ),
        (
            ["oppna-licenser", "2", "{path}", "--as", "{editor}", "--organisation", "Kommun B"],
            "Ogiltigt värde för --sender: --organisation behöver --sender",
            "Invalid value for --sender: --organisation needs --sender",
        ),
        (["oppna-licenser", "2", "{junk}", "--as", "{member}"], "filen avvisades: ", "file refused: "),
        (
            ["oppna-licenser", "2", "{empty}", "--as", "{member}"],
            "Filen har inga Word-kommentarer",
            "The file has no Word comments",
        ),
    ],
)
def test_every_refusal_is_printed_in_the_operators_language(
    app, doc, pack, member, editor, factory, tmp_path, args, swedish, english
):
    factory.organisation("Kommun B")
    (tmp_path / "pack.docx").write_bytes(pack)
    (tmp_path / "junk.docx").write_bytes(b"not a word file")
    values = {
        "path": tmp_path / "pack.docx",
        "junk": tmp_path / "junk.docx",
        "empty": tmp_path / "pack.docx",  # the pack as sent: nothing of the reviewer's in it
        "member": member.email,
        "editor": editor.email,
    }
    args = ["import-comments", *(a.format(**values) for a in args)]
    runner = app.test_cli_runner()
    result = runner.invoke(args=args, env={"REMISS_CLI_LANGUAGE": "sv"})
    assert result.exit_code != 0
    assert result.output.startswith("Fel: ") and swedish in result.output, result.output
    result = runner.invoke(args=[*args, "--language", "en"], env={"REMISS_CLI_LANGUAGE": "sv"})
    assert result.exit_code != 0
    assert result.output.startswith("Error: ") and english in result.output, result.output
    assert "Traceback" not in result.output
    assert _count(app) == 1


def test_the_report_is_in_the_operators_language(app, doc, pack, member, tmp_path):
    r = Reviewer(pack)
    r.comment("Varför väldigt?", on="väldigt")
    path = tmp_path / "granskning.docx"
    path.write_bytes(r.save())
    args = ["import-comments", "oppna-licenser", "2", str(path), "--as", member.email, "--dry-run"]
    result = app.test_cli_runner().invoke(args=args, env={"LANG": "sv_SE.UTF-8", "REMISS_CLI_LANGUAGE": None})
    assert result.exit_code == 0, result.output
    assert "Att spara: 1" in result.output and "Provkörning: inget sparades." in result.output
