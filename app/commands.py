"""Command-line tools: `flask users create`, `flask seed-demo`, `flask import-docx`, `flask purge`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from app.accounts import operations as account_ops
from app.accounts.models import Organisation, Role, User
from app.drafting import cli as drafting_cli
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "organisation_name", required=True, help="Organisation (created if new).")
@click.option(
    "--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), default=["member"]
)
@click.password_option(help="Asked for when not given.")
def create_user(email, name, organisation_name, roles, password):
    """Create a user, e.g. the first administrator."""
    if len(password) < 12:
        raise click.BadParameter("at least 12 characters", param_hint="password")
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise click.ClickException(f"a user with e-mail {email} exists already")
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation_name))
    if organisation is None:
        organisation = account_ops.create_organisation(organisation_name, None)
    account_ops.create_user(
        email=email, name=name, organisation=organisation, roles={Role(r) for r in roles}, password=password
    )
    db.session.commit()
    click.echo(f"Created {email} ({', '.join(roles)}) in {organisation.name}.")


@click.command("seed-demo")
def seed_demo():
    """Create the demo network, accounts, document and meetings (safe to run again)."""
    from app.demo.seed import seed

    created = seed()
    db.session.commit()
    click.echo("Demo data created." if created else "Demo data already present.")
    from app.demo.seed import DEMO_PASSWORD, DEMO_USERS

    click.echo(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
    for email, _name, _org, roles in DEMO_USERS:
        click.echo(f"  {email:<24} {', '.join(r.value for r in roles)}")


@click.command("purge")
@with_appcontext
@click.option("--quiet", is_flag=True, help="Print nothing when nothing was purged.")
def purge_command(quiet):
    """Remove expired pending imports (rows, and files older versions left in IMPORTS_DIR) and
    ended rate-limit windows. Run it from cron on one host, e.g. hourly."""
    from app.drafting.pending import store
    from app.ratelimit import purge_expired

    imports = store().sweep()
    counters = purge_expired()
    db.session.commit()
    if imports or counters or not quiet:
        click.echo(f"Purged {imports} expired pending imports and {counters} ended rate-limit counters.")


def register(app: Flask) -> None:
    """Add the commands to the app's CLI."""
    from app.backup import backup_command, restore_command

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(purge_command)
    drafting_cli.register(app)
