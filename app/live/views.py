"""``/d/<slug>/live``: a document's events as Server-Sent Events; and the "is deciding" signal.

A stream holds one of its process's LIVE_STREAMS_PER_PROCESS slots (gunicorn.conf.py gives each
worker that many threads more than it gives pages, so pages always find one) and one of its
user's LIVE_MAX_STREAMS_PER_USER (visitors: per address). It holds no database connection while
it waits: each read takes one from the pool and gives it back.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, abort, current_app, g, request
from flask_login import current_user

from app.database import utcnow
from app.documents.models import Document
from app.extensions import db
from app.live.blueprint import bp
from app.live.broker import broker
from app.live.events import add_event, add_events
from app.live.models import LiveEvent
from app.live.sender import BYE, HEARTBEAT_SECONDS, Subscriber, sender
from app.pagecache import before_making_page
from app.review.models import Comment

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
    # carrying the mark of when they were made, which is what they show: theirs is read when
    # such a page is made (below), or as it renders where the cache is off.
    if request.endpoint in STREAM_PAGES and current_user.is_authenticated:
        g.live_mark = newest_event_id()


@before_making_page
def _mark_visitor_page() -> None:
    if request.endpoint in STREAM_PAGES and g.get("live_mark") is None:
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
    connection = _direct_connection(request.environ)
    db.session.remove()

    def events():
        # The slot is taken once the stream really runs (a response never read holds none);
        # whoever got in between the check above and here is told to come back.
        yield f"retry: {config['LIVE_RETRY_MS']}\n\n"
        if slots.take(key, per_key, per_process) is not None:
            yield "event: busy\ndata: {}\n\n"
            return
        relay = subscriber = None
        try:
            if reload is not None:
                yield f"id: {last}\nevent: reload\ndata: {json.dumps({'changes': max(reload, 0)})}\n\n"
            else:
                yield f"id: {last}\nevent: hello\ndata: {{}}\n\n"
            # From here on the process's sender writes this stream's events (app.live.sender).
            if connection is not None:
                subscriber = Subscriber(document_id, last, editor, viewer_id, *connection)
            else:
                relay, theirs = socket.socketpair()
                subscriber = Subscriber(document_id, last, editor, viewer_id, theirs, relay=True)
            if not sender.add(app, subscriber):
                if subscriber.relay:
                    subscriber.sock.close()
                yield BYE.decode()
                return
            if relay is None:
                # gunicorn's thread sleeps here while the sender writes to its socket.
                while not subscriber.done.wait(HEARTBEAT_SECONDS) and sender.alive():
                    pass
                return
            while chunk := relay.recv(65536):
                yield chunk
        finally:
            if subscriber is not None:
                # The sender drops the stream at its next round (relay: its end is closed).
                subscriber.closed = True
            if relay is not None:
                relay.close()
            slots.give_back(key)

    return Response(
        events(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _direct_connection(environ) -> tuple[socket.socket, bool] | None:
    """The request's socket and whether its response is chunked, when the sender may write to it
    itself: gunicorn without TLS, a GET (gunicorn frames HTTP/1.1 responses without a length in
    chunks, HTTP/1.0 ones as they are). None: relay through a socket pair."""
    sock = environ.get("gunicorn.socket")
    if sock is None or isinstance(sock, ssl.SSLSocket) or environ.get("REQUEST_METHOD") != "GET":
        return None
    return sock, environ.get("SERVER_PROTOCOL", "HTTP/1.1") != "HTTP/1.0"


def _editors_document(slug: str) -> Document:
    """As :func:`_document`, for its editors only (what they are deciding is theirs to say)."""
    document = _document(slug)
    if not document.can_edit(current_user):
        abort(403)
    return document


@bp.route("/d/<slug>/live/deciding/<int:comment_id>", methods=["POST"])
def deciding(slug: str, comment_id: int):
    """An editor opened a comment's decision form: tell the other editors (a light event)."""
    document = _editors_document(slug)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.document_id != document.id or comment.parent_id is not None:
        abort(404)
    add_event(document.id, "deciding", current_user, comment_id=comment.id, block_id=comment.block_id)
    db.session.commit()
    return "", 204


# A bulk decision in the making: at most this many cards are said to be decided on at once.
MAX_DECIDING = 100


@bp.route("/d/<slug>/live/deciding", methods=["POST"])
def deciding_many(slug: str):
    """An editor opened the bulk decision with comments ticked (``comment``: ids, each as the
    dashboard's checkboxes send it, "id:version"): tell the other editors, one event a card.
    Values that name no top-level comment of this document are passed over."""
    document = _editors_document(slug)
    wanted = set()
    for value in request.form.getlist("comment")[:MAX_DECIDING]:
        head = value.partition(":")[0]
        if head.isascii() and head.isdigit() and len(head) < 12:
            wanted.add(int(head))
    if wanted:
        found = db.session.execute(
            sa.select(Comment.id, Comment.block_id)
            .where(Comment.id.in_(wanted), Comment.document_id == document.id, Comment.parent_id.is_(None))
            .order_by(Comment.id)
        ).all()
        rows = [{"comment_id": comment_id, "block_id": block_id} for comment_id, block_id in found]
        add_events(document.id, "deciding", rows, current_user)
        db.session.commit()
    return "", 204
