"""Moderation: editors and administrators hide a comment with a reason, or show it again.

A hidden comment keeps its row, its number and its place in the compilation; readers see
the moderator's reason instead of its text. Every hide and unhide is in the audit log.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.review import operations
from app.review.blueprint import bp
from app.review.forms import HideForm
from app.review.loaders import comment_url, get_comment
from app.web.forms import ConfirmForm


@bp.route("/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@login_required
def hide(comment_id: int):
    """Hide a comment (or change the reason of a hidden one)."""
    comment = get_comment(comment_id)
    if not comment.can_moderate(current_user):
        abort(403)
    form = HideForm(data=None if comment.hidden_reason is None else {"reason": comment.hidden_reason})
    if form.validate_on_submit():
        operations.hide_comment(comment, form.reason.data.strip(), current_user)
        db.session.commit()
        flash(_("Comment #%(n)d is hidden. It stays on record.", n=comment.number), "success")
        return redirect(comment_url(comment.parent or comment))
    status = 400 if form.is_submitted() else 200
    return render_template("review/hide.html", form=form, comment=comment, unhide_form=ConfirmForm()), status


@bp.route("/comments/<int:comment_id>/unhide", methods=["POST"])
@login_required
def unhide(comment_id: int):
    """Show a hidden comment again."""
    comment = get_comment(comment_id)
    if not comment.can_moderate(current_user):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if comment.is_hidden:
        operations.unhide_comment(comment, current_user)
        db.session.commit()
        flash(_("Comment #%(n)d is shown again.", n=comment.number), "success")
    return redirect(comment_url(comment.parent or comment))
