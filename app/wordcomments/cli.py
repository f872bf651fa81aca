"""`flask import-comments <slug> <version> <file.docx> --as <email>`: take in a reviewed Word file."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from app.accounts.auth import user_by_email
from app.accounts.models import Organisation
from app.documents.loaders import page_blocks, ref_labels
from app.documents.models import Document
from app.docx.reading import REJECTION_CODES, DocxRejected
from app.extensions import db
from app.wordcomments import operations
from app.wordcomments.labels import LEFT_OUT_LABELS, REFUSALS, SOURCE_LABELS
from app.wordcomments.permissions import can_send_for_others


def report_lines(pending: operations.PendingWordComments, refs: dict[str, str]) -> list[str]:
    """The preview as lines of text: what would be stored, where, and what is left out and why."""
    preview = pending.preview
    lines = [
        f"File: {pending.filename or '-'}",
        "Placed by: " + ("the pack's paragraph markers" if preview.by_markers else "aligning the text"),
        f"Paragraphs placed: {preview.placed} of {preview.paragraphs}",
        f"Comments of the pack itself (already in Remiss): {preview.from_pack}",
        f"Taken in before (not stored again): {pending.duplicates}",
        f"To store: {len(pending.new_items)}",
    ]
    for item in preview.items:
        where = refs.get(item.uid or "", "-") if item.uid else "-"
        flags = []
        if item.duplicate:
            flags.append("taken in before")
        if item.uncertain:
            flags.append(f"uncertain match, {round(item.score * 100)}% similar")
        if item.parent_number is not None:
            flags.append(f"reply to #{item.parent_number}")
        flag = f" [{'; '.join(flags)}]" if flags else ""
        first = " ".join(item.body.split("\n\n")[0].split())
        lines.append(
            f"  {SOURCE_LABELS[item.source]} · {where} · {item.kind} · {item.word_author or '-'}{flag}"
        )
        lines.append(f"    {first[:120]}")
        if item.quote:
            lines.append(f"    quote: “{item.quote}”")
        if item.suggestion and item.kind == "suggestion":
            lines.append(f"    wording: “{item.suggestion}”")
    lines.append(f"Left out: {len(preview.left_out) or 'nothing'}")
    for left in preview.left_out:
        lines.append(f"  {LEFT_OUT_LABELS[left.reason]} · {left.author or '-'} · {left.text}")
    return lines


@click.command("import-comments")
@click.argument("slug")
@click.argument("number", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="E-mail of the user who submits the comments.")
@click.option(
    "--organisation", help="The organisation the comments are from (editors, for a file received by mail)."
)
@click.option("--sender", help="Who sent the file (with --organisation).")
@click.option(
    "--include-uncertain", is_flag=True, help="Store comments on uncertain matches too (default: leave out)."
)
@click.option("--dry-run", is_flag=True, help="Print the report only; store nothing.")
@with_appcontext
def import_comments(slug, number, path, email, organisation, sender, include_uncertain, dry_run):
    """Take in the Word comments and tracked changes of PATH as comments on version NUMBER of SLUG.

    Prints the same report as the web preview, then stores the comments unless --dry-run.
    """
    document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    if document is None:
        raise click.ClickException(f"no document with slug {slug!r}")
    version = next((v for v in document.versions if v.number == number), None)
    if version is None or not version.is_published:
        raise click.ClickException(f"document {slug!r} has no published version {number}")
    if not version.accepts_comments():
        raise click.ClickException(str(REFUSALS["closed"]))
    user = user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"no active user with e-mail {email!r}")
    on_behalf = None
    if organisation:
        if not can_send_for_others(user):
            raise click.ClickException("only editors submit comments for another organisation")
        on_behalf = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation))
        if on_behalf is None:
            raise click.ClickException(f"no organisation named {organisation!r}")
        if not (sender or "").strip():
            raise click.BadParameter("--organisation needs --sender", param_hint="--sender")
    data = path.read_bytes()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    # What is written into the comments is in the submitter's language, as on the web;
    # the report on the terminal is in English, like the other commands.
    language = user.language or current_app.config.get("BABEL_DEFAULT_LOCALE", "sv")
    try:
        with force_locale(language):
            pending = operations.prepare_upload(
                version,
                data,
                filename=path.name,
                user=user,
                max_bytes=limit,
                organisation=on_behalf,
                sender=sender,
            )
    except DocxRejected as error:
        raise click.ClickException(f"file refused: {REJECTION_CODES.get(error.code, error.code)}") from error
    with force_locale("en"):
        if pending.preview.refused:
            raise click.ClickException(str(REFUSALS[pending.preview.refused]))
        for line in report_lines(pending, ref_labels(page_blocks(version))):
            click.echo(line)
    if dry_run:
        click.echo("Dry run: nothing stored.")
        db.session.rollback()
        return
    include = {item.key for item in pending.preview.items if item.uncertain} if include_uncertain else set()
    with force_locale(language):
        done = operations.take_in(pending, user, include)
    db.session.commit()
    numbers = ", ".join(f"#{c.number}" for c in done.comments) or "none"
    click.echo(f"Stored {len(done.comments)} comments ({numbers}); {done.duplicates} taken in before.")


def register(app: Flask) -> None:
    """Add the command to the app's CLI."""
    app.cli.add_command(import_comments)
