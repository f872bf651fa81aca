"""The form for making a personal API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    """Name a new token after the program that will use it."""

    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Create token"))
