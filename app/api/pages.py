"""The API's pages for people: the documentation page and the profile's token routes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api import openapi
from app.api.forms import TokenForm
from app.api.models import ApiToken
from app.api.openapi import MAX_ID
from app.api.tokens import create_token, revoke_token, tokens_of
from app.extensions import db
from app.web.forms import ConfirmForm

bp = Blueprint("api_pages", __name__)


def token_section(form: TokenForm | None = None) -> dict:
    """What the profile page's token section needs (the accounts views pass it on)."""
    return {
        "api_tokens": tokens_of(current_user),
        "token_form": form or TokenForm(formdata=None),
        "revoke_form": ConfirmForm(),
    }


@bp.route("/api")
def docs():
    """The API described for people: every operation, its parameters and answers."""
    return render_template(
        "api/docs.html",
        operations=openapi.operations(),
        base=request.url_root.rstrip("/") + "/api/v1",
    )


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create():
    """Make a personal API token and show it, once."""
    form = TokenForm()
    if not form.validate_on_submit():
        from app.accounts.forms import ChangePasswordForm, LanguageForm

        return render_template(
            "accounts/profile.html",
            language_form=LanguageForm(language=current_user.language or "sv"),
            password_form=ChangePasswordForm(),
            **token_section(form),
        ), 400
    token, secret = create_token(current_user, form.name.data)
    db.session.commit()
    return render_template("api/token_created.html", token=token, secret=secret)


@bp.route(f"/profile/tokens/<int(max={MAX_ID}):token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    """Revoke one of one's own tokens; programs using it get 401 from then on."""
    token = db.session.get(ApiToken, token_id)
    # Someone else's token is as unknown as a missing one: tokens are private.
    if token is None or not token.can_revoke(current_user):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if revoke_token(token, current_user):
        db.session.commit()
        flash(_("The token “%(name)s” has been revoked.", name=token.name), "success")
    return redirect(url_for("accounts.profile") + "#api-tokens-heading")
