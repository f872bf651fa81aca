"""Forms of the working draft: block edits (each carrying the revision it was based on) and publishing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from app.documents.models import BlockKind

TEXT_MAX = 50_000
KIND_LABELS = {
    BlockKind.PARAGRAPH: _l("Paragraph"),
    BlockKind.HEADING: _l("Heading"),
    BlockKind.BULLET: _l("Bulleted list item"),
    BlockKind.NUMBER: _l("Numbered list item"),
    BlockKind.QUOTE: _l("Quotation"),
    BlockKind.TABLE: _l("Table"),
}


def _text_required(form, field):
    if not (field.data or "").strip():
        raise ValidationError(_l("A block needs some text. To remove it, delete it instead."))


class BlockForm(FlaskForm):
    """A block's kind, level and text in the editor's markup."""

    kind = SelectField(
        _l("Kind of block"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()]
    )
    level = SelectField(
        _l("Level"),
        choices=[SelectChoice("1", "1"), SelectChoice("2", "2"), SelectChoice("3", "3")],
        default="1",
    )
    text = TextAreaField(
        _l("Text"),
        validators=[_text_required, Length(max=TEXT_MAX, message=_l("At most %(max)d characters."))],
    )
    base_revision = HiddenField()
    submit = SubmitField(_l("Save block"))

    @property
    def chosen_kind(self) -> BlockKind:
        return BlockKind(self.kind.data)

    @property
    def chosen_level(self) -> int:
        return int(self.level.data)

    @property
    def base(self) -> int | None:
        value = (self.base_revision.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None


class InsertForm(BlockForm):
    """A new block after another one."""

    base_revision = None
    submit = SubmitField(_l("Insert block"))


class SplitForm(FlaskForm):
    """A block's text with empty lines where it should be cut."""

    text = TextAreaField(_l("Text"), validators=[_text_required, Length(max=TEXT_MAX)])
    base_revision = HiddenField()
    submit = SubmitField(_l("Split block"))

    base = BlockForm.base


class RevisionForm(FlaskForm):
    """A confirmation that names the revisions it was based on (delete, merge)."""

    base_revision = HiddenField()
    next_revision = HiddenField()
    submit = SubmitField(_l("Confirm"))

    base = BlockForm.base

    @property
    def next_base(self) -> int | None:
        value = (self.next_revision.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None


class MoveForm(FlaskForm):
    """Move a block one step up or down."""

    direction = HiddenField()


class StartDraftForm(FlaskForm):
    """Open the working draft of the next version."""

    label = StringField(
        _l("Label of the new version"),
        validators=[Optional(), Length(max=64, message=_l("At most %(max)d characters."))],
    )
    submit = SubmitField(_l("Start the next draft"))


class PublishForm(FlaskForm):
    """Publish the draft: a change summary is required; a deadline for comments is optional."""

    label = StringField(
        _l("Label"),
        validators=[
            DataRequired(message=_l("Give the version a label.")),
            Length(max=64, message=_l("At most %(max)d characters.")),
        ],
    )
    summary = TextAreaField(
        _l("Summary of the changes"),
        validators=[
            DataRequired(message=_l("Write a summary of what changed in this version.")),
            Length(max=10_000, message=_l("At most %(max)d characters.")),
        ],
    )
    deadline_date = DateField(
        _l("Comments until (date, optional)"),
        validators=[Optional()],
        invalid_value_message=_l("Enter the date as year-month-day, for example 2020-10-06."),
    )
    deadline_time = TimeField(
        _l("Time (Swedish time)"),
        validators=[Optional()],
        default=None,
        invalid_value_message=_l("Enter the time as hours and minutes, for example 13:00."),
    )
    # Asked for only while comments on the previous version are undecided: a warning, not a ban.
    confirm_undecided = BooleanField(_l("Publish anyway, with these comments still open"))
    submit = SubmitField(_l("Publish"))

    def validate_summary(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("Write a summary of what changed in this version."))


class ApplyForm(FlaskForm):
    """Applying a comment's suggested wording: the token, and where the editor returns to.

    A dashboard card says ``back=dashboard`` and gets the dashboard back; without it (the decision
    page) the decision page. Any other value is refused rather than guessed at.
    """

    back = HiddenField(validators=[Optional(), AnyOf(["dashboard"])])
