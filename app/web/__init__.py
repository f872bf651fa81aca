"""The web core: request-wide behaviour (security headers, session timeouts, error pages) and
what every feature's pages share: safe redirects (``redirects``), downloads (``downloads``),
forms (``forms``) and file-name text (``text``).

Features extend it from above: a blueprint adds its own template helpers
(``bp.app_template_global``) and a part of the site that answers in JSON registers its error
renderers with ``answer_errors_as`` rather than being imported here.
"""

from __future__ import annotations

import logging
import time
import unicodedata

from flask import Flask, current_app, g, has_request_context, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app import outage
from app.database import utcnow
from app.extensions import db
from app.i18n import format_date, format_datetime, format_time

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
        hops = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.before_request(_enforce_session_timeouts)
    app.after_request(_security_headers)
    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_time=format_time,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _context():
        return {"current_language": _current_language()}


def _current_language() -> str:
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


def wants_fragment() -> bool:
    """Whether the request came from a page's own script (``X-Requested-With: fetch``), which
    wants a fragment or JSON back rather than a whole page."""
    return request.headers.get("X-Requested-With") == "fetch"


def answer_errors_as(app: Flask, prefix: str, http_error, server_error) -> None:
    """Below the path *prefix*, errors are answered by *http_error(error)* and *server_error()*
    (the API's JSON) instead of the error page."""
    app.extensions.setdefault("remiss_error_renderers", {})[prefix] = (http_error, server_error)


def _renderers_for(path: str):
    for prefix, renderers in current_app.extensions.get("remiss_error_renderers", {}).items():
        if path.startswith(prefix):
            return renderers
    return None


def init_errorhandlers(app: Flask) -> None:
    """Friendly error pages in the user's language, with the session rolled back."""
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
        renderers = _renderers_for(request.path)
        if renderers is not None:
            return renderers[0](error)
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
        renderers = _renderers_for(request.path)
        if renderers is not None:
            return renderers[1]()
        message = _("Something went wrong on our side. It has been logged; please try again.")
        return render_template("errors/error.html", code=500, message=message), 500
