"""STAND-IN written on branch s26-saml so its tests can link an account: s26-core owns the
real confirm-link page. The lead drops this file at merge (keep s26-core's endpoint name)."""

from __future__ import annotations

from flask import render_template, request, session
from flask_wtf import FlaskForm

from app.accounts.blueprint import bp
from app.accounts.sso import identities
from app.accounts.sso.respond import respond
from app.extensions import db


@bp.route("/sso/confirm-link", methods=["GET", "POST"])
def sso_confirm_link():
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        result = identities.confirm_link(session.pop("sso_link", ""))
        extras = session.pop("sso_link_extras", {})
        response = respond(result, extras)
        db.session.commit()
        return response
    return render_template("accounts/sso/confirm_stub.html", form=form)


@bp.route("/sso/start/<int:provider_id>")
def sso_start(provider_id: int):
    """Stand-in for s26-core's sign-in routing: straight to a provider's start function."""
    from flask import abort

    from app.accounts.sso.models import IdentityProvider
    from app.accounts.sso.protocols import start_for
    from app.web.redirects import safe_next

    provider = db.session.get(IdentityProvider, provider_id)
    if provider is None or not provider.active or start_for(provider.kind) is None:
        abort(404)
    return start_for(provider.kind)(provider, safe_next(request.args.get("next")) or "")


@bp.route("/sso/sign-out", methods=["POST"])
def sso_sign_out():
    """Stand-in for s26-core's sign-out dispatch: end the Remiss session, then the provider's."""
    from flask import redirect, session, url_for
    from flask_login import current_user, logout_user

    from app.accounts import operations
    from app.accounts.sso.models import IdentityProvider
    from app.accounts.sso.protocols import logout_for

    form = FlaskForm()
    if not form.validate_on_submit():
        return redirect(url_for("documents.index"))
    kept = session.get("sso") or {}
    if current_user.is_authenticated:
        operations.sign_out(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    provider = db.session.get(IdentityProvider, kept.get("provider_id") or 0)
    if provider is not None and logout_for(provider.kind) is not None:
        answer = logout_for(provider.kind)(provider, kept)
        if answer is not None:
            return answer
    return redirect(url_for("documents.index"))
