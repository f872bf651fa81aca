"""State shared by every worker and server (issue 18), tested in one process.

Rate-limit counters in the database or Redis, conditional requests and Cache-Control for
visitors, the visitor page cache and its data stamp, and 503 while the database is unreachable.
tests/test_several_servers.py runs the same things across real gunicorn servers.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from contextlib import closing, suppress

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db, limiter
from app.pagecache import DataStamp, data_stamp
from app.ratelimit import RateCounter
from tests.conftest import CSRF_RE, PASSWORD, Client, add_comment

WRONG = {"email": "eva@example.org", "password": "wrong password"}


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_app(tmp_path):
    """Build an app of its own (rate limits on, say); the shared limiter gets its setting back."""
    was_enabled = limiter.enabled
    made = []

    def make(**config):
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.db'}",
                "SECRET_KEY": "shared-state-test-secret-key-0123456789abcdef",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                **config,
            }
        )
        made.append(app)
        return app

    yield make
    limiter.enabled = was_enabled
    for app in made:
        with app.app_context():
            db.engine.dispose()


def _attempts(client, count, **environ):
    return [client.post("/login", WRONG, environ_base=environ).status_code for _ in range(count)]


# --------------------------------------------------------------------------- rate limits


def test_sign_in_counters_live_in_the_database(own_app):
    app = own_app(RATELIMIT_ENABLED=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == "remissdb://"
    with app.app_context():
        db.create_all()
    client = Client(app.test_client())
    statuses = _attempts(client, 11)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    with app.app_context():
        keys = db.session.scalars(sa.select(RateCounter.key)).all()
    assert any("account:eva@example.org" in key for key in keys)
    assert any("127.0.0.1" in key for key in keys)


def test_one_account_is_throttled_whichever_address_tries_it(own_app):
    app = own_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        db.create_all()
    client = Client(app.test_client())
    statuses = [
        client.post("/login", WRONG, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(1, 12)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    # Another account from a fresh address is not held up by it.
    other = client.post(
        "/login", {**WRONG, "email": "olle@example.org"}, environ_base={"REMOTE_ADDR": "10.0.1.1"}
    )
    assert other.status_code == 200


def test_expired_counters_are_purged(own_app):
    app = own_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        db.create_all()
        db.session.add_all(
            [
                RateCounter(key="old", count=3, expires_at=time.time() - 1),
                RateCounter(key="new", count=1, expires_at=time.time() + 60),
            ]
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge", "--language", "en"])
    assert result.exit_code == 0, result.output
    assert "and 1 ended rate-limit counter." in result.output
    with app.app_context():
        assert db.session.scalars(sa.select(RateCounter.key)).all() == ["new"]


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is required under CI")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def test_redis_url_puts_the_counters_in_redis(own_app, redis_url, monkeypatch):
    import redis

    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    app = own_app(RATELIMIT_ENABLED=True)
    assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    with app.app_context():
        db.create_all()
    client = Client(app.test_client())
    statuses = _attempts(client, 11)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    keys = redis.Redis.from_url(redis_url).keys("*")
    assert any(b"account:eva@example.org" in key for key in keys)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RateCounter)) == 0


# --------------------------------------------------------------------------- ETag and Cache-Control


def test_visitors_get_etags_and_304_and_cache_control_that_fits(client, factory):
    factory.document(slug="vl")
    first = client.get("/d/vl")
    assert first.status_code == 200
    assert first.headers["ETag"].startswith('W/"')
    vary = first.headers["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary
    # The first answer sets the session cookie: no shared cache may keep it.
    assert first.headers["Cache-Control"] == "private, no-cache"
    client.get("/d/vl")
    again = client.get("/d/vl")  # the session is settled: nothing to set
    assert "Set-Cookie" not in again.headers
    assert again.headers["Cache-Control"] == "public, no-cache"
    # Each answer has a freshly signed CSRF token, but the tag is the same: the page is.
    assert again.headers["ETag"] == first.headers["ETag"]
    not_modified = client.get("/d/vl", headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    # Another visitor (another CSRF secret) never matches the first one's copy.
    stranger = factory.app.test_client().get("/d/vl", headers={"If-None-Match": first.headers["ETag"]})
    assert stranger.status_code == 200
    # Another language is another page.
    english = client.get("/d/vl", headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != first.headers["ETag"]


def test_a_change_changes_the_etag(app, client, factory):
    doc = factory.document(slug="vl")
    member = factory.user()
    etag = client.get("/d/vl").headers["ETag"]
    with app.app_context():
        add_comment(doc, "p1", member, body="Ny synpunkt om licenser.")
    response = client.get("/d/vl", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Ny synpunkt om licenser." in response.get_data(as_text=True)
    assert response.headers["ETag"] != etag


def test_signed_in_pages_are_never_stored_and_get_no_etag(client, factory):
    factory.document(slug="vl")
    user = factory.user()
    client.login(user.email, PASSWORD)
    response = client.get("/d/vl")
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
    assert "public" not in response.headers["Cache-Control"]


def test_errors_and_posts_get_no_etag(client, factory):
    assert "ETag" not in client.get("/d/no-such-document").headers
    assert "ETag" not in client.post("/login", {"email": "x@example.org", "password": "y"}).headers


# --------------------------------------------------------------------------- page cache and data stamp


def test_the_data_stamp_moves_with_shown_changes_only(app, factory):
    doc = factory.document(slug="vl")
    member = factory.user()
    with app.app_context():
        before = data_stamp()
        add_comment(doc, "p1", member)
        after_comment = data_stamp()
        db.session.add(RateCounter(key="k", count=1, expires_at=time.time() + 60))
        db.session.commit()
        after_counter = data_stamp()
        db.session.execute(sa.update(RateCounter).values(count=2))
        db.session.commit()
    assert after_comment > before
    assert after_counter == after_comment
    assert data_stamp_now(app) == after_comment


def data_stamp_now(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(DataStamp.counter).where(DataStamp.id == 1)) or 0


def test_a_visitors_reading_page_comes_from_the_page_cache_until_anything_changes(
    app, client, factory, count_queries
):
    doc = factory.document(slug="vl")
    member = factory.user()
    first = client.get("/d/vl").get_data(as_text=True)
    with count_queries() as statements:
        second = client.get("/d/vl").get_data(as_text=True)
    # Nothing through SQLAlchemy: only the data stamp, read on the driver's own cursor.
    assert statements == []
    mask = re.compile(r'name="csrf_token" value="[^"]+"')
    assert mask.sub("", first) == mask.sub("", second)
    # The cached page carries this session's own, valid token: the language form works.
    token = re.search(r'name="csrf_token" value="([^"]+)"', second).group(1)
    assert client.post("/language", {"language": "en", "csrf_token": token}, csrf=False).status_code == 302
    client.post("/language", {"language": "sv"})
    # A change made anywhere (here: straight through the operation) is on the next page.
    with app.app_context():
        add_comment(doc, "p1", member, body="Synpunkt efter cachen.")
    assert "Synpunkt efter cachen." in client.get("/d/vl").get_data(as_text=True)
    # Signed in, the cache is not used (the page has forms for this reader).
    client.login(member.email)
    with count_queries() as statements:
        client.get("/d/vl")
    assert len(statements) > 1


def test_flashed_messages_are_never_served_from_the_cache(client, factory):
    factory.document(slug="vl")
    user = factory.user()
    client.get("/d/vl")
    client.login(user.email)
    client.logout()  # flashes "You have signed out." for the next page
    assert "Du har loggat ut." in client.get("/d/vl").get_data(as_text=True)
    assert "Du har loggat ut." not in client.get("/d/vl").get_data(as_text=True)


# --------------------------------------------------------------------------- database outage


class Proxy:
    """A TCP relay to the database that can be cut and restored (a database that goes away)."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.connections += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        for sock in self.connections:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.connections = []


