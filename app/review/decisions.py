"""Editors' decisions on comments: the review dashboard, deciding one or many, applying suggestions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from app.documents.loaders import editor_document, get_version
from app.documents.models import Document
from app.drafting.operations import DraftError, StaleEdit, apply_suggestion
from app.extensions import db
from app.review import operations
from app.review.blueprint import bp
from app.review.dashboard import Filters, load_dashboard, load_row, load_rows, next_undecided
from app.review.forms import ApplyForm, BulkDecisionForm, DecisionForm
from app.review.labels import STATUS_LABELS
from app.review.models import Comment, CommentKind, CommentStatus
from app.web.forms import ConfirmForm

DRAFT_ERRORS = {
    "no_draft": lambda: _("Start the next draft before applying suggestions."),
    "block_gone": lambda: _("The paragraph this suggestion is for is no longer in the draft."),
    "no_suggestion": lambda: _("This comment has no suggested wording to apply."),
    "withdrawn": lambda: _(
        "The author has withdrawn this comment. It stays on record and needs no decision."
    ),
    "already_applied": lambda: _(
        "This suggestion is already applied in the working draft. Nothing was changed."
    ),
}


def _in_place() -> bool:
    """Whether the request comes from the dashboard's script, which wants the card back, not a page."""
    return request.headers.get("X-Requested-With") == "fetch"


def _comment_of(document: Document, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.parent_id is not None:
        abort(404)
    if comment.document_id != document.id:
        abort(403)
    return comment


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


def _review_version(document: Document, comment: Comment):
    """The version whose dashboard a decided comment returns to: the newest published one."""
    return document.current_version or comment.version


def _back(document: Document, comment: Comment):
    """The dashboard the editor came from (``?v=`` and its filters), else the newest version's."""
    number = request.args.get("v", "")
    version = next((v for v in document.versions if str(v.number) == number), None)
    if version is None:
        version = _review_version(document, comment)
    return version, Filters.from_args(request.args)


def _dashboard_url(
    document: Document, version, filters: Filters, anchor: int | None = None, **changes
) -> str:
    url = url_for("review.dashboard", slug=document.slug, number=version.number, **filters.args(**changes))
    return url + (f"#c-{anchor}" if anchor else "")


def _decide_url(document: Document, comment_id: int, version, filters: Filters, **changes) -> str:
    return url_for(
        "review.decide",
        slug=document.slug,
        comment_id=comment_id,
        v=version.number,
        **filters.args(**changes),
    )


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
                    if _in_place():
                        return _cards_json(document, version, filters, sorted(ids), message)
                    flash(message, "success")
                    return redirect(_dashboard_url(document, version, filters))
        status = 400
        if _in_place():
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
        csrf_field=_csrf_field(),
        draft=document.draft,
        statuses={s.value: s for s in CommentStatus},
        kinds=list(CommentKind),
        choices=_card_choices(),
    ), status


def _cards_json(document: Document, version, filters: Filters, ids: list[int], message: str):
    """The cards of a bulk decision, for the script to put in place of the ticked ones."""
    rows = load_rows(version, ids, document.draft)
    csrf_field = _csrf_field()
    choices = _card_choices()
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
            csrf_field=csrf_field,
            choices=choices,
        )
        for row in rows
    }
    return jsonify(ok=True, message=message, cards=cards)


def _card_choices() -> list[SelectChoice]:
    """The decision choices for the cards, their labels translated once: a page renders them on
    every one of its hundred cards, and a lazy label would look its translation up each time."""
    return [SelectChoice(choice.value, str(choice.label)) for choice in DecisionForm().status.choices]


def _csrf_field() -> Markup:
    """The CSRF token field, built once for the hundred card forms of a page."""
    return Markup('<input name="csrf_token" type="hidden" value="%s">') % generate_csrf()


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
    comment = _comment_of(document, comment_id)
    version, filters = _back(document, comment)
    form = DecisionForm()
    status = 200
    conflict = False
    notice = None
    if request.method == "GET":
        _fill_from(form, comment)
    elif comment.is_withdrawn:
        status = 409
        notice = DRAFT_ERRORS["withdrawn"]()
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
                comment = _comment_of(document, comment_id)
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
    if _in_place():
        return _card_json(document, version, filters, comment, form, notice, status)
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
        back_url=_dashboard_url(document, version, filters, comment.number),
        action_url=_decide_url(document, comment.id, version, filters),
    ), status


def _decided(document: Document, comment: Comment, version, filters: Filters):
    """After a saved decision: the card (in place), the next comment ("Save and next") or the dashboard."""
    message = _("Decision on comment #%(n)d saved.", n=comment.number)
    if _in_place():
        return _card_json(document, version, filters, comment, None, message, 200)
    following = next_undecided(document, version, filters, comment)
    if request.form.get("next") and following.comment_id is not None:
        flash(message, "success")
        page = following.page if following.page > 1 else ""
        return redirect(_decide_url(document, following.comment_id, version, filters, page=page))
    if request.form.get("next"):
        message = message + " " + _("There are no more undecided comments here.")
    return _back_to_dashboard(document, version, filters, comment, message, following)


