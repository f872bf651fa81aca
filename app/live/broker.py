"""Each process's ear for new events: who is waiting, and a listener thread that wakes them.

The process's sender (app.live.sender) waits on one condition variable; the broker knows the
highest event id per document it has heard of, so the sender writes only the documents that
have news. What it hears from:

* PostgreSQL: a dedicated connection that LISTENs on LIVE_CHANNEL; each NOTIFY carries
  ``"<event id>:<document id>"``. When the database goes away the thread reconnects with a
  growing pause (0.5 s up to 10 s) and then reads the table once, so nothing committed while it
  was deaf is missed.
* Redis (LIVE_BACKEND=redis): the same payloads on a pub/sub channel.
* SQLite, or any database without a listener: a poll of the table's highest id every
  LIVE_POLL_SECONDS (several gunicorn workers on one SQLite file are separate processes).

Commits in this process wake its own streams at once, whatever the backend (``publish``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import sqlalchemy as sa

from app.database import background_reads

log = logging.getLogger(__name__)


class Broker:
    """Highest event id per document, and a condition streams wait on."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.latest: dict[int, int] = {}
        self.stopping = threading.Event()
        self._started = False
        self._start_lock = threading.Lock()
        self.listener: threading.Thread | None = None
        # The listener's own connection (PostgreSQL), for tests that cut it.
        self.connection = None

    # ---- what streams use

    def publish(self, event_id: int, document_id: int) -> None:
        """Event *event_id* on *document_id* was committed: wake whoever waits for that document."""
        with self.condition:
            if event_id > self.latest.get(document_id, 0):
                self.latest[document_id] = event_id
                self.condition.notify_all()

    def publish_many(self, pairs) -> None:
        """As publish, for many (event id, document id) pairs at once."""
        with self.condition:
            for event_id, document_id in pairs:
                if event_id > self.latest.get(document_id, 0):
                    self.latest[document_id] = event_id
            self.condition.notify_all()

    def stop(self) -> None:
        """End every stream of this process (the worker is stopping: a deploy, a restart)."""
        self.stopping.set()
        with self.condition:
            self.condition.notify_all()

    # ---- the listener

    def ensure_started(self, app) -> None:
        """Start this process's listener thread, once (the first stream does it)."""
        if self._started:
            return
        with self._start_lock:
            if self._started:
                return
            target = _listener_for(app, self)
            self.listener = threading.Thread(target=target, name="remiss-live-listener", daemon=True)
            self.listener.start()
            self._started = True

    def catch_up(self, app) -> None:
        """Read the highest id per document from the table (after the listener was deaf)."""
        from app.extensions import db
        from app.live.models import LiveEvent

        with background_reads(app, db) as session:
            rows = session.execute(
                sa.select(sa.func.max(LiveEvent.id), LiveEvent.document_id).group_by(LiveEvent.document_id)
            ).all()
        self.publish_many(rows)


broker = Broker()


def polls(app) -> bool:
    """Whether this process learns of events by polling the table (SQLite without Redis), where
    a listener (PostgreSQL, Redis) hears of each event as it is committed."""
    if app.config.get("LIVE_BACKEND", "database") == "redis" and app.config.get("LIVE_REDIS_URL"):
        return False
    from app.extensions import db

    with app.app_context():
        return db.engine.dialect.name != "postgresql"


def _listener_for(app, broker: Broker) -> Callable[[], None]:
    backend = app.config.get("LIVE_BACKEND", "database")
    if backend == "redis" and app.config.get("LIVE_REDIS_URL"):
        return lambda: _listen_redis(app, broker)
    from app.extensions import db

    with app.app_context():
        dialect = db.engine.dialect.name
        url = db.engine.url
    if dialect == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return lambda: _listen_postgres(app, broker, conninfo)
    return lambda: _poll_table(app, broker)


def parse_payload(payload: str) -> tuple[int, int] | None:
    """``"<event id>:<document id>"`` as two ints, or None for anything else."""
    event_id, _sep, document_id = (payload or "").partition(":")
    try:
        return int(event_id), int(document_id)
    except ValueError:
        return None


def _listen_postgres(app, broker: Broker, conninfo: str) -> None:
    import psycopg
    import psycopg.sql

    channel = app.config.get("LIVE_CHANNEL", "remiss_live")
    pause = 0.5
    while not broker.stopping.is_set():
        try:
            with psycopg.connect(
                conninfo, autocommit=True, connect_timeout=3, application_name="remiss-live"
            ) as connection:
                broker.connection = connection
                connection.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel)))
                log.info("live: listening on %s", channel)
                # Whatever was committed while this process was deaf (or before it listened).
                broker.catch_up(app)
                pause = 0.5
                while not broker.stopping.is_set():
                    for notice in connection.notifies(timeout=5.0):
                        pair = parse_payload(notice.payload)
                        if pair is not None:
                            broker.publish(*pair)
        except Exception as error:  # the database restarted, the connection was cut
            log.warning("live: listener lost its connection (%s); reconnecting in %.1f s", error, pause)
            broker.connection = None
            if broker.stopping.wait(pause):
                return
            pause = min(pause * 2, 10.0)


def _listen_redis(app, broker: Broker) -> None:
    import redis

    channel = app.config.get("LIVE_CHANNEL", "remiss_live")
    pause = 0.5
    while not broker.stopping.is_set():
        try:
            client = redis.Redis.from_url(app.config["LIVE_REDIS_URL"])
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(channel)
            broker.catch_up(app)
            pause = 0.5
            while not broker.stopping.is_set():
                message = pubsub.get_message(timeout=5.0)
                if message and message.get("type") == "message":
                    data = message["data"]
                    pair = parse_payload(data.decode() if isinstance(data, bytes) else str(data))
                    if pair is not None:
                        broker.publish(*pair)
        except Exception as error:
            log.warning("live: Redis listener lost its connection (%s); reconnecting in %.1f s", error, pause)
            if broker.stopping.wait(pause):
                return
            pause = min(pause * 2, 10.0)


def _poll_table(app, broker: Broker) -> None:
    from app.extensions import db
    from app.live.models import LiveEvent

    every = float(app.config.get("LIVE_POLL_SECONDS", 0.25))
    last = None
    failing = None
    while not broker.stopping.is_set():
        try:
            with background_reads(app, db) as session:
                if last is None:
                    last = session.scalar(sa.select(sa.func.max(LiveEvent.id))) or 0
                rows = session.execute(
                    sa.select(LiveEvent.id, LiveEvent.document_id)
                    .where(LiveEvent.id > last)
                    .order_by(LiveEvent.id)
                ).all()
            if rows:
                last = rows[-1][0]
                broker.publish_many(rows)
            failing = None
        except Exception as error:
            # Said once, not every quarter second, until it works again.
            if failing != str(error):
                failing = str(error)
                log.warning("live: polling the events failed (%s)", error)
        broker.stopping.wait(every)
