"""The database going away is an outage, not an error.

While the database cannot be reached, every page and API call answers 503 with
``Retry-After`` and a short page in the visitor's language (JSON under /api/), instead of a 500
and a traceback in the log for each request; the log gets one line per process every
:data:`LOG_EVERY` seconds. Nothing needs restarting: the pool checks each connection before use
(``pool_pre_ping``), so the first request after the database returns gets a fresh one.
``/healthz`` asks the database and answers 503 while it does not answer, so a load balancer
takes the server out of rotation and back.

The language is chosen without the database: the session's choice, then the browser's
``Accept-Language`` (a signed-in user's saved language is in the database, which is gone).
"""

from __future__ import annotations

import contextlib
import logging
import time

import sqlalchemy as sa
from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _

from app.extensions import db, login_manager

log = logging.getLogger("remiss")

RETRY_AFTER = 5
LOG_EVERY = 10.0
# Errors that mean "the database is not there", not "this request is wrong".
UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError, sa.exc.DisconnectionError)
_last_logged = 0.0


def _language() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _note(error: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY:
        _last_logged = now
        log.warning("database unavailable, answering 503: %s", str(error).splitlines()[0][:200])


def _forget_session() -> None:
    with contextlib.suppress(sa.exc.SQLAlchemyError):
        db.session.rollback()
    db.session.remove()


def unavailable(error: Exception):
    """The 503 answer while the database is unreachable."""
    _forget_session()
    _note(error)
    # Templates ask for current_user; loading the signed-in one would need the database.
    g._login_user = login_manager.anonymous_user()
    language = _language()
    with force_locale(language):
        message = _("The service is unavailable for a moment. Please try again in a minute.")
        if request.path.startswith("/api/"):
            response = jsonify({"error": {"code": "unavailable", "message": message, "parameter": None}})
        else:
            response = current_app.make_response(
                render_template("errors/unavailable.html", message=message, language=language)
            )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def database_answers() -> bool:
    """Whether the database answers a trivial query now."""
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return False
    return True


def health():
    """``/healthz``: 200 when the database answers, else 503 (for load balancers' health checks)."""
    if database_answers():
        return {"status": "ok", "database": "ok"}
    response = jsonify({"status": "unavailable", "database": "unreachable"})
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Answer database outages with 503 wherever they surface; Redis ones too, when it is used.

    With the rate-limit counters in Redis, a sign-in while Redis is unreachable cannot be
    counted: it is refused with 503 (the throttle fails closed), and pages that count nothing
    are unaffected.
    """
    errors = list(UNAVAILABLE)
    try:
        from redis import exceptions as redis_errors
    except ImportError:  # pragma: no cover  (redis is in requirements.txt)
        pass
    else:
        errors += [redis_errors.ConnectionError, redis_errors.TimeoutError]
    for error_class in errors:
        app.register_error_handler(error_class, unavailable)
