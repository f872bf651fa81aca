"""``/d/<slug>/live``: a document's events as Server-Sent Events; and the "is deciding" signal.

A stream holds one of its process's LIVE_STREAMS_PER_PROCESS slots (gunicorn.conf.py gives each
worker that many threads more than it gives pages, so pages always find one) and one of its
user's LIVE_MAX_STREAMS_PER_USER (visitors: per address). It holds no database connection while
it waits: each read takes one from the pool and gives it back.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, current_app, g, request
from flask_login import current_user

from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Block, Document, Version
from app.extensions import db
from app.live.blueprint import bp
from app.live.broker import broker, polls
from app.live.events import EDITORS_ONLY, add_event
from app.live.models import LiveEvent
from app.review.models import Comment

HEARTBEAT_SECONDS = 15
BATCH = 200
# The pages that open a stream (templates/live/_hook.html). Their mark is read before the page
# reads its own data: an event committed while the page is made is then sent again (the script
# takes it twice without harm) instead of falling between the page and its stream.
STREAM_PAGES = frozenset(
    {
        "documents.document",
        "documents.version",
        "review.dashboard",
        "review.decide",
        "drafting.draft",
        "drafting.edit_block",
    }
)


def newest_event_id() -> int:
    """The highest event id given so far (0 before the first)."""
    return db.session.scalar(sa.select(sa.func.max(LiveEvent.id))) or 0


@bp.before_app_request
def _mark_stream_pages() -> None:
    # Visitors' reading pages come whole from the page cache without a query (app.pagecache),
    # carrying the mark of when they were made, which is what they show; a page made for a
    # visitor takes its mark as it renders.
    if request.endpoint in STREAM_PAGES and current_user.is_authenticated:
        g.live_mark = newest_event_id()


@bp.app_template_global()
def live_mark() -> int:
    """Where this page's stream starts: the newest event before the page read its data."""
    mark = g.get("live_mark")
    return newest_event_id() if mark is None else mark


class Slots:
    """Streams open in this process: all of them, and per user or address."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.by_key: Counter = Counter()
        self.total = 0

    def refuses(self, key: str, per_key: int, per_process: int) -> str | None:
        """Why a stream for *key* would be refused: "user" (their cap), "process" (full), or None."""
        with self.lock:
            if self.by_key[key] >= per_key:
                return "user"
            if self.total >= per_process:
                return "process"
            return None

    def take(self, key: str, per_key: int, per_process: int) -> str | None:
        """Take a slot for *key*; None, or why not (as :meth:`refuses`)."""
        with self.lock:
            refused = self.refuses(key, per_key, per_process)
            if refused is None:
                self.by_key[key] += 1
                self.total += 1
            return refused

    def give_back(self, key: str) -> None:
        """Give a slot back (the stream ended)."""
        with self.lock:
            self.by_key[key] -= 1
            if self.by_key[key] <= 0:
                del self.by_key[key]
            self.total -= 1


slots = Slots()


def _document(slug: str) -> Document:
    """The document, 404 when missing, 403 when the reader may not read it (never a redirect:
    an event stream is no page to sign in from)."""
    document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    if document is None:
        abort(404)
    if not document.can_read(current_user):
        abort(403)
    return document


def _resume_point(document_id: int) -> tuple[int, int | None]:
    """Where the stream starts: (last id sent, changes to report with "reload", or None).

    No id: from now on (pages give the id they were made at, so nothing falls between the page
    and its stream). An id this database never gave (not an integer, negative, beyond the
    highest) or one from before the retention window: "reload", with how many of this
    document's events are still known after it when that means anything (none, and none
    purged: the stream resumes, as there is nothing to reload for).
    """
    given = request.headers.get("Last-Event-ID") or request.args.get("last")
    newest = newest_event_id()
    if given is None or given == "":
        return newest, None
    try:
        last = int(given)
    except ValueError:
        return newest, -1
    if last < 0 or last > newest:
        return newest, -1
    if last == newest:
        return last, None  # nothing happened since: however long ago that was, nothing is missed
    if last == 0:
        # The page was made while no event was kept (purge keeps the newest, so none was
        # purged since): everything kept is new to it.
        return 0, None
    oldest_kept = utcnow() - timedelta(seconds=current_app.config["LIVE_RETENTION"])
    first_id = db.session.scalar(sa.select(sa.func.min(LiveEvent.id))) or 0
    sent_at = db.session.scalar(sa.select(LiveEvent.created_at).where(LiveEvent.id == last))
    purged_since = last < first_id - 1
    if purged_since or (sent_at is not None and sent_at < oldest_kept):
        changes = db.session.scalar(
            sa.select(sa.func.count(LiveEvent.id)).where(
                LiveEvent.document_id == document_id, LiveEvent.id > last
            )
        )
        if changes == 0 and not purged_since:
            # Nothing happened to this document since (a page long open, or long in the page
            # cache): nothing to reload for.
            return newest, None
        return newest, changes
    return last, None


def _rows_after(document_id: int, last: int) -> list[tuple]:
    """This document's events after id *last* as rows: ids, a kind, and what pages look them up by."""
    return db.session.execute(
        sa.select(
            LiveEvent.id,
            LiveEvent.kind,
            LiveEvent.comment_id,
            LiveEvent.actor_id,
            Block.uid,
            Version.number,
            Comment.number,
            Comment.parent_id,
            User.name,
        )
        .outerjoin(Block, Block.id == LiveEvent.block_id)
        .outerjoin(Version, Version.id == LiveEvent.version_id)
        .outerjoin(Comment, Comment.id == LiveEvent.comment_id)
        .outerjoin(User, User.id == LiveEvent.actor_id)
        .where(LiveEvent.document_id == document_id, LiveEvent.id > last)
        .order_by(LiveEvent.id)
        .limit(BATCH)
    ).all()


