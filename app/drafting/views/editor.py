"""Routes of the working draft: the editor, block edits, publishing. Editors only; drafts are theirs."""

from __future__ import annotations

from datetime import time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts.models import Organisation, User
from app.database import utcnow
from app.documents.loaders import editor_document, ref_labels, version_blocks
from app.documents.models import BlockKind, Document, Version
from app.drafting import operations
from app.drafting.blueprint import bp
from app.drafting.forms import (
    KIND_LABELS,
    BlockForm,
    InsertForm,
    MoveForm,
    PublishForm,
    RevisionForm,
    SplitForm,
    StartDraftForm,
)
from app.drafting.markup import block_from_markup, block_to_markup, split_parts
from app.extensions import db
from app.review.dashboard import undecided_count
from app.review.models import Comment, CommentStatus
from app.review.threads import count_by_block
from app.timeutil import to_utc

DRAFT_ERRORS = {
    "no_draft": lambda: _("There is no working draft of this document."),
    "draft_exists": lambda: _("A working draft has already been started."),
    "block_gone": lambda: _("This block is no longer in the draft: another editor has removed it."),
    "split_needs_two": lambda: _("Leave an empty line where the block should be split."),
    "nothing_to_merge": lambda: _("This is the last block: there is nothing after it to merge with."),
    "merge_table": lambda: _("A table can only be merged with another table."),
}


def _load_draft(slug: str) -> tuple[Document, Version]:
    """The document and its working draft, for an editor (404 without a draft)."""
    document = editor_document(slug)
    draft = document.draft
    if draft is None:
        abort(404)
    return document, draft


def _load_block(slug: str, uid: str):
    """(document, draft, every block of the draft, the index of *uid*): 404 when the block is gone."""
    document, draft = _load_draft(slug)
    blocks = version_blocks(draft)
    index = next((i for i, b in enumerate(blocks) if b.uid == uid), None)
    if index is None:
        abort(404)
    return document, draft, blocks, index


def _previous(document: Document, draft: Version) -> Version | None:
    earlier = [v for v in document.published_versions if v.number < draft.number]
    return earlier[-1] if earlier else None


def _to_draft(document: Document, uid: str | None = None):
    anchor = f"#b-{uid}" if uid else ""
    return redirect(url_for("drafting.draft", slug=document.slug) + anchor)


def _refused(document, draft, code: str, status: int = 409):
    message = DRAFT_ERRORS.get(code, DRAFT_ERRORS["no_draft"])()
    return render_template("drafting/refused.html", document=document, draft=draft, message=message), status


def _open_comments(document: Document, draft: Version, block_id: int) -> list[Comment]:
    """The block's comments an editor should have in view: open ones and those taken into this draft."""
    return db.session.scalars(
        sa.select(Comment)
        .where(
            Comment.document_id == document.id,
            Comment.block_id == block_id,
            Comment.parent_id.is_(None),
            sa.or_(
                sa.and_(Comment.status == CommentStatus.OPEN, Comment.withdrawn_at.is_(None)),
                Comment.resolved_in_version_id == draft.id,
            ),
        )
        .options(
            so.joinedload(Comment.author).load_only(User.id, User.name),
            so.joinedload(Comment.organisation).load_only(Organisation.id, Organisation.name),
        )
        .order_by(Comment.number)
    ).all()


@bp.route("/d/<slug>/draft")
@login_required
def draft(slug: str):
    """The working draft, block by block, with each block's open comments counted."""
    document = editor_document(slug)
    draft = document.draft
    if draft is None:
        form = StartDraftForm()
        if document.versions:
            form.label.data = operations.next_label(document.versions[-1].label)
        return render_template("drafting/start.html", document=document, form=form)
    blocks = version_blocks(draft)
    counts = count_by_block(document, draft)
    return render_template(
        "drafting/draft.html",
        document=document,
        draft=draft,
        blocks=blocks,
        refs=ref_labels(blocks),
        counts=counts,
        previous=_previous(document, draft),
        move_form=MoveForm(),
        kind_names={kind.value: str(label) for kind, label in KIND_LABELS.items()},
    )


