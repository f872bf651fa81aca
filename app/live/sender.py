"""One thread per process writes every open stream's events.

A stream's request thread answers the request (who may read, where to resume), sends the first
frame, then hands its connection to the :class:`Sender` and sleeps until the stream ends. The
sender reads each document's new events once (:class:`Recent`), shapes them once per kind of
reader and writes them to every connection without blocking.

With a thread per stream doing that work, each batch of events woke every stream's thread of the
process, one after another, each taking the interpreter lock from the thread answering pages:
200 streams took a tenth of the CPU per page served, and more of the pages served per second
(benchmarks/README.md).

How a connection is written to:

* **direct** (gunicorn without TLS): the sender writes to the request's socket itself
  (``environ["gunicorn.socket"]``), with ``MSG_DONTWAIT``, in HTTP/1.1's chunked framing that
  gunicorn began (an HTTP/1.0 request gets the bytes as they are). What a slow reader leaves
  unsent waits for the next round; past MAX_PENDING the reader is taken for gone and dropped
  (its browser reconnects and resumes from its last event).
* **relay** (any other server: TLS, Flask's development server, the test client): the sender
  writes to one end of a socket pair and the request's thread yields what it reads from the
  other, so the same code decides what every stream gets.
"""

from __future__ import annotations

import bisect
import json
import logging
import socket
import threading
import time

import sqlalchemy as sa

from app.accounts.models import User
from app.database import background_reads
from app.documents.models import Block, Version
from app.extensions import db
from app.live.broker import broker, polls
from app.live.events import EDITORS_ONLY
from app.live.models import LiveEvent
from app.review.models import Comment

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
BATCH = 200
# Bytes a reader may leave unread before it is taken for gone (a browser reads as it gets them).
MAX_PENDING = 256 * 1024


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
    """:func:`_rows_after` from the sender's thread: its own app context and connection, given back."""
    with background_reads(app, db):
        return _rows_after(document_id, last)