def _back_to_dashboard(
    document: Document, version, filters: Filters, comment: Comment, message: str, following
):
    """Flash *message* and return to the dashboard with the same filters and page.

    At the next undecided comment (*following*) when it is on that page, else at *comment*.
    """
    flash(message, "success")
    anchor = following.number if following.page == filters.page else comment.number
    return redirect(_dashboard_url(document, version, filters, anchor))


def _card_json(
    document,
    version,
    filters: Filters,
    comment: Comment,
    form,
    notice,
    status: int,
    links: tuple = (),
    open_paragraph: bool = False,
):
    """The card of *comment* as the dashboard shows it, for the script.

    The script moves the counts itself, from the status its card showed to the one sent back:
    counting 3,000 comments again would cost more than the decision. *links* (url, text) follow
    the notice: where to go when the card cannot say it all.
    """
    row = load_row(version, comment, document.draft)
    card = render_template(
        "review/_card_response.html",
        document=document,
        version=version,
        filters=filters,
        row=row,
        form=form if status != 200 else None,
        notice=notice,
        notice_kind="success" if status == 200 else "error",
        notice_links=links,
        open_paragraph=open_paragraph,
        draft=document.draft,
        csrf_field=_csrf_field(),
        choices=_card_choices(),
    )
    return jsonify(
        ok=status == 200,
        number=comment.number,
        status=comment.status.value,
        status_label=str(STATUS_LABELS[comment.status]),
        open=comment.is_open,
        message=notice,
        card=card,
    ), status


@bp.route("/d/<slug>/review/c/<int:comment_id>/apply", methods=["POST"])
@login_required
def apply(slug: str, comment_id: int):
    """Put a comment's suggested wording into the working draft and accept the comment.

    The dashboard's cards post here too, saying ``back=dashboard``: a script gets the card back as
    JSON (the new wording, or why nothing changed, on the card); without one the editor returns to
    the dashboard with the same filters and page, at the card. From the decision page, back to it.
    """
    document = editor_document(slug)
    comment = _comment_of(document, comment_id)
    version, filters = _back(document, comment)
    form = ApplyForm()
    if not form.validate_on_submit():
        abort(400)
    draft = document.draft
    try:
        if draft is None:
            raise DraftError("no_draft")
        apply_suggestion(draft, comment, current_user)
    except StaleEdit as stale:
        db.session.rollback()
        return _not_applied(document, version, filters, comment, draft, stale.current, None)
    except DraftError as error:
        db.session.rollback()
        message = DRAFT_ERRORS.get(error.code, DRAFT_ERRORS["no_suggestion"])()
        return _not_applied(document, version, filters, comment, draft, None, message)
    db.session.commit()
    message = _(
        "The suggested wording of #%(n)d is now in the working draft and the comment is accepted.",
        n=comment.number,
    )
    if _in_place():
        # The paragraph opens on the card: the editor sees the wording the draft now holds.
        return _card_json(document, version, filters, comment, None, message, 200, open_paragraph=True)
    if form.back.data == "dashboard":
        return _applied_to_dashboard(document, version, filters, comment, message)
    flash(
        _(
            "The suggested wording of #%(n)d is now in the draft and the comment is accepted. "
            "You can write a response below.",
            n=comment.number,
        ),
        "success",
    )
    return redirect(_decide_url(document, comment.id, version, filters))


def _applied_to_dashboard(document: Document, version, filters: Filters, comment: Comment, message: str):
    """Back to the dashboard at the applied comment's card, where its response is written next.

    Under "not yet decided" (or another status) the card has left the list: then the flow goes on
    as after a decision, at the next undecided comment.
    """
    if not filters.unanswered and filters.status in ("", comment.status.value):
        flash(message, "success")
        return redirect(_dashboard_url(document, version, filters, comment.number))
    following = next_undecided(document, version, filters, comment)
    return _back_to_dashboard(document, version, filters, comment, message, following)


def _not_applied(document: Document, version, filters: Filters, comment: Comment, draft, current, message):
    """Why the suggestion was not applied (nothing changed): on the card (409), else on a page.

    *current* is the draft's revision when the paragraph changed since the comment (*message* None).
    """
    decide_url = _decide_url(document, comment.id, version, filters)
    if _in_place():
        links = ()
        if current is not None:
            message = _(
                "The paragraph in the draft has changed since comment #%(n)d was made, so its "
                "suggestion no longer fits. Nothing was changed.",
                n=comment.number,
            )
            links = (
                (decide_url, _("Compare the texts on the decision page for #%(n)d", n=comment.number)),
                (
                    url_for("drafting.edit_block", slug=document.slug, uid=current.block.uid),
                    _("Edit this paragraph in the draft"),
                ),
            )
        return _card_json(document, version, filters, comment, None, message, 409, links=links)
    return render_template(
        "review/apply_conflict.html",
        document=document,
        comment=comment,
        draft=draft,
        current=current,
        message=message,
        decide_url=decide_url,
    ), 409