def _event_id(row: tuple) -> int:
    return row[0]


def _read_after(app, document_id: int, last: int) -> list[tuple]:
    """:func:`_rows_after` from a stream's thread: its own app context and connection, given back."""
    with app.app_context():
        try:
            return _rows_after(document_id, last)
        finally:
            db.session.remove()


class Recent:
    """The latest events of each document, read once per process for all its streams.

    A hundred streams on one document would otherwise each read the same new row when it comes;
    here the first reads it and the others take it from memory. Rows are kept while they are
    among the last KEEP of their document; a stream further behind reads the table itself.
    """

    KEEP = 1000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[int, list[tuple]] = {}
        # Per document: every event after this id (and up to the last row kept) is in rows.
        self.since: dict[int, int] = {}

    def after(self, app, document_id: int, last: int, heard: int) -> list[tuple]:
        """Rows after *last*, knowing that events up to *heard* were committed.

        Called by every stream of the document each time an event is heard, so a stream that
        is up to date costs a lookup in memory: no app context, no database, no scan of the
        rows kept (they are in id order: a binary search finds where *last* ends).
        """
        with self.lock:
            rows = self.rows.get(document_id)
            since = self.since.get(document_id)
            if rows is None or since is None or since > last:
                found = _read_after(app, document_id, last)
                if len(found) < BATCH and (rows is None or since is None or not rows):
                    self.rows[document_id], self.since[document_id] = list(found), last
                return found
            top = rows[-1][0] if rows else since
            if heard > top:
                fresh = _read_after(app, document_id, top)
                rows.extend(fresh)
                if len(fresh) == BATCH:
                    # More than a batch arrived at once: start again from here next time.
                    self.rows[document_id], self.since[document_id] = [], fresh[-1][0]
                    rows = fresh
                elif len(rows) > self.KEEP:
                    del rows[: len(rows) - self.KEEP]
                    self.since[document_id] = rows[0][0] - 1
            start = bisect.bisect_right(rows, last, key=_event_id)
            return rows[start : start + BATCH]


recent = Recent()


