"""`flask seed-demo`: the demo network, accounts, document and meetings."""

from __future__ import annotations

import click
from flask import Flask

from app.demo.seed import DEMO_PASSWORD, DEMO_USERS, seed
from app.extensions import db
from app.i18n import in_operator_language


@click.command("seed-demo")
@in_operator_language
def seed_demo():
    """Create the demo network, accounts, document and meetings (safe to run again)."""
    created = seed()
    db.session.commit()
    click.echo("Demo data created." if created else "Demo data already present.")
    click.echo(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
    for email, _name, _org, roles in DEMO_USERS:
        click.echo(f"  {email:<24} {', '.join(r.value for r in roles)}")


def register(app: Flask) -> None:
    """Add the demo command to the app's CLI."""
    app.cli.add_command(seed_demo)
