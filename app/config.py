"""Settings read from the environment, with safe defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_SECRET_KEYS = {"", "dev", "change-me", "changeme", "secret"}


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance_path: Path) -> str:
    """Read the laptop secret from instance/, creating it on first start."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two gunicorn workers starting at once must not write two keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _engine_options(database_url: str) -> dict:
    """Check connections before use (they recover by themselves after a database restart);
    give up connecting to PostgreSQL after a few seconds, so an outage is answered with 503
    quickly instead of holding every worker."""
    options: dict = {"pool_pre_ping": True}
    if database_url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": 3}
    return options


def from_environment(instance_path: Path, root_path: Path) -> dict:
    """Build the Flask configuration from environment variables."""
    env = os.environ
    production = env.get("REMISS_ENV", "development").lower() == "production"
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'remiss.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    secret = env.get("SECRET_KEY")
    if not secret and not production:
        secret = _instance_secret(instance_path)
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret or "",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "EXPORTS_DIR": str(Path(env.get("EXPORTS_DIR") or root_path.parent / "exports").resolve()),
        "BACKUP_DIR": str(Path(env.get("BACKUP_DIR") or instance_path / "backups").resolve()),
        # Word imports waiting for the editor's confirmation (app.drafting.pending).
        "IMPORTS_DIR": str(Path(env.get("IMPORTS_DIR") or instance_path / "imports").resolve()),
        "SMTP_HOST": env.get("SMTP_HOST", ""),
        "SMTP_PORT": int(env.get("SMTP_PORT", "587")),
        "SMTP_USER": env.get("SMTP_USER", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS"), True),
        "MAIL_FROM": env.get("MAIL_FROM", "remiss@localhost"),
        "BASE_URL": env.get("BASE_URL", ""),
        # Counters every worker and server shares (app.ratelimit): Redis when given, else the database.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL") or "remissdb://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Reverse proxies in front that set X-Forwarded-For/-Proto (app.web): 0 trusts none.
        "PROXIES": int(env.get("PROXIES", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "__Host-remiss" if production else "remiss",
        "PERMANENT_SESSION_LIFETIME": 30 * 24 * 3600,
        # Flask would sign and send the session cookie again on every request to push its
        # expiry on; the session's "seen" time (app.web) changes it once a minute of activity,
        # which sends it then, and both time limits are checked on the server anyway.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_IDLE_SECONDS": int(env.get("SESSION_IDLE_SECONDS", str(8 * 3600))),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_TRANSLATION_DIRECTORIES": str(root_path / "translations"),
        "LANGUAGES": ("sv", "en"),
        "INVITATION_DAYS": 7,
        # Days after a meeting that guests' name, e-mail and organisation are kept (`flask purge`).
        "GUEST_DATA_DAYS": int(env.get("GUEST_DATA_DAYS", "90")),
        # The largest slide file (PDF) a host may attach to an agenda item.
        "AGENDA_ATTACHMENT_MAX_BYTES": int(env.get("AGENDA_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))),
        # Rendered blocks and threads each worker keeps (app.fragments); 0 turns the cache off.
        "FRAGMENT_CACHE_SIZE": int(env.get("FRAGMENT_CACHE_SIZE", "4000")),
        # Whole reading pages kept for visitors in each worker (app.pagecache); 0 turns it off.
        "PAGE_CACHE_SIZE": int(env.get("PAGE_CACHE_SIZE", "64")),
        "PASSWORD_MIN_LENGTH": 12,
        # Live events (app.live): how they reach every server, how long a browser may be away and
        # still resume (seconds), and how many streams a person and a process may hold.
        "LIVE_BACKEND": env.get("LIVE_BACKEND", "database"),
        "LIVE_REDIS_URL": env.get("LIVE_REDIS_URL") or env.get("REDIS_URL", ""),
        "LIVE_CHANNEL": env.get("LIVE_CHANNEL", "remiss_live"),
        "LIVE_RETENTION": int(env.get("LIVE_RETENTION", "3600")),
        "LIVE_MAX_STREAMS_PER_USER": int(env.get("LIVE_MAX_STREAMS_PER_USER", "5")),
        "LIVE_STREAMS_PER_PROCESS": int(env.get("LIVE_STREAMS_PER_PROCESS", "100")),
        "LIVE_POLL_SECONDS": float(env.get("LIVE_POLL_SECONDS", "0.25")),
        "LIVE_RETRY_MS": int(env.get("LIVE_RETRY_MS", "2000")),
        # After the sender wrote what it heard, how long it gathers what comes next before it
        # writes again (milliseconds): fewer wake-ups in a burst, each event at most this much
        # later. Where the table is polled (SQLite) the poll's wait comes first, so less there.
        "LIVE_GATHER_MS": int(env.get("LIVE_GATHER_MS", "250")),
        "LIVE_POLL_GATHER_MS": int(env.get("LIVE_POLL_GATHER_MS", "100")),
        # SAML service provider (app.accounts.sso.saml): our key pairs (PEM files; a pair made in
        # the instance folder when unset outside production), how old an IdP's metadata fetched
        # from its URL may get, and the entity categories in our metadata (Sweden Connect).
        "SAML_SP_KEY_FILE": env.get("SAML_SP_KEY_FILE", ""),
        "SAML_SP_CERT_FILE": env.get("SAML_SP_CERT_FILE", ""),
        "SAML_SP_ENCRYPTION_KEY_FILE": env.get("SAML_SP_ENCRYPTION_KEY_FILE", ""),
        "SAML_SP_ENCRYPTION_CERT_FILE": env.get("SAML_SP_ENCRYPTION_CERT_FILE", ""),
        "SAML_METADATA_MAX_AGE_HOURS": float(env.get("SAML_METADATA_MAX_AGE_HOURS", "24")),
        "SAML_ENTITY_CATEGORIES": tuple(
            env.get(
                "SAML_ENTITY_CATEGORIES",
                "http://id.elegnamnden.se/ec/1.0/loa3-name http://id.elegnamnden.se/st/1.0/public-sector-sp",
            ).split()
        ),
    }


def check_production(config: dict) -> None:
    """Refuse to start a production server that is not safe to expose."""
    if not config.get("PRODUCTION"):
        return
    problems = []
    if config.get("DEBUG"):
        problems.append("debug mode is on")
    key = config.get("SECRET_KEY") or ""
    if key.lower() in DEFAULT_SECRET_KEYS or len(key) < 32:
        problems.append("SECRET_KEY is missing, a default, or shorter than 32 characters")
    if problems:
        raise RuntimeError("Refusing to start in production: " + "; ".join(problems))
