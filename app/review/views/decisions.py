"""Editors' decisions on comments: the review dashboard, deciding one or many.

Applying a suggestion to the working draft is drafting's (app.drafting.views.suggestions).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from app.documents.loaders import editor_document, get_version
from app.documents.models import Document
from app.extensions import db
from app.review import operations
from app.review.blueprint import bp
from app.review.cards import (
    back_to_dashboard,
    card_choices,
    card_json,
    comment_of,
    csrf_field,
    dashboard_return,
    dashboard_url,
    decide_url,
    withdrawn_notice,
)
from app.review.dashboard import Filters, load_dashboard, load_row, load_rows, next_undecided
from app.review.forms import BulkDecisionForm, DecisionForm
from app.review.models import Comment, CommentKind, CommentStatus
from app.web import wants_fragment
from app.web.forms import ConfirmForm


def _duplicate_target(document: Document, value: str | None, deciding: set[int]) -> Comment | str | None:
    """The comment named "#N" in *value*, or an error message."""
    number = int((value or "").lstrip("#") or 0)
    target = db.session.scalar(
        sa.select(Comment).where(Comment.document_id == document.id, Comment.number == number)
    )
    if target is None or target.parent_id is not None:
        return _("There is no comment #%(n)d on this document.", n=number)
    if target.id in deciding:
        return _("A comment cannot be a duplicate of itself.")
    return target


@bp.route("/d/<slug>/v/<int:number>/review", methods=["GET", "POST"])
@login_required
def dashboard(slug: str, number: int):
    """Every comment the version answers for, grouped by block, with filters and bulk decisions."""
    document = editor_document(slug)
    version = get_version(document, number)
    filters = Filters.from_args(request.args)
    form = BulkDecisionForm()
    status = 200
    if form.is_submitted():
        ids = {int(v) for v in request.form.getlist("comment") if v.isdigit() and len(v) < 12}
        if form.validate_on_submit():
            if not ids:
                form.form_errors.append(_("Tick the comments the decision is for."))
            else:
                done = _decide_many(document, ids, form)
                if done is not None:
                    db.session.commit()
                    message = ngettext(
                        "Decision recorded for %(num)d comment.",
                        "Decision recorded for %(num)d comments.",
                        done,
                    )
                    if wants_fragment():
                        return _cards_json(document, version, filters, sorted(ids), message)
                    flash(message, "success")
                    return redirect(dashboard_url(document, version, filters))
        status = 400
        if wants_fragment():
            # The script sends the form again the ordinary way, and the page shows what to correct.
            return jsonify(ok=False), status
    board = load_dashboard(document, version, filters, document.draft)
    return render_template(
        "review/dashboard.html",
        document=document,
        version=version,
        board=board,
        filters=filters,
        form=form,
        csrf_field=csrf_field(),
        draft=document.draft,
        statuses={s.value: s for s in CommentStatus},
        kinds=list(CommentKind),
        choices=card_choices(),
    ), status


def _cards_json(document: Document, version, filters: Filters, ids: list[int], message: str):
    """The cards of a bulk decision, for the script to put in place of the ticked ones."""
    rows = load_rows(version, ids, document.draft)
    token_field = csrf_field()
    choices = card_choices()
    cards = {
        row.comment.number: render_template(
            "review/_card_response.html",
            document=document,
            version=version,
            filters=filters,
            row=row,
            form=None,
            notice=None,
            notice_kind="success",
            draft=document.draft,
            csrf_field=token_field,
            choices=choices,
        )
        for row in rows
    }
    return jsonify(ok=True, message=message, cards=cards)


def _decide_many(document: Document, ids: set[int], form: BulkDecisionForm) -> int | None:
    comments = db.session.scalars(sa.select(Comment).where(Comment.id.in_(ids))).all()
    if len(comments) != len(ids) or any(c.document_id != document.id for c in comments):
        abort(403)
    target = None
    if form.chosen_status is CommentStatus.DUPLICATE:
        target = _duplicate_target(document, form.duplicate_of.data, ids)
        if isinstance(target, str):
            form.duplicate_of.errors = [target]
            return None
    decidable = [c for c in comments if c.parent_id is None and not c.is_withdrawn]
    if not decidable:
        form.form_errors.append(_("Withdrawn comments and replies cannot be decided."))
        return None
    for comment in decidable:
        operations.decide(
            comment,
            status=form.chosen_status,
            response=form.response.data,
            editor_note=comment.editor_note,
            duplicate_of=target,
            draft=document.draft,
            editor=current_user,
        )
    return len(decidable)


def _fill_from(form: DecisionForm, comment: Comment) -> None:
    """Put *comment*'s decision so far into *form*."""
    form.status.data = comment.status.value if comment.status is not CommentStatus.WITHDRAWN else "open"
    form.response.data = comment.response or ""
    form.editor_note.data = comment.editor_note or ""
    duplicate = db.session.get(Comment, comment.duplicate_of_id) if comment.duplicate_of_id else None
    form.duplicate_of.data = str(duplicate.number) if duplicate else ""
    form.row_version.data = str(comment.row_version)


