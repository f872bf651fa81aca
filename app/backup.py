"""`flask backup` and `flask restore`: a consistent snapshot of the database, and bringing one back.

SQLite is copied with its online backup API, which gives a consistent snapshot while the app keeps
serving. PostgreSQL is backed up with its own tools (pg_dump / pg_restore); the command says how.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from app.extensions import db
from app.i18n import File, OperatorCommand, in_operator_language
from app.web import log_security

BUSY_MS = 10_000


def sqlite_file(uri: str) -> Path | None:
    """The database file of a SQLite URI, or None for another database (or an in-memory one)."""
    url = sa.engine.make_url(uri)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    return connection


def integrity(connection: sqlite3.Connection) -> str:
    """The result of PRAGMA integrity_check: 'ok', or the first problem found."""
    return connection.execute("PRAGMA integrity_check").fetchone()[0]


def row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows per table of a SQLite database (Alembic's bookkeeping table left out)."""
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        if name != "alembic_version"
    ]
    # Names come from the file itself (perhaps a foreign one): quoted as SQL identifiers.
    quoted = {t: '"' + t.replace('"', '""') + '"' for t in tables}
    return {t: connection.execute(f"SELECT count(*) FROM {quoted[t]}").fetchone()[0] for t in tables}  # noqa: S608


def backup_sqlite(source: Path, target: Path) -> dict[str, int]:
    """Copy *source* to *target* as one self-contained file; returns the copy's row counts."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    src = _connect(source)
    dst = _connect(partial)
    try:
        # The copy holds password hashes: readable by the owner only, from the first byte.
        os.chmod(partial, 0o600)
        src.backup(dst)
        # One file, no -wal beside it: a snapshot that can be copied anywhere as it is.
        dst.execute("PRAGMA journal_mode=DELETE")
        problem = integrity(dst)
        if problem != "ok":
            raise click.ClickException(_("the copy failed its integrity check: %(problem)s", problem=problem))
        counts = row_counts(dst)
    finally:
        dst.close()
        src.close()
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return counts


def restore_sqlite(backup: Path, target: Path, force: bool = False) -> dict[str, int]:
    """Replace the database at *target* with *backup*; refuses a target holding data unless *force*."""
    if not backup.is_file():
        raise click.ClickException(_("no such file: %(path)s", path=backup))
    try:
        src = _connect(backup)
        problem = integrity(src)
        tables = row_counts(src)
    except sqlite3.DatabaseError as error:
        raise click.ClickException(
            _("%(path)s is not a SQLite database (%(error)s)", path=backup, error=error)
        ) from error
    if problem != "ok":
        src.close()
        raise click.ClickException(
            _("%(path)s failed its integrity check: %(problem)s", path=backup, problem=problem)
        )
    if "audit_event" not in tables or "user" not in tables:
        src.close()
        raise click.ClickException(_("%(path)s is not a Remiss database", path=backup))
    if target.exists() and not force:
        existing = _connect(target)
        try:
            held = sum(row_counts(existing).values())
        finally:
            existing.close()
        if held:
            src.close()
            raise click.ClickException(
                _(
                    "%(path)s holds data (%(rows)d rows); pass --force to replace it with the backup",
                    path=target,
                    rows=held,
                )
            )
    # The app's pooled connections must not keep reading the file that is being replaced.
    db.engine.dispose()
    dst = _connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
        problem = integrity(dst)
        counts = row_counts(dst)
    finally:
        dst.close()
        src.close()
    if problem != "ok":
        raise click.ClickException(
            _("the restored database failed its integrity check: %(problem)s", problem=problem)
        )
    return counts


def _postgres_instructions(uri: str) -> str:
    url = sa.engine.make_url(uri).set(drivername="postgresql")
    shown = url.render_as_string(hide_password=True)
    return "\n".join(
        [
            _("This database is PostgreSQL. Back it up with PostgreSQL's own tool, for example:"),
            f"  pg_dump --format=custom --file=remiss.dump '{shown}'",
            _("and bring a dump back into an empty database with:"),
            f"  pg_restore --no-owner --dbname='{shown}' remiss.dump",
        ]
    )


def _rows_in_tables(counts: dict[str, int]) -> dict[str, str]:
    """ "12 rows" and "3 tables", worded for a summary line."""
    rows = sum(counts.values())
    return {
        "rows": ngettext("%(num)d row", "%(num)d rows", rows),
        "tables": ngettext("%(num)d table", "%(num)d tables", len(counts)),
    }


@click.command("backup", cls=OperatorCommand)
@in_operator_language
@click.argument("path", required=False, type=File())
@with_appcontext
def backup_command(path: Path | None):
    """Write a consistent snapshot of the database to PATH (default: BACKUP_DIR/remiss-<time>.db)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    source = sqlite_file(uri)
    if source is None:
        if db.engine.dialect.name == "postgresql":
            click.echo(_postgres_instructions(uri))
            found = shutil.which("pg_dump")
            if found:
                click.echo(_("pg_dump is installed: %(path)s", path=found))
            else:
                click.echo(_("pg_dump is not installed: apt-get install postgresql-client"))
        raise click.ClickException(_("no backup written: this command copies SQLite databases only"))
    if path is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = Path(current_app.config["BACKUP_DIR"]) / f"remiss-{stamp}.db"
    if path.resolve() == source.resolve():
        raise click.ClickException(_("the backup cannot overwrite the database itself"))
    counts = backup_sqlite(source, path)
    log_security("backup-written", path=path, rows=sum(counts.values()))
    click.echo(_("Backup written to %(path)s: %(rows)s in %(tables)s.", path=path, **_rows_in_tables(counts)))


@click.command("restore", cls=OperatorCommand)
@in_operator_language
@click.argument("path", type=File())
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@with_appcontext
def restore_command(path: Path, force: bool):
    """Bring back a backup made by `flask backup` (SQLite; stop the app servers first)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    target = sqlite_file(uri)
    if target is None:
        if db.engine.dialect.name == "postgresql":
            click.echo(_postgres_instructions(uri))
        raise click.ClickException(_("restore works on SQLite databases only"))
    counts = restore_sqlite(path, target, force=force)
    log_security("backup-restored", path=path, rows=sum(counts.values()), forced=force)
    click.echo(
        _(
            "Restored %(path)s into %(target)s: %(rows)s in %(tables)s.",
            path=path,
            target=target,
            **_rows_in_tables(counts),
        )
    )
    click.echo(_("Restart the web server now: its workers keep pages of the old data in memory."))
    for table, count in counts.items():
        click.echo(f"  {table:<24} {count}")


def register(app: Flask) -> None:
    """Add `flask backup` and `flask restore` to the app's CLI."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
