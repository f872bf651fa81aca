"""Live events across two real gunicorn servers on one database (issue 27).

A comment posted on server A reaches a stream opened on server B: through PostgreSQL's
LISTEN/NOTIFY with TEST_DATABASE_URL on PostgreSQL, through each process's poll of the table on
SQLite. Cutting the listeners' connections (as a database restart does) loses nothing.
"""

from __future__ import annotations

import json
import queue
import re
import socket
import threading
import time

import psycopg
import pytest
import requests

from tests.conftest import shared_database
from tests.test_several_servers import SLUG, Browser, Server, _flask


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    with shared_database(tmp_path_factory, "live") as url:
        yield url


@pytest.fixture(scope="module")
def servers(database_url, tmp_path_factory):
    made = []
    for name in ("a", "b"):
        folder = tmp_path_factory.mktemp(f"live-{name}")
        server = Server(name, folder, database_url, workers=1)
        server.env["LIVE_CHANNEL"] = "remiss_live_test"
        made.append(server)
    _flask(made[0].env, "db", "upgrade")
    _flask(made[0].env, "seed-demo")
    try:
        for server in made:
            server.start()
        yield made
    finally:
        for server in made:
            server.stop()


class Stream:
    """An open event stream read by a thread of its own; events arrive on a queue with the time."""

    def __init__(self, browser: Browser, server: Server, last: str | None = None):
        headers = {"Last-Event-ID": last} if last else {}
        self.response = browser.session.get(
            server.url(f"/d/{SLUG}/live"), headers=headers, stream=True, timeout=60
        )
        assert self.response.status_code == 200, self.response.status_code
        self.events: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        frame: dict = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line:
                    if not line.startswith(":"):
                        name, _sep, value = line.partition(": ")
                        frame[name] = value
                    continue
                if "event" in frame:
                    data = json.loads(frame["data"]) if "data" in frame else {}
                    self.events.put((time.monotonic(), frame["event"], frame.get("id"), data))
                frame = {}
        except (requests.RequestException, AttributeError, ValueError):
            pass

    def next(self, kind: str, timeout: float) -> tuple[float, str | None, dict]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {kind!r} event within {timeout} s"
            at, event, event_id, data = self.events.get(timeout=left)
            if event == kind:
                return at, event_id, data

    def close(self) -> None:
        self.response.close()


def _block_path(browser: Browser, server: Server) -> str:
    page = browser.get(server, f"/d/{SLUG}").text
    number, uid = re.search(rf"/d/{SLUG}/v/(\d+)/b/([^/\"]+)/comment", page).groups()
    return f"/d/{SLUG}/v/{number}/b/{uid}/comment"


def test_a_comment_on_one_server_reaches_a_stream_on_the_other(servers):
    a, b = servers
    member, reader = Browser("127.0.0.21"), Browser("127.0.0.22")
    member.sign_in(a, "member@demo.example")
    reader.sign_in(b, "member2@demo.example")
    stream = Stream(reader, b)
    try:
        stream.next("hello", 10)
        path = _block_path(member, a)
        for n in range(3):
            sent = time.monotonic()
            assert member.post(a, path, {"kind": "comment", "body": f"Live via A {n}."}).status_code == 302
            arrived, _id, data = stream.next("comment", 5)
            assert arrived - sent < 2.0, f"took {arrived - sent:.2f} s"
            assert "body" not in data and "Live via A" not in json.dumps(data)
    finally:
        stream.close()


def _cut_listeners(database_url: str) -> int:
    if not database_url.startswith("postgresql"):
        return 0
    conninfo = re.sub(r"^postgresql\+psycopg", "postgresql", database_url).split("?")[0]
    with psycopg.connect(conninfo, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'remiss-live' AND query LIKE '%remiss_live_test%'"
        ).fetchall()
    return len(rows)


