"""Forms for comments, replies and edits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.review.labels import KIND_LABELS, STATUS_LABELS
from app.review.models import CommentKind, CommentStatus

BODY_MAX = 10_000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _not_blank(form, field):
    if not (field.data or "").strip():
        raise ValidationError(_l("Write something before you send."))


class CommentForm(FlaskForm):
    """A new comment on a block (or on the version as a whole)."""

    kind = RadioField(
        _l("Kind"),
        choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()],
        default=CommentKind.COMMENT.value,
    )
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(message=_l("Write something before you send.")),
            _not_blank,
            Length(max=BODY_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    quote = TextAreaField(_l("Quoted text (optional)"), validators=[Optional(), Length(max=2000)])
    quote_start = HiddenField()
    suggestion = TextAreaField(_l("Suggested wording (optional)"), validators=[Length(max=BODY_MAX)])
    submit = SubmitField(_l("Send comment"))

    def validate_suggestion(self, field):
        if self.kind.data == CommentKind.SUGGESTION.value and not (field.data or "").strip():
            raise ValidationError(_l("A suggestion needs the wording you propose."))


class EditCommentForm(FlaskForm):
    """The author's edit of their own comment (the quote stays as it was)."""

    kind = CommentForm.kind
    body = CommentForm.body
    suggestion = CommentForm.suggestion
    submit = SubmitField(_l("Save changes"))
    validate_suggestion = CommentForm.validate_suggestion


class ReplyForm(FlaskForm):
    """A reply in a comment's thread."""

    body = TextAreaField(
        _l("Your reply"),
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