@bp.route("/d/<slug>/draft/start", methods=["POST"])
@login_required
def start(slug: str):
    """Start the next draft as a copy of the newest version."""
    document = editor_document(slug)
    form = StartDraftForm()
    if not form.validate_on_submit():
        return render_template("drafting/start.html", document=document, form=form), 400
    try:
        draft = operations.start_draft(document, current_user, label=form.label.data)
    except operations.DraftError as error:
        db.session.rollback()
        return _refused(document, document.draft, error.code)
    db.session.commit()
    flash(
        _("The draft of version %(label)s is started. Only editors can see it.", label=draft.label), "success"
    )
    return _to_draft(document)


def _conflict(document, draft, blocks, index, form, current):
    """409: the edit page again, showing the text another editor saved next to this editor's own."""
    if current is not None:
        form.base_revision.data = str(current.revision)
    return _block_page(document, draft, blocks, index, form, status=409, current=current, conflict=True)


def _block_page(document, draft, blocks, index, form, status=200, current=None, conflict=False):
    view = blocks[index]
    return render_template(
        "drafting/block.html",
        document=document,
        draft=draft,
        block=view,
        ref=ref_labels(blocks).get(view.uid, ""),
        previous_block=blocks[index - 1] if index > 0 else None,
        next_block=blocks[index + 1] if index + 1 < len(blocks) else None,
        form=form,
        move_form=MoveForm(),
        comments=_open_comments(document, draft, view.revision.block_id),
        conflict=conflict,
        current=current,
        current_markup=block_to_markup(current.kind, current.text) if current is not None else "",
    ), status


@bp.route("/d/<slug>/draft/b/<uid>", methods=["GET", "POST"])
@login_required
def edit_block(slug: str, uid: str):
    """Edit one block's text, kind and level, with its open comments beside it."""
    document, draft, blocks, index = _load_block(slug, uid)
    revision = blocks[index].revision
    form = BlockForm()
    if request.method == "GET":
        form.kind.data = revision.kind.value
        form.level.data = str(revision.level)
        form.text.data = block_to_markup(revision.kind, revision.text)
        form.base_revision.data = str(revision.revision)
        return _block_page(document, draft, blocks, index, form)
    if not form.validate_on_submit() or form.base is None:
        return _block_page(document, draft, blocks, index, form, status=400)
    ref = ref_labels(blocks).get(uid, "")  # before the commit expires the loaded blocks
    kind = form.chosen_kind
    unchanged = form.text.data == block_to_markup(revision.kind, revision.text)
    # Saving untouched text keeps the stored text exactly, whatever the markup can express.
    text = revision.text if unchanged and kind is revision.kind else block_from_markup(kind, form.text.data)
    try:
        operations.edit_block(
            draft,
            uid,
            base_revision=form.base,
            kind=kind,
            level=form.chosen_level,
            text=text,
            editor=current_user,
        )
    except operations.StaleEdit as stale:
        db.session.rollback()
        return _conflict(document, draft, blocks, index, form, stale.current)
    except operations.DraftError as error:
        db.session.rollback()
        return _refused(document, draft, error.code)
    db.session.commit()
    flash(_("Block %(ref)s saved.", ref=ref), "success")
    return _to_draft(document, uid)


