"""Database helpers shared by every feature: column types, time, SQLite tuning."""

from __future__ import annotations

import contextlib
import contextvars
import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Requests that never touch the database or a template: per-request set-up skips them.
BARE_ENDPOINTS = frozenset({None, "static", "site.health"})


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """A datetime stored as naive UTC on every database and read back aware."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=UTC)
        return value


def enum_type(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    """A string column restricted to *enum_class*'s values by a CHECK constraint."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def writes_on_get(view):
    """Mark a view that writes although it answers GET (a sign-in callback, the start of a
    sign-in): it gets a write transaction like a POST, not the read-only set-up of a GET."""
    view.writes_on_get = True
    return view


def request_writes() -> bool:
    """True if this request may write: POST and the like, and views marked `writes_on_get`."""
    if request.method in WRITE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "writes_on_get", False))


_reading_only: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_only", default=False)


@contextlib.contextmanager
def reading_only():
    """Work outside a request that only reads (a background poll): on SQLite its transactions
    take no write lock, which BEGIN IMMEDIATE would take several times a second for nothing."""
    token = _reading_only.set(True)
    try:
        yield
    finally:
        _reading_only.reset(token)


@contextlib.contextmanager
def background_reads(app, db):
    """An app context for a thread that only reads beside the requests (app.live's sender,
    listener and poll), its session given back at the end: on SQLite its transactions take no
    write lock (:func:`reading_only`), on PostgreSQL it has none (:func:`without_transaction`)."""
    with app.app_context(), reading_only():
        try:
            without_transaction(db.session)
            yield db.session
        finally:
            db.session.remove()


def _sqlite_begin_mode() -> str:
    # A request that writes takes the write lock up front: a deferred
    # transaction that upgrades later is what produces "database is locked".
    if _reading_only.get() or (has_request_context() and not request_writes()):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys and explicit BEGIN for a SQLite engine."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(_sqlite_begin_mode())


def configure_postgresql(app, db) -> None:
    """Requests that only read run their statements without BEGIN and ROLLBACK.

    PostgreSQL's default READ COMMITTED gives every statement its own snapshot anyway, so a
    page that reads sees the same data with or without a transaction around it; without one
    it saves two of its nine round trips to the server. Requests that write keep a
    transaction (BEGIN ... COMMIT); the pool restores the isolation level on check-in.
    """

    @app.before_request
    def _reads_autocommit():
        if request.endpoint in BARE_ENDPOINTS or request_writes():
            return
        without_transaction(db.session)


def without_transaction(session) -> None:
    """On PostgreSQL, run *session*'s statements in autocommit (call before its first one).

    For what only reads: pages, and the threads that read beside them (app.live). Besides the
    round trips, it keeps the connection's prepared statements: psycopg prepares a statement run
    five times, and a ROLLBACK makes it drop every one of them (DEALLOCATE ALL), so a pooled
    connection a background read had rolled back made the next pages parse and plan every
    statement again. A no-op on SQLite.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
