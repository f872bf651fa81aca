"""Forms for comments, replies and edits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.review.labels import KIND_LABELS
from app.review.models import CommentKind

BODY_MAX = 10_000


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


class ConfirmForm(FlaskForm):
    """A bare form: a CSRF token and a button (endorse, withdraw)."""