class Recent:
    """The latest events of each document, read once per process for all its streams.

    Rows are kept while they are among the last KEEP of their document; a stream further behind
    reads the table itself.
    """

    KEEP = 1000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[int, list[tuple]] = {}
        # Per document: every event after this id (and up to the last row kept) is in rows.
        self.since: dict[int, int] = {}

    def after(self, app, document_id: int, last: int, heard: int) -> list[tuple]:
        """Rows after *last*, knowing that events up to *heard* were committed.

        A stream that is up to date costs a lookup in memory: no app context, no database, no
        scan of the rows kept (they are in id order: a binary search finds where *last* ends).
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


def shape(rows, editor: bool, viewer_id: int | None) -> list[dict]:
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


def frame(data: dict) -> str:
    """One event as an SSE frame."""
    if data["kind"] is None:
        # Not for this reader: only the id moves on, so a resume starts after it.
        return f"id: {data['id']}\n: -\n\n"
    return f"id: {data['id']}\nevent: {data['kind']}\ndata: {json.dumps(data)}\n\n"


HEARTBEAT = b": heartbeat\n\n"
BYE = b"event: bye\ndata: {}\n\n"


class Subscriber:
    """One open stream as the sender sees it: its reader, where it is, and how to write to it."""

    __slots__ = (
        "chunked",
        "closed",
        "document_id",
        "done",
        "editor",
        "fresh",
        "last",
        "pending",
        "relay",
        "sock",
        "viewer_id",
        "written_at",
    )

    def __init__(self, document_id, last, editor, viewer_id, sock, chunked=False, relay=False):
        self.document_id = document_id
        self.last = last
        self.editor = editor
        self.viewer_id = viewer_id
        self.sock = sock
        self.chunked = chunked
        self.relay = relay  # sock is the sender's end of a socket pair, its own to close
        self.fresh = True  # it has not caught up from its resume point yet
        self.pending = b""
        self.written_at = time.monotonic()
        self.closed = False  # its request thread is gone (the reader left, relay mode)
        self.done = threading.Event()  # the sender is done with it


def gather_seconds(app) -> float:
    """How long the sender lets events gather after a write: LIVE_GATHER_MS, but at most
    LIVE_POLL_GATHER_MS where the process polls the table (SQLite), whose poll interval comes
    on top of it before a browser on another server sees the event."""
    gather = app.config["LIVE_GATHER_MS"]
    if polls(app):
        gather = min(gather, app.config["LIVE_POLL_GATHER_MS"])
    return gather / 1000


class Sender:
    """The process's one writer of stream events (started with its first stream)."""

    def __init__(self) -> None:
        # Joining streams and `seen` are guarded by the broker's condition, which the sender
        # waits on: a new event and a new stream wake it alike.
        self.joining: list[Subscriber] = []
        self.by_document: dict[int, list[Subscriber]] = {}
        # Per document: the highest event id heard of when its streams were last written to.
        self.seen: dict[int, int] = {}
        self.thread: threading.Thread | None = None
        self.app = None
        self.gather = 0.0
        self.failing: str | None = None  # the last read's error, while reading fails

    # ---- what a stream's request thread uses

    def add(self, app, subscriber: Subscriber) -> bool:
        """Take *subscriber* on; False when the process is stopping (its thread says bye itself)."""
        with broker.condition:
            if broker.stopping.is_set():
                return False
            if self.thread is None:
                self.app = app
                self.gather = gather_seconds(app)
                self.thread = threading.Thread(target=self._run, name="remiss-live-sender", daemon=True)
                self.thread.start()
            self.joining.append(subscriber)
            broker.condition.notify_all()
        return True

    def alive(self) -> bool:
        """Whether the sender thread still runs (a stream waiting on it gives up otherwise)."""
        return self.thread is not None and self.thread.is_alive()

    # ---- the thread

    def _run(self) -> None:
        try:
            while True:
                with broker.condition:
                    broker.condition.wait_for(self._has_work, self._until_heartbeat())
                    stopping = broker.stopping.is_set()
                    if stopping:
                        break
                    joining, self.joining = self.joining, []
                    heard = {
                        d: broker.latest.get(d, 0)
                        for d in {*self.by_document, *(s.document_id for s in joining)}
                    }
                for subscriber in joining:
                    self.by_document.setdefault(subscriber.document_id, []).append(subscriber)
                wrote = self._round(heard)
                if wrote and self.gather:
                    # Let events that come close together leave together: PostgreSQL and
                    # Redis wake the sender for each one (a poll of SQLite gathers them already).
                    broker.stopping.wait(self.gather)
        except Exception:  # never expected: end the streams (browsers reconnect and resume)
            log.exception("live: the sender stopped")
        self._end_all()

    def _has_work(self) -> bool:
        if self.joining or broker.stopping.is_set():
            return True
        latest = broker.latest
        return any(latest.get(d, 0) > self.seen.get(d, 0) for d in self.by_document)

    def _until_heartbeat(self) -> float:
        """Seconds until the next heartbeat is due (sooner while a reader has bytes pending)."""
        if not self.by_document:
            return HEARTBEAT_SECONDS
        now = time.monotonic()
        soonest = HEARTBEAT_SECONDS
        for subscribers in self.by_document.values():
            for subscriber in subscribers:
                if subscriber.pending:
                    return 0.2
                soonest = min(soonest, subscriber.written_at + HEARTBEAT_SECONDS - now)
        return max(0.05, soonest)

    def _round(self, heard: dict[int, int]) -> bool:
        """Write what is new to every stream; True if any events were written."""
        wrote = False
        failed = None
        now = time.monotonic()
        for document_id in list(self.by_document):
            subscribers = [s for s in self.by_document[document_id] if not self._gone(s)]
            newest = heard.get(document_id, 0)
            try:
                wrote |= self._write_document(document_id, subscribers, newest)
            except Exception as error:  # the database is away: the streams wait, with heartbeats
                failed = failed or error
                # Not written: the document keeps its news, so the next round tries again.
                newest = self.seen.get(document_id, 0)
            for subscriber in subscribers:
                if subscriber.pending:
                    self._write(subscriber, b"")
                elif now - subscriber.written_at >= HEARTBEAT_SECONDS:
                    self._write(subscriber, HEARTBEAT)
            subscribers = [s for s in subscribers if not s.done.is_set()]
            with broker.condition:
                if subscribers:
                    self.by_document[document_id] = subscribers
                    self.seen[document_id] = max(self.seen.get(document_id, 0), newest)
                else:
                    del self.by_document[document_id]
                    self.seen.pop(document_id, None)
        if failed is not None:
            # Said once, not twice a second, until reading works again (as the poller does).
            if self.failing != str(failed):
                self.failing = str(failed)
                log.warning("live: reading events failed (%s); trying again", failed)
            broker.stopping.wait(0.5)
        else:
            self.failing = None
        return wrote

    def _write_document(self, document_id: int, subscribers: list[Subscriber], heard: int) -> bool:
        """The document's new events to each of its streams, shaped once per kind of reader."""
        wrote = False
        rows_after: dict[int, list[tuple]] = {}
        payloads: dict[tuple, bytes] = {}
        for subscriber in subscribers:
            if subscriber.last >= heard and not subscriber.fresh:
                continue
            last = subscriber.last
            while True:
                rows = rows_after.get(last)
                if rows is None:
                    rows = rows_after[last] = recent.after(self.app, document_id, last, heard)
                if not rows:
                    break
                viewer = subscriber.viewer_id
                mine = viewer is not None and any(row[3] == viewer for row in rows)
                key = (last, subscriber.editor, viewer if mine else None)
                payload = payloads.get(key)
                if payload is None:
                    events = shape(rows, subscriber.editor, viewer if mine else None)
                    payload = payloads[key] = "".join(frame(data) for data in events).encode()
                last = rows[-1][0]
                self._write(subscriber, payload)
                wrote = True
                if len(rows) < BATCH or subscriber.done.is_set():
                    break
            subscriber.last = last
            subscriber.fresh = False
        return wrote

    def _gone(self, subscriber: Subscriber) -> bool:
        if subscriber.closed and not subscriber.done.is_set():
            self._finish(subscriber)
        return subscriber.done.is_set()

    def _write(self, subscriber: Subscriber, payload: bytes) -> None:
        """*payload* to the stream, without waiting for a slow reader (what is left waits)."""
        if subscriber.done.is_set():
            return
        if payload and subscriber.chunked:
            payload = b"%X\r\n%s\r\n" % (len(payload), payload)
        data = subscriber.pending + payload
        try:
            sent = subscriber.sock.send(data, socket.MSG_DONTWAIT)
        except BlockingIOError:
            sent = 0
        except OSError:  # the reader went away
            self._finish(subscriber, cut=True)
            return
        subscriber.pending = data[sent:]
        if len(subscriber.pending) > MAX_PENDING:
            log.info("live: a reader fell %d bytes behind; dropping its stream", len(subscriber.pending))
            self._finish(subscriber, cut=True)
            return
        subscriber.written_at = time.monotonic()

    def _finish(self, subscriber: Subscriber, cut: bool = False) -> None:
        """Let the stream's request thread end it; *cut*: the connection is no use any more
        (nor is one with bytes still unsent: the response's end would land among them)."""
        cut = cut or bool(subscriber.pending)
        try:
            if subscriber.relay:
                subscriber.sock.close()  # the request thread reads the end of it
            elif cut and not subscriber.closed:
                # The request thread writes the response's end next: make that fail at once
                # instead of waiting on a reader that does not read.
                subscriber.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        subscriber.done.set()

    def _end_all(self) -> None:
        """Say bye to every stream and let their request threads end them (the process stops);
        the next stream to come starts a new sender."""
        with broker.condition:
            joining, self.joining = self.joining, []
            current, self.by_document = self.by_document, {}
            self.seen.clear()
            self.thread = None
        for subscriber in joining:
            current.setdefault(subscriber.document_id, []).append(subscriber)
        for subscribers in current.values():
            for subscriber in subscribers:
                if not self._gone(subscriber):
                    self._write(subscriber, BYE)
                    self._finish(subscriber)


sender = Sender()
