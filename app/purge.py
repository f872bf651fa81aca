"""`flask purge` (cron, on one host, e.g. hourly): what has expired goes.

Each package adds what it clears when its commands are registered (``add``); the core's own
share, ended rate-limit windows, is added last by ``register``. One line reports every share.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.i18n import in_operator_language
from app.ratelimit import purge_expired

SHARES = "remiss.purge"


def add(app: Flask, what: str, purge: Callable[[], int]) -> None:
    """Have `flask purge` run *purge*, which removes expired *what* and returns how many."""
    app.extensions.setdefault(SHARES, []).append((what, purge))


@click.command("purge")
@in_operator_language
@with_appcontext
@click.option("--quiet", is_flag=True, help="Print nothing when nothing was purged.")
def purge_command(quiet):
    """Remove expired pending imports (rows, and files older versions left in IMPORTS_DIR) and
    ended rate-limit windows. Run it from cron on one host, e.g. hourly."""
    purged = [(purge(), what) for what, purge in current_app.extensions.get(SHARES, ())]
    db.session.commit()
    if any(count for count, _what in purged) or not quiet:
        click.echo("Purged " + " and ".join(f"{count} {what}" for count, what in purged) + ".")


def register(app: Flask) -> None:
    """Add `flask purge`; call it after the packages have added their shares."""
    app.cli.add_command(purge_command)
    add(app, "ended rate-limit counters", purge_expired)
