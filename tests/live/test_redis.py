"""Live events through Redis pub/sub (LIVE_BACKEND=redis), for sites that run Redis: a comment
posted on server A reaches a stream on server B, and the news went over the Redis channel (with
this backend no server polls the table)."""

from __future__ import annotations

import os
import time
import uuid

import pytest
import redis

from tests.live.test_servers import Stream, _block_path
from tests.test_several_servers import Browser, Server, _flask

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def redis_servers(tmp_path_factory):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    channel = f"remiss_live_test_{uuid.uuid4().hex[:8]}"
    database_url = f"sqlite:///{tmp_path_factory.mktemp('live-redis') / 'shared.db'}"
    made = []
    for name in ("a", "b"):
        server = Server(name, tmp_path_factory.mktemp(f"live-redis-{name}"), database_url, workers=1)
        server.env.update(
            {
                "LIVE_BACKEND": "redis",
                "LIVE_REDIS_URL": REDIS_URL,
                "LIVE_CHANNEL": channel,
                "LIVE_POLL_SECONDS": "60",
            }
        )
        made.append(server)
    _flask(made[0].env, "db", "upgrade")
    _flask(made[0].env, "seed-demo")
    try:
        for server in made:
            server.start()
        yield made, channel
    finally:
        for server in made:
            server.stop()


def test_a_comment_on_one_server_reaches_the_other_through_redis(redis_servers):
    (a, b), channel = redis_servers
    listener = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel)
    member, reader = Browser("127.0.0.51"), Browser("127.0.0.52")
    member.sign_in(a, "member@demo.example")
    reader.sign_in(b, "member2@demo.example")
    stream = Stream(reader, b)
    try:
        stream.next("hello", 10)
        sent = time.monotonic()
        assert (
            member.post(a, _block_path(member, a), {"kind": "comment", "body": "Via Redis."}).status_code
            == 302
        )
        arrived, _id, _data = stream.next("comment", 5)
        assert arrived - sent < 2.0, f"took {arrived - sent:.2f} s"
        deadline = time.monotonic() + 5
        heard = None
        while heard is None and time.monotonic() < deadline:
            heard = listener.get_message(timeout=1.0)
        assert heard is not None and heard["type"] == "message", "nothing was published on the channel"
    finally:
        stream.close()
        listener.close()
