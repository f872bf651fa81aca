"""`flask sso refresh-metadata`: fetch each SAML provider's metadata from its URL, check its
signature against the provider's configured certificate, and keep it (run it daily from cron;
sign-in also refreshes metadata older than SAML_METADATA_MAX_AGE_HOURS)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.accounts.sso import saml
from app.extensions import db
from app.i18n import OperatorCommand, in_operator_language

sso_cli = AppGroup("sso", help="Sign-in through organisations' identity providers.")


@sso_cli.command("refresh-metadata", cls=OperatorCommand)
@in_operator_language
def refresh_metadata():
    """Fetch and check the SAML metadata of every provider with a metadata URL."""
    failed = 0
    for provider in saml.providers_to_refresh():
        try:
            with db.session.begin_nested():
                saml.refresh_metadata(provider)
        except saml.SamlRefused as refusal:
            failed += 1
            db.session.refresh(provider)
            click.echo(
                _(
                    "%(name)s: metadata refused (%(why)s); the previous metadata is kept.",
                    name=provider.name,
                    why=refusal.why,
                ),
                err=True,
            )
            continue
        click.echo(_("%(name)s: metadata updated.", name=provider.name))
    db.session.commit()
    if failed:
        sys.exit(1)
