"""`flask send-mail` (cron, every minute) and `flask send-digests` (cron, daily)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _

from app.i18n import Integer, OperatorCommand, in_operator_language
from app.notifications import delivery


def _report(outcome: delivery.Outcome, quiet: bool) -> None:
    # Silent when nothing happened: cron mails any output to the administrator.
    if quiet and not (outcome.sent or outcome.failed or outcome.skipped):
        return
    click.echo(
        _(
            "sent %(sent)d, failed (retried later) %(failed)d, skipped %(skipped)d",
            sent=outcome.sent,
            failed=outcome.failed,
            skipped=outcome.skipped,
        )
    )


@click.command("send-mail", cls=OperatorCommand)
@in_operator_language
@click.option(
    "--limit",
    type=Integer(),
    default=delivery.BATCH,
    show_default=True,
    help="At most this many messages per run.",
)
@click.option("--quiet", is_flag=True, help="Print nothing when there was nothing to send.")
@with_appcontext
def send_mail(limit: int, quiet: bool) -> None:
    """Send waiting notifications that are wanted at once, and queue deadline reminders.

    Failed messages stay in the outbox and are tried again later with a growing delay.
    """
    _report(delivery.send_immediate(limit=limit), quiet)


@click.command("send-digests", cls=OperatorCommand)
@in_operator_language
@click.option("--quiet", is_flag=True, help="Print nothing when there was nothing to send.")
@with_appcontext
def send_digests(quiet: bool) -> None:
    """Send each user one daily summary of their waiting digest notifications."""
    _report(delivery.send_digests(), quiet)


def register(app: Flask) -> None:
    """Add the notification commands to the app's CLI."""
    app.cli.add_command(send_mail)
    app.cli.add_command(send_digests)
