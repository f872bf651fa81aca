"""Applying a comment's suggested wording to the working draft, from the review dashboard.

The route keeps its place among the decisions (``/d/<slug>/review/c/<id>/apply``, endpoint
``review.apply``): it registers on the review blueprint, while the act itself, editing the
draft, is drafting's. Review never imports drafting.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.documents.loaders import editor_document
from app.documents.models import Document
from app.drafting.forms import ApplyForm
from app.drafting.operations import DraftError, StaleEdit, apply_suggestion
from app.extensions import db
from app.review.blueprint import bp
from app.review.cards import (
    back_to_dashboard,
    card_json,
    comment_of,
    dashboard_return,
    dashboard_url,
    decide_url,
    withdrawn_notice,
)
from app.review.dashboard import Filters, next_undecided
from app.review.models import Comment
from app.web import wants_fragment

APPLY_ERRORS = {
    "no_draft": lambda: _("Start the next draft before applying suggestions."),
    "block_gone": lambda: _("The paragraph this suggestion is for is no longer in the draft."),
    "no_suggestion": lambda: _("This comment has no suggested wording to apply."),
    "withdrawn": withdrawn_notice,
    "already_applied": lambda: _(
        "This suggestion is already applied in the working draft. Nothing was changed."
    ),
}


@bp.route("/d/<slug>/review/c/<int:comment_id>/apply", methods=["POST"])
@login_required
def apply(slug: str, comment_id: int):
    """Put a comment's suggested wording into the working draft and accept the comment.

    The dashboard's cards post here too, saying ``back=dashboard``: a script gets the card back as
    JSON (the new wording, or why nothing changed, on the card); without one the editor returns to
    the dashboard with the same filters and page, at the card. From the decision page, back to it.
    """
    document = editor_document(slug)
    comment = comment_of(document, comment_id)
    version, filters = dashboard_return(document, comment)
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
        message = APPLY_ERRORS.get(error.code, APPLY_ERRORS["no_suggestion"])()
        return _not_applied(document, version, filters, comment, draft, None, message)
    db.session.commit()
    message = _(
        "The suggested wording of #%(n)d is now in the working draft and the comment is accepted.",
        n=comment.number,
    )
    if wants_fragment():
        # The paragraph opens on the card: the editor sees the wording the draft now holds.
        return card_json(document, version, filters, comment, None, message, 200, open_paragraph=True)
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
    return redirect(decide_url(document, comment.id, version, filters))


def _applied_to_dashboard(document: Document, version, filters: Filters, comment: Comment, message: str):
    """Back to the dashboard at the applied comment's card, where its response is written next.

    Under "not yet decided" (or another status) the card has left the list: then the flow goes on
    as after a decision, at the next undecided comment.
    """
    if not filters.unanswered and filters.status in ("", comment.status.value):
        flash(message, "success")
        return redirect(dashboard_url(document, version, filters, comment.number))
    following = next_undecided(document, version, filters, comment)
    return back_to_dashboard(document, version, filters, comment, message, following)


def _not_applied(document: Document, version, filters: Filters, comment: Comment, draft, current, message):
    """Why the suggestion was not applied (nothing changed): on the card (409), else on a page.

    *current* is the draft's revision when the paragraph changed since the comment (*message* None).
    """
    decision_page = decide_url(document, comment.id, version, filters)
    if wants_fragment():
        links = ()
        if current is not None:
            message = _(
                "The paragraph in the draft has changed since comment #%(n)d was made, so its "
                "suggestion no longer fits. Nothing was changed.",
                n=comment.number,
            )
            links = (
                (decision_page, _("Compare the texts on the decision page for #%(n)d", n=comment.number)),
                (
                    url_for("drafting.edit_block", slug=document.slug, uid=current.block.uid),
                    _("Edit this paragraph in the draft"),
                ),
            )
        return card_json(document, version, filters, comment, None, message, 409, links=links)
    return render_template(
        "review/apply_conflict.html",
        document=document,
        comment=comment,
        draft=draft,
        current=current,
        message=message,
        decide_url=decision_page,
    ), 409
