"""The commands' normal output, and click's usage errors, in the operator's language.

tests/test_cli_refusals.py covers the refusals a command raises itself. Here: the progress and
summary lines a command prints when it works, with plural forms, and the usage errors click finds
before the command runs (a missing option, a bad choice, a value that is not a number, a file
that is not there), which click would word in English. The language is --language, else
REMISS_CLI_LANGUAGE or the locale (LANG), else Swedish.
"""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.test_cli_refusals import SWEDISH_ENV


@pytest.fixture
def world(app, factory, tmp_path):
    editor = factory.user(email="eva@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    factory.document(slug="vl", versions=[[("p1", "paragraph", 1, "Text.")]], editor=editor)
    (tmp_path / "utkast.md").write_text("Text.\n\nEtt nytt stycke.\n", encoding="utf-8")
    return {"dir": tmp_path}


def _run(app, args, language=None, **env):
    args = [*args, "--language", language] if language else list(args)
    return app.test_cli_runner().invoke(args=args, env={**SWEDISH_ENV, **env})


def test_a_new_users_line_names_the_roles_in_the_operators_language(app, world):
    base = [
        "users",
        "create",
        "--name",
        "Nils Ny",
        "--org",
        "PRV",
        "--password",
        "x" * 12,
        "--role",
        "editor",
    ]
    result = _run(app, [*base, "--email", "ny@example.org"])
    assert result.exit_code == 0, result.output
    assert result.output == "Skapade ny@example.org (Redaktör) i PRV.\n"
    result = _run(app, [*base, "--email", "new@example.org"], "en")
    assert result.output == "Created new@example.org (Editor) in PRV.\n"


def test_counts_take_their_plural_forms_in_both_languages(app, world):
    result = _run(app, ["search-reindex"])
    assert result.exit_code == 0, result.output
    assert result.output == "Indexerade 1 stycke och 0 synpunkter.\n"
    assert _run(app, ["search-reindex"], "en").output == "Indexed 1 paragraph and 0 comments.\n"
    result = _run(app, ["purge"])
    assert result.output == (
        "Rensade 0 utgångna inloggningsposter, 0 mötesgästers personuppgifter, 0 utgångna väntande "
        "importer, 0 gamla livehändelser och 0 avslutade räknare för begränsning av anrop.\n"
    )
    assert _run(app, ["purge"], "en").output == (
        "Purged 0 expired sign-in records, 0 meeting guests' personal data, 0 expired pending imports, "
        "0 old live events, and 0 ended rate-limit counters.\n"
    )
    assert _run(app, ["send-mail"]).output == (
        "skickade 0, misslyckades (försöker igen senare) 0, hoppade över 0\n"
    )


def test_the_import_report_reads_as_the_web_preview_does(app, world):
    args = ["import-docx", "vl", str(world["dir"] / "utkast.md"), "--dry-run"]
    swedish = _run(app, args).output.splitlines()
    assert swedish[0] == "2 stycken lästes från utkast.md; jämfört med version Utkast 1."
    assert [line.split()[0] for line in swedish[1:7]] == [
        "Oförändrat",
        "Ändrat",
        "Flyttat",
        "Flyttat",
        "Nytt",
        "Borttaget",
    ]
    assert swedish[-2:] == ["Inte importerat: inget.", "Provkörning: inget skrevs."]
    english = _run(app, args, "en").output.splitlines()
    assert english[0] == "2 blocks read from utkast.md; compared with version Utkast 1."
    assert english[-2:] == ["Not imported: nothing.", "Dry run: nothing written."]


def test_the_environment_chooses_when_no_language_is_given(app, world):
    assert _run(app, ["search-reindex"], REMISS_CLI_LANGUAGE="en").output.startswith("Indexed ")
    assert _run(app, ["search-reindex"], LANG="en_GB.UTF-8").output.startswith("Indexed ")
    # --language wins over the environment.
    assert _run(app, ["search-reindex"], "sv", LANG="en_GB.UTF-8").output.startswith("Indexerade ")


USAGE_ERRORS = [
    (
        ["users", "create", "--name", "N", "--org", "O", "--password", "x" * 12],
        "Fel: Alternativet '--email' saknas.",
        "Error: Missing option '--email'.",
    ),
    (
        ["users", "create", "--email", "a@example.org", "--name", "N", "--org", "O", "--role", "boss"],
        "Fel: Ogiltigt värde för '--role': 'boss' är inte ett av 'member', 'editor', 'host', 'admin'.",
        "Error: Invalid value for '--role': 'boss' is not one of 'member', 'editor', 'host', 'admin'.",
    ),
    (
        ["export-meeting", "sju"],
        "Fel: Ogiltigt värde för 'MEETING_ID': 'sju' är inte ett heltal.",
        "Error: Invalid value for 'MEETING_ID': 'sju' is not a whole number.",
    ),
    (
        ["export-meeting"],
        "Fel: Argumentet 'MEETING_ID' saknas.",
        "Error: Missing argument 'MEETING_ID'.",
    ),
    (
        ["import-docx", "vl", "/finns/inte.docx", "--dry-run"],
        "Fel: Ogiltigt värde för 'PATH': Filen '/finns/inte.docx' finns inte.",
        "Error: Invalid value for 'PATH': The file '/finns/inte.docx' does not exist.",
    ),
    (
        ["send-mail", "--limt", "5"],
        "Fel: Det finns inget alternativ '--limt'. Menade du --limit eller --quiet?",
        "Error: There is no option '--limt'. Did you mean --limit or --quiet?",
    ),
]


@pytest.mark.parametrize(
    ("args", "swedish", "english"), USAGE_ERRORS, ids=[" ".join(c[0][:2]) for c in USAGE_ERRORS]
)
def test_clicks_usage_errors_in_the_operators_language(app, world, args, swedish, english):
    result = _run(app, args)
    assert result.exit_code == 2
    command = " ".join(
        a for a in args if a in ("users", "create", "export-meeting", "import-docx", "send-mail")
    )
    lines = result.output.splitlines()
    assert lines[0].startswith("Användning: ") and command in lines[0], result.output
    assert lines[1].startswith("Skriv '") and lines[1].endswith(" --help' för att få hjälp.")
    assert lines[-1] == swedish
    result = _run(app, args, "en")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith("Usage: ") and lines[1].endswith(" --help' for help.")
    assert lines[-1] == english


def test_a_language_that_is_not_offered_is_refused_in_the_environments(app, world):
    result = _run(app, ["search-reindex", "--language", "de"])
    assert result.exit_code == 2
    assert (
        result.output.splitlines()[-1]
        == "Fel: Ogiltigt värde för '--language': 'de' är inte ett av 'sv', 'en'."
    )
    result = _run(app, ["search-reindex", "--language", "de"], REMISS_CLI_LANGUAGE="en")
    assert (
        result.output.splitlines()[-1]
        == "Error: Invalid value for '--language': 'de' is not one of 'sv', 'en'."
    )


def test_every_command_of_the_app_speaks_the_operators_language(app):
    # Flask-Migrate's `flask db` is the library's own; every other command is the app's.
    from app.i18n import OperatorCommand

    def commands(group, path=()):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from commands(command, (*path, name))
            else:
                yield " ".join((*path, name)), command

    mine = [(name, c) for name, c in commands(app.cli) if not name.startswith("db ")]
    assert len(mine) >= 11
    for name, command in mine:
        assert isinstance(command, OperatorCommand), name
        assert "language" in {p.name for p in command.params}, name
