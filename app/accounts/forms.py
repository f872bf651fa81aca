"""Forms for signing in, profiles and administration."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.models import Organisation, Role, User
from app.extensions import db

ROLE_LABELS = {
    Role.MEMBER: _l("Network member"),
    Role.EDITOR: _l("Editor"),
    Role.HOST: _l("Meeting host"),
    Role.ADMIN: _l("Administrator"),
}
LANGUAGE_LABELS = {"sv": "Svenska", "en": "English"}


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    """The address a reset link is sent to."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


def _password_length(form, field):
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("The password must be at least %(n)d characters.", n=minimum))


class SetPasswordForm(FlaskForm):
    """Choose a password (accepting an invitation)."""

    password = PasswordField(
        _l("New password"), validators=[InputRequired(), _password_length, Length(max=1000)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Set password and sign in"))


class ResetPasswordForm(SetPasswordForm):
    """Choose a new password through a reset link."""

    submit = SubmitField(_l("Save the new password and sign in"))


class ChangePasswordForm(SetPasswordForm):
    """Change one's own password; the current one is asked for first."""

    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    submit = SubmitField(_l("Change password"))

    def validate(self, extra_validators=None) -> bool:
        """The current password (a slow hash) is checked last, once everything else is valid."""
        if not super().validate(extra_validators):
            return False
        if not current_user.check_password(self.current.data):
            self.current.errors.append(_("The current password is wrong."))
            return False
        return True


class LanguageForm(FlaskForm):
    """The interface language of one's own account."""

    language = SelectField(_l("Language"), choices=[SelectChoice(k, v) for k, v in LANGUAGE_LABELS.items()])
    submit = SubmitField(_l("Save language"))


class OrganisationForm(FlaskForm):
    """A new organisation in the network."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Add organisation"))

    def validate_name(self, field):
        field.data = " ".join(field.data.split())
        exists = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == field.data))
        if exists:
            raise ValidationError(_l("That organisation already exists."))


def organisation_choices() -> list[SelectChoice]:
    """Organisations for a select field, by name."""
    rows = db.session.execute(sa.select(Organisation.id, Organisation.name).order_by(Organisation.name))
    return [SelectChoice(str(i), n) for i, n in rows]


def role_choices() -> list[SelectChoice]:
    """Roles for checkboxes, in a fixed order."""
    return [SelectChoice(role.value, str(label)) for role, label in ROLE_LABELS.items()]


class InvitationForm(FlaskForm):
    """Invite one person to the network."""

    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    organisation = SelectField(_l("Organisation"), validators=[DataRequired()])
    roles = MultiCheckboxField(_l("Roles"), default=["member"])
    submit = SubmitField(_l("Create invitation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = organisation_choices()
        self.roles.choices = role_choices()

    def validate_email(self, field):
        field.data = field.data.strip().lower()
        if db.session.scalar(sa.select(User.id).where(User.email == field.data)):
            raise ValidationError(_l("A user with that e-mail already exists."))

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one role."))


class UserForm(FlaskForm):
    """An administrator changes a user's roles, organisation and status."""

    organisation = SelectField(_l("Organisation"), validators=[DataRequired()])
    roles = MultiCheckboxField(_l("Roles"))
    active = BooleanField(_l("Active (may sign in)"))
    may_answer = BooleanField(_l("May submit the organisation's formal response (remissvar)"))
    pseudonymise = BooleanField(_l("Pseudonymise: replace the name and e-mail address (cannot be undone)"))
    submit = SubmitField(_l("Save"))

    def validate_pseudonymise(self, field):
        if field.data and self.active.data:
            raise ValidationError(_l("Only a deactivated account can be pseudonymised."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = organisation_choices()
        self.roles.choices = role_choices()


class AuditFilterForm(FlaskForm):
    """Filters of the audit log, sent by GET (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), default="")
    actor = SelectField(_l("Who"), default="")
    object_type = SelectField(_l("Object type"), default="")
    date_from = DateField(
        _l("From (date)"),
        validators=[Optional()],
        invalid_value_message=_l("Enter the date as year-month-day, for example 2020-10-06."),
    )
    date_to = DateField(
        _l("To (date)"),
        validators=[Optional()],
        invalid_value_message=_l("Enter the date as year-month-day, for example 2020-10-06."),
    )
    submit = SubmitField(_l("Filter"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))
