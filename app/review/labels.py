"""Translatable labels for comment kinds and statuses, and the diffs comments show."""

from __future__ import annotations

from functools import lru_cache

from flask import has_request_context, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app import fragments
from app.i18n import in_language, page_datetime_formatter
from app.review.anchoring import plain_text, quote_span
from app.review.models import CommentKind, CommentStatus
from app.review.permissions import can_moderate
from app.richtext import from_segments, highlight, highlight_runs, segments
from app.timeutil import STOCKHOLM
from app.worddiff import DELETE, INSERT, render_ops_html, word_ops

KIND_LABELS = {
    CommentKind.COMMENT: _l("Comment"),
    CommentKind.QUESTION: _l("Question"),
    CommentKind.SUGGESTION: _l("Suggested wording"),
}

# "Duplicate of #12": a duplicate names its original wherever its status is shown.
DUPLICATE_OF = _l("Duplicate of #%(n)d")

STATUS_LABELS = {
    CommentStatus.OPEN: _l("Open"),
    CommentStatus.ACCEPTED: _l("Accepted"),
    CommentStatus.PARTLY_ACCEPTED: _l("Partly accepted"),
    CommentStatus.REJECTED: _l("Rejected"),
    CommentStatus.NOTED: _l("Noted"),
    CommentStatus.DUPLICATE: _l("Duplicate"),
    CommentStatus.WITHDRAWN: _l("Withdrawn"),
}
"""The one name of each status, in every page, file, e-mail and description (issue 23).

Everything that shows a status reads it here: the pages through ``status_label``, the
files the app writes in their own language through :func:`status_labels`.
"""


def status_labels(language: str) -> dict[str, str]:
    """Each status's label (by its value) in *language*, for a file written in it.

    The same words as :data:`STATUS_LABELS` on the pages: the same catalogue, read for the
    file's language rather than the reader's. ``duplicate_of`` is "Duplicate of #{number}".
    """
    words = in_language(language)
    table = {status.value: words.gettext(label) for status, label in STATUS_LABELS.items()}
    table["duplicate_of"] = words.gettext(DUPLICATE_OF).replace("%(n)d", "{number}")
    return table


@lru_cache(maxsize=4096)
def text_diff(old_html: str, new_html: str) -> Markup:
    """A word-level redline between two rich texts (cached: pages repeat them)."""
    return render_ops_html(word_ops(old_html or "", new_html or ""))


def suggestion_diff(comment, current_text: str | None = None) -> Markup:
    """A suggestion as a word-level redline: the text it was made on (``block_text``) struck and
    underlined into the whole paragraph it proposes.

    The quote plays no part: it only points at words. The paragraph as it stands now
    (*current_text*) is the base only for a comment that has no text of its own (made before
    comments kept it); without either, the proposal is shown as it is.
    """
    if not comment.suggestion:
        return Markup("")
    base = comment.block_text if comment.block_text is not None else current_text
    if base is None:
        return Markup(from_segments(segments(comment.suggestion)))  # noqa: S704  (re-serialised, escaped)
    return text_diff(base, comment.suggestion)


def quote_place(comment, text_now: str | None) -> tuple[int, int] | None:
    """Where *comment*'s quote stands in the paragraph *text_now* (plain-text offsets), found
    again from its words and context if the paragraph changed; None if it has no quote or the
    quoted words cannot be found with confidence (app.review.anchoring)."""
    if not comment.quote_exact or text_now is None:
        return None
    return quote_span(
        comment.block_text,
        text_now,
        exact=comment.quote_exact,
        prefix=comment.quote_prefix,
        suffix=comment.quote_suffix,
        start=comment.quote_start,
    )


def quote_lost(comment, text_now: str | None) -> bool:
    """Whether *comment* quoted words that can no longer be found in the paragraph *text_now*."""
    return bool(comment.quote_exact) and text_now is not None and quote_place(comment, text_now) is None


