"""SQLite under several workers (issue 7, point 8): 8 processes × 200 writes, none lost, none locked."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from pathlib import Path

import pytest
import sqlalchemy as sa

PROCESSES = 8
WRITES = 200

pytestmark = pytest.mark.skipif(
    (os.environ.get("TEST_DATABASE_URL") or "sqlite").split(":", 1)[0].startswith("postgres"),
    reason="a test of SQLite's locking; the suite runs on PostgreSQL",
)


def _config(path: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        "SECRET_KEY": "sqlite-stress-secret-key-0123456789abcdef",
        "RATELIMIT_ENABLED": False,
    }


def _writer(path: str, worker: int, start, results) -> None:
    """One worker process: WRITES separate transactions through the app's own engine set-up."""
    errors: list[str] = []
    done = 0
    try:
        from app import create_app
        from app.audit import record
        from app.extensions import db

        app = create_app(_config(Path(path)))
        start.wait()
        with app.app_context():
            for n in range(WRITES):
                try:
                    record(None, "stress.write", None, worker=worker, n=n)
                    db.session.commit()
                    done += 1
                except Exception as error:  # counted and reported, never hidden
                    db.session.rollback()
                    errors.append(repr(error)[:300])
            db.engine.dispose()
    except Exception:
        errors.append(traceback.format_exc()[-2000:])
    results.put((worker, done, errors))


def test_eight_processes_writing_at_once_lose_nothing(tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.audit import AuditEvent
    from app.extensions import db

    path = tmp_path / "stress.db"
    app = create_app(_config(path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        db.engine.dispose()

    # spawn: each worker builds its own app and engine, as a gunicorn worker does.
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    workers = [context.Process(target=_writer, args=(str(path), i, start, results)) for i in range(PROCESSES)]
    for worker in workers:
        worker.start()
    start.set()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    errors = [error for _worker, _done, errs in outcomes for error in errs]
    assert not errors, errors[:5]
    assert not any("database is locked" in e for e in errors)
    assert sum(done for _worker, done, _errs in outcomes) == PROCESSES * WRITES
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEvent.data).where(AuditEvent.action == "stress.write")
        ).scalars()
        seen = {(data["worker"], data["n"]) for data in rows}
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "stress.write")
        )
        db.engine.dispose()
    assert count == PROCESSES * WRITES
    assert seen == {(w, n) for w in range(PROCESSES) for n in range(WRITES)}


def test_writes_outside_a_request_take_the_write_lock_up_front(tmp_path):
    from app import create_app
    from app.extensions import db

    app = create_app(_config(tmp_path / "begin.db"))
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(
            db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]), named=False
        )
        db.session.execute(sa.text("select 1"))
        db.session.commit()
        db.engine.dispose()
    assert statements[0] == "BEGIN IMMEDIATE"


def test_a_background_reader_takes_no_write_lock(tmp_path):
    """The live events' poller reads the table four times a second outside any request: marked
    reading_only, its transactions begin deferred and never hold the write lock writers need."""
    from app import create_app
    from app.database import reading_only
    from app.extensions import db

    app = create_app(_config(tmp_path / "poll.db"))
    statements: list[str] = []
    with app.app_context(), reading_only():
        sa.event.listen(
            db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]), named=False
        )
        db.session.execute(sa.text("select 1"))
        db.session.commit()
        db.engine.dispose()
    assert statements[0] == "BEGIN"
