"""The profile page, composed of the sections the features own: language and password
(accounts), e-mail settings (notifications), API tokens (api); and the personal-data download.

Every route that shows the page, also with a section's form sent back with errors, is here and
registers on the blueprint of the feature it acts for, so URLs and endpoint names stay.
"""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from app.accounts import operations as accounts
from app.accounts.blueprint import bp as accounts_bp
from app.accounts.forms import ChangePasswordForm, LanguageForm
from app.accounts.sso.routing import password_refused_by
from app.api.blueprint import pages_bp as api_pages_bp
from app.api.forms import TokenForm
from app.api.tokens import create_token, tokens_of
from app.extensions import db
from app.notifications import operations as notifications
from app.notifications.blueprint import bp as notifications_bp
from app.notifications.forms import PreferencesForm
from app.pages.personal_data import personal_data
from app.web.downloads import send_download
from app.web.forms import ConfirmForm


def profile_page(
    *,
    language_form: LanguageForm | None = None,
    password_form: ChangePasswordForm | None = None,
    preferences_form: PreferencesForm | None = None,
    token_form: TokenForm | None = None,
) -> str:
    """The signed-in user's profile; a section given its form shows that form (with its errors)."""
    if language_form is None:
        language_form = LanguageForm(language=current_user.language or "sv")
    if preferences_form is None:
        preferences_form = PreferencesForm.for_preferences(notifications.preferences_of(current_user))
    return render_template(
        "accounts/profile.html",
        # Signing in through the organisation's provider only: no password to change here.
        sso_provider=password_refused_by(current_user),
        language_form=language_form,
        password_form=password_form if password_form is not None else ChangePasswordForm(),
        preferences_form=preferences_form,
        api_tokens=tokens_of(current_user),
        token_form=token_form if token_form is not None else TokenForm(formdata=None),
        revoke_form=ConfirmForm(),
    )


@accounts_bp.route("/profile", methods=["GET"])
@login_required
def profile():
    """The signed-in user's own settings."""
    return profile_page()


@accounts_bp.route("/profile/data", methods=["GET"])
@login_required
def profile_data():
    """Download everything the service holds about oneself, as JSON."""
    data = personal_data(current_user._get_current_object())
    body = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return send_download(body, f"remiss-personal-data-{current_user.id}.json", "application/json")


@accounts_bp.route("/profile/language", methods=["POST"])
@login_required
def profile_language():
    """Save the interface language of one's account."""
    form = LanguageForm()
    if form.validate_on_submit():
        current_user.language = form.language.data
        db.session.commit()
        session["language"] = form.language.data
        flash(_("Language saved."), "success")
        return redirect(url_for("accounts.profile"))
    return profile_page(language_form=form), 400


@accounts_bp.route("/profile/password", methods=["POST"])
@login_required
def profile_password():
    """Change one's password; other sessions end."""
    form = ChangePasswordForm()
    provider = password_refused_by(current_user)
    if provider is not None:
        flash(
            _(
                "%(organisation)s signs in through %(service)s: there is no Remiss password to change.",
                organisation=current_user.organisation.name,
                service=provider.name,
            ),
            "error",
        )
        return redirect(url_for("accounts.profile"), code=303)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        accounts.change_password(user, form.password.data)
        db.session.commit()
        # This browser keeps working under the new session token.
        login_user(user)
        flash(_("Password changed. You are signed out everywhere else."), "success")
        return redirect(url_for("accounts.profile"))
    return profile_page(password_form=form), 400


@notifications_bp.route("/profile/notifications", methods=["POST"])
@login_required
def preferences():
    """Save how often each kind of e-mail comes."""
    form = PreferencesForm()
    if not form.validate_on_submit():
        return profile_page(preferences_form=form), 400
    notifications.set_preferences(current_user, form.choices())
    db.session.commit()
    flash(_("Your e-mail settings have been saved."), "success")
    return redirect(url_for("accounts.profile") + "#notifications-heading")


@api_pages_bp.route("/profile/tokens", methods=["POST"])
@login_required
def create():
    """Make a personal API token and show it, once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return profile_page(token_form=form), 400
    token, secret = create_token(current_user, form.name.data)
    db.session.commit()
    return render_template("api/token_created.html", token=token, secret=secret)
