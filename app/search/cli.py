"""flask search-reindex: rebuild the search index from the documents and comments."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from app.extensions import db
from app.i18n import OperatorCommand, in_operator_language
from app.search.index import reindex


@click.command("search-reindex", cls=OperatorCommand)
@in_operator_language
@with_appcontext
def search_reindex() -> None:
    """Rebuild the search index (after a restore, or a change of stemmer); one transaction."""
    blocks, comments = reindex(db.session.connection())
    db.session.commit()
    click.echo(
        _(
            "Indexed %(paragraphs)s and %(comments)s.",
            paragraphs=ngettext("%(num)d paragraph", "%(num)d paragraphs", blocks),
            comments=ngettext("%(num)d comment", "%(num)d comments", comments),
        )
    )


def register(app: Flask) -> None:
    """Add the search command to the app's CLI."""
    app.cli.add_command(search_reindex)
