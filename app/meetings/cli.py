"""`flask export-meeting <meeting-id>`: write a meeting's pack from the command line."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from app import purge
from app.extensions import db
from app.i18n import Integer, OperatorCommand, in_operator_language
from app.meetings import operations, signup
from app.meetings.models import Meeting


@click.command("export-meeting", cls=OperatorCommand)
@in_operator_language
@click.argument("meeting_id", type=Integer())
@with_appcontext
def export_meeting(meeting_id: int) -> None:
    """Write the pack of meeting MEETING_ID under EXPORTS_DIR.

    Prints one line per file in sha256sum's format, relative to EXPORTS_DIR, so the
    files can be checked later with `sha256sum -c` (so those lines are never translated).
    """
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(_("there is no meeting with id %(id)d", id=meeting_id))
    try:
        exports = operations.export_meeting(meeting, None)
    except operations.ExportError as error:
        db.session.rollback()
        raise click.ClickException(
            _("the meeting pack could not be written: %(error)s", error=error)
        ) from error
    db.session.commit()
    for export in exports:
        click.echo(f"{export.sha256}  {export.path}")


def register(app: Flask) -> None:
    """Add the meeting commands to the app's CLI."""
    app.cli.add_command(export_meeting)
    purge.add(
        app,
        lambda n: ngettext(
            "%(num)d meeting guest's personal data", "%(num)d meeting guests' personal data", n
        ),
        signup.purge_guests,
    )
