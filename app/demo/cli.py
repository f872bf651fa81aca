"""`flask seed-demo`: the demo network, accounts, document and meetings."""

from __future__ import annotations

import click
from flask import Flask
from flask_babel import gettext as _

from app.accounts.forms import ROLE_LABELS
from app.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed
from app.extensions import db
from app.i18n import OperatorCommand, in_operator_language


@click.command("seed-demo", cls=OperatorCommand)
@in_operator_language
def seed_demo():
    """Create the demo network, accounts, document and meetings (safe to run again)."""
    created = seed()
    db.session.commit()
    click.echo(_("Demo data created.") if created else _("Demo data already present."))
    click.echo(_("Demo sign-ins (password: %(password)s):", password=DEMO_PASSWORD))
    for email, _name, _org, roles in DEMO_USERS:
        click.echo(f"  {email:<24} {', '.join(str(ROLE_LABELS[r]) for r in roles)}")


def register(app: Flask) -> None:
    """Add the demo command to the app's CLI."""
    app.cli.add_command(seed_demo)