@bp.route("/d/<slug>/draft/insert", methods=["GET", "POST"])
@login_required
def insert(slug: str):
    """Insert a new block after another one (or at the top)."""
    document, draft = _load_draft(slug)
    after = request.args.get("after") or None
    blocks = version_blocks(draft)
    after_view = None
    if after is not None:
        after_view = next((b for b in blocks if b.uid == after), None)
        if after_view is None:
            abort(404)
    form = InsertForm()
    if request.method == "GET" and after_view is not None:
        form.kind.data = "paragraph" if after_view.kind == "heading" else after_view.kind
        form.level.data = str(after_view.level)
    if form.validate_on_submit():
        try:
            revision = operations.insert_block(
                draft,
                after,
                kind=form.chosen_kind,
                level=form.chosen_level,
                text=block_from_markup(form.chosen_kind, form.text.data),
                editor=current_user,
            )
        except operations.DraftError as error:
            db.session.rollback()
            return _refused(document, draft, error.code)
        db.session.commit()
        flash(_("Block inserted."), "success")
        return _to_draft(document, revision.block.uid)
    return render_template(
        "drafting/insert.html",
        document=document,
        draft=draft,
        form=form,
        after=after_view,
        ref=ref_labels(blocks).get(after, "") if after else "",
    ), (400 if form.is_submitted() else 200)


@bp.route("/d/<slug>/draft/b/<uid>/move", methods=["POST"])
@login_required
def move(slug: str, uid: str):
    """Move a block one step up or down."""
    document, draft = _load_draft(slug)
    form = MoveForm()
    if not form.validate_on_submit() or form.direction.data not in ("up", "down"):
        abort(400)
    try:
        moved = operations.move_block(draft, uid, -1 if form.direction.data == "up" else 1, current_user)
    except operations.DraftError as error:
        db.session.rollback()
        return _refused(document, draft, error.code)
    db.session.commit()
    if moved:
        flash(_("Block moved up.") if form.direction.data == "up" else _("Block moved down."), "success")
    else:
        flash(
            _("The block is already at the top.")
            if form.direction.data == "up"
            else _("The block is already at the end."),
            "info",
        )
    if request.form.get("back") == "block":
        return redirect(url_for("drafting.edit_block", slug=slug, uid=uid))
    return _to_draft(document, uid)


def _changed_meanwhile(document, draft, view, action: str, current):
    """409: another editor changed or removed the block since this editor opened it."""
    return render_template(
        "drafting/confirm.html",
        document=document,
        draft=draft,
        action=action,
        block=view,
        ref="",
        other=None,
        form=None,
        stale=current,
    ), 409


def _confirmed(document, draft, blocks, index, *, action, act, done, back_to, other=None):
    """A structural change confirmed on a page that names the revisions it was based on.

    GET shows what will happen; POST calls *act(form)*, which raises StaleEdit when another
    editor changed a block meanwhile: then nothing is done and the block as it is now is shown.
    """
    view = blocks[index]
    form = RevisionForm()
    if request.method == "GET":
        form.base_revision.data = str(view.revision.revision)
        if other is not None:
            form.next_revision.data = str(other.revision.revision)
        refs = ref_labels(blocks)
        return render_template(
            "drafting/confirm.html",
            document=document,
            draft=draft,
            action=action,
            block=view,
            ref=refs.get(view.uid, ""),
            other=other,
            other_ref=refs.get(other.uid, "") if other is not None else "",
            form=form,
            stale=None,
        )
    if not form.validate_on_submit() or form.base is None or (other is not None and form.next_base is None):
        abort(400)
    try:
        act(form)
    except operations.StaleEdit as stale:
        db.session.rollback()
        return _changed_meanwhile(document, draft, view, action, stale.current)
    except operations.DraftError as error:
        db.session.rollback()
        return _refused(document, draft, error.code)
    db.session.commit()
    flash(done, "success")
    return _to_draft(document, back_to)


@bp.route("/d/<slug>/draft/b/<uid>/remove", methods=["GET", "POST"])
@login_required
def remove(slug: str, uid: str):
    """Remove a block from the draft, after a confirmation that names the revision seen."""
    document, draft, blocks, index = _load_block(slug, uid)
    return _confirmed(
        document,
        draft,
        blocks,
        index,
        action="delete",
        act=lambda form: operations.delete_block(draft, uid, base_revision=form.base, editor=current_user),
        done=_("Block removed from the draft."),
        back_to=blocks[index - 1].uid if index > 0 else None,
    )


