"""Request-wide behaviour: security headers, session timeouts, template helpers, error pages."""

from __future__ import annotations

import logging
import time
import unicodedata

from flask import Flask, current_app, g, has_request_context, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.database import utcnow
from app.extensions import db

security_log = logging.getLogger("remiss.security")
log = logging.getLogger("remiss")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


_LOG_ESCAPES = {"\\": "\\\\", "\r": "\\r", "\n": "\\n", "\t": "\\t"}


def _log_char(char: str) -> str:
    if char in _LOG_ESCAPES:
        return _LOG_ESCAPES[char]
    # Other control characters and Unicode line separators could forge or hide log lines too.
    if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
        return f"\\u{ord(char):04x}"
    return char


def log_value(value) -> str:
    """A value made safe for a log line: no line breaks or control characters, bounded length."""
    return "".join(_log_char(char) for char in str(value)[:200])


def log_security(what: str, **details) -> None:
    """Write one line to the security log: when, who, what and where, every value escaped.

    Callers pass identifiers only (user ids, the e-mail tried), never a password or comment text.
    """
    fields: dict = {"at": utcnow().isoformat(timespec="seconds")}
    if has_request_context():
        fields["user"] = getattr(current_user, "id", None)
        fields.update(details)
        fields.update(ip=request.remote_addr, method=request.method, path=request.path)
    else:
        fields.update(details)
    line = " ".join(f"{key}={log_value(value)}" for key, value in fields.items())
    security_log.warning("%s %s", what, line)


def init_app(app: Flask) -> None:
    """Install the request hooks and template helpers."""
    if app.config.get("PROXIES"):
        # Behind a load balancer: the client's address (the sign-in limit counts per address)
        # and scheme come from the proxies' headers, trusting only as many hops as there are.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.before_request(_enforce_session_timeouts)
    app.after_request(_security_headers)
    from app.accounts.forms import ROLE_LABELS
    from app.documents.richtext import table_rows
    from app.i18n import format_date, format_datetime, format_time
    from app.review.labels import KIND_LABELS, STATUS_LABELS, paragraph_now, suggestion_diff, text_diff

    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_time=format_time,
        role_label=lambda role: ROLE_LABELS[role],
        kind_label=lambda kind: KIND_LABELS[kind],
        status_label=lambda status: STATUS_LABELS[status],
        suggestion_diff=suggestion_diff,
        text_diff=text_diff,
        paragraph_now=paragraph_now,
    )
    app.jinja_env.filters["table_rows"] = table_rows
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _context():
        from app.accounts.models import Role

        return {"Role": Role, "current_language": _current_language()}


def _current_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "sv"


def _enforce_session_timeouts() -> None:
    """End sessions idle for too long, and every session after its absolute lifetime."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    started = session.setdefault("started", now)
    seen = session.get("seen", now)
    config = current_app.config
    if now - seen > config["SESSION_IDLE_SECONDS"] or now - started > config["PERMANENT_SESSION_LIFETIME"]:
        logout_user()
        session.clear()
        g.session_expired = True
        return
    # Only touch the cookie once a minute, not on every request.
    if now - seen > 60 or "seen" not in session:
        session["seen"] = now


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    # The session says whether someone is signed in; asking the user object could read it
    # from the database again after the request's commit.
    if "_user_id" in session:
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    return response


def init_errorhandlers(app: Flask) -> None:
    """Friendly error pages in the user's language, with the session rolled back."""
    from app import outage

    outage.init_app(app)  # the database unreachable: 503, not 500

    @app.errorhandler(CSRFError)
    def _csrf(error):
        db.session.rollback()
        log_security("csrf-failure", reason=error.description)
        message = _("The form had expired or was not sent from this site. Please try again.")
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(error):
        db.session.rollback()
        if error.code in (401, 403):
            log_security("access-refused", status=error.code)
        elif error.code == 429:
            log_security("rate-limited", status=error.code)
        if request.path.startswith("/api/"):
            from app.api.errors import http_error_response

            return http_error_response(error)
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have permission to do that."),
            404: _("The page was not found."),
            405: _("That is not allowed here."),
            409: _("Someone else changed this at the same time."),
            410: _("This is no longer available."),
            413: _(
                "The file is too large: at most %(limit)d MB can be uploaded. Nothing was saved.",
                limit=(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024),
            ),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        message = messages.get(error.code, error.description)
        response = render_template("errors/error.html", code=error.code, message=message)
        return response, error.code

    @app.errorhandler(Exception)
    def _unexpected(error):
        db.session.rollback()
        log.exception("unexpected error on %s", log_value(request.path))
        if request.path.startswith("/api/"):
            from app.api.errors import server_error_response

            return server_error_response()
        message = _("Something went wrong on our side. It has been logged; please try again.")
        return render_template("errors/error.html", code=500, message=message), 500
