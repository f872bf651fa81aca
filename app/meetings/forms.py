"""The meeting form: title, date and time in Swedish time, agenda, document and versions."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.accounts.forms import MultiCheckboxField
from app.accounts.models import Organisation
from app.documents.models import Document, Version, Visibility
from app.extensions import db
from app.meetings.models import Meeting, MeetingSeries
from app.meetings.operations import SpeakerDetails
from app.timeutil import to_local

AGENDA_MAX = 20_000
DESCRIPTION_MAX = 5_000
AUTOMATIC = ""
NO_DOCUMENT = ""
SPEAKERS_MAX = 20
DEFAULT_DURATION = 120
SPEAKER_PART_MAX = 200


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
    series = SelectField(_l("Series"), validate_choice=False)
    subject = StringField(
        _l("Subject"), validators=[Length(max=300, message=_l("At most %(max)d characters."))]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=DESCRIPTION_MAX, message=_l("At most %(max)d characters."))],
    )
    # Text, so a wrong value gets our own message; empty: two hours, as the network's meetings.
    duration = StringField(_l("Duration in minutes"), default=str(DEFAULT_DURATION))
    # Text, so a wrong value gets our own message; empty: no limit.
    capacity = StringField(_l("Places (empty: no limit; beyond them people join a waiting list)"))
    place = StringField(
        _l("Place or link"),
        validators=[Length(max=PLACE_MAX, message=_l("At most %(max)d characters."))],
    )
    video_url = StringField(
        _l("Video link"),
        validators=[Length(max=PLACE_MAX, message=_l("At most %(max)d characters."))],
    )
    speakers = TextAreaField(_l("Speakers"))
    agenda = TextAreaField(
        _l("Agenda"), validators=[Length(max=AGENDA_MAX, message=_l("At most %(max)d characters."))]
    )
    # Unticked (also when not sent) the agenda is published, as before this field existed.
    agenda_later = BooleanField(_l("Publish the agenda later (the page says so until then)"))
    document = SelectField(_l("Document"), validate_choice=False)
    version = SelectField(_l("Version presented"), validate_choice=False)
    base_version = SelectField(_l("Compare with"), validate_choice=False)
    submit = SubmitField(_l("Save meeting"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        documents = db.session.scalars(sa.select(Document).order_by(Document.title)).all()
        self._documents = {document.id: document for document in documents}
        self.document.choices = [
            SelectChoice(NO_DOCUMENT, _("None: the meeting presents no draft")),
            *(SelectChoice(str(d.id), d.title) for d in documents),
        ]
        series = db.session.scalars(sa.select(MeetingSeries).order_by(MeetingSeries.title)).all()
        self._series = {s.id: s for s in series}
        self.series.choices = [
            SelectChoice(AUTOMATIC, _("Automatic: the series of the document's meetings")),
            *(SelectChoice(str(s.id), s.title) for s in series),
        ]
        self.chosen_series: MeetingSeries | None = None
        self.chosen_speakers: list[SpeakerDetails] = []
        self.chosen_duration = DEFAULT_DURATION
        self.chosen_capacity: int | None = None
        published = [
            SelectChoice(str(v.id), _version_label(v), optgroup=d.title)
            for d in documents
            for v in reversed(d.published_versions)
        ]
        self.version.choices = [SelectChoice(NO_DOCUMENT, _("None")), *published]
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
                "series": str(meeting.series_id),
                "subject": meeting.subject,
                "description": meeting.description,
                "duration": str(meeting.duration_minutes),
                "capacity": "" if meeting.capacity is None else str(meeting.capacity),
                "video_url": meeting.video_url,
                "agenda_later": not meeting.agenda_published,
                "speakers": "\n".join(
                    "; ".join(p for p in (s.name, s.title, s.organisation)) for s in meeting.speakers
                ),
                "date": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "agenda": meeting.agenda,
                "place": meeting.place,
                "document": str(meeting.document_id or NO_DOCUMENT),
                "version": str(meeting.version_id or ""),
                "base_version": str(meeting.base_version_id or AUTOMATIC),
            }
        )

    def validate_series(self, field):
        if (field.data or AUTOMATIC) == AUTOMATIC:
            self.chosen_series = None
            return
        series = self._series.get(_id(field.data))
        if series is None:
            raise ValidationError(_l("Choose a series."))
        self.chosen_series = series

    def validate_duration(self, field):
        value = (field.data or "").strip()
        if not value:
            self.chosen_duration = DEFAULT_DURATION
            return
        if not (value.isdigit() and 5 <= int(value) <= 24 * 60):
            raise ValidationError(_l("Enter a duration from 5 to 1440 minutes."))
        self.chosen_duration = int(value)

    def validate_capacity(self, field):
        value = (field.data or "").strip()
        if not value:
            self.chosen_capacity = None
            return
        if not (value.isdigit() and len(value) <= 6 and 1 <= int(value) <= 100_000):
            raise ValidationError(_l("Enter the number of places, from 1 to 100000, or leave it empty."))
        self.chosen_capacity = int(value)

    def validate_video_url(self, field):
        value = (field.data or "").strip()
        if value and (not value.startswith(("https://", "http://")) or any(c.isspace() for c in value)):
            raise ValidationError(
                _l("Enter the video link as a web address, for example https://meet.example/abc.")
            )

    def validate_speakers(self, field):
        speakers = []
        for line in (field.data or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) > 3 or not parts[0]:
                raise ValidationError(
                    _l(
                        "Write one speaker a line: name; title; organisation "
                        "(title and organisation optional)."
                    )
                )
            if any(len(p) > SPEAKER_PART_MAX for p in parts):
                raise ValidationError(
                    _l(
                        "A speaker's name, title and organisation have at most %(max)d characters each.",
                        max=SPEAKER_PART_MAX,
                    )
                )
            parts += [""] * (3 - len(parts))
            speakers.append(SpeakerDetails(*parts))
        if len(speakers) > SPEAKERS_MAX:
            raise ValidationError(_l("At most %(max)d speakers.", max=SPEAKERS_MAX))
        self.chosen_speakers = speakers

    def validate_document(self, field):
        if (field.data or NO_DOCUMENT) == NO_DOCUMENT:
            self.chosen_document = None
            if (self.series.data or AUTOMATIC) == AUTOMATIC:
                raise ValidationError(_l("Choose a series for a meeting that presents no draft."))
            return
        document = self._documents.get(_id(field.data))
        if document is None:
            raise ValidationError(_l("Choose a document."))
        self.chosen_document = document

    def validate_version(self, field):
        if (field.data or NO_DOCUMENT) == NO_DOCUMENT and (self.document.data or NO_DOCUMENT) == NO_DOCUMENT:
            self.chosen_version = None
            return
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
            if self.chosen_document is None and (self.document.data or NO_DOCUMENT) == NO_DOCUMENT:
                raise ValidationError(_l("A meeting that presents no draft compares with no version."))
            return
        if base.document_id != presented.document_id:
            raise ValidationError(_l("The version to compare with must be of the same document."))
        if base.number >= presented.number:
            raise ValidationError(_l("The version to compare with must be older than the version presented."))
        self.chosen_base = base


VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("Public: everyone, also in the calendar feeds"),
    Visibility.NETWORK: _l("The network: signed-in members only"),
}


class SeriesForm(FlaskForm):
    """Create or edit a meeting series: title, description, organisers and who may see it."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the series a title.")),
            Length(max=300, message=_l("At most %(max)d characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=DESCRIPTION_MAX, message=_l("At most %(max)d characters."))],
    )
    organisers = MultiCheckboxField(_l("Organisers"), validate_choice=False)
    visibility = RadioField(
        _l("Who may see the series"),
        choices=[SelectChoice(v.value, label) for v, label in VISIBILITY_LABELS.items()],
        default=Visibility.PUBLIC.value,
        validate_choice=False,
    )
    submit = SubmitField(_l("Save series"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
        self._organisations = {o.id: o for o in organisations}
        self.organisers.choices = [SelectChoice(str(o.id), o.name) for o in organisations]
        self.chosen_organisers: list[Organisation] = []
        self.chosen_visibility = Visibility.PUBLIC

    @classmethod
    def for_series(cls, series: MeetingSeries) -> SeriesForm:
        return cls(
            data={
                "title": series.title,
                "description": series.description,
                "organisers": [str(o.id) for o in series.organisers],
                "visibility": series.visibility.value,
            }
        )

    def validate_organisers(self, field):
        chosen = []
        for value in field.data or []:
            organisation = self._organisations.get(_id(value))
            if organisation is None:
                raise ValidationError(_l("Choose organisers from the list."))
            chosen.append(organisation)
        self.chosen_organisers = chosen

    def validate_visibility(self, field):
        try:
            self.chosen_visibility = Visibility(field.data)
        except ValueError:
            raise ValidationError(_l("Choose who may see the series.")) from None


class GuestSignupForm(FlaskForm):
    """A guest's sign-up: name, e-mail address and organisation (the address is checked by the
    sign-up itself, so the reason comes from one place)."""

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Enter your name.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    email = StringField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("At most %(max)d characters.")),
        ],
    )
    organisation = StringField(
        _l("Organisation"),
        validators=[
            DataRequired(message=_l("Enter your organisation.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )


class TopicForm(FlaskForm):
    """A member proposes a topic or challenge for a series."""

    title = StringField(
        _l("Topic"),
        validators=[
            DataRequired(message=_l("Give the topic a title.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
    )
    description = TextAreaField(
        _l("Describe the topic or challenge"),
        validators=[Length(max=5000, message=_l("At most %(max)d characters."))],
    )
    submit = SubmitField(_l("Propose the topic"))


class CloseTopicForm(FlaskForm):
    """A host closes a proposal; the reason is required and shown on the topic."""

    reason = TextAreaField(
        _l("Reason for closing"),
        validators=[
            DataRequired(message=_l("Give the reason for closing the topic.")),
            Length(max=2000, message=_l("At most %(max)d characters.")),
        ],
    )
    submit = SubmitField(_l("Close the topic"))
