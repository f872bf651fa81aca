"""The response form: position, summary, reference, decision-maker, officer, positions per section."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeSerializer
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from app.responses.labels import POSITION_LABELS
from app.responses.models import Position, Response

SUMMARY_MAX = 20_000
SUMMARY_SALT = "remiss.responses.summary"
SECTION_FIELD = "section-"


# NUL and other C0 controls: PostgreSQL refuses NUL in text, and none has a place in a response.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _strip(value):
    return _CONTROLS.sub("", value).strip() if isinstance(value, str) else value


class ResponseForm(FlaskForm):
    """The organisation's response; saving keeps a draft, submitting makes it the record."""

    position = RadioField(
        _l("Overall position"),
        choices=[SelectChoice(p.value, label) for p, label in POSITION_LABELS.items()],
        validators=[Optional()],
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=[_strip],
        validators=[Length(max=SUMMARY_MAX, message=_l("At most %(max)d characters."))],
    )
    reference = StringField(
        _l("Your reference number (diarienummer)"),
        filters=[_strip],
        validators=[Length(max=100, message=_l("At most %(max)d characters."))],
    )
    decision_maker = StringField(
        _l("Decided by (name)"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("At most %(max)d characters."))],
    )
    decision_maker_title = StringField(
        _l("Decision-maker's title"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("At most %(max)d characters."))],
    )
    officer = StringField(
        _l("Prepared by (officer)"),
        filters=[_strip],
        validators=[Length(max=200, message=_l("At most %(max)d characters."))],
    )
    row_version = HiddenField(validators=[Regexp(r"^\d{1,9}$")])
    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Submit the response"))

    @property
    def chosen_position(self) -> Position | None:
        return Position(self.position.data) if self.position.data else None

    @property
    def base(self) -> int:
        return int(self.row_version.data or 0)


def section_choices(form_data, sections) -> tuple[dict[str, Position], list[str]]:
    """The positions per section sent with the form, and the uids of sections with a bad value.

    *sections* are the version's top-level sections; a value for any other uid is ignored
    (a section cannot gain a position that the form never offered).
    """
    chosen: dict[str, Position] = {}
    bad: list[str] = []
    values = {p.value for p in Position}
    for section in sections:
        raw = form_data.get(SECTION_FIELD + section.uid, "")
        if raw == "":
            continue
        if raw in values:
            chosen[section.uid] = Position(raw)
        else:
            bad.append(section.uid)
    return chosen, bad


class ConfirmSubmitForm(FlaskForm):
    """The confirmation of 'Lämna remissvaret', carrying the signed token of the summary shown."""

    summary_token = HiddenField()
    confirm = SubmitField(_l("Confirm and submit the response"))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SUMMARY_SALT)


def summary_token(draft: Response) -> str:
    """A signed token naming the draft exactly as shown: its version, organisation, id and row version."""
    return _serializer().dumps([draft.version_id, draft.organisation_id, draft.id, draft.row_version])


def read_summary_token(token: str, version_id: int, organisation_id: int) -> tuple[int, int] | None:
    """(draft id, row version) of a token signed for this version and organisation, else None."""
    try:
        data = _serializer().loads(token or "")
    except BadData:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 4
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in data)
        or data[:2] != [version_id, organisation_id]
    ):
        return None
    return data[2], data[3]