@bp.route("/d/<slug>/review/c/<int:comment_id>", methods=["GET", "POST"])
@login_required
def decide(slug: str, comment_id: int):
    """Decide on one comment: status, the response the commenter sees, an internal note.

    The dashboard's cards post here too. A script gets the card back as JSON; without one,
    the editor returns to the dashboard with the same filters and page, at the next undecided
    comment. "Save and next" goes to the next undecided comment's page.
    """
    document = editor_document(slug)
    comment = comment_of(document, comment_id)
    version, filters = dashboard_return(document, comment)
    form = DecisionForm()
    status = 200
    conflict = False
    notice = None
    if request.method == "GET":
        _fill_from(form, comment)
    elif comment.is_withdrawn:
        status = 409
        notice = withdrawn_notice()
    elif form.validate_on_submit():
        target = None
        if form.chosen_status is CommentStatus.DUPLICATE:
            target = _duplicate_target(document, form.duplicate_of.data, {comment.id})
            if isinstance(target, str):
                form.duplicate_of.errors = [target]
        if form.row_version.data != str(comment.row_version):
            conflict = True
        elif not form.duplicate_of.errors:
            try:
                operations.decide(
                    comment,
                    status=form.chosen_status,
                    response=form.response.data,
                    editor_note=form.editor_note.data,
                    duplicate_of=target,
                    draft=document.draft,
                    editor=current_user,
                )
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                comment = comment_of(document, comment_id)
                conflict = True
            else:
                return _decided(document, comment, version, filters)
        if conflict:
            # The other editor's decision is shown; saving again is a deliberate overwrite.
            form.row_version.data = str(comment.row_version)
            notice = (
                _("A moderator hid this comment while you were deciding. Nothing was changed.")
                if comment.is_hidden
                else _(
                    "Another editor changed this decision while you were working on it. Their decision "
                    "is shown; your choices are still in the form: save again to replace theirs."
                )
            )
        status = 409 if conflict else 400
    else:
        status = 400
    if wants_fragment():
        return card_json(document, version, filters, comment, form, notice, status)
    row = load_row(version, comment, document.draft)
    return render_template(
        "review/decide.html",
        document=document,
        comment=comment,
        row=row,
        form=form,
        conflict=conflict,
        notice=notice,
        apply_form=ConfirmForm(),
        draft=document.draft,
        version=version,
        filters=filters,
        back_url=dashboard_url(document, version, filters, comment.number),
        action_url=decide_url(document, comment.id, version, filters),
    ), status


def _decided(document: Document, comment: Comment, version, filters: Filters):
    """After a saved decision: the card (in place), the next comment ("Save and next") or the dashboard."""
    message = _("Decision on comment #%(n)d saved.", n=comment.number)
    if wants_fragment():
        return card_json(document, version, filters, comment, None, message, 200)
    following = next_undecided(document, version, filters, comment)
    if request.form.get("next") and following.comment_id is not None:
        flash(message, "success")
        page = following.page if following.page > 1 else ""
        return redirect(decide_url(document, following.comment_id, version, filters, page=page))
    if request.form.get("next"):
        message = message + " " + _("There are no more open comments here.")
    return back_to_dashboard(document, version, filters, comment, message, following)
