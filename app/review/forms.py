"""Forms for comments, replies and edits."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.review.labels import KIND_LABELS, STATUS_LABELS
from app.review.models import CommentKind, CommentStatus
from app.richtext import plain, sanitize_inline
from app.textmarkup import from_markup, table_from_markup

BODY_MAX = 10_000
# A proposed paragraph: its text (without markup) may be this long.
PROPOSAL_MAX = 20_000
# What is posted for it (markup or HTML) is cut off well before parsing could take long.
PROPOSAL_RAW_MAX = 100_000
# A comment is a comment or a question; a suggestion is made on the paragraph itself.
COMMENT_KINDS = (CommentKind.COMMENT, CommentKind.QUESTION)
_BREAKS = re.compile(r"<\s*(?:br|/?(?:div|p|li|h[1-6]|blockquote))\b[^>]*>", re.IGNORECASE)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _not_blank(form, field):
    if not (field.data or "").strip():
        raise ValidationError(_l("Write something before you send."))


class CommentForm(FlaskForm):
    """A new comment on a block (or on the version as a whole), optionally quoting whole words.

    The quote is chosen by word numbers (``quote_from``/``quote_to``: the keyboard's way, and
    what the script fills in from a selection) or typed into ``quote``; the view sets the
    choices from the block's words.
    """

    kind = RadioField(
        _l("Kind"),
        choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in COMMENT_KINDS],
        default=CommentKind.COMMENT.value,
    )
    body = TextAreaField(
        _l("Your comment"),
        # app/static/js/mentions.js offers people to @mention here (issue 27).
        render_kw={"data-mentions": "on"},
        validators=[
            DataRequired(message=_l("Write something before you send.")),
            _not_blank,
            Length(max=BODY_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    quote_from = SelectField(_l("First quoted word"), choices=[], validate_choice=False)
    quote_to = SelectField(_l("Last quoted word"), choices=[], validate_choice=False)
    quote = TextAreaField(_l("Quoted text (optional)"), validators=[Optional(), Length(max=2000)])
    quote_start = HiddenField()
    submit = SubmitField(_l("Send comment"))

    def set_words(self, choices: list[tuple[int, str]]) -> None:
        """Offer the block's words (app.review.quotes.word_choices) for the first and last word."""
        none = [("", _l("(none)"))]
        options = none + [(str(number), label) for number, label in choices]
        self.quote_from.choices = options
        self.quote_to.choices = options

    def chosen_words(self) -> tuple[int, int] | None:
        """The (first, last) word numbers chosen, or None when no word was chosen."""
        first, last = (self.quote_from.data or "").strip(), (self.quote_to.data or "").strip()
        if not first and not last:
            return None
        first, last = first or last, last or first
        if not (first.isdigit() and last.isdigit()):
            return (-1, -1)
        return int(first), int(last)


class EditCommentForm(FlaskForm):
    """The author's edit of their own comment or question (the quote stays as it was)."""

    kind = CommentForm.kind
    body = CommentForm.body
    submit = SubmitField(_l("Save changes"))


def _proposal_field_size(form, field):
    if len(field.data or "") > PROPOSAL_RAW_MAX:
        raise ValidationError(_l("At most %(max)d characters.", max=PROPOSAL_MAX))


