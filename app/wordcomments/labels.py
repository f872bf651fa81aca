"""Words of the Word-comments report, in the user's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

LEFT_OUT_LABELS = {
    "empty": _l("A Word comment with no text"),
    "nowhere": _l("A Word comment that is not anchored anywhere in the text"),
    "unplaced": _l("The paragraph could not be matched with a paragraph of this version"),
    "removed_text": _l("On text that this version has removed"),
    "table_change": _l("A tracked change inside a table cell (tables take comments, not suggestions)"),
    "untracked": _l(
        "The paragraph was also changed without tracking, so its tracked changes cannot be told apart"
    ),
    "too_long": _l("Longer than a comment may be"),
    "orphan_reply": _l("A reply whose thread could not be placed"),
}

SOURCE_LABELS = {
    "comment": _l("Word comment"),
    "reply": _l("Reply in the thread"),
    "change": _l("Tracked change"),
    "new_paragraph": _l("New paragraph"),
}

REFUSALS = {
    "other_document": _l(
        "The text of this file does not match this version, so nothing was read. "
        "Is it a file of another document?"
    ),
    "nothing": _l("The file has no Word comments and no tracked changes to take in."),
    "closed": _l("This version is not open for comments any more, so nothing was stored."),
    "gone": _l("This preview has expired or was already confirmed. Please upload the file again."),
}


def body_labels() -> dict[str, str]:
    """The phrases written into the comments' text (in the uploader's language)."""
    return {
        "commented_text": _("Commented text in Word: ”%(text)s”"),
        "word_source": _("From Word: %(author)s, %(date)s"),
        "unknown_author": _("unknown author"),
        "change_intro": _("Tracked change in Word."),
        "deleted": _("Deleted: ”%(text)s”"),
        "new_paragraph": _("New paragraph proposed after this one: ”%(text)s”"),
        "on_behalf": _("Submitted by %(editor)s for %(organisation)s (sender: %(sender)s)."),
    }
