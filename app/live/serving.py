"""Pages and streams in one threaded gunicorn worker without either starving the other.

gunicorn.conf.py wraps each worker's app in :class:`PageGate`: at most PAGE_THREADS page
requests run at once in a worker (as many as a sync worker would run, which is what SQLite's
single writer and Python's one interpreter lock favour), while event streams bypass the gate
and are limited by app.live.views' own slots. Streams can therefore never take the threads
pages need, and pages never queue behind a hundred idle streams.
"""

from __future__ import annotations

import re
import threading

STREAM_PATH = re.compile(r"^/d/[^/]+/live$")


class PageGate:
    """WSGI middleware: a semaphore of *pages* around every request but the event streams."""

    def __init__(self, app, pages: int) -> None:
        self.app = app
        self.gate = threading.BoundedSemaphore(max(1, pages))

    def __call__(self, environ, start_response):
        if STREAM_PATH.match(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        self.gate.acquire()
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.gate.release()
            raise
        return _Releasing(body, self.gate)


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
