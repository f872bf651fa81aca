"""Sessions, sign-in rate limit, production settings and the security log (issue 7, points 4–6)."""

from __future__ import annotations

import logging
import time

import pytest

from app import create_app
from app.extensions import db, limiter
from app.web import log_security, log_value
from tests.conftest import PASSWORD, Client, add_comment

IDLE = 8 * 3600
ABSOLUTE = 30 * 24 * 3600


# ---- sign-in rate limit -----------------------------------------------------------------------


@pytest.fixture
def limited_app(tmp_path):
    """An app of its own with rate limits on (the suite's app switches them off)."""
    was_enabled = limiter.enabled
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limited.db'}",
            "SECRET_KEY": "rate-limit-test-secret-key-0123456789abcdef",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        # The limiter is one object shared by every app: give the suite its setting back.
        limiter.reset()
        limiter.enabled = was_enabled
        with app.app_context():
            db.engine.dispose()


def test_sign_in_is_rate_limited_with_429_and_logged(limited_app, caplog):
    client = Client(limited_app.test_client())
    caplog.set_level(logging.WARNING, logger="remiss.security")
    statuses = [
        client.post("/login", {"email": "nobody@example.org", "password": "wrong password"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    page = client.post("/login", {"email": "nobody@example.org", "password": "x"})
    assert page.status_code == 429
    assert "Retry-After" in page.headers
    # Reading the form is not limited: only attempts are.
    assert client.get("/login").status_code == 200
    messages = [r.getMessage() for r in caplog.records if r.name == "remiss.security"]
    assert sum(m.startswith("sign-in-failed ") for m in messages) == 10
    assert any(m.startswith("rate-limited ") and "path=/login" in m for m in messages)


# ---- session timeouts ------------------------------------------------------------------------


def _signed_in(client, factory):
    user = factory.user(email="maja@example.org")
    assert client.login(user.email).status_code == 302
    assert client.get("/profile").status_code == 200
    return user


def test_session_survives_just_under_the_idle_limit(client, factory):
    _signed_in(client, factory)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - IDLE + 60
    assert client.get("/profile").status_code == 200


def test_idle_session_ends_after_eight_hours(client, factory):
    _signed_in(client, factory)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - IDLE - 1
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/login" in response.location
    # Ended for good: coming back "fresh" a moment later does not revive it.
    assert client.get("/profile").status_code == 302


def test_session_ends_after_thirty_days_however_active(client, factory):
    _signed_in(client, factory)
    with client.session_transaction() as session:
        session["started"] = int(time.time()) - ABSOLUTE - 1
        session["seen"] = int(time.time())
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/login" in response.location


def test_activity_moves_the_idle_clock(client, factory):
    _signed_in(client, factory)
    earlier = int(time.time()) - IDLE + 120
    with client.session_transaction() as session:
        session["seen"] = earlier
    assert client.get("/profile").status_code == 200
    with client.session_transaction() as session:
        assert session["seen"] > earlier


def test_the_session_cookie_is_sent_again_only_when_it_changes(client, factory):
    """A page that changes nothing in the session sends no cookie (signing it is work on every
    request); activity a minute later moves the idle clock and sends it, with a fresh expiry."""
    _signed_in(client, factory)
    quiet = client.get("/profile")
    assert quiet.status_code == 200
    assert not quiet.headers.getlist("Set-Cookie")
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 61
    moved = client.get("/profile")
    cookies = moved.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    assert "Expires=" in cookies[0]


def test_signing_in_starts_a_new_session(client, factory):
    user = factory.user(email="maja@example.org")
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert client.login(user.email).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.permanent


# ---- production configuration ----------------------------------------------------------------


def test_production_refuses_debug_switched_on_from_the_environment(monkeypatch):
    monkeypatch.setenv("REMISS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="debug mode is on"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("secret", ["", "secret", "changeme", "dev"])
def test_production_refuses_every_default_secret(monkeypatch, secret):
    monkeypatch.setenv("REMISS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_development_mode_does_not_refuse(monkeypatch):
    monkeypatch.delenv("REMISS_ENV", raising=False)
    monkeypatch.setenv("SECRET_KEY", "dev")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["PRODUCTION"] is False


# ---- the security log ------------------------------------------------------------------------


def _security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "remiss.security"]


def _fields(line: str) -> dict[str, str]:
    what, _, rest = line.partition(" ")
    fields = dict(part.split("=", 1) for part in rest.split(" ") if "=" in part)
    fields["what"] = what
    return fields


def test_failed_sign_in_is_logged_without_the_password(client, factory, caplog):
    factory.user(email="maja@example.org")
    caplog.set_level(logging.INFO)
    client.login("maja@example.org", "a-wrong-password-Zq9")
    (line,) = _security_lines(caplog)
    fields = _fields(line)
    assert fields["what"] == "sign-in-failed"
    assert fields["email"] == "maja@example.org"
    assert fields["path"] == "/login" and fields["method"] == "POST"
    assert fields["ip"] == "127.0.0.1"
    assert fields["at"].endswith("+00:00")
    assert fields["user"] == "None"
    every_line = " ".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "a-wrong-password-Zq9" not in every_line
    assert PASSWORD not in every_line


def test_line_breaks_in_logged_values_are_escaped(client, caplog):
    caplog.set_level(logging.WARNING, logger="remiss.security")
    client.login("eve@example.org\nsign-in ok user=1\r\u2028x", "whatever password")
    (line,) = _security_lines(caplog)
    assert "\n" not in line and "\r" not in line and "\u2028" not in line
    assert "email=eve@example.org\\nsign-in" in line
    assert log_value("a\\nb") == "a\\\\nb"  # a literal backslash-n cannot pass for an escaped break
    assert log_value("\x1b[31mred") == "\\u001b[31mred"
    assert len(log_value("x" * 5000)) == 200


def test_refused_access_is_logged_with_who_what_where(client, factory, caplog):
    user = factory.user(email="maja@example.org")
    client.login(user.email)
    caplog.set_level(logging.WARNING, logger="remiss.security")
    assert client.get("/admin/users?q=%0Aforged").status_code == 403
    (line,) = _security_lines(caplog)
    fields = _fields(line)
    assert fields["what"] == "access-refused"
    assert fields["status"] == "403"
    assert fields["user"] == str(user.id)
    assert fields["path"] == "/admin/users"
    assert fields["method"] == "GET"


def test_csrf_failure_is_logged_without_the_form_text(app, client, factory, caplog):
    user = factory.user(email="maja@example.org")
    document = factory.document(slug="d")
    client.login(user.email)
    caplog.set_level(logging.DEBUG)
    body = "Hemlig synpunkt som inte ska loggas"
    url = f"/d/d/v/1/b/{document.block_uids['p2']}/comment"
    assert client.post(url, {"body": body, "kind": "comment"}, csrf=False).status_code == 400
    (line,) = _security_lines(caplog)
    fields = _fields(line)
    assert fields["what"] == "csrf-failure"
    assert fields["user"] == str(user.id)
    assert fields["path"] == url
    assert body not in caplog.text


def test_comment_text_never_reaches_any_log(app, client, factory, caplog):
    user = factory.user(email="maja@example.org")
    document = factory.document(slug="d")
    caplog.set_level(logging.DEBUG)
    body = "Ytterst känslig synpunkt 7319"
    with app.app_context():
        comment_id = add_comment(document, "p2", user, body=body)
    client.login(user.email)
    client.post(f"/comments/{comment_id}/edit", {"kind": "comment", "body": body + " ändrad"})
    client.post(f"/comments/{comment_id}/reply", {"body": body + " svar"})
    assert body not in caplog.text


def test_log_security_outside_a_request():
    # Commands (backup, restore) log too; there is no request then.
    logger = logging.getLogger("remiss.security")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        log_security("backup-restored", path="/tmp/x\ny")
    finally:
        logger.removeHandler(handler)
    (record,) = records
    assert "\n" not in record.getMessage()
    assert "path=/tmp/x\\ny" in record.getMessage()