class SuggestionForm(FlaskForm):
    """A proposed wording for a whole paragraph, made on the revision the page showed.

    With JavaScript the paragraph is edited where it stands and its HTML comes in ``html``;
    without, the paragraph's text is typed in ``text`` with the draft editor's markup. Either
    way :meth:`proposal` is sanitised rich text. The reason (``body``) is optional.
    """

    revision = HiddenField()
    text = TextAreaField(_l("Your wording of the paragraph"), validators=[_proposal_field_size])
    html = HiddenField(validators=[_proposal_field_size])
    body = TextAreaField(
        _l("Reason (optional)"),
        # app/static/js/mentions.js offers people to @mention here (issue 27).
        render_kw={"data-mentions": "on"},
        validators=[Length(max=BODY_MAX, message=_l("At most %(max)d characters."))],
    )
    submit = SubmitField(_l("Send suggestion"))

    def proposal(self, *, table: bool = False) -> str:
        """The proposed paragraph as stored rich text, whichever way it was written."""
        if table:
            return table_from_markup(self.text.data or "")
        if (self.html.data or "").strip():
            # A browser's editable field may break a line or wrap words in blocks: each such
            # break is a space between words, never nothing (the sanitiser drops the tags).
            return sanitize_inline(_BREAKS.sub(" ", self.html.data))
        return from_markup(self.text.data or "")

    def check_proposal(self, base: str, *, table: bool = False) -> str | None:
        """The proposal if it may be stored against the paragraph text *base*, else None with the
        reason on the ``text`` field: empty, too long, or no change at all."""
        proposal = self.proposal(table=table)
        words = plain(proposal.replace("\t", " ").replace("\n", " "))
        if not words.strip():
            self.text.errors.append(_l("Write the wording you propose for the paragraph."))
        elif len(words) > PROPOSAL_MAX:
            self.text.errors.append(_l("At most %(max)d characters.", max=PROPOSAL_MAX))
        elif proposal == _canonical(base, table):
            self.text.errors.append(
                _l(
                    "Your wording is the same as the paragraph's text. Change the words you want "
                    "changed, or write a comment instead."
                )
            )
        else:
            return proposal
        return None


def _canonical(text: str, table: bool) -> str:
    """Stored text as the proposal would store it, so formatting-only differences count."""
    if table:
        return "\n".join(
            "\t".join(sanitize_inline(cell) for cell in row.split("\t")) for row in text.split("\n")
        )
    return sanitize_inline(text)


class ReplyForm(FlaskForm):
    """A reply in a comment's thread."""

    body = TextAreaField(
        _l("Your reply"),
        # app/static/js/mentions.js offers people to @mention here (issue 27).
        render_kw={"data-mentions": "on"},
        validators=[
            DataRequired(message=_l("Write something before you send.")),
            _not_blank,
            Length(max=BODY_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    submit = SubmitField(_l("Send reply"))


RESPONSE_MAX = 10_000


class DecisionForm(FlaskForm):
    """An editor's decision on one comment, with the response members see and an internal note."""

    status = RadioField(_l("Decision"), validators=[DataRequired(message=_l("Choose a decision."))])
    duplicate_of = StringField(
        _l("Duplicate of comment number"), validators=[Optional(), Length(max=12)], filters=[_strip]
    )
    response = TextAreaField(
        _l("Response to the commenter"),
        validators=[Length(max=RESPONSE_MAX, message=_l("At most %(max)d characters."))],
    )
    editor_note = TextAreaField(
        _l("Internal note for the editors"),
        validators=[Length(max=RESPONSE_MAX, message=_l("At most %(max)d characters."))],
    )
    row_version = HiddenField()
    submit = SubmitField(_l("Save decision"))

    def __init__(self, *args, include_open: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = [s for s in STATUS_LABELS if s is not CommentStatus.WITHDRAWN]
        if not include_open:
            statuses.remove(CommentStatus.OPEN)
        # The statuses by their one name (app.review.labels), "Open" included.
        self.status.choices = [SelectChoice(s.value, STATUS_LABELS[s]) for s in statuses]

    @property
    def chosen_status(self) -> CommentStatus:
        return CommentStatus(self.status.data)

    def validate_response(self, field):
        if self.status.data in ("partly_accepted", "rejected") and not (field.data or "").strip():
            raise ValidationError(
                _l("Give the commenter a reason when a comment is rejected or partly accepted.")
            )

    def validate_duplicate_of(self, field):
        if self.status.data == "duplicate" and not (field.data or "").lstrip("#").isdigit():
            raise ValidationError(_l("Give the number of the comment this one duplicates."))


class BulkDecisionForm(DecisionForm):
    """One decision for every comment ticked on the dashboard."""

    editor_note = None
    row_version = None
    submit = SubmitField(_l("Decide for the selected comments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, include_open=False, **kwargs)


class HideForm(FlaskForm):
    """A moderator hides a comment; the reason is shown in its place."""

    reason = TextAreaField(
        _l("Reason (shown to everyone in place of the comment)"),
        validators=[
            DataRequired(message=_l("Give a reason for hiding the comment.")),
            _not_blank,
            Length(max=1000, message=_l("At most %(max)d characters.")),
        ],
    )
    submit = SubmitField(_l("Hide the comment"))
