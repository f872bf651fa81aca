"""Translatable labels for comment kinds and statuses, and the diffs comments show."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.compare.diff import render_ops_html, word_ops
from app.documents.richtext import from_plain
from app.review.models import CommentKind, CommentStatus

KIND_LABELS = {
    CommentKind.COMMENT: _l("Comment"),
    CommentKind.QUESTION: _l("Question"),
    CommentKind.SUGGESTION: _l("Suggested wording"),
}

STATUS_LABELS = {
    CommentStatus.OPEN: _l("Open"),
    CommentStatus.ACCEPTED: _l("Accepted"),
    CommentStatus.PARTLY_ACCEPTED: _l("Partly accepted"),
    CommentStatus.REJECTED: _l("Rejected"),
    CommentStatus.NOTED: _l("Noted"),
    CommentStatus.DUPLICATE: _l("Duplicate"),
    CommentStatus.WITHDRAWN: _l("Withdrawn"),
}


@lru_cache(maxsize=4096)
def text_diff(old_html: str, new_html: str) -> Markup:
    """A word-level redline between two rich texts (cached: pages repeat them)."""
    return render_ops_html(word_ops(old_html or "", new_html or ""))


def suggestion_diff(comment, current_text: str | None) -> Markup:
    """The comment's suggested wording as a redline against the text it would replace."""
    if not comment.suggestion:
        return Markup("")
    if comment.quote_exact:
        return text_diff(from_plain(comment.quote_exact), comment.suggestion)
    return text_diff(
        current_text if current_text is not None else comment.block_text or "", comment.suggestion
    )
