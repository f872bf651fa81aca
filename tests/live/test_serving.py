"""How a threaded worker serves streams beside pages (gunicorn.conf.py, app/live/serving.py)."""

from __future__ import annotations

import contextlib
import gc
import runpy
import threading
import time
from pathlib import Path

import pytest
from gunicorn.workers.gthread import ThreadWorker

from app.live.serving import PageGate, StreamingWorker, requested_path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_workers_are_threaded_with_threads_for_streams_and_pages(monkeypatch):
    monkeypatch.setenv("LIVE_STREAMS_PER_PROCESS", "50")
    monkeypatch.setenv("PAGE_THREADS", "3")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    assert settings["worker_class"] == "app.live.serving.StreamingWorker"
    assert issubclass(StreamingWorker, ThreadWorker)
    assert settings["threads"] >= 50 + 3
    assert settings["keepalive"] == 0


def _app(started: threading.Event, release: threading.Event, running: list):
    def app(environ, start_response):
        running.append(environ["PATH_INFO"])
        started.set()
        release.wait(5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def test_the_gate_holds_pages_back_but_lets_streams_through():
    started, release, running = threading.Event(), threading.Event(), []
    gate = PageGate(_app(started, release, running), pages=1)

    def call(path):
        body = gate({"PATH_INFO": path}, lambda *a: None)
        list(body)
        getattr(body, "close", lambda: None)()

    first = threading.Thread(target=call, args=("/d/x",))
    first.start()
    started.wait(5)
    # A second page waits at the gate while the first runs ...
    second = threading.Thread(target=call, args=("/d/y",))
    second.start()
    time.sleep(0.2)
    assert running == ["/d/x"]
    # ... an event stream does not.
    stream = threading.Thread(target=call, args=("/d/x/live",))
    stream.start()
    deadline = time.monotonic() + 5
    while "/d/x/live" not in running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running == ["/d/x", "/d/x/live"]
    release.set()
    for thread in (first, second, stream):
        thread.join(5)
    assert sorted(running) == ["/d/x", "/d/x/live", "/d/y"]


def test_the_gate_is_given_back_when_the_app_fails():
    def failing(environ, start_response):
        raise RuntimeError("boom")

    gate = PageGate(failing, pages=1)
    for _ in range(3):
        with contextlib.suppress(RuntimeError):
            gate({"PATH_INFO": "/"}, lambda *a: None)
    assert gate.gate.acquire(blocking=False)


@pytest.mark.parametrize(
    ("head", "path"),
    [
        (b"GET /d/oppna-licenser/live HTTP/1.1\r\nHost: x\r\n", "/d/oppna-licenser/live"),
        (b"GET /d/oppna-licenser/live?last=12 HTTP/1.1\r\n", "/d/oppna-licenser/live"),
        (b"POST /d/a/v/1/b/x/comment HTTP/1.0\r\n", "/d/a/v/1/b/x/comment"),
        (b"GET /d/oppna-licenser/li", None),  # the line is not all there yet
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", None),  # a TLS hello, not HTTP
        (b"GET /a b HTTP/1.1\r\n", None),
        (b"", None),
    ],
)
def test_the_worker_reads_the_path_ahead_of_gunicorn(head, path):
    assert requested_path(head) == path


def test_a_stream_that_reached_the_main_thread_is_sent_to_the_plain_address():
    """A stream asked for with an absolute URL or an encoded path looks like a page to the
    worker's look-ahead; run in the main thread it would hold up every page of the worker."""
    served = []

    def app(environ, start_response):
        served.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"stream"]

    gate = PageGate(app, pages=1)
    answers = []
    # PATH_INFO as WSGI gives it: the request's UTF-8 bytes read as latin-1.
    environ = {"PATH_INFO": "/d/öppna/live".encode().decode("latin-1"), "QUERY_STRING": "last=12"}
    body = gate(environ, lambda status, headers: answers.append((status, dict(headers))))
    assert served == []
    assert answers == [
        ("307 Temporary Redirect", {"Location": "/d/%C3%B6ppna/live?last=12", "Content-Length": "0"})
    ]
    assert list(body) == [b""]
    # In a pool thread the same request is the stream.
    worker = threading.Thread(target=lambda: list(gate(environ, lambda *a: None)))
    worker.start()
    worker.join(5)
    assert served == [environ["PATH_INFO"]]
