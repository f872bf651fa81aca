"""Comments for a request: loaded as the reader may see them, linked, refused when closed.

Used by review's views and by the features that link to a comment or take comments in
(notifications' mails, Word comments).
"""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.documents.loaders import get_document
from app.documents.models import Version
from app.extensions import db
from app.review.models import Comment
from app.review.threads import who_sees_what
from app.web import wants_fragment


def comment_url(comment: Comment, version: Version | None = None) -> str:
    """The reading-view address of a comment (on the version it is shown on)."""
    document = comment.version.document
    target = version or document.current_version or comment.version
    return url_for("documents.version", slug=document.slug, number=target.number) + f"#c-{comment.number}"


def refuse_closed(version: Version):
    """The answer to a comment on a version that does not take comments (any more)."""
    message = _("This version is not open for comments.")
    if version.is_published and version.deadline is not None:
        message = _("The deadline for comments on this version has passed.")
    if wants_fragment():
        return {"error": message}, 403
    return render_template("errors/error.html", code=403, message=message), 403


def get_comment(comment_id: int) -> Comment:
    """A comment the current user may see (404 otherwise: its existence is not revealed)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    document = get_document(comment.version.document.slug)
    visible, _names, _orgs = who_sees_what(document, current_user)
    if not visible:
        abort(404)
    return comment


def thread_is_open(comment: Comment) -> bool:
    """Replies and endorsements are taken while the thread's version, or the current one, is open."""
    top = comment.parent or comment
    current = top.version.document.current_version
    if top.version.accepts_comments():
        return True
    return current is not None and current.accepts_comments() and top.is_open
