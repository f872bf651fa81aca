"""Editors' decisions on comments: the review dashboard, deciding one or many.

Applying a suggestion to the working draft is drafting's (app.drafting.views.suggestions).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from app.documents.loaders import editor_document, get_version
from app.documents.models import Document
from app.extensions import db
from app.review import bulk, operations
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
        ticked = bulk.parse_ticked(request.form.getlist("comment"))
        if form.validate_on_submit():
            if not ticked:
                form.form_errors.append(_("Tick the comments the decision is for."))
            else:
                answer = _bulk_decision(document, version, filters, form, ticked)
                if answer is not None:
                    return answer
        status = 400
        if wants_fragment():
            # The script sends the form again the ordinary way, and the page shows what to correct;
            # a refused confirm step is said here too, since sending it again would refuse it again.
            return jsonify(ok=False, message=" ".join(str(e) for e in form.form_errors)), status
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


def _bulk_decision(document: Document, version, filters: Filters, form: BulkDecisionForm, ticked: dict):
    """Decide the ticked comments, or ask first when some already have a decision.

    Returns the response, or None when the form has something to correct (its errors say what).
    """
    resolve = request.form.get("resolve")
    if resolve is not None and (
        resolve not in ("replace", "skip")
        or not bulk.token_confirms(request.form.get("confirm_token"), document, current_user, ticked, form)
    ):
        form.form_errors.append(
            _(
                "The confirmation could not be checked (it was missing, changed or too old). "
                "Nothing was changed: make the decision again."
            )
        )
        return None
    target = None
    if form.chosen_status is CommentStatus.DUPLICATE:
        target = _duplicate_target(document, form.duplicate_of.data, set(ticked))
        if isinstance(target, str):
            form.duplicate_of.errors = [target]
            return None
    for _attempt in range(3):
        plan = bulk.plan(document, ticked)
        if plan.already_decided and resolve is None:
            return _confirm_step(document, version, filters, form, ticked, plan)
        chosen = plan.decidable if resolve == "replace" else plan.undecided
        report = list(plan.report)
        if resolve == "skip" and plan.already_decided:
            report.append(bulk.skipped_note(plan.already_decided))
        try:
            bulk.decide_all(
                chosen,
                status=form.chosen_status,
                response=form.response.data,
                duplicate_of=target,
                draft=document.draft,
                editor=current_user,
            )
            db.session.commit()
        except StaleDataError:
            # Another editor saved one of them between our reading and our writing: read again.
            db.session.rollback()
            continue
        return _bulk_done(document, version, filters, chosen, plan, report)
    form.form_errors.append(
        _("Other editors are deciding the same comments right now. Nothing was changed: try again.")
    )
    return None


def _bulk_done(document: Document, version, filters: Filters, chosen, plan, report: list[str]):
    """After a bulk decision: what was recorded, and each comment skipped or refused, by number."""
    if chosen:
        message = ngettext(
            "Decision recorded for %(num)d comment.", "Decision recorded for %(num)d comments.", len(chosen)
        )
    else:
        message = _("No decision was recorded.")
    if wants_fragment():
        # The skipped ones come back too: their cards show the decision that stands now.
        shown = {c.id for c in chosen} | {c.id for c in plan.already_decided}
        stale = [c.id for c in plan.stale]
        return _cards_json(document, version, filters, sorted(shown | set(stale)), message, report)
    flash(message, "success" if chosen else "error")
    for line in report:
        flash(line, "error")
    return redirect(dashboard_url(document, version, filters))


def _confirm_step(document: Document, version, filters: Filters, form, ticked: dict, plan):
    """Nothing saved yet: name the comments that already have a decision, and ask."""
    names = bulk.decider_names(plan.already_decided)
    context = {
        "document": document,
        "version": version,
        "filters": filters,
        "form": form,
        "ticked": ticked,
        "decided": [bulk.current_decision(c, names) for c in plan.already_decided],
        "undecided": len(plan.undecided),
        "report": plan.report,
        "decision": next((str(c.label) for c in form.status.choices if c.value == form.status.data), ""),
        "token": bulk.confirm_token(document, current_user, ticked, form),
        "back_url": dashboard_url(document, version, filters),
    }
    heading = ngettext(
        "%(num)d of the selected comments already has a decision",
        "%(num)d of the selected comments already have a decision",
        len(plan.already_decided),
    )
    if wants_fragment():
        panel = render_template("review/_bulk_confirm.html", in_place=True, heading=heading, **context)
        return jsonify(ok=False, confirm=True, message=heading, panel=panel)
    return render_template("review/bulk_confirm.html", heading=heading, **context)


def _cards_json(
    document: Document, version, filters: Filters, ids: list[int], message: str, report: list[str] = ()
):
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
    return jsonify(ok=True, message=message, report=list(report), cards=cards)


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
