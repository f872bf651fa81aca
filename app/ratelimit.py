"""Rate-limit counters that every worker and every app server sees.

Flask-Limiter keeps its counters wherever its storage URI points. A worker's memory
(``memory://``) is wrong as soon as there are two workers: each counts only the requests it
happened to answer, so the 11th wrong password got through until the 14th or 20th. So:

- ``RATELIMIT_STORAGE_URI`` (or ``REDIS_URL``) set: the ``limits`` library's own storage for
  that URI, normally Redis, shared by every server that points at it;
- otherwise ``remissdb://``: the :class:`DatabaseStorage` below, one row per counter in the
  app's own database (SQLite for one server, PostgreSQL for several).

Counters are fixed windows (Flask-Limiter's default strategy): a row holds the count and the
moment its window ends; the first hit after that starts a new window. Each hit is one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` committed on a connection of its own, so a
counter is never lost with the request's own rollback (a refused sign-in writes nothing else).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
import sqlalchemy.orm as so
from limits.storage import Storage

from app.extensions import db

SCHEME = "remissdb"


class RateCounter(db.Model):
    """One fixed-window rate-limit counter (Flask-Limiter's key, its count, when it resets)."""

    __tablename__ = "rate_counter"

    key: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    count: so.Mapped[int] = so.mapped_column(sa.Integer)
    # Seconds since the epoch, as Flask-Limiter reports reset times.
    expires_at: so.Mapped[float] = so.mapped_column(sa.Float, index=True)


def _upsert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = RateCounter.__table__
    statement = insert(table).values(
        key=sa.bindparam("key"), count=sa.bindparam("amount"), expires_at=sa.bindparam("expires")
    )
    expired = table.c.expires_at <= sa.bindparam("now")
    return statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": sa.case(
                (expired, statement.excluded.count), else_=table.c.count + statement.excluded.count
            ),
            "expires_at": sa.case((expired, statement.excluded.expires_at), else_=table.c.expires_at),
        },
    ).returning(table.c.count)


class DatabaseStorage(Storage):
    """A ``limits`` storage on the app's database (``remissdb://``); needs an app context."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._statements: dict[str, sa.Insert] = {}

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    @staticmethod
    def _on_request_connection() -> bool:
        # SQLite has one write lock, and a writing request may already hold it (the limit is
        # checked in the view's wrapper, its headers added after the view): a second
        # connection would wait for it until the busy timeout. Use the request's own.
        return db.engine.dialect.name == "sqlite" and db.session().in_transaction()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        dialect = db.engine.dialect.name
        if dialect not in self._statements:
            self._statements[dialect] = _upsert(dialect)
        now = time.time()
        values = {"key": key, "amount": amount, "expires": now + expiry, "now": now}
        if self._on_request_connection():
            # Committed at once, as on the separate connection: nothing of the request's own is
            # written yet when the limit is checked, and a refused sign-in must still count.
            count = db.session.execute(self._statements[dialect], values).scalar_one()
            db.session.commit()
            return count
        with db.engine.begin() as connection:
            return connection.execute(self._statements[dialect], values).scalar_one()

    def _row(self, key: str):
        query = sa.select(RateCounter.count, RateCounter.expires_at).where(RateCounter.key == key)
        if self._on_request_connection():
            return db.session.execute(query).first()
        with db.engine.connect() as connection:
            return connection.execute(query).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(sa.delete(RateCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(RateCounter).where(RateCounter.key == key))


def purge_expired(now: float | None = None) -> int:
    """Delete counters whose window has ended (``flask purge``); returns how many."""
    result = db.session.execute(sa.delete(RateCounter).where(RateCounter.expires_at <= (now or time.time())))
    return result.rowcount or 0
