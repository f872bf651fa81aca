"""Conditional requests for public pages, and a whole-page cache for visitors' reading pages.

**ETag and Cache-Control (every page, one rule set).** An ``after_request`` hook gives each
successful GET answered to someone *not signed in* a weak ``ETag`` and answers a matching
``If-None-Match`` with 304 and no body. The one per-session value in a page, its CSRF token, is
left out of the tag and replaced by a digest of the session's secret, so the same visitor gets
304s while another visitor's cached copy never matches. Such pages say ``Cache-Control:
no-cache`` (check before reuse): ``public`` only when the answer sets no cookie, else
``private``; always ``Vary: Accept-Language, Cookie``. A signed-in page keeps ``no-store`` (set
in app.web) and gets no ETag; the API sets its own (app.api.blueprint) and is left alone.
Views need do nothing: pages added later (search, new lists) are covered as they are.

**Whole-page cache (the reading page, visitors only).** A visitor's reading page is the same
for every visitor who asks for the same URL in the same language while the data stays the
same, so each process keeps the finished HTML of recent ones (``PAGE_CACHE_SIZE`` pages). Its
key names every input of such a page:

- the *data stamp*: a counter in the database (``data_stamp``) that every transaction writing
  anything a page could show increases as it commits (session hooks below), so a change made
  on *any* app server is a new key on every server at once;
- the language and the reader's region (dates follow it), the path with its query string, and
  the current minute (a version's deadline is a time of day: a page never outlives the minute
  it was made in);
- the CSRF token is not part of the page: the stored HTML has a placeholder and each answer
  gets its own session's token.

Whatever else a request carries (a signed-in user, flashed messages, an expired session) makes
it bypass the cache. Tables a page never shows (rate-limit counters, pending imports, the audit
log, the mail outbox, API token use) do not move the stamp, so sign-in attempts and mail do not
empty it.
"""

from __future__ import annotations

import functools
import hashlib
import time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, g, make_response, request, session
from flask_wtf.csrf import generate_csrf

from app import fragments
from app.database import BARE_ENDPOINTS
from app.extensions import db
from app.i18n import format_locale

# Tables no page shows: writing them leaves cached pages valid.
UNSHOWN_TABLES = frozenset(
    {"data_stamp", "rate_counter", "pending_import", "audit_event", "notification", "api_token"}
)
_CSRF_PLACEHOLDER = "\x00page-csrf\x00"
_BUMP = "remiss.data_changed"


class DataStamp(db.Model):
    """One row whose counter goes up with every committed change that pages could show."""

    __tablename__ = "data_stamp"

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=False)
    counter: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)


# --------------------------------------------------------------------------- the data stamp


def _shown(table) -> bool:
    return getattr(table, "name", None) not in UNSHOWN_TABLES