def _shape(rows, editor: bool, viewer_id: int | None) -> list[dict]:
    """Rows as this reader's browser gets them: ids and a kind."""
    events = []
    for event_id, kind, comment_id, actor_id, uid, version, number, parent_id, name in rows:
        if kind in EDITORS_ONLY and not editor:
            events.append({"id": event_id, "kind": None})
            continue
        data = {"id": event_id, "kind": kind}
        if viewer_id is not None and actor_id == viewer_id:
            data["mine"] = True  # the page that did it shows it already
        if comment_id is not None:
            data.update(comment=comment_id, number=number, parent=parent_id)
        if uid is not None:
            data["block"] = uid
        if version is not None:
            data["version"] = version
        if editor and name and kind in {"decided", "deciding", "draft", "applied"}:
            # Editors see who decided on the dashboard anyway; no one else gets a name here.
            data["by"] = name
        events.append(data)
    return events


def _frame(data: dict) -> str:
    if data["kind"] is None:
        # Not for this reader: only the id moves on, so a resume starts after it.
        return f"id: {data['id']}\n: -\n\n"
    return f"id: {data['id']}\nevent: {data['kind']}\ndata: {json.dumps(data)}\n\n"


@bp.route("/d/<slug>/live")
def stream(slug: str):
    """The document's events from the last one the browser saw (Last-Event-ID or ?last=)."""
    document = _document(slug)
    editor = document.can_edit(current_user)
    config = current_app.config
    key = f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"
    per_key, per_process = config["LIVE_MAX_STREAMS_PER_USER"], config["LIVE_STREAMS_PER_PROCESS"]
    refused = slots.refuses(key, per_key, per_process)
    if refused == "user":
        return Response("Too many open streams\n", 429, {"Retry-After": "30"}, mimetype="text/plain")
    if refused == "process":
        return Response("Busy\n", 503, {"Retry-After": "5"}, mimetype="text/plain")
    last, reload = _resume_point(document.id)
    app = current_app._get_current_object()
    broker.ensure_started(app)
    document_id = document.id
    viewer_id = current_user.id if current_user.is_authenticated else None
    gather = 0 if polls(app) else config["LIVE_GATHER_MS"] / 1000
    db.session.remove()

    def events():
        # The slot is taken once the stream really runs (a response never read holds none);
        # whoever got in between the check above and here is told to come back.
        nonlocal last
        yield f"retry: {config['LIVE_RETRY_MS']}\n\n"
        if slots.take(key, per_key, per_process) is not None:
            yield "event: busy\ndata: {}\n\n"
            return
        try:
            if reload is not None:
                yield f"id: {last}\nevent: reload\ndata: {json.dumps({'changes': max(reload, 0)})}\n\n"
            else:
                yield f"id: {last}\nevent: hello\ndata: {{}}\n\n"
            while not broker.stopping.is_set():
                heard = broker.heard(document_id)
                found = _shape(recent.after(app, document_id, last, heard), editor, viewer_id)
                if found:
                    # One write for what came together (a frame a write was a system call each).
                    last = found[-1]["id"]
                    yield "".join(_frame(data) for data in found)
                if len(found) == BATCH:
                    continue
                if not broker.wait(document_id, max(heard, last), HEARTBEAT_SECONDS):
                    yield ": heartbeat\n\n"
                elif gather:
                    # Let events that come close together leave together. PostgreSQL and Redis
                    # wake every stream for each event (a poll of SQLite gathers them already):
                    # at 15 comments a second, 200 streams waking 3,000 times a second halved
                    # the pages served (benchmarks/README.md).
                    broker.stopping.wait(gather)
            yield "event: bye\ndata: {}\n\n"
        finally:
            slots.give_back(key)

    return Response(
        events(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@bp.route("/d/<slug>/live/deciding/<int:comment_id>", methods=["POST"])
def deciding(slug: str, comment_id: int):
    """An editor opened a comment's decision form: tell the other editors (a light event)."""
    document = _document(slug)
    if not document.can_edit(current_user):
        abort(403)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.document_id != document.id or comment.parent_id is not None:
        abort(404)
    add_event(document.id, "deciding", current_user, comment_id=comment.id, block_id=comment.block_id)
    db.session.commit()
    return "", 204
