"""The API's pages for people: the documentation page and revoking a token (making one is on
the profile page, app.pages.profile)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.api import openapi
from app.api.blueprint import pages_bp as bp
from app.api.models import ApiToken
from app.api.openapi import MAX_ID
from app.api.tokens import revoke_token
from app.extensions import db
from app.web.forms import ConfirmForm


@bp.route("/api")
def docs():
    """The API described for people: every operation, its parameters and answers."""
    return render_template(
        "api/docs.html",
        operations=openapi.operations(),
        base=request.url_root.rstrip("/") + "/api/v1",
    )


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
