"""The process's one writer of stream events (app/live/sender.py), on real sockets."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
import sqlalchemy.exc

from app.extensions import db
from app.live import sender as sender_module
from app.live.broker import broker
from app.live.events import add_event
from app.live.sender import Sender, Subscriber


@pytest.fixture
def own_sender():
    """A sender of the test's own (the process's one may hold other tests' streams)."""
    sending = Sender()
    yield sending
    broker.stop()
    try:
        if sending.thread is not None:
            sending.thread.join(5)
    finally:
        broker.stopping.clear()


def _read_until(sock: socket.socket, needle: bytes, seconds: float = 5) -> bytes:
    sock.settimeout(seconds)
    data = b""
    deadline = time.monotonic() + seconds
    while needle not in data and time.monotonic() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _eventually(check, seconds: float = 5) -> bool:
    """Whether *check* holds within *seconds* (the sender notes what it wrote after writing it)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _event(app, document, kind="comment") -> int:
    with app.app_context():
        event_id = add_event(document.id, kind, None)
        db.session.commit()
        return event_id


def _dechunk(data: bytes) -> bytes:
    """HTTP/1.1 chunked framing taken off, as a browser does; fails on a malformed frame."""
    body = b""
    while data:
        size, _crlf, rest = data.partition(b"\r\n")
        length = int(size, 16)
        assert rest[length : length + 2] == b"\r\n", "a chunk must end with CRLF"
        body += rest[:length]
        data = rest[length + 2 :]
    return body


def test_events_are_written_in_chunks_a_browser_can_read(app, factory, editor, own_sender):
    document = factory.document(editor=editor)
    theirs, ours = socket.socketpair()
    subscriber = Subscriber(document.id, 0, False, None, ours, chunked=True)
    assert own_sender.add(app, subscriber)
    first = _event(app, document)
    broker.publish(first, document.id)
    second = _event(app, document, kind="deciding")  # for editors only: this reader gets the id
    broker.publish(second, document.id)
    data = _read_until(theirs, f"id: {second}\n".encode())
    text = _dechunk(data).decode()
    assert f"id: {first}\nevent: comment\n" in text
    assert f"id: {second}\n: -\n\n" in text
    assert "deciding" not in text
    assert _eventually(lambda: subscriber.last == second)


def test_a_reader_that_stops_reading_is_dropped_not_waited_for(app, factory, editor, own_sender, monkeypatch):
    """A stalled browser must not hold up the streams of everyone else in the process."""
    monkeypatch.setattr(sender_module, "MAX_PENDING", 4096)
    document = factory.document(editor=editor)
    _unread, stalled = socket.socketpair()  # kept open, never read
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    reading_theirs, reading = socket.socketpair()
    slow = Subscriber(document.id, 0, False, None, stalled)
    fine = Subscriber(document.id, 0, False, None, reading)
    assert own_sender.add(app, slow) and own_sender.add(app, fine)
    last = 0
    for _ in range(400):
        last = _event(app, document)
    broker.publish(last, document.id)
    assert slow.done.wait(10), "the stalled reader is let go"
    assert _read_until(reading_theirs, f"id: {last}\n".encode(), 10).count(b"event: comment") == 400
    assert not fine.done.is_set()
    # Its connection was shut: its request thread's last write fails at once instead of hanging.
    with pytest.raises(OSError):
        for _ in range(100):
            stalled.sendall(b"x" * 65536)


def test_a_reader_gone_is_noticed_and_its_thread_let_go(app, factory, editor, own_sender):
    document = factory.document(editor=editor)
    theirs, ours = socket.socketpair()
    subscriber = Subscriber(document.id, 0, False, None, ours)
    assert own_sender.add(app, subscriber)
    theirs.close()
    broker.publish(_event(app, document), document.id)
    assert subscriber.done.wait(5)


def test_an_idle_stream_gets_a_heartbeat(app, factory, editor, own_sender, monkeypatch):
    monkeypatch.setattr(sender_module, "HEARTBEAT_SECONDS", 0.3)
    document = factory.document(editor=editor)
    theirs, ours = socket.socketpair()
    assert own_sender.add(app, Subscriber(document.id, 0, False, None, ours))
    assert b": heartbeat\n\n" in _read_until(theirs, b": heartbeat", 5)


def test_stopping_says_bye_to_every_stream_and_refuses_new_ones(app, factory, editor, own_sender):
    document = factory.document(editor=editor)
    pairs = [socket.socketpair() for _ in range(3)]
    subscribers = [Subscriber(document.id, 0, False, None, ours) for _theirs, ours in pairs]
    for subscriber in subscribers:
        assert own_sender.add(app, subscriber)
    threading.Timer(0.1, broker.stop).start()
    for (theirs, _ours), subscriber in zip(pairs, subscribers, strict=True):
        assert b"event: bye" in _read_until(theirs, b"event: bye")
        assert subscriber.done.wait(5)
    assert not own_sender.add(app, Subscriber(document.id, 0, False, None, socket.socketpair()[1]))


def test_while_the_database_is_away_streams_get_heartbeats_then_the_events(
    app, factory, editor, own_sender, monkeypatch, caplog
):
    """A restart of the database must not leave streams silent (a proxy would cut them) nor lose
    what was committed: the sender keeps the beat and sends the events once it reads again."""
    monkeypatch.setattr(sender_module, "HEARTBEAT_SECONDS", 0.3)
    caplog.set_level(logging.WARNING, logger="app.live.sender")
    document = factory.document(editor=editor)
    theirs, ours = socket.socketpair()
    subscriber = Subscriber(document.id, 0, False, None, ours)
    assert own_sender.add(app, subscriber)
    real_read = sender_module._read_after
    attempts = []

    def away(*args):
        attempts.append(args)
        raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("the database restarts"))

    monkeypatch.setattr(sender_module, "_read_after", away)
    event_id = _event(app, document)
    broker.publish(event_id, document.id)
    beats = _read_until(theirs, b": heartbeat\n\n: heartbeat\n\n", 5)
    assert beats.count(b": heartbeat") >= 2 and b"event:" not in beats
    assert len(attempts) >= 2, "it keeps trying"
    said = [r for r in caplog.records if "reading events failed" in r.getMessage()]
    assert len(said) == 1, "said once, not at every try"
    monkeypatch.setattr(sender_module, "_read_after", real_read)
    assert f"id: {event_id}\nevent: comment\n".encode() in _read_until(
        theirs, f"id: {event_id}\n".encode(), 5
    )
    assert _eventually(lambda: subscriber.last == event_id) and not subscriber.done.is_set()


def test_events_close_together_leave_in_one_write(app, factory, editor, own_sender, monkeypatch):
    """After a write the sender lets what follows gather (on SQLite too, whose own commits wake it
    at once): with 200 streams open, a wake-up per comment cost the servers 15 % more CPU a
    request."""
    monkeypatch.setitem(app.config, "LIVE_GATHER_MS", 1000)
    monkeypatch.setitem(app.config, "LIVE_POLL_GATHER_MS", 1000)
    document = factory.document(editor=editor)
    theirs, ours = socket.socketpair()
    assert own_sender.add(app, Subscriber(document.id, 0, False, None, ours))
    first = _event(app, document)
    broker.publish(first, document.id)
    assert f"id: {first}\n".encode() in _read_until(theirs, f"id: {first}\n".encode())
    second = _event(app, document)
    broker.publish(second, document.id)
    time.sleep(0.1)
    third = _event(app, document)
    broker.publish(third, document.id)
    theirs.settimeout(5)
    together = theirs.recv(65536)
    assert f"id: {second}\n".encode() in together and f"id: {third}\n".encode() in together


def test_reading_events_leaves_no_transaction_to_roll_back(app, factory, editor):
    """On PostgreSQL the sender's and the listener's reads run without a transaction: a ROLLBACK
    makes psycopg drop every statement it prepared on that pooled connection (DEALLOCATE ALL),
    and the pages that took the connection next parsed and planned every statement again.
    (With 200 open streams that was most of what they cost PostgreSQL.)"""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("prepared statements and their DEALLOCATE ALL are PostgreSQL's (psycopg)")
    from psycopg.pq import TransactionStatus

    document = factory.document(editor=editor)
    _event(app, document)
    open_at_rollback = []

    def before_rollback(connection):
        status = connection.connection.dbapi_connection.pgconn.transaction_status
        open_at_rollback.append(status != TransactionStatus.IDLE)

    with app.app_context():
        engine = db.engine
    sqlalchemy.event.listen(engine, "rollback", before_rollback)
    try:
        rows = sender_module._read_after(app, document.id, 0)
        broker.catch_up(app)
    finally:
        sqlalchemy.event.remove(engine, "rollback", before_rollback)
    assert [row[1] for row in rows] == ["comment"]
    assert open_at_rollback, "the sessions were given back (and rolled back) as usual"
    assert not any(open_at_rollback), "a transaction was open, so a real ROLLBACK was sent"


def test_reading_events_on_sqlite_takes_no_write_lock(app, factory, editor):
    """The sender reads outside any request, several times a second under load: its transaction
    begins deferred, so a comment being posted never waits for it (outside a request, SQLite
    transactions otherwise begin IMMEDIATE and hold the one write lock)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("BEGIN IMMEDIATE is SQLite's")
    document = factory.document(editor=editor)
    _event(app, document)
    begun = []

    def before(conn, cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            begun.append(statement)

    with app.app_context():
        engine = db.engine
    sqlalchemy.event.listen(engine, "before_cursor_execute", before)
    try:
        rows = sender_module._read_after(app, document.id, 0)
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", before)
    assert [row[1] for row in rows] == ["comment"]
    assert begun == ["BEGIN"]
