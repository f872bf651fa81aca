"""Forms of the working draft: block edits (each carrying the revision it was based on) and publishing."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from app.documents.models import BlockKind
from app.merge import CHOICES
from app.review.forms import RESPONSE_MAX

TEXT_MAX = 50_000
# A paragraph the editor writes in place of a merge: as long as a suggestion may be (issue 22).
WRITTEN_MAX = 20_000
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


def show(form, revision: int, row_version: int) -> None:
    # A field renders what was posted (raw_data) before its data: drop it, or a page showing a
    # newer revision would post the stale one again.
    for field, value in ((form.revision, revision), (form.row_version, row_version)):
        field.data = value
        field.raw_data = None


class _Numbers(Field):
    """Whole numbers posted under one name (the changes taken); anything else is dropped."""

    def _value(self):
        return ""

    def process_formdata(self, valuelist):
        self.data = sorted({int(v) for v in valuelist if v.isascii() and v.isdigit() and len(v) < 9})


class ApplyForm(FlaskForm):
    """Applying a suggestion: the changes taken, the choice in each conflict, the response, and the
    revision of the draft's paragraph (and of the comment) the editor saw the preview of.

    A dashboard card says ``back=dashboard`` and gets the dashboard back; without it (the decision
    page, the preview) the decision page. Any other value is refused rather than guessed at. The
    conflicts' choices are posted as ``conflict-<n>`` = ``draft`` or ``proposal``.
    """

    back = HiddenField(validators=[Optional(), AnyOf(["dashboard"])])
    revision = IntegerField(widget=HiddenInput(), validators=[Optional()])
    row_version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    take = _Numbers()
    response = TextAreaField(
        _l("Response to the commenter"),
        validators=[Length(max=RESPONSE_MAX, message=_l("At most %(max)d characters."))],
    )

    def shown(self, revision: int, row_version: int) -> None:
        """Name the revisions the page now shows (not those posted, which may be stale)."""
        show(self, revision, row_version)

    def conflict_choices(self) -> dict[int, str]:
        """The editor's choice in each conflict, by its number (``conflict-<n>``)."""
        choices = {}
        for key, value in request.form.items():
            number = key.removeprefix("conflict-")
            if number != key and number.isascii() and number.isdigit() and value in CHOICES:
                choices[int(number)] = value
        return choices

    @property
    def previewing(self) -> bool:
        """Whether "Update preview" was pressed (nothing is applied then)."""
        return "preview" in request.form


class ApplyWrittenForm(FlaskForm):
    """The paragraph as the editor writes it (the draft editor's light markup), in place of a merge."""

    back = HiddenField(validators=[Optional(), AnyOf(["dashboard"])])
    revision = IntegerField(widget=HiddenInput(), validators=[Optional()])
    row_version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    text = TextAreaField(
        _l("The paragraph as it should read"),
        validators=[
            DataRequired(message=_l("Write the paragraph.")),
            Length(max=WRITTEN_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    response = TextAreaField(
        _l("Response to the commenter"),
        validators=[Length(max=RESPONSE_MAX, message=_l("At most %(max)d characters."))],
    )

    def shown(self, revision: int, row_version: int) -> None:
        """Name the revisions the page now shows (not those posted, which may be stale)."""
        show(self, revision, row_version)

    @property
    def previewing(self) -> bool:
        """Whether "Update preview" was pressed (nothing is applied then)."""
        return "preview" in request.form
