"""The profile's notification settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.notifications.labels import FREQUENCY_LABELS, KIND_LABELS
from app.notifications.models import PREFERENCE_KINDS, Frequency, NotificationKind

FREQUENCY_CHOICES = [SelectChoice(frequency.value, label) for frequency, label in FREQUENCY_LABELS.items()]


def _frequency_field(kind: NotificationKind) -> RadioField:
    return RadioField(KIND_LABELS[kind], choices=FREQUENCY_CHOICES, validators=[InputRequired()])


class PreferencesForm(FlaskForm):
    """How often each kind of e-mail comes: at once, in the daily summary, or never."""

    reply = _frequency_field(NotificationKind.REPLY)
    decision = _frequency_field(NotificationKind.DECISION)
    new_version = _frequency_field(NotificationKind.NEW_VERSION)
    deadline = _frequency_field(NotificationKind.DEADLINE)
    response_due = _frequency_field(NotificationKind.RESPONSE_DUE)
    mention = _frequency_field(NotificationKind.MENTION)
    submit = SubmitField(_l("Save e-mail settings"))

    @classmethod
    def for_preferences(cls, preferences: dict[NotificationKind, Frequency]) -> PreferencesForm:
        """The form showing *preferences* (not read from the request)."""
        return cls(
            formdata=None, data={kind.value: frequency.value for kind, frequency in preferences.items()}
        )

    def kind_fields(self):
        """(kind, field) for each kind, in a fixed order."""
        return [(kind, self[kind.value]) for kind in PREFERENCE_KINDS]

    def choices(self) -> dict[NotificationKind, Frequency]:
        """The submitted frequency of each kind."""
        return {kind: Frequency(field.data) for kind, field in self.kind_fields()}