def _after_flush(session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__table__", None)
        if table is not None and _shown(table) and (obj not in session.dirty or session.is_modified(obj)):
            session.info[_BUMP] = True
            return


def _do_orm_execute(state) -> None:
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and _shown(getattr(state.statement, "table", None)):
        state.session.info[_BUMP] = True


@functools.cache
def _bump_statement(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = DataStamp.__table__
    statement = insert(table).values(id=1, counter=1)
    return statement.on_conflict_do_update(index_elements=[table.c.id], set_={"counter": table.c.counter + 1})


def _before_commit(session) -> None:
    session.flush()  # the last changes are flushed by commit only after this hook
    if session.info.pop(_BUMP, False):
        # Last statement before COMMIT: PostgreSQL holds the row's lock only for an instant.
        session.execute(_bump_statement(session.get_bind().dialect.name))


def _forget(session, *_args) -> None:
    session.info.pop(_BUMP, None)


def watch(session_target) -> None:
    """Move the data stamp with every commit of *session_target* that changes shown data."""
    sa.event.listen(session_target, "after_flush", _after_flush)
    sa.event.listen(session_target, "do_orm_execute", _do_orm_execute)
    sa.event.listen(session_target, "before_commit", _before_commit)
    sa.event.listen(session_target, "after_rollback", _forget)


def data_stamp() -> int:
    """The current data stamp (0 before the first change).

    Read on every cached page, so on the driver's own cursor: SQLAlchemy's result set-up for
    even a textual statement cost more than the query itself. It runs on the request's
    connection, so in its transaction (SQLite: the same snapshot the page is then read from).
    """
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute("SELECT counter FROM data_stamp WHERE id = 1")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return row[0] if row else 0


# --------------------------------------------------------------------------- ETags


def _masked_digest(body: bytes, token: str | None) -> bytes:
    """The digest of a page without its CSRF token."""
    if token:
        body = body.replace(token.encode(), b"")
    return hashlib.sha256(body).digest()


def _etag(masked_digest: bytes, token: str | None) -> str:
    """A page's tag: its digest without the token, and (when it has one) the session's secret's."""
    digest = hashlib.sha256(masked_digest)
    if token:
        digest.update(hashlib.sha256(str(session.get("csrf_token", "")).encode()).digest())
    return digest.hexdigest()[:32]


# --------------------------------------------------------------------------- whole-page cache


# What a plain visitor's session may hold: a language, a CSRF secret, Flask-Login's marker.
_VISITOR_KEYS = frozenset({"language", "csrf_token", "_fresh"})


def _visitor_request() -> bool:
    """A plain visitor's GET: no one signed in, no flashed messages, nothing else in the session."""
    return request.method == "GET" and not g.get("session_expired") and set(session.keys()) <= _VISITOR_KEYS


# Called before a visitor's page is made on a cache miss (not on a hit, which reads nothing).
_before_making: list = []


def before_making_page(hook):
    """Register *hook* (no arguments) to run before a visitor's page is made, on a cache miss:
    app.live reads the page's event mark there, before the page reads its data."""
    _before_making.append(hook)
    return hook


def visitor_page(view):
    """Serve *view*'s 200 pages to visitors from the whole-page cache (see the module's notes)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_app.config.get("PAGE_CACHE_SIZE", 0) <= 0 or not _visitor_request():
            return view(*args, **kwargs)
        key = (
            data_stamp(),
            # The interface language *and* the reader's region: dates are written in both (en-GB
            # and en-US readers get the same words but different dates).
            str(format_locale()),
            request.full_path,
            int(time.time() // 60),
        )
        cache = fragments.cache("pages")
        entry = cache.lookup(key)
        if entry is not None:
            html, masked_digest, has_token = entry
            token = generate_csrf() if has_token else None
            response = make_response(html.replace(_CSRF_PLACEHOLDER, token) if token else html)
            response.set_etag(_etag(masked_digest, token), weak=True)
            return response
        for hook in _before_making:
            hook()
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and response.mimetype == "text/html" and _visitor_request():
            body = response.get_data()
            token = g.get("csrf_token")
            has_token = bool(token) and token.encode() in body
            html = body.decode()
            if has_token:
                html = html.replace(token, _CSRF_PLACEHOLDER)
            cache.store(key, (html, _masked_digest(body, token if has_token else None), has_token))
        return response

    return wrapper


# --------------------------------------------------------------------------- ETag and Cache-Control


def _conditional(response):
    """ETag, Cache-Control and Vary for pages answered to visitors (rules in the module's notes)."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.is_streamed
        or request.endpoint in BARE_ENDPOINTS
        or "_user_id" in session
    ):
        return response
    headers = response.headers
    if "Cache-Control" not in headers:
        shared = not current_app.session_interface.should_set_cookie(current_app, session)
        headers["Cache-Control"] = ("public" if shared else "private") + ", no-cache"
        for name in ("Accept-Language", "Cookie"):
            if name not in headers.get("Vary", ""):
                headers.add("Vary", name)
    if "ETag" not in headers:
        body = response.get_data()
        token = g.get("csrf_token")
        if not (token and token.encode() in body):
            token = None
        response.set_etag(_etag(_masked_digest(body, token), token), weak=True)
    return response.make_conditional(request)


def init_app(app: Flask) -> None:
    """Install the ETag hook; the stamp's session hooks are installed once per process."""
    app.after_request(_conditional)
    if not getattr(watch, "installed", False):
        watch(db.session)
        watch.installed = True