def test_listeners_cut_off_reconnect_and_resume(servers, database_url):
    a, b = servers
    member, reader = Browser("127.0.0.23"), Browser("127.0.0.24")
    member.sign_in(a, "member@demo.example")
    reader.sign_in(b, "member2@demo.example")
    stream = Stream(reader, b)
    try:
        stream.next("hello", 10)
        path = _block_path(member, a)
        assert member.post(a, path, {"kind": "comment", "body": "Före avbrottet."}).status_code == 302
        _at, last_id, _data = stream.next("comment", 5)
        cut = _cut_listeners(database_url)
        if database_url.startswith("postgresql"):
            assert cut >= 1  # the listener of the process serving the stream
        # Posted while the listeners are reconnecting: not lost.
        assert member.post(a, path, {"kind": "comment", "body": "Under avbrottet."}).status_code == 302
        stream.next("comment", 15)
        # Pages keep working, and a stream resumed from the first comment's id gets the second.
        assert reader.get(b, f"/d/{SLUG}").status_code == 200
        resumed = Stream(reader, a, last=last_id)
        try:
            resumed.next("hello", 10)
            resumed.next("comment", 10)
        finally:
            resumed.close()
    finally:
        stream.close()


def test_a_stopping_server_ends_its_streams_at_once(servers, database_url, tmp_path_factory):
    """A deploy sends SIGTERM: open streams end (the browser reconnects elsewhere) and the server
    stops in seconds, not after gunicorn's 30-second graceful timeout."""
    c = Server("c", tmp_path_factory.mktemp("live-c"), database_url, workers=1).start()
    reader = Browser("127.0.0.25")
    reader.sign_in(c, "member2@demo.example")
    stream = Stream(reader, c)
    try:
        stream.next("hello", 10)
        started = time.monotonic()
        c.process.terminate()
        stream.next("bye", 10)
        c.process.wait(30)
        assert time.monotonic() - started < 10
    finally:
        stream.close()
        c.stop()


@pytest.fixture(scope="module")
def crowded(database_url, tmp_path_factory):
    """One server, one worker, room for two streams and one page thread."""
    server = Server("crowded", tmp_path_factory.mktemp("live-crowded"), database_url, workers=1)
    server.env.update(LIVE_STREAMS_PER_PROCESS="2", PAGE_THREADS="1", LIVE_CHANNEL="remiss_live_test")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_one_worker_answers_pages_while_its_streams_are_full(servers, crowded):
    """Pages are answered in the worker's main thread and streams in its pool: with every stream
    slot taken, pages (and a comment) still come at once, and one stream more is told to wait."""
    browsers = [Browser(f"127.0.0.{31 + n}") for n in range(3)]
    streams = [Stream(browser, crowded) for browser in browsers[:2]]
    try:
        for stream in streams:
            stream.next("hello", timeout=10)
        started = time.monotonic()
        for _ in range(10):
            assert browsers[2].get(crowded, f"/d/{SLUG}").status_code == 200
        assert time.monotonic() - started < 10
        third = browsers[2].session.get(crowded.url(f"/d/{SLUG}/live"), stream=True, timeout=10)
        assert third.status_code == 503
        third.close()
        # A stream asked for in a form the worker's look-ahead takes for a page (an absolute URL)
        # is sent to the plain address instead of holding up the thread that answers pages.
        host, port = crowded.base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(f"GET {crowded.base}/d/{SLUG}/live HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            answer = raw.recv(4096).decode("latin-1")
        assert answer.startswith("HTTP/1.1 307"), answer[:200]
        assert f"Location: /d/{SLUG}/live" in answer
        assert browsers[2].get(crowded, f"/d/{SLUG}").status_code == 200
        browsers[2].sign_in(crowded, "member@demo.example")
        path = _block_path(browsers[2], crowded)
        answer = browsers[2].post(crowded, path, {"kind": "comment", "body": "Medan strömmarna är fulla."})
        assert answer.status_code == 302
        _at, _id, data = streams[0].next("comment", timeout=5)
        assert data["comment"]
    finally:
        for stream in streams:
            stream.close()