@lru_cache(maxsize=4096)
def _marked_redline(old_html: str, new_html: str, start: int, end: int) -> Markup:
    """The redline of :func:`text_diff` with the plain-text span [start, end) of the new text marked."""
    ops = word_ops(old_html, new_html)
    if "".join(run.text for tag, runs in ops if tag != DELETE for run in runs) != plain_text(new_html):
        return render_ops_html(ops)  # the diff normalised the text (Unicode forms): offsets would slip
    parts: list[str] = []
    offset = 0
    for tag, runs in ops:
        if tag == DELETE:
            parts.append(f"<del>{highlight_runs(runs, [])}</del>")
            continue
        length = sum(len(run.text) for run in runs)
        piece = highlight_runs(runs, [(start - offset, end - offset)])
        offset += length
        parts.append(f"<ins>{piece}</ins>" if tag == INSERT else piece)
    # highlight_runs escapes every piece of text it writes.
    return Markup("".join(parts))  # noqa: S704


def paragraph_now(comment, text_now: str | None) -> Markup:
    """The paragraph as it stands: a redline from the text the comment was made on if it has
    changed since, else the text; the comment's quote marked where it stands now, if it can
    still be found (see :func:`quote_lost` for the other case)."""
    if text_now is None:
        return Markup("")
    place = quote_place(comment, text_now)
    then = comment.block_text
    if then is not None and then != text_now:
        return _marked_redline(then, text_now, *place) if place else text_diff(then, text_now)
    if place is not None:
        # highlight() rebuilds the text from its parsed runs, escaping every piece.
        return Markup(highlight(text_now, [place]))  # noqa: S704
    return Markup(from_segments(segments(text_now)))  # noqa: S704  (re-serialised, escaped)


def short_datetime(value) -> str:
    """A timestamp in Swedish time as pages write it, "7 dec. 2026 04:29" (fast: pages show thousands).

    Outside a request it is ISO 8601, 'YYYY-MM-DD HH:MM'.
    """
    local = value.astimezone(STOCKHOLM)
    if not has_request_context():
        return local.strftime("%Y-%m-%d %H:%M")
    return page_datetime_formatter()(local)


def thread_labels() -> dict:
    """Every string a comment thread shows, translated once per page instead of once per comment."""
    return {
        "kinds": {k.value: str(v) for k, v in KIND_LABELS.items()},
        "statuses": {k.value: str(v) for k, v in STATUS_LABELS.items()},
        "outdated": _("outdated"),
        "edited": _("edited"),
        "withdrawn": _("withdrawn"),
        "changed": _("The paragraph has changed since this comment was made"),
        "quoted": _("Quoted text:"),
        "quote_changed": _("The quoted words have changed; the comment applies to the whole paragraph."),
        "suggested": _("Suggested wording"),
        "response": _("Response from the editors"),
        "agree": _("I agree"),
        "edit": _("Edit"),
        "withdraw": _("Withdraw"),
        "reply": _("Reply"),
        "your_reply": _("Your reply"),
        "send_reply": _("Send reply"),
        "changes_since": _("What changed since then"),
        "hidden": _("hidden by a moderator"),
        "hidden_reason": _("Hidden by a moderator. Reason:"),
        "hidden_text": _("The hidden text (shown to editors and administrators only)"),
        "hide": _("Hide"),
        "moderate_hidden": _("Change reason or show again"),
        # Placeholders filled per comment with plain string formatting.
        "made_on": _("made on version %(label)s", label="{label}"),
        "replies_to": _("Replies to #%(n)d", n=0).replace("0", "{n}"),
        "to_n": _("to #%(n)d", n=0).replace("0", "{n}"),
        "agree_1": ngettext("%(num)d person agrees", "%(num)d people agree", 1),
        "agree_n": ngettext("%(num)d person agrees", "%(num)d people agree", 2).replace("2", "{n}"),
    }


def thread_context() -> dict:
    """What the thread templates need, computed once per request."""
    reply_url = url_for("review.reply", comment_id=0)
    locale = get_locale()
    language = locale.language if locale else "sv"
    return {
        # The same strings for every page in a language: translated once per process.
        "L": fragments.cache("labels").get(language, thread_labels),
        # Every thread has forms: the token field without building a form object each time.
        "csrf_field": Markup('<input name="csrf_token" type="hidden" value="%s">') % generate_csrf(),
        "signed_in": current_user.is_authenticated,
        "moderator": can_moderate(current_user),
        "cbase": reply_url[: -len("0/reply")],
    }
