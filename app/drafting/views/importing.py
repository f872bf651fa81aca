"""Importing a draft: upload a Word file or paste text, read the report, then confirm or cancel.

Uploading reads and aligns the text and keeps it as a pending import (app.drafting.pending);
the database is only written when the editor confirms the report. Each view: load (404) →
editors only (403) → validate → act → commit once → flash and redirect.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.documents.loaders import editor_document
from app.documents.models import Document, Version
from app.docx.reading import DocxRejected
from app.drafting import pending as pending_store
from app.drafting.blueprint import bp
from app.drafting.docx_reader import read_docx
from app.drafting.forms import KIND_LABELS
from app.drafting.import_forms import (
    DOCX_TYPES,
    STATUS_LABELS,
    CancelForm,
    NewDocumentForm,
    PasteForm,
    UploadForm,
    rejection_message,
    report_form,
    report_label,
)
from app.drafting.importing import (
    ImportRefused,
    NewDocument,
    PendingImport,
    old_blocks,
    prepare_import,
    write_import,
)
from app.drafting.paste import read_paste
from app.drafting.permissions import can_import
from app.extensions import db

REFUSALS = {
    "document_gone": lambda: _("The document no longer exists, so the import was not written."),
    "base_changed": lambda: _(
        "A new version was published after you uploaded the file, so the comparison is out of date. "
        "Nothing was changed; please upload the file again."
    ),
    "slug_taken": lambda: _(
        "Another document got this web address in the meantime. Nothing was changed; choose another address."
    ),
    "bad_slug": lambda: _("The web address is not valid. Nothing was changed."),
    "bad_licence": lambda: _("The licence is not valid. Nothing was changed."),
}


def _require_editor() -> None:
    """Editors only (sign-in is checked first by ``login_required``)."""
    if not can_import(current_user):
        abort(403)


def _file_name(storage) -> str:
    """The uploaded file's own name, for the report only (never used as a path)."""
    name = (getattr(storage, "filename", None) or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name.strip()[:200]


def _keep(pending: PendingImport):
    token = pending_store.store().save(pending)
    return redirect(url_for("drafting.import_report", token=token))


def _read_upload(field) -> tuple[list, list] | None:
    """Blocks and report of the uploaded file, or None with the reason added to *field*'s errors."""
    data = field.data.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    try:
        result = read_docx(data, max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
    except DocxRejected as error:
        field.errors.append(rejection_message(error))
        return None
    return result.blocks, result.report


def _render_form(template: str, form, **context):
    status = 400 if request.method == "POST" else 200
    return render_template(template, form=form, docx_types=DOCX_TYPES, **context), status


@bp.route("/d/<slug>/draft/import", methods=["GET", "POST"])
@login_required
def import_docx(slug: str):
    """Upload a Word file as the working draft of an existing document."""
    document = editor_document(slug)
    form = UploadForm()
    if form.validate_on_submit() and (read := _read_upload(form.file)) is not None:
        blocks, report = read
        return _keep(
            prepare_import(
                document,
                blocks,
                report,
                source="docx",
                filename=_file_name(form.file.data),
                user=current_user,
            )
        )
    return _render_form("drafting/import.html", form, document=document)


@bp.route("/d/<slug>/draft/paste", methods=["GET", "POST"])
@login_required
def paste(slug: str):
    """Paste plain text or Markdown as the working draft of an existing document."""
    document = editor_document(slug)
    form = PasteForm()
    if form.validate_on_submit():
        blocks = read_paste(form.text.data)
        if blocks:
            return _keep(prepare_import(document, blocks, [], source="paste", filename="", user=current_user))
        form.text.errors.append(_("There is no text to import."))
    return _render_form("drafting/paste.html", form, document=document)


@bp.route("/documents/new/import", methods=["GET", "POST"])
@login_required
def new_document_import():
    """Create a document whose first version's draft comes from a Word file."""
    _require_editor()
    form = NewDocumentForm()
    if form.validate_on_submit() and (read := _read_upload(form.file)) is not None:
        blocks, report = read
        spec = NewDocument(
            title=form.title.data.strip(),
            slug=form.slug.data,
            licence=form.licence.data,
            visibility=form.visibility.data,
        )
        return _keep(
            prepare_import(
                None,
                blocks,
                report,
                source="docx",
                filename=_file_name(form.file.data),
                user=current_user,
                new_document=spec,
            )
        )
    return _render_form("drafting/import_new.html", form)


def _load(token: str) -> tuple[PendingImport | None, Document | None]:
    """The current editor's pending import *token* and its document (None for a new one)."""
    pending = pending_store.store().load(token, current_user.id)
    if pending is None or pending.document_id is None:
        return pending, None
    document = db.session.get(Document, pending.document_id)
    if document is None:
        pending_store.store().discard(token, current_user.id)
        return None, None
    return pending, document


def _gone():
    flash(
        _(
            "This import is no longer waiting: it was confirmed or cancelled already, or it has expired. "
            "Nothing was changed by this request."
        ),
        "error",
    )
    return redirect(url_for("documents.index"))


def _render_report(pending: PendingImport, document: Document | None, form, status: int = 200):
    draft = document.draft if document is not None else None
    removed: list = []
    if pending.removed and pending.base_version_id is not None:
        gone = set(pending.removed)
        removed = [b for b in old_blocks(db.session.get(Version, pending.base_version_id)) if b.uid in gone]
    return (
        render_template(
            "drafting/import_report.html",
            pending=pending,
            document=document,
            draft=draft,
            form=form,
            cancel_form=CancelForm(),
            counts=pending.counts(),
            status_labels=STATUS_LABELS,
            kind_labels={kind.value: label for kind, label in KIND_LABELS.items()},
            removed_blocks=removed,
            report_label=report_label,
            again_url=_again_url(pending, document),
        ),
        status,
    )


def _again_url(pending: PendingImport, document: Document | None) -> str:
    """Where the editor uploads again."""
    if document is None:
        return url_for("drafting.new_document_import")
    endpoint = "drafting.paste" if pending.source == "paste" else "drafting.import_docx"
    return url_for(endpoint, slug=document.slug)


@bp.route("/imports/<token>")
@login_required
def import_report(token: str):
    """The report of a pending import: counts, uncertain matches, what was not imported."""
    _require_editor()
    pending, document = _load(token)
    if pending is None:
        return _gone()
    return _render_report(pending, document, report_form(pending))


def draft_url(document: Document, draft: Version) -> str:
    """The page of the working draft (the draft editor, or the draft's version page)."""
    if "drafting.draft" in current_app.view_functions:
        return url_for("drafting.draft", slug=document.slug)
    return url_for("documents.version", slug=document.slug, number=draft.number)


@bp.route("/imports/<token>/confirm", methods=["POST"])
@login_required
def import_confirm(token: str):
    """Write the pending import as the working draft, with the editor's choices."""
    _require_editor()
    pending, document = _load(token)
    if pending is None:
        return _gone()
    form = report_form(pending)
    if not form.validate_on_submit():
        return _render_report(pending, document, form, 400)
    store = pending_store.store()
    claimed = store.claim(token, current_user.id)
    if claimed is None:
        return _gone()
    split = form.splits()
    try:
        draft = write_import(claimed, current_user, split)
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        store.done(claimed)
        flash(REFUSALS[refused.code](), "error")
        return redirect(_again_url(claimed, document))
    except sa.exc.IntegrityError:
        # Someone wrote the same draft (or took the address) in the same moment.
        db.session.rollback()
        store.release(claimed)
        flash(_("Someone else changed this document at the same time. Please try again."), "error")
        return redirect(url_for("drafting.import_report", token=token))
    except Exception:
        db.session.rollback()
        store.release(claimed)
        raise
    store.done(claimed)
    counts = claimed.counts(split)
    flash(
        _(
            "The draft was imported: %(unchanged)d unchanged, %(edited)d edited, %(moved)d moved, "
            "%(new)d new and %(removed)d removed paragraphs.",
            unchanged=counts["unchanged"],
            edited=counts["edited"],
            moved=counts["moved"] + counts["moved+edited"],
            new=counts["new"],
            removed=counts["removed"],
        ),
        "success",
    )
    return redirect(draft_url(draft.document, draft))


@bp.route("/imports/<token>/cancel", methods=["POST"])
@login_required
def import_cancel(token: str):
    """Discard a pending import; nothing is written."""
    _require_editor()
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    pending, document = _load(token)
    if pending is None or not pending_store.store().discard(token, current_user.id):
        return _gone()
    flash(_("The import was cancelled. Nothing was changed."), "success")
    if document is None:
        return redirect(url_for("documents.index"))
    return redirect(url_for("documents.document", slug=document.slug))
