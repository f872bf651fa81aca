"""Every command's refusals are printed in the operator's language (issue 23, point 6).

Commands have no request: the language is --language, else REMISS_CLI_LANGUAGE or the locale
(LC_ALL, LC_MESSAGES, LANG), else Swedish. `flask import-comments` has its own in tests/wordcomments.
"""

from __future__ import annotations

import sqlite3

import pytest

from app import create_app
from app.accounts import operations
from app.accounts.models import Role
from app.extensions import db
from tests.test_backup import SECRET, _app

# The machine's own locale must not decide what these tests see.
SWEDISH_ENV = {"REMISS_CLI_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}


@pytest.fixture
def world(app, factory, tmp_path):
    editor = factory.user(email="eva@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    factory.user(email="finns@example.org", organisation="Kommun A")
    factory.document(slug="vl", versions=[[("p1", "paragraph", 1, "Text.")]], editor=editor)
    (tmp_path / "utkast.md").write_text("# Rubrik\n\nEtt stycke.\n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Överst".encode("latin-1"))
    (tmp_path / "tom.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "trasig.docx").write_bytes(b"not a word file")
    return {"path": tmp_path / "utkast.md", "dir": tmp_path}


CASES = [
    # flask users create
    (
        ["users", "create", "--email", "ny@example.org", "--name", "N", "--org", "O", "--password", "kort"],
        "Fel: Ogiltigt värde för password: minst 12 tecken",
        "Error: Invalid value for password: at least 12 characters",
    ),
    (
        [
            "users",
            "create",
            "--email",
            "finns@example.org",
            "--name",
            "N",
            "--org",
            "O",
            "--password",
            "x" * 12,
        ],
        "Fel: det finns redan en användare med e-postadressen finns@example.org",
        "Error: a user with e-mail finns@example.org exists already",
    ),
    # flask import-docx
    (
        ["import-docx", "finns-inte", "{path}", "--editor", "eva@example.org"],
        "Fel: det finns inget dokument 'finns-inte' (skapa det med --new --title ...)",
        "Error: there is no document 'finns-inte' (use --new --title ... to create it)",
    ),
    (
        ["import-docx", "vl", "{path}", "--new", "--title", "X", "--editor", "eva@example.org"],
        "Fel: det finns redan ett dokument med kortnamnet 'vl' (ta bort --new)",
        "Error: a document with slug 'vl' exists already (drop --new)",
    ),
    (
        ["import-docx", "nytt", "{path}", "--new", "--editor", "eva@example.org"],
        "Fel: Ogiltigt värde för --title: --new behöver --title",
        "Error: Invalid value for --title: --new needs --title",
    ),
    (
        ["import-docx", "Fel Slug", "{path}", "--new", "--title", "X", "--editor", "eva@example.org"],
        "Fel: Ogiltigt värde för SLUG: bara gemena bokstäver, siffror och bindestreck",
        "Error: Invalid value for SLUG: lower-case letters, digits and hyphens",
    ),
    (
        ["import-docx", "vl", "{path}"],
        "Fel: Ogiltigt värde för --editor: behövs utom med --dry-run",
        "Error: Invalid value for --editor: needed unless --dry-run",
    ),
    (
        ["import-docx", "vl", "{path}", "--editor", "finns@example.org"],
        "Fel: finns@example.org är inte en aktiv redaktör",
        "Error: finns@example.org is not an active editor",
    ),
    (
        ["import-docx", "vl", "{dir}/latin1.txt", "--dry-run"],
        "Fel: latin1.txt är inte text i UTF-8",
        "Error: latin1.txt is not UTF-8 text",
    ),
    (
        ["import-docx", "vl", "{dir}/tom.txt", "--dry-run"],
        "Fel: avvisad (tom.txt): det finns ingen text att importera",
        "Error: refused (tom.txt): there is no text to import",
    ),
    (
        ["import-docx", "vl", "{dir}/trasig.docx", "--dry-run"],
        "Fel: avvisad (trasig.docx): not_zip: ",
        "Error: refused (trasig.docx): not_zip: ",
    ),
    # flask export-meeting
    (
        ["export-meeting", "999999"],
        "Fel: det finns inget möte med id 999999",
        "Error: there is no meeting with id 999999",
    ),
]


@pytest.mark.parametrize(("args", "swedish", "english"), CASES, ids=[" ".join(c[0][:2]) for c in CASES])
def test_each_refusal_in_swedish_by_default_and_in_english_on_request(app, world, args, swedish, english):
    args = [a.format(**world) for a in args]
    runner = app.test_cli_runner()
    result = runner.invoke(args=args, env=SWEDISH_ENV)
    assert result.exit_code != 0
    assert result.output.startswith(swedish), result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    result = runner.invoke(args=[*args, "--language", "en"], env=SWEDISH_ENV)
    assert result.exit_code != 0
    assert result.output.startswith(english), result.output


def test_the_swedish_reason_of_a_refused_word_file(app, world):
    result = app.test_cli_runner().invoke(
        args=["import-docx", "vl", str(world["dir"] / "trasig.docx"), "--dry-run"], env=SWEDISH_ENV
    )
    # The reason is the one the web form gives, in the same language.
    assert "Det här är inget Word-dokument." in result.output, result.output


@pytest.mark.parametrize(
    ("env", "option", "expected"),
    [
        ({"REMISS_CLI_LANGUAGE": "en"}, [], "Error: "),
        ({"REMISS_CLI_LANGUAGE": None, "LANG": "en_GB.UTF-8"}, [], "Error: "),
        (
            {"REMISS_CLI_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "sv_SE.UTF-8"},
            [],
            "Fel: ",
        ),
        ({"REMISS_CLI_LANGUAGE": None, "LANG": "de_DE.UTF-8"}, [], "Fel: "),
        ({"REMISS_CLI_LANGUAGE": "en", "LANG": "en_GB.UTF-8"}, ["--language", "sv"], "Fel: "),
    ],
)
def test_the_operators_language_comes_from_the_option_then_the_environment(app, env, option, expected):
    env = {**SWEDISH_ENV, **env}
    result = app.test_cli_runner().invoke(args=["export-meeting", "999999", *option], env=env)
    assert result.output.startswith(expected), result.output


def test_backup_and_restore_refusals_in_both_languages(tmp_path):
    """Their own SQLite app: restore replaces the database it runs on."""
    runner = _app(tmp_path / "live.db", migrate=False).test_cli_runner()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    cases = [
        (["restore", str(tmp_path / "saknas.db")], "Fel: filen finns inte: ", "Error: no such file: "),
        (["restore", str(junk)], "är ingen SQLite-databas", "is not a SQLite database"),
        (["restore", str(other)], "är ingen Remiss-databas", "is not a Remiss database"),
        (
            ["backup", str(tmp_path / "live.db")],
            "Fel: säkerhetskopian kan inte skriva över själva databasen",
            "Error: the backup cannot overwrite the database itself",
        ),
    ]
    for args, swedish, english in cases:
        result = runner.invoke(args=args, env=SWEDISH_ENV)
        assert result.exit_code == 1 and swedish in result.output, result.output
        assert result.output.startswith("Fel: ")
        result = runner.invoke(args=[*args, "--language", "en"], env=SWEDISH_ENV)
        assert result.exit_code == 1 and english in result.output, result.output
        assert result.output.startswith("Error: ")


def test_restore_over_data_is_refused_in_both_languages(tmp_path):
    live = _app(tmp_path / "live.db")
    runner = live.test_cli_runner()
    with live.app_context():
        organisation = operations.create_organisation("Org", None)
        operations.create_user(
            email="a@example.org", name="A", organisation=organisation, roles={Role.MEMBER}, password="x" * 12
        )
        db.session.commit()
    snapshot = tmp_path / "snap.db"
    assert runner.invoke(args=["backup", str(snapshot)]).exit_code == 0
    result = runner.invoke(args=["restore", str(snapshot)], env=SWEDISH_ENV)
    assert result.exit_code == 1 and "innehåller data" in result.output and "--force" in result.output
    result = runner.invoke(args=["restore", str(snapshot), "--language", "en"])
    assert result.exit_code == 1 and "holds data" in result.output
    with live.app_context():
        db.engine.dispose()


def test_postgresql_refusals_in_both_languages(monkeypatch):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://remiss:s3cret@db.internal/remiss",
            "SECRET_KEY": SECRET,
        }
    )
    runner = app.test_cli_runner()
    monkeypatch.setattr("shutil.which", lambda name: None)
    result = runner.invoke(args=["restore", "x.dump"], env=SWEDISH_ENV)
    assert "Fel: återställning fungerar bara för SQLite-databaser" in result.output
    result = runner.invoke(args=["backup", "--language", "en"], env=SWEDISH_ENV)
    assert "Error: no backup written: this command copies SQLite databases only" in result.output
