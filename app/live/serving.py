"""Pages and streams in one gunicorn worker without either starving the other.

:class:`StreamingWorker` (gunicorn.conf.py's worker class) answers pages as gunicorn's sync
worker does, one at a time in the worker's main thread, and gives only event streams a thread
of their own. Handing every page to a thread pool, as gunicorn's threaded worker does, cost a
fifth of the pages served per second and doubled their p95 under the load benchmark (measured:
96 against 121 reads/s, p95 680 against 335 ms): each worker kept accepting connections while
its threads fought over one interpreter lock, instead of leaving them to an idle worker.

:class:`PageGate` stays around the app as a bound for pages that still reach the pool (a
kept-alive or TLS connection): at most PAGE_THREADS at once. Streams bypass it and are limited
by app.live.views' own slots.
"""

from __future__ import annotations

import re
import socket
import threading
from concurrent import futures
from urllib.parse import quote

from gunicorn.workers.gthread import ThreadWorker

STREAM_PATH = re.compile(r"^/d/[^/]+/live$")
# How long the main thread waits for a new connection's first bytes before leaving it to the
# pool (which parks a silent connection on its poller without holding a thread).
FIRST_BYTES_SECONDS = 0.5


def requested_path(head: bytes) -> str | None:
    """The path of an HTTP/1 request line at the start of *head*, without its query; None when
    the line is not all there or is no request line."""
    line, found, _rest = head.partition(b"\r\n")
    if not found:
        return None
    parts = line.split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/"):
        return None
    return parts[1].split(b"?", 1)[0].decode("latin-1")


class StreamingWorker(ThreadWorker):
    """gunicorn's threaded worker, with pages answered in the main thread (as a sync worker
    would) and only event streams (``/d/<slug>/live``) run in the thread pool."""

    def enqueue_req(self, conn) -> None:
        if self._is_stream(conn):
            super().enqueue_req(conn)
            return
        done: futures.Future = futures.Future()
        try:
            done.set_result(self.handle(conn))
        except BaseException as error:  # handle() reports its own errors; this keeps the count
            done.set_exception(error)
        self.finish_request(conn, done)

    def _is_stream(self, conn) -> bool:
        """Whether a connection goes to the pool: a stream, or one this can't read ahead of
        gunicorn (TLS, a kept-alive connection whose parser holds bytes, a silent client)."""
        if self.cfg.is_ssl or conn.initialized or not conn.wait_for_data(FIRST_BYTES_SECONDS):
            return True
        try:
            head = conn.sock.recv(2048, socket.MSG_PEEK)
        except OSError:
            return True
        path = requested_path(head)
        return path is None or bool(STREAM_PATH.match(path))


class PageGate:
    """WSGI middleware: a semaphore of *pages* around every request but the event streams."""

    def __init__(self, app, pages: int) -> None:
        self.app = app
        self.gate = threading.BoundedSemaphore(max(1, pages))

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if STREAM_PATH.match(path):
            if threading.current_thread() is threading.main_thread():
                return _to_the_pool(environ, start_response, path)
            return self.app(environ, start_response)
        self.gate.acquire()
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.gate.release()
            raise
        return _Releasing(body, self.gate)


def _to_the_pool(environ, start_response, path: str):
    """A stream whose request line the worker took for a page's (an absolute URL, an encoded
    path) reached the main thread, where it would hold up every page of the worker for as long
    as it stays open: send the browser to the plain address, which the worker gives a thread."""
    query = environ.get("QUERY_STRING", "")
    # PATH_INFO is the request's bytes read as latin-1 (PEP 3333): quote those bytes.
    location = quote(path.encode("latin-1", "replace")) + (f"?{query}" if query else "")
    start_response("307 Temporary Redirect", [("Location", location), ("Content-Length", "0")])
    return [b""]


class _Releasing:
    """A response body that gives the gate back once the server has sent and closed it."""

    def __init__(self, body, gate: threading.BoundedSemaphore) -> None:
        self.body = body
        self.gate = gate
        self.released = False

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            if not self.released:
                self.released = True
                self.gate.release()
