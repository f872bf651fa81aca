"""The review blueprint, and the template helpers every page uses to show comments."""

from flask import Blueprint

from app.review.labels import (
    KIND_LABELS,
    STATUS_LABELS,
    paragraph_now,
    quote_lost,
    suggestion_diff,
    text_diff,
)
from app.review.models import CommentKind, CommentStatus
from app.worddiff import render_ops_html

bp = Blueprint("review", __name__)
bp.add_app_template_global(suggestion_diff, "suggestion_diff")
bp.add_app_template_global(text_diff, "text_diff")
bp.add_app_template_global(paragraph_now, "paragraph_now")
bp.add_app_template_global(quote_lost, "quote_lost")
# Word ops as a redline: a suggestion's merge, as it would read after applying.
bp.add_app_template_global(render_ops_html, "redline")


@bp.app_template_global()
def kind_label(kind: CommentKind) -> str:
    """A comment kind's name in the reader's language."""
    return KIND_LABELS[kind]


@bp.app_template_global()
def status_label(status: CommentStatus) -> str:
    """A decision's name in the reader's language."""
    return STATUS_LABELS[status]
