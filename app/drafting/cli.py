"""`flask import-docx <slug> <file>`: import a draft from the command line, with the web report."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from app import purge
from app.accounts.auth import user_by_email
from app.documents.models import LICENCES, Document, Visibility
from app.docx.reading import DocxRejected
from app.drafting.docx_reader import read_docx
from app.drafting.import_forms import STATUS_LABELS, rejection_message, report_label
from app.drafting.importing import (
    SLUG_MAX,
    SLUG_PATTERN,
    ImportRefused,
    NewDocument,
    PendingImport,
    prepare_import,
    write_import,
)
from app.drafting.paste import read_paste
from app.drafting.pending import store
from app.drafting.permissions import can_import
from app.extensions import db
from app.i18n import Choice, File, OperatorCommand, in_operator_language
from app.richtext import plain, table_rows

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
_EXCERPT = 100


def _excerpt(kind: str, text: str) -> str:
    value = (
        " | ".join(" ".join(plain(c) for c in row) for row in table_rows(text))
        if kind == "table"
        else plain(text)
    )
    value = " ".join(value.split())
    return value if len(value) <= _EXCERPT else value[: _EXCERPT - 1] + "…"


def _read(path: Path) -> tuple[str, list, list]:
    """(source, blocks, report) of a .docx, or of a text/Markdown file read as a paste."""
    data = path.read_bytes()
    if path.suffix.lower() in TEXT_SUFFIXES:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise click.ClickException(_("%(name)s is not UTF-8 text", name=path.name)) from error
        blocks = read_paste(text)
        if not blocks:
            raise click.ClickException(_("refused (%(name)s): there is no text to import", name=path.name))
        return "paste", blocks, []
    try:
        result = read_docx(data)
    except DocxRejected as error:
        raise click.ClickException(
            _(
                "refused (%(name)s): %(code)s: %(reason)s",
                name=path.name,
                code=error.code,
                reason=rejection_message(error),
            )
        ) from error
    return "docx", result.blocks, result.report


def _print_report(pending: PendingImport, split: bool) -> None:
    """The web preview's report as lines, in the operator's language (the codes stay as they are)."""
    counts = pending.counts()
    n = len(pending.blocks)
    if pending.base_label:
        click.echo(
            ngettext(
                "%(num)d block read from %(name)s; compared with version %(label)s.",
                "%(num)d blocks read from %(name)s; compared with version %(label)s.",
                n,
                name=pending.filename,
                label=pending.base_label,
            )
        )
    else:
        click.echo(
            ngettext(
                "%(num)d block read from %(name)s; no earlier version: all new.",
                "%(num)d blocks read from %(name)s; no earlier version: all new.",
                n,
                name=pending.filename,
            )
        )
    labels = {status: str(STATUS_LABELS[status]) for status in counts}
    width = max(map(len, labels.values())) + 2
    for status, count in counts.items():
        click.echo(f"  {labels[status]:<{width}}{count:>6}")
    uncertain = pending.uncertain
    if uncertain:
        if split:
            click.echo(_("Uncertain matches: %(num)d, made new (--split-uncertain):", num=len(uncertain)))
        else:
            click.echo(
                _("Uncertain matches: %(num)d, kept (--split-uncertain makes them new):", num=len(uncertain))
            )
        for m in uncertain:
            old, new = pending.old[m.old_index], pending.blocks[m.index]
            status = str(STATUS_LABELS.get(m.status, m.status)).lower()
            percent = round(m.score * 100)
            click.echo(
                "  "
                + _(
                    "block %(n)d (%(status)s, %(percent)d%% similar)",
                    n=m.index + 1,
                    status=status,
                    percent=percent,
                )
            )
            click.echo("    " + _("old: %(text)s", text=_excerpt(old.kind, old.text)))
            click.echo("    " + _("new: %(text)s", text=_excerpt(new.kind, new.text)))
    if pending.report:
        click.echo(_("Not imported:"))
        for item in pending.report:
            detail = f": {item.detail}" if item.detail else ""
            click.echo(f"  {item.code} ×{item.count} ({report_label(item.code)}){detail}")
    else:
        click.echo(_("Not imported: nothing."))


@click.command("import-docx", cls=OperatorCommand)
@in_operator_language
@click.argument("slug")
@click.argument("path", type=File(exists=True))
@click.option(
    "--editor", "editor_email", help="E-mail of the editor who writes the draft (not needed with --dry-run)."
)
@click.option("--dry-run", is_flag=True, help="Show the report only; write nothing.")
@click.option(
    "--new", "create", is_flag=True, help="Create the document SLUG; the file is its first version's draft."
)
@click.option("--title", help="Title of the new document (with --new).")
@click.option("--licence", type=Choice(sorted(LICENCES)), default="CC-BY-4.0", show_default=True)
@click.option(
    "--visibility", type=Choice([v.value for v in Visibility]), default="network", show_default=True
)
@click.option(
    "--split-uncertain", is_flag=True, help="Import uncertain matches as new paragraphs (default: keep)."
)
@with_appcontext
def import_docx(slug, path, editor_email, dry_run, create, title, licence, visibility, split_uncertain):
    """Import PATH (.docx, or .txt/.md read as pasted text) as the working draft of document SLUG.

    The text is aligned with the newest published version so that unchanged, edited and
    moved paragraphs keep their identity and comments. Prints the report (counts, uncertain
    matches, what could not be imported), then replaces the draft unless --dry-run.
    """
    document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    new_document = None
    if create:
        if document is not None:
            raise click.ClickException(
                _("a document with slug '%(slug)s' exists already (drop --new)", slug=slug)
            )
        if not title or not title.strip():
            raise click.BadParameter(_("--new needs --title"), param_hint="--title")
        if not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX:
            raise click.BadParameter(_("lower-case letters, digits and hyphens"), param_hint="SLUG")
        new_document = NewDocument(title=title.strip(), slug=slug, licence=licence, visibility=visibility)
    elif document is None:
        raise click.ClickException(
            _("there is no document '%(slug)s' (use --new --title ... to create it)", slug=slug)
        )
    editor = None
    if not dry_run:
        if not editor_email:
            raise click.BadParameter(_("needed unless --dry-run"), param_hint="--editor")
        editor = user_by_email(editor_email)
        if editor is None or not editor.active or not can_import(editor):
            raise click.ClickException(_("%(email)s is not an active editor", email=editor_email))
    source, blocks, report = _read(path)
    pending = prepare_import(
        document,
        blocks,
        report,
        source=source,
        filename=path.name,
        user=editor,
        new_document=new_document,
    )
    _print_report(pending, split_uncertain)
    if document is not None and document.draft is not None:
        click.echo(
            _("Warning: the working draft (version %(label)s) is replaced.", label=document.draft.label)
        )
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run: nothing written."))
        return
    split = {m.index for m in pending.uncertain} if split_uncertain else set()
    try:
        draft = write_import(pending, editor, split)
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(_("not written: %(code)s", code=error.code)) from error
    click.echo(
        ngettext(
            "Draft written: %(slug)s, version %(number)d, %(num)d block.",
            "Draft written: %(slug)s, version %(number)d, %(num)d blocks.",
            len(pending.blocks),
            slug=draft.document.slug,
            number=draft.number,
        )
    )


def _sweep_pending_imports() -> int:
    return store().sweep()


def register(app: Flask) -> None:
    """Add the import command to the app's CLI, and the expired pending imports to `flask purge`."""
    app.cli.add_command(import_docx)
    purge.add(
        app,
        lambda n: ngettext("%(num)d expired pending import", "%(num)d expired pending imports", n),
        _sweep_pending_imports,
    )
