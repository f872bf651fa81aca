"""The meeting form: title, date and time in Swedish time, agenda, document and versions."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.documents.models import Document, Version
from app.extensions import db
from app.meetings.models import Meeting
from app.timeutil import to_local

AGENDA_MAX = 20_000
AUTOMATIC = ""


def _id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


def _version_label(version: Version) -> str:
    label = _("Version %(label)s", label=version.label)
    if version.published_at is not None:
        label += " – " + _("published %(date)s", date=format_date(version.published_at))
    return label


PLACE_MAX = 500


class MeetingForm(FlaskForm):
    """Create or edit a meeting. Validation resolves the document and versions it names.

    After ``validate()`` the chosen objects are ``chosen_document``, ``chosen_version`` and
    ``chosen_base`` (None: the default base version).
    """

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the meeting a title.")),
            Length(max=300, message=_l("At most %(max)d characters.")),
        ],
    )
    # InputRequired looks at what was sent, so a malformed date keeps its own message.
    date = DateField(
        _l("Date"),
        validators=[InputRequired(message=_l("Enter the date of the meeting."))],
        invalid_value_message=_l("Enter the date as year-month-day, for example 2020-10-06."),
    )
    time = TimeField(
        _l("Start time"),
        validators=[InputRequired(message=_l("Enter the time the meeting starts."))],
        invalid_value_message=_l("Enter the time as hours and minutes, for example 13:00."),
    )
    place = StringField(
        _l("Place or link"),
        validators=[Length(max=PLACE_MAX, message=_l("At most %(max)d characters."))],
    )
    agenda = TextAreaField(
        _l("Agenda"), validators=[Length(max=AGENDA_MAX, message=_l("At most %(max)d characters."))]
    )
    document = SelectField(_l("Document"), validate_choice=False)
    version = SelectField(_l("Version presented"), validate_choice=False)
    base_version = SelectField(_l("Compare with"), validate_choice=False)
    submit = SubmitField(_l("Save meeting"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        documents = db.session.scalars(sa.select(Document).order_by(Document.title)).all()
        self._documents = {document.id: document for document in documents}
        self.document.choices = [SelectChoice(str(d.id), d.title) for d in documents]
        published = [
            SelectChoice(str(v.id), _version_label(v), optgroup=d.title)
            for d in documents
            for v in reversed(d.published_versions)
        ]
        self.version.choices = published
        self.base_version.choices = [
            SelectChoice(
                AUTOMATIC,
                _("Automatic: the version presented at the previous meeting, else the previous version"),
            ),
            *published,
        ]
        self.chosen_document: Document | None = None
        self.chosen_version: Version | None = None
        self.chosen_base: Version | None = None

    @classmethod
    def for_meeting(cls, meeting: Meeting) -> MeetingForm:
        """The form filled in with *meeting*'s details, as the edit page first shows it."""
        local = to_local(meeting.starts_at)
        return cls(
            data={
                "title": meeting.title,
                "date": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "agenda": meeting.agenda,
                "place": meeting.place,
                "document": str(meeting.document_id),
                "version": str(meeting.version_id or ""),
                "base_version": str(meeting.base_version_id or AUTOMATIC),
            }
        )

    def validate_document(self, field):
        document = self._documents.get(_id(field.data))
        if document is None:
            raise ValidationError(_l("Choose a document."))
        self.chosen_document = document

    def validate_version(self, field):
        version = db.session.get(Version, _id(field.data)) if _id(field.data) else None
        if version is None or not version.is_published:
            raise ValidationError(_l("Choose a published version."))
        if self.chosen_document is not None and version.document_id != self.chosen_document.id:
            raise ValidationError(_l("Choose a version of the chosen document."))
        self.chosen_version = version

    def validate_base_version(self, field):
        if (field.data or AUTOMATIC) == AUTOMATIC:
            self.chosen_base = None
            return
        base = db.session.get(Version, _id(field.data)) if _id(field.data) else None
        if base is None or not base.is_published:
            raise ValidationError(_l("Choose a published version to compare with."))
        presented = self.chosen_version
        if presented is None:
            return
        if base.document_id != presented.document_id:
            raise ValidationError(_l("The version to compare with must be of the same document."))
        if base.number >= presented.number:
            raise ValidationError(_l("The version to compare with must be older than the version presented."))
        self.chosen_base = base
