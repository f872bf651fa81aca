"""Remiss: collaborative review of policy drafts.

``create_app`` reads like a table of contents: configuration, extensions,
blueprints, request hooks, error handlers and commands, in that order.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from app.config import check_production, from_environment

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application; *config* overrides settings (tests use it)."""
    app = Flask(
        __name__,
        # INSTANCE_PATH: several servers on one machine each keep their own (tests, benchmarks).
        instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(from_environment(Path(app.instance_path), Path(app.root_path)))
    if config:
        app.config.update(config)
    check_production(app.config)
    configure_logging(app)
    configure_extensions(app)
    configure_blueprints(app)
    configure_hooks(app)
    configure_errorhandlers(app)
    configure_commands(app)
    return app


def configure_logging(app: Flask) -> None:
    """Log to stderr at INFO unless the host application set logging up."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def configure_extensions(app: Flask) -> None:
    """Bind the extensions to this app."""
    from app import (
        fragments,
        models,  # noqa: F401  (register every table with the metadata)
    )
    from app.accounts.auth import init_login
    from app.database import configure_postgresql, configure_sqlite
    from app.extensions import babel, csrf, db, limiter, migrate
    from app.i18n import install_template_gettext, select_locale, select_timezone, share_form_translations

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(app, db)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)
    share_form_translations(app)
    limiter.init_app(app)
    init_login(app)
    fragments.init_app(app)


def configure_blueprints(app: Flask) -> None:
    """Register one blueprint per feature."""
    from app.accounts import views as _accounts  # noqa: F401  (routes register on import)
    from app.accounts.blueprint import bp as accounts_bp
    from app.api import views as _api  # noqa: F401
    from app.api.blueprint import bp as api_bp
    from app.api.blueprint import pages_bp as api_pages_bp
    from app.compare import views as _compare  # noqa: F401
    from app.compare.blueprint import bp as compare_bp
    from app.documents import views as _documents  # noqa: F401
    from app.documents.blueprint import bp as documents_bp
    from app.drafting import views as _drafting  # noqa: F401
    from app.drafting.blueprint import bp as drafting_bp
    from app.live import events as _live_events  # noqa: F401  (connect on import)
    from app.live import views as _live  # noqa: F401
    from app.live.blueprint import bp as live_bp
    from app.meetings import agenda_views as _meetings_agenda  # noqa: F401
    from app.meetings import minutes_views as _meetings_minutes  # noqa: F401
    from app.meetings import receivers as _meetings_receivers  # noqa: F401  (connect on import)
    from app.meetings import views as _meetings  # noqa: F401
    from app.meetings.blueprint import bp as meetings_bp
    from app.notifications import receivers as _notifications_receivers  # noqa: F401  (connect on import)
    from app.notifications import subscribers as _subscribers  # noqa: F401  (receivers connect on import)
    from app.notifications import views as _notifications  # noqa: F401
    from app.notifications.blueprint import bp as notifications_bp
    from app.opendata import views as _opendata  # noqa: F401
    from app.opendata.blueprint import bp as opendata_bp
    from app.pages import profile as _profile  # noqa: F401
    from app.pages import reading as _reading  # noqa: F401  (the reading page, on the documents blueprint)
    from app.responses import receivers as _responses_receivers  # noqa: F401  (connect on import)
    from app.responses import views as _responses  # noqa: F401
    from app.responses.blueprint import bp as responses_bp
    from app.review import receivers as _review_receivers  # noqa: F401  (connect on import)
    from app.review import views as _review  # noqa: F401
    from app.review.blueprint import bp as review_bp
    from app.search import views as _search  # noqa: F401
    from app.search.blueprint import bp as search_bp
    from app.site import bp as site_bp
    from app.wordcomments import views as _wordcomments_views  # noqa: F401
    from app.wordcomments.blueprint import bp as wordcomments_bp

    app.register_blueprint(site_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(compare_bp)
    app.register_blueprint(drafting_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_pages_bp)
    app.register_blueprint(opendata_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(wordcomments_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(responses_bp)
    app.register_blueprint(live_bp)


def configure_hooks(app: Flask) -> None:
    """Security headers, session timeouts and template helpers."""
    from app import pagecache, web

    web.init_app(app)
    pagecache.init_app(app)


def configure_errorhandlers(app: Flask) -> None:
    """Error pages in the user's language; the session is rolled back first."""
    from app import web

    web.init_errorhandlers(app)


def configure_commands(app: Flask) -> None:
    """Register the flask CLI commands: each package's cli.register, then the core's."""
    from app import backup, purge
    from app.accounts import cli as accounts_cli
    from app.demo import cli as demo_cli
    from app.drafting import cli as drafting_cli
    from app.live import cli as live_cli
    from app.meetings import cli as meetings_cli
    from app.notifications import cli as notifications_cli
    from app.search import cli as search_cli
    from app.wordcomments import cli as wordcomments_cli

    accounts_cli.register(app)
    demo_cli.register(app)
    # Meetings before drafting: `flask purge` names guests' data first, pending imports after.
    meetings_cli.register(app)
    drafting_cli.register(app)
    notifications_cli.register(app)
    live_cli.register(app)
    wordcomments_cli.register(app)
    search_cli.register(app)
    backup.register(app)
    # Last: `flask purge` reports the packages' shares first, then the core's.
    purge.register(app)
