"""Backups (issue 7, point 12): `flask backup` snapshots SQLite, `flask restore` brings it back."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.audit import AuditEvent, record
from app.extensions import db

SECRET = "backup-test-secret-key-0123456789abcdef"


def _app(path: Path, migrate: bool = True):
    """An app of its own on the SQLite file *path* (whatever database the suite runs on)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": SECRET,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "BACKUP_DIR": str(path.parent / "backups"),
        }
    )
    if migrate:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()
    return app


@pytest.fixture
def source(tmp_path):
    """A migrated database with the demo data."""
    from app.demo.seed import seed

    app = _app(tmp_path / "live.db")
    with app.app_context():
        seed()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _counts(path: Path) -> dict[str, int]:
    from app.backup import row_counts

    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return row_counts(connection)
    finally:
        connection.close()


def test_backup_then_restore_into_a_fresh_database(source, tmp_path):
    snapshot = tmp_path / "snap" / "remiss.db"
    result = source.test_cli_runner().invoke(args=["backup", str(snapshot), "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    assert snapshot.stat().st_mode & 0o077 == 0
    assert not Path(str(snapshot) + "-wal").exists()  # one self-contained file
    live = _counts(tmp_path / "live.db")
    assert live["comment"] > 0 and live["user"] == 6
    assert _counts(snapshot) == live

    fresh = _app(tmp_path / "fresh.db", migrate=False)
    result = fresh.test_cli_runner().invoke(args=["restore", str(snapshot)])
    assert result.exit_code == 0, result.output
    assert _counts(tmp_path / "fresh.db") == live
    with fresh.app_context():
        # The restored database works through the app, migrations included.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 6
        assert db.session.execute(sa.text("select version_num from alembic_version")).scalar()
        assert db.session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        db.engine.dispose()


def test_default_path_is_in_the_backup_folder(source, tmp_path):
    result = source.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    (made,) = (tmp_path / "backups").glob("remiss-*.db")
    assert _counts(made)["user"] == 6


def test_restore_refuses_a_database_holding_data_unless_forced(source, tmp_path):
    snapshot = tmp_path / "snap.db"
    runner = source.test_cli_runner()
    assert runner.invoke(args=["backup", str(snapshot)]).exit_code == 0
    with source.app_context():
        record(None, "after.backup", None)
        db.session.commit()
    refused = runner.invoke(args=["restore", str(snapshot)])
    assert refused.exit_code != 0 and "--force" in refused.output
    with source.app_context():
        assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "after.backup"))
    forced = runner.invoke(args=["restore", str(snapshot), "--force"])
    assert forced.exit_code == 0, forced.output
    with source.app_context():
        assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "after.backup")) is None
    assert _counts(tmp_path / "live.db") == _counts(snapshot)


def test_restore_refuses_what_is_not_a_remiss_backup(source, tmp_path):
    runner = _app(tmp_path / "fresh.db", migrate=False).test_cli_runner()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["restore", str(junk), "--language", "en"])
    assert result.exit_code != 0 and "not a SQLite database" in result.output
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = runner.invoke(args=["restore", str(other), "--language", "en"])
    assert result.exit_code != 0 and "not a Remiss database" in result.output
    assert runner.invoke(args=["restore", str(tmp_path / "missing.db")]).exit_code != 0


def test_a_backup_taken_during_writes_is_consistent(source, tmp_path):
    stop = threading.Event()
    written = []

    def writer():
        with source.app_context():
            while not stop.is_set():
                record(None, "during.backup", None, n=len(written))
                db.session.commit()
                written.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        snapshots = [tmp_path / f"during-{i}.db" for i in range(3)]
        for snapshot in snapshots:
            result = source.test_cli_runner().invoke(args=["backup", str(snapshot)])
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        thread.join()
    assert written
    for snapshot in snapshots:
        connection = sqlite3.connect(snapshot)
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        numbers = [
            n
            for (n,) in connection.execute(
                "select json_extract(data, '$.n') from audit_event where action = 'during.backup' order by id"
            )
        ]
        connection.close()
        assert numbers == list(range(len(numbers)))  # a prefix: no gaps, no torn writes


def test_postgresql_is_pointed_to_pg_dump(monkeypatch):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://remiss:s3cret@db.internal/remiss",
            "SECRET_KEY": SECRET,
        }
    )
    runner = app.test_cli_runner()
    monkeypatch.setattr("shutil.which", lambda name: None)
    result = runner.invoke(args=["backup", "--language", "en"])
    assert result.exit_code != 0
    assert "pg_dump --format=custom" in result.output
    assert "postgresql://remiss:***@db.internal/remiss" in result.output and "s3cret" not in result.output
    assert "pg_dump is not installed" in result.output
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/pg_dump")
    assert "pg_dump is installed: /usr/bin/pg_dump" in runner.invoke(args=["backup", "--language", "en"]).output
    restore = runner.invoke(args=["restore", "x.dump"])
    assert restore.exit_code != 0 and "pg_restore" in restore.output