def _closed_port_url() -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/remiss"


def test_an_unreachable_database_gives_503_pages_in_the_visitors_language(own_app, caplog):
    app = own_app(SQLALCHEMY_DATABASE_URI=_closed_port_url(), RATELIMIT_ENABLED=False)
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "database": "unreachable"}
    page = client.get("/")
    assert page.status_code == 503
    assert page.headers["Retry-After"].isdigit()
    assert page.headers["Cache-Control"] == "no-store"
    assert "Tjänsten är inte tillgänglig just nu" in page.get_data(as_text=True)
    english = client.get("/d/vl", headers={"Accept-Language": "en"})
    assert english.status_code == 503
    assert "The service is unavailable for a moment" in english.get_data(as_text=True)
    api = client.get("/api/v1/documents")
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "unavailable"
    form = {"email": "a@example.org", "password": "b"}
    refused = client.post("/login", data=form)  # no CSRF token: refused before the database is asked
    assert refused.status_code == 400
    form["csrf_token"] = CSRF_RE.search(refused.get_data(as_text=True)).group(1)
    assert client.post("/login", data=form).status_code == 503
    # No traceback per request: at most one line per LOG_EVERY seconds.
    assert not [r for r in caplog.records if r.exc_info]


def _postgres_target() -> tuple[str, int, str] | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    parsed = sa.engine.make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432, url


