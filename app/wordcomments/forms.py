"""Forms of sending comments from Word: the upload, and the preview's confirm and cancel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, ValidationError

from app.wordcomments.operations import SENDER_MAX

MYSELF = ""


class UploadForm(FlaskForm):
    """A reviewed Word file; editors may send it in for another organisation."""

    file = FileField(
        _l("Word file (.docx)"), validators=[FileRequired(message=_l("Choose a Word file to upload."))]
    )
    organisation = SelectField(_l("Comments from"), choices=[], validate_choice=True, default=MYSELF)
    sender = StringField(
        _l("Sender (who sent you the file)"),
        validators=[Length(max=SENDER_MAX, message=_l("At most %(max)d characters."))],
    )
    submit = SubmitField(_l("Read the file"))

    def validate_sender(self, field):
        if self.organisation.data and not (field.data or "").strip():
            raise ValidationError(_l("Name the person or office who sent the file."))


class ConfirmForm(FlaskForm):
    """Store the previewed comments (uncertain ones are ticked in the form's ``include`` boxes)."""

    submit = SubmitField(_l("Confirm and store the comments"))


class CancelForm(FlaskForm):
    """Discard a preview."""
