"""Send comments from Word: upload → preview → confirm. Nothing is stored before "confirm".

Each view: load (404) → check (403) → validate → act → commit once → flash and redirect.
The preview lives in the pending-upload store (app.drafting.pending), visible to its uploader only.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts.models import Organisation
from app.documents.loaders import get_document, get_version, page_blocks, ref_labels
from app.documents.models import Document, Version
from app.docx.reading import DocxRejected
from app.drafting import pending as pending_store
from app.drafting.import_forms import DOCX_TYPES, rejection_message
from app.extensions import db
from app.review import markdown
from app.review.loaders import refuse_closed
from app.wordcomments import operations
from app.wordcomments.blueprint import bp
from app.wordcomments.forms import MYSELF, CancelForm, ConfirmForm, UploadForm
from app.wordcomments.labels import LEFT_OUT_LABELS, REFUSALS, SOURCE_LABELS
from app.wordcomments.operations import PendingWordComments, TakeInRefused
from app.wordcomments.permissions import can_send_for_others


def _file_name(storage) -> str:
    """The uploaded file's own name, for the report only (never used as a path)."""
    name = (getattr(storage, "filename", None) or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name.strip()[:200]


def _organisation_choices() -> list[tuple[str, str]]:
    names = db.session.execute(
        sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    mine = _("Myself (%(organisation)s)", organisation=current_user.organisation.name)
    return [(MYSELF, mine)] + [(str(i), name) for i, name in names]


@bp.route("/d/<slug>/v/<int:number>/word-comments", methods=["GET", "POST"])
@login_required
def upload(slug: str, number: int):
    """Upload a Word file with comments and tracked changes for this version."""
    document = get_document(slug)
    version = get_version(document, number)
    if not version.accepts_comments():
        return refuse_closed(version)
    form = UploadForm()
    if can_send_for_others(current_user):
        form.organisation.choices = _organisation_choices()
    else:
        del form.organisation
        del form.sender
    if form.validate_on_submit():
        organisation = None
        if can_send_for_others(current_user) and form.organisation.data:
            organisation = db.session.get(Organisation, int(form.organisation.data))
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        data = form.file.data.read(limit + 1)
        try:
            pending = operations.prepare_upload(
                version,
                data,
                filename=_file_name(form.file.data),
                user=current_user,
                max_bytes=limit,
                organisation=organisation,
                sender=form.sender.data if organisation is not None else None,
            )
        except DocxRejected as error:
            form.file.errors.append(rejection_message(error))
        else:
            if pending.preview.refused:
                form.file.errors.append(str(REFUSALS[pending.preview.refused]))
            else:
                token = pending_store.store().save(pending)
                return redirect(url_for("wordcomments.preview", token=token))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "wordcomments/upload.html", form=form, document=document, version=version, docx_types=DOCX_TYPES
    ), status


def _pending(token: str) -> PendingWordComments:
    """The current user's pending file *token*, or 404 (unknown, expired, someone else's)."""
    pending = pending_store.store().load(token, current_user.id, PendingWordComments)
    if pending is None:
        abort(404)
    return pending


def _version(pending: PendingWordComments) -> tuple[Document, Version]:
    version = db.session.get(Version, pending.version_id)
    if version is None:
        abort(404)
    return version.document, version


@bp.route("/word-comments/<token>")
@login_required
def preview(token: str):
    """Everything the file would add, where, and what is left out and why; nothing stored yet."""
    pending = _pending(token)
    document, version = _version(pending)
    blocks = {b.uid: b for b in page_blocks(version)}
    refs = ref_labels(blocks.values())
    organisation = db.session.get(Organisation, pending.organisation_id) if pending.organisation_id else None
    return render_template(
        "wordcomments/preview.html",
        pending=pending,
        document=document,
        version=version,
        blocks=blocks,
        refs=refs,
        organisation=organisation,
        open=version.accepts_comments(),
        form=ConfirmForm(),
        cancel_form=CancelForm(),
        left_out_labels=LEFT_OUT_LABELS,
        source_labels=SOURCE_LABELS,
        # The text as it will be stored: the comments' Markdown, sanitised (nh3).
        render=markdown.render,
    )


@bp.route("/word-comments/<token>", methods=["POST"])
@login_required
def confirm(token: str):
    """Store the previewed comments, with the uncertain ones the uploader ticked; show them."""
    _pending(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    store = pending_store.store()
    pending = store.claim(token, current_user.id, PendingWordComments)
    if pending is None:
        flash(str(REFUSALS["gone"]), "error")
        return redirect(url_for("documents.index"))
    document, version = _version(pending)
    include = {int(k) for k in request.form.getlist("include") if k.isdigit()}
    target = url_for("documents.version", slug=document.slug, number=version.number)
    try:
        done = operations.take_in(pending, current_user, include)
    except TakeInRefused as refused:
        db.session.rollback()
        store.done(pending)
        flash(str(REFUSALS[refused.code]), "error")
        return redirect(target)
    except Exception:
        db.session.rollback()
        store.release(pending)
        raise
    stored, duplicates = len(done.comments), done.duplicates
    if stored:
        # Where the work is: the member's own list, at the first of the new comments there
        # (newest first); focused by focus-target.js, marked by :target without script.
        top = max(done.comments, key=lambda c: (c.created_at, c.id))
        target = url_for("review.my_comments", slug=document.slug, _anchor=f"c-{top.number}")
    db.session.commit()
    store.done(pending)
    if stored:
        flash(
            ngettext(
                "%(num)d comment from the Word file was stored.",
                "%(num)d comments from the Word file were stored.",
                stored,
            ),
            "success",
        )
    else:
        flash(_("Nothing new was stored: everything in this file had been taken in already."), "info")
    if duplicates and stored:
        flash(
            _(
                "%(num)d of the file's comments had been taken in before and were not stored again.",
                num=duplicates,
            ),
            "info",
        )
    return redirect(target)


@bp.route("/word-comments/<token>/cancel", methods=["POST"])
@login_required
def cancel(token: str):
    """Discard the preview; nothing was stored."""
    pending = _pending(token)
    if not CancelForm().validate_on_submit():
        abort(400)
    document, version = _version(pending)
    pending_store.store().discard(token, current_user.id, PendingWordComments)
    flash(_("The Word file was discarded. Nothing was stored."), "info")
    return redirect(url_for("documents.version", slug=document.slug, number=version.number))
