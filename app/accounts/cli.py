"""`flask users create`: accounts from the command line (the first administrator, say)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from app import purge
from app.accounts import operations
from app.accounts.forms import ROLE_LABELS
from app.accounts.models import Organisation, Role, User
from app.accounts.sso import identities
from app.extensions import db
from app.i18n import Choice, OperatorCommand, in_operator_language

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create", cls=OperatorCommand)
@in_operator_language
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "organisation_name", required=True, help="Organisation (created if new).")
@click.option("--role", "roles", multiple=True, type=Choice([r.value for r in Role]), default=["member"])
@click.password_option(help="Asked for when not given.")
def create_user(email, name, organisation_name, roles, password):
    """Create a user, e.g. the first administrator."""
    if len(password) < 12:
        raise click.BadParameter(_("at least 12 characters"), param_hint="password")
    email = email.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise click.ClickException(_("a user with e-mail %(email)s exists already", email=email))
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation_name))
    if organisation is None:
        organisation = operations.create_organisation(organisation_name, None)
    operations.create_user(
        email=email, name=name, organisation=organisation, roles={Role(r) for r in roles}, password=password
    )
    db.session.commit()
    click.echo(
        _(
            "Created %(email)s (%(roles)s) in %(organisation)s.",
            email=email,
            roles=", ".join(str(ROLE_LABELS[Role(r)]) for r in roles),
            organisation=organisation.name,
        )
    )


def register(app: Flask) -> None:
    """Add the account commands to the app's CLI, and the expired sign-ins to `flask purge`."""
    app.cli.add_command(users_cli)
    purge.add(
        app,
        lambda n: ngettext("%(num)d expired sign-in record", "%(num)d expired sign-in records", n),
        identities.purge_expired,
    )
    # `flask sso refresh-metadata`: the SAML providers' metadata, fetched and checked.
    from app.accounts.sso.cli import sso_cli

    app.cli.add_command(sso_cli)