@pytest.mark.skipif(_postgres_target() is None, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_pages_recover_by_themselves_when_postgresql_returns(own_app, factory, app):
    host, port, url = _postgres_target()
    factory.document(slug="vl")
    proxy = Proxy((host, port))
    proxy.start()
    relayed = sa.engine.make_url(url).set(host="127.0.0.1", port=proxy.port)
    own = own_app(
        SQLALCHEMY_DATABASE_URI=relayed.render_as_string(hide_password=False), RATELIMIT_ENABLED=False
    )
    client = own.test_client()
    try:
        assert client.get("/d/vl").status_code == 200
        assert client.get("/healthz").status_code == 200
        proxy.stop()
        assert client.get("/healthz").status_code == 503
        assert client.get("/d/vl").status_code == 503
        proxy.start()
        assert client.get("/healthz").status_code == 200
        assert client.get("/d/vl").status_code == 200
    finally:
        proxy.stop()


def test_behind_one_proxy_the_limit_counts_the_clients_address(own_app):
    app = own_app(RATELIMIT_ENABLED=True, PROXIES=1)
    with app.app_context():
        db.create_all()
    client = Client(app.test_client())
    for n in range(12):
        # Twelve people behind one load balancer, each trying once: nobody is refused.
        response = client.post(
            "/login", {**WRONG, "email": f"p{n}@example.org"}, headers={"X-Forwarded-For": f"192.0.2.{n}"}
        )
        assert response.status_code == 200


@pytest.mark.skipif(_postgres_target() is None, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_comments_posted_while_postgresql_goes_away_get_503_and_none_acknowledged_is_lost(
    own_app, factory, app
):
    from app.review.models import Comment

    host, port, url = _postgres_target()
    doc = factory.document(slug="vl")
    people = [factory.user() for _ in range(4)]
    proxy = Proxy((host, port))
    proxy.start()
    relayed = sa.engine.make_url(url).set(host="127.0.0.1", port=proxy.port)
    own = own_app(
        SQLALCHEMY_DATABASE_URI=relayed.render_as_string(hide_password=False), RATELIMIT_ENABLED=False
    )
    path = f"/d/vl/v/1/b/{doc.block_uids['p1']}/comment"
    results: list[tuple[int, str, float]] = []
    began = time.monotonic()

    def post(n: int) -> None:
        client = Client(own.test_client())
        assert client.login(people[n].email).status_code == 302
        token = client.csrf()
        i = 0
        while time.monotonic() - began < 4.0:
            i += 1
            body = f"Avbrott {n}-{i}."
            status = client.post(path, {"kind": "comment", "body": body, "csrf_token": token}).status_code
            results.append((status, body, time.monotonic() - began))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        proxy.stop()
        time.sleep(1.5)
        proxy.start()
        for thread in threads:
            thread.join(30)
    finally:
        proxy.stop()
    statuses = {status for status, _body, _at in results}
    assert statuses <= {302, 503}, statuses  # an outage, never a 500
    assert 503 in statuses
    restored = max(at for status, _b, at in results if status == 503)
    assert any(status == 302 and at > restored for status, _b, at in results)  # it came back by itself
    acknowledged = {body for status, body, _at in results if status == 302}
    with app.app_context():
        stored = set(db.session.scalars(sa.select(Comment.body).where(Comment.body.like("Avbrott %"))))
    assert acknowledged <= stored


def test_sign_in_fails_closed_with_503_while_redis_is_unreachable(own_app, monkeypatch):
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    app = own_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        db.create_all()
    client = Client(app.test_client())
    response = client.post("/login", WRONG)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert client.get("/login").status_code == 200  # pages that count nothing are unaffected
