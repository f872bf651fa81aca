"""`flask import-comments <slug> <version> <file.docx> --as <email>`: take in a reviewed Word file."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.accounts.auth import user_by_email
from app.accounts.models import Organisation
from app.documents.loaders import page_blocks, ref_labels
from app.documents.models import Document
from app.docx.reading import DocxRejected
from app.drafting.import_forms import rejection_message
from app.extensions import db
from app.i18n import File, Integer, OperatorCommand, in_operator_language
from app.review.labels import KIND_LABELS
from app.review.models import CommentKind
from app.wordcomments import operations
from app.wordcomments.labels import LEFT_OUT_LABELS, REFUSALS, SOURCE_LABELS
from app.wordcomments.permissions import can_send_for_others
from app.worddiff import DELETE, EQUAL, INSERT, word_ops


def marked_changes(base_html: str, proposal_html: str) -> str:
    """A proposal as plain text with its changes marked as wdiff does: [-struck-] and {+inserted+}."""
    marks = {EQUAL: ("", ""), DELETE: ("[-", "-]"), INSERT: ("{+", "+}")}
    return "".join(
        marks[tag][0] + "".join(run.text for run in runs) + marks[tag][1]
        for tag, runs in word_ops(base_html, proposal_html)
    )


def report_lines(
    pending: operations.PendingWordComments, refs: dict[str, str], bases: dict[str, str] | None = None
) -> list[str]:
    """The preview as lines of text: what would be stored, where, and what is left out and why.

    *bases* are the paragraphs' texts by uid: a suggestion is shown as its changes to them.
    """
    bases = bases or {}
    preview = pending.preview
    lines = [
        _("File: %(name)s", name=pending.filename or "-"),
        _("Placed by: the pack's paragraph markers")
        if preview.by_markers
        else _("Placed by: aligning the text"),
        _("Paragraphs placed: %(placed)d of %(total)d", placed=preview.placed, total=preview.paragraphs),
        _("Comments of the pack itself (already in Remiss): %(num)d", num=preview.from_pack),
        _("Taken in before (not stored again): %(num)d", num=pending.duplicates),
        _("To store: %(num)d", num=len(pending.new_items)),
    ]
    for item in preview.items:
        where = refs.get(item.uid or "", "-") if item.uid else "-"
        flags = []
        if item.duplicate:
            flags.append(_("taken in before"))
        if item.uncertain:
            flags.append(_("uncertain match, %(percent)d%% similar", percent=round(item.score * 100)))
        if item.parent_number is not None:
            flags.append(_("reply to #%(n)d", n=item.parent_number))
        flag = f" [{'; '.join(flags)}]" if flags else ""
        first = " ".join(item.body.split("\n\n")[0].split())
        lines.append(
            f"  {SOURCE_LABELS[item.source]} · {where} · {KIND_LABELS[CommentKind(item.kind)]} · "
            f"{item.word_author or '-'}{flag}"
        )
        lines.append(f"    {first[:120]}")
        if item.quote:
            lines.append("    " + _("quote: “%(text)s”", text=item.quote))
        if item.suggestion and item.kind == "suggestion":
            changes = marked_changes(bases.get(item.uid or "", ""), item.suggestion)
            lines.append("    " + _("proposal: “%(text)s”", text=changes))
    if preview.left_out:
        lines.append(_("Left out: %(num)d", num=len(preview.left_out)))
    else:
        lines.append(_("Left out: nothing"))
    for left in preview.left_out:
        lines.append(f"  {LEFT_OUT_LABELS[left.reason]} · {left.author or '-'} · {left.text}")
    return lines


@click.command("import-comments", cls=OperatorCommand)
@in_operator_language
@click.argument("slug")
@click.argument("number", type=Integer())
@click.argument("path", type=File(exists=True))
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
        raise click.ClickException(_("no document with slug '%(slug)s'", slug=slug))
    version = next((v for v in document.versions if v.number == number), None)
    if version is None or not version.is_published:
        raise click.ClickException(
            _("document '%(slug)s' has no published version %(number)d", slug=slug, number=number)
        )
    if not version.accepts_comments():
        raise click.ClickException(str(REFUSALS["closed"]))
    user = user_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(_("no active user with e-mail %(email)s", email=email))
    on_behalf = None
    if organisation:
        if not can_send_for_others(user):
            raise click.ClickException(_("only editors submit comments for another organisation"))
        on_behalf = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation))
        if on_behalf is None:
            raise click.ClickException(_("no organisation named '%(name)s'", name=organisation))
        if not (sender or "").strip():
            raise click.BadParameter(_("--organisation needs --sender"), param_hint="--sender")
    data = path.read_bytes()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    # What is written into the comments is in the submitter's language, as on the web;
    # the report and the refusals on the terminal are in the operator's (in_operator_language).
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
        raise click.ClickException(_("file refused: %(reason)s", reason=rejection_message(error))) from error
    if pending.preview.refused:
        raise click.ClickException(str(REFUSALS[pending.preview.refused]))
    blocks = page_blocks(version)
    for line in report_lines(pending, ref_labels(blocks), {b.uid: b.text for b in blocks}):
        click.echo(line)
    if dry_run:
        click.echo(_("Dry run: nothing stored."))
        db.session.rollback()
        return
    include = {item.key for item in pending.preview.items if item.uncertain} if include_uncertain else set()
    with force_locale(language):
        done = operations.take_in(pending, user, include)
    db.session.commit()
    numbers = ", ".join(f"#{c.number}" for c in done.comments) or _("none")
    click.echo(
        ngettext(
            "Stored %(num)d comment (%(numbers)s); %(duplicates)d taken in before.",
            "Stored %(num)d comments (%(numbers)s); %(duplicates)d taken in before.",
            len(done.comments),
            numbers=numbers,
            duplicates=done.duplicates,
        )
    )


def register(app: Flask) -> None:
    """Add the command to the app's CLI."""
    app.cli.add_command(import_comments)
