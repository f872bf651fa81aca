"""`flask purge` (cron, on one host, e.g. hourly): what has expired goes.

Each package adds what it clears when its commands are registered (``add``); the core's own
share, ended rate-limit windows, is added last by ``register``. One line reports every share,
in the operator's language.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from babel.lists import format_list
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from app.extensions import db
from app.i18n import OperatorCommand, in_operator_language
from app.ratelimit import purge_expired

SHARES = "remiss.purge"


def add(app: Flask, what: Callable[[int], str], purge: Callable[[], int]) -> None:
    """Have `flask purge` run *purge*, which removes expired things and returns how many.

    *what* words a count of them in the current language, with its plural form:
    ``lambda n: ngettext("%(num)d expired pending import", "%(num)d expired pending imports", n)``.
    """
    app.extensions.setdefault(SHARES, []).append((what, purge))


@click.command("purge", cls=OperatorCommand)
@in_operator_language
@with_appcontext
@click.option("--quiet", is_flag=True, help="Print nothing when nothing was purged.")
def purge_command(quiet):
    """Remove expired pending imports (rows, and files older versions left in IMPORTS_DIR) and
    ended rate-limit windows. Run it from cron on one host, e.g. hourly."""
    purged = [(purge(), what) for what, purge in current_app.extensions.get(SHARES, ())]
    db.session.commit()
    if any(count for count, _what in purged) or not quiet:
        shares = format_list([what(count) for count, what in purged], locale=get_locale())
        click.echo(_("Purged %(shares)s.", shares=shares))


def register(app: Flask) -> None:
    """Add `flask purge`; call it after the packages have added their shares."""
    app.cli.add_command(purge_command)
    add(
        app,
        lambda n: ngettext("%(num)d ended rate-limit counter", "%(num)d ended rate-limit counters", n),
        purge_expired,
    )
