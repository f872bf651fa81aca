"""The form of an agenda item: title, start time or duration, presenter, description and one link
(a version, a topic, an attachment) or a PDF to upload as the item's slides."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.meetings import agenda
from app.meetings.models import AgendaItem, Meeting
from app.timeutil import to_local

NO_LINK = ""


def _link_value(item: AgendaItem) -> str:
    for kind, target_id in (
        (agenda.VERSION, item.version_id),
        (agenda.TOPIC, item.topic_id),
        (agenda.ATTACHMENT, item.attachment_id),
    ):
        if target_id is not None:
            return f"{kind}:{target_id}"
    return NO_LINK


class AgendaItemForm(FlaskForm):
    """Add or change an agenda item. After ``validate()``: ``details`` (an agenda.ItemDetails)."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the item a title.")),
            Length(max=agenda.TITLE_MAX, message=_l("At most %(max)d characters.")),
        ],
    )
    start = TimeField(
        _l("Start time (Swedish time, on the day of the meeting)"),
        validators=[Optional()],
        invalid_value_message=_l("Enter the time as hours and minutes, for example 13:00."),
    )
    # Text, so a wrong value gets our own message.
    duration = StringField(_l("Or duration in minutes"))
    presenter = StringField(
        _l("Presenter"),
        validators=[Length(max=agenda.PRESENTER_MAX, message=_l("At most %(max)d characters."))],
    )
    description = TextAreaField(
        _l("Description (optional)"),
        validators=[Length(max=agenda.DESCRIPTION_MAX, message=_l("At most %(max)d characters."))],
    )
    link = SelectField(_l("Link"), validate_choice=False)
    slides = FileField(_l("Or upload slides (PDF, at most 20 MB)"))
    submit = SubmitField(_l("Save the item"))

    def __init__(self, meeting: Meeting, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice(NO_LINK, _("No link"))]
        document_title = meeting.document.title if meeting.document is not None else ""
        for version in agenda.version_choices(meeting):
            label = f"{document_title}, " + _("version %(label)s", label=version.label)
            choices.append(SelectChoice(f"{agenda.VERSION}:{version.id}", label, optgroup=_("Versions")))
        for topic in agenda.topic_choices(meeting):
            choices.append(SelectChoice(f"{agenda.TOPIC}:{topic.id}", topic.title, optgroup=_("Topics")))
        for attachment in agenda.attachment_choices(meeting):
            choices.append(
                SelectChoice(
                    f"{agenda.ATTACHMENT}:{attachment.id}", attachment.file_name, optgroup=_("Files")
                )
            )
        self.link.choices = choices
        self._allowed = {c.value for c in choices}
        self.chosen_link: tuple[str, int] | None = None
        self.chosen_duration: int | None = None

    @classmethod
    def for_item(cls, meeting: Meeting, item: AgendaItem) -> AgendaItemForm:
        start = to_local(item.starts_at).time().replace(tzinfo=None) if item.starts_at else None
        return cls(
            meeting,
            data={
                "title": item.title,
                "start": start,
                "duration": "" if item.duration_minutes is None else str(item.duration_minutes),
                "presenter": item.presenter,
                "description": item.description,
                "link": _link_value(item),
            },
        )

    def validate_duration(self, field):
        value = (field.data or "").strip()
        if not value:
            self.chosen_duration = None
            return
        if not (value.isdigit() and len(value) <= 5 and 1 <= int(value) <= agenda.DURATION_MAX):
            raise ValidationError(
                _l("Give the duration in whole minutes, from 1 to %(max)d.", max=agenda.DURATION_MAX)
            )
        self.chosen_duration = int(value)

    def validate_link(self, field):
        value = field.data or NO_LINK
        if value not in self._allowed:
            raise ValidationError(_l("Choose a link from the list."))
        if value == NO_LINK:
            self.chosen_link = None
            return
        kind, _sep, target = value.partition(":")
        self.chosen_link = (kind, int(target))

    @property
    def uploaded(self):
        """The uploaded file, or None when none was chosen."""
        storage = self.slides.data
        return storage if storage is not None and getattr(storage, "filename", "") else None

    def validate_slides(self, field):
        if self.uploaded is not None and (self.link.data or NO_LINK) != NO_LINK:
            raise ValidationError(_l("Choose a link or upload a file, not both."))

    def details(self) -> agenda.ItemDetails:
        return agenda.ItemDetails(
            title=self.title.data or "",
            description=self.description.data or "",
            start=self.start.data,
            duration_minutes=self.chosen_duration,
            presenter=self.presenter.data or "",
            link=self.chosen_link,
        )