@bp.route("/d/<slug>/draft/b/<uid>/merge", methods=["GET", "POST"])
@login_required
def merge(slug: str, uid: str):
    """Join a block with the next one; the first keeps its identity and its comments."""
    document, draft, blocks, index = _load_block(slug, uid)
    if index + 1 >= len(blocks):
        return _refused(document, draft, "nothing_to_merge")
    return _confirmed(
        document,
        draft,
        blocks,
        index,
        action="merge",
        act=lambda form: operations.merge_with_next(
            draft, uid, base_revision=form.base, next_revision=form.next_base, editor=current_user
        ),
        done=_("Blocks merged."),
        back_to=uid,
        other=blocks[index + 1],
    )


@bp.route("/d/<slug>/draft/b/<uid>/split", methods=["GET", "POST"])
@login_required
def split(slug: str, uid: str):
    """Cut a block in two (or more) where the editor leaves empty lines."""
    document, draft, blocks, index = _load_block(slug, uid)
    view = blocks[index]
    if view.revision.kind is BlockKind.TABLE:
        return _refused(document, draft, "merge_table")
    form = SplitForm()
    status = 200
    if request.method == "GET":
        form.text.data = block_to_markup(view.revision.kind, view.text)
        form.base_revision.data = str(view.revision.revision)
    elif form.validate_on_submit() and form.base is not None:
        parts = [block_from_markup(view.revision.kind, part) for part in split_parts(form.text.data)]
        parts = [part for part in parts if part]
        try:
            operations.split_block(draft, uid, base_revision=form.base, parts=parts, editor=current_user)
        except operations.StaleEdit as stale:
            db.session.rollback()
            return _changed_meanwhile(document, draft, view, "split", stale.current)
        except operations.DraftError as error:
            db.session.rollback()
            form.text.errors = [DRAFT_ERRORS[error.code]()]
            status = 400
        else:
            db.session.commit()
            flash(_("Block split into %(n)d blocks.", n=len(parts)), "success")
            return _to_draft(document, uid)
    else:
        status = 400
    return render_template(
        "drafting/split.html",
        document=document,
        draft=draft,
        block=view,
        ref=ref_labels(blocks).get(uid, ""),
        form=form,
    ), status


@bp.route("/d/<slug>/draft/publish", methods=["GET", "POST"])
@login_required
def publish(slug: str):
    """Publish the draft as the next open version; the previous open version closes."""
    document, draft = _load_draft(slug)
    previous = _previous(document, draft)
    undecided = undecided_count(document, previous) if previous is not None else 0
    form = PublishForm()
    if request.method == "GET":
        form.label.data = draft.label
    if form.validate_on_submit():
        if undecided and not form.confirm_undecided.data:
            form.confirm_undecided.errors = [
                ngettext(
                    "%(num)d comment on version %(label)s is still open: tick the box to publish anyway.",
                    "%(num)d comments on version %(label)s are still open: tick the box to publish anyway.",
                    undecided,
                    label=previous.label,
                )
            ]
        deadline = None
        if form.deadline_date.data is not None:
            deadline = to_utc(form.deadline_date.data, form.deadline_time.data or time(23, 59))
            if deadline <= utcnow():
                form.deadline_date.errors = [_("The deadline must be in the future.")]
        elif form.deadline_time.data is not None:
            form.deadline_date.errors = [_("Enter the date of the deadline too.")]
        if not operations.draft_has_changes(draft, previous):
            form.form_errors.append(
                _(
                    "The draft is the same as version %(label)s: there is nothing to publish.",
                    label=previous.label,
                )
            )
        if not form.errors:
            operations.publish_draft(
                draft,
                summary=form.summary.data,
                label=form.label.data,
                deadline=deadline,
                editor=current_user,
            )
            db.session.commit()
            flash(_("Version %(label)s is published and open for comments.", label=draft.label), "success")
            return redirect(url_for("documents.version", slug=slug, number=draft.number))
    return render_template(
        "drafting/publish.html",
        document=document,
        draft=draft,
        previous=previous,
        undecided=undecided,
        form=form,
    ), (400 if form.is_submitted() else 200)
