"""STAND-IN written on branch s26-oidc: confirming the link of an existing account after a first
sign-in through a provider. Branch s26-core owns the real page (same endpoint name,
accounts.sso_confirm_link); drop this module when it lands."""

from __future__ import annotations

from flask import abort, render_template, request, session

from app.accounts.blueprint import bp
from app.accounts.models import User
from app.accounts.sso import identities
from app.accounts.sso.models import SignInState
from app.accounts.sso.respond import respond
from app.extensions import db


@bp.route("/sso/link", methods=["GET", "POST"])
def sso_confirm_link():
    value = session.get("sso_link", "")
    if request.method == "POST":
        extras = session.pop("sso_link_extras", {})
        session.pop("sso_link", None)
        return respond(identities.confirm_link(value), extras)
    row = db.session.scalar(db.select(SignInState).where(SignInState.state == value)) if value else None
    if row is None or row.link_user_id is None:
        abort(404)
    return render_template("accounts/sso_confirm_link.html", user=db.session.get(User, row.link_user_id))
