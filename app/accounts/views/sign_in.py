"""Signing in and out, a forgotten password, accepting an invitation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.accounts import operations
from app.accounts.auth import start_session, user_by_email, user_for_reset_token
from app.accounts.blueprint import bp
from app.accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SetPasswordForm,
)
from app.accounts.models import Invitation, hash_token
from app.accounts.sso.forms import NO_PROVIDER, OrganisationSignInForm
from app.accounts.sso.models import IdentityProvider
from app.accounts.sso.protocols import logout_for
from app.accounts.sso.respond import SSO_KEY
from app.accounts.sso.routing import (
    any_active_provider,
    continue_to,
    organisation_provider,
    organisation_redirect,
    password_refused_by,
    provider_for_email,
)
from app.extensions import db, limiter
from app.web import log_security
from app.web.redirects import safe_next


def _account_tried() -> str:
    """The rate-limit key of the account a sign-in names (spread over many addresses or not)."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


SIGN_IN_LIMIT = "10 per minute; 50 per hour"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"], key_func=_account_tried)
def login():
    """Sign in: the e-mail first; its domain may name the organisation's own sign-in, else the password."""
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    wants_organisation = bool(request.form.get("organisation"))
    if request.method == "POST" and (wants_organisation or not request.form.get("password")):
        # The e-mail alone: the organisation's sign-in if its domain has one.
        asked = OrganisationSignInForm()
        if asked.validate_on_submit():
            provider = provider_for_email(asked.email.data)
            if provider is not None:
                return organisation_redirect(provider, next_url)
            if wants_organisation:
                form.email.errors = [str(NO_PROVIDER)]
                return _login_page(form, next_url), 400
        elif wants_organisation:
            form.email.errors = list(asked.email.errors)
            return _login_page(form, next_url), 400
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is None or not user.active or not user.check_password(form.password.data):
            log_security("sign-in-failed", email=form.email.data)
            reason = "unknown_account" if user is None else ("closed" if not user.active else "password")
            operations.refuse_sign_in(user, reason, form.email.data)
            db.session.commit()
            flash(_("Wrong e-mail or password."), "error")
            return _login_page(form, next_url), 200
        provider = password_refused_by(user)
        if provider is not None:
            log_security("password-sign-in-refused", user=user.id)
            operations.refuse_sign_in(user, "passwords_turned_off", provider_id=provider.id)
            db.session.commit()
            return _login_page(form, next_url, refused_by=provider), 403
        start_session(user)
        db.session.commit()
        return redirect(next_url or url_for("documents.index"))
    return _login_page(form, next_url)


def _login_page(form: LoginForm, next_url: str | None, refused_by: IdentityProvider | None = None) -> str:
    return render_template(
        "accounts/login.html",
        form=form,
        next_url=next_url,
        refused_by=refused_by,
        has_providers=any_active_provider(),
    )


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out, ending the session on the server, and at the organisation's provider where it can."""
    sso = session.get(SSO_KEY) or {}
    operations.sign_out(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    provider_logout = _provider_logout(sso)
    if provider_logout is not None:
        return provider_logout
    return redirect(url_for("documents.index"))


def _provider_logout(sso: dict):
    """On to the provider's own sign-out, if the sign-in came through one that has it."""
    provider_id = sso.get("provider_id")
    provider = db.session.get(IdentityProvider, provider_id) if isinstance(provider_id, int) else None
    logout = logout_for(provider.kind) if provider is not None else None
    if logout is None:
        return None
    response = logout(provider, sso)
    db.session.commit()
    if response is None:
        return None
    response = make_response(response)
    if response.status_code in (301, 302, 303, 307, 308) and response.location:
        # This answers a form: a redirect off the site would be refused (see continue_to).
        return continue_to(
            response.location,
            _("Signing you out of %(service)s", service=provider.name),
            _("Continue to %(service)s", service=provider.name),
        )
    return response


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def forgot_password():
    """Ask for a link to choose a new password; the answer never says whether the address is known."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # No link for someone whose organisation signs in elsewhere; the answer is the same.
        if password_refused_by(user_by_email(form.email.data)) is None:
            operations.request_password_reset(form.email.data)
        db.session.commit()
        log_security("password-reset-requested", email=form.email.data)
        return render_template("accounts/forgot_sent.html", email=form.email.data.strip())
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    """Choose a new password through a link from the mail; it works once, for an hour."""
    user, state = user_for_reset_token(token)
    if user is None:
        return render_template("accounts/reset_invalid.html", state=state), 410
    provider = password_refused_by(user)
    if provider is not None:
        return render_template("accounts/reset_invalid.html", state="organisation", provider=provider), 403
    form = ResetPasswordForm()
    if form.validate_on_submit():
        operations.reset_password(user, form.password.data)
        start_session(user)
        db.session.commit()
        flash(_("Your new password is saved. You are signed out everywhere else."), "success")
        return redirect(url_for("documents.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/reset.html", form=form, user=user), status


def _load_invitation(token: str) -> Invitation:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Accept an invitation by choosing a password."""
    invitation = _load_invitation(token)
    state = invitation.state()
    if state != "valid":
        return render_template("accounts/invitation_invalid.html", state=state), 410
    if current_user.is_authenticated:
        flash(_("Sign out first to accept an invitation for another account."), "error")
        return redirect(url_for("documents.index"))
    # An organisation that signs in through its own provider: no password to choose; the first
    # sign-in there creates the account with the invitation's roles (identities.finish).
    provider = organisation_provider(invitation.organisation_id)
    if provider is not None:
        return render_template(
            "accounts/accept.html", form=None, invitation=invitation, provider=provider, token=token
        )
    form = SetPasswordForm()
    if form.validate_on_submit():
        if user_by_email(invitation.email) is not None:
            return render_template("accounts/invitation_invalid.html", state="used"), 410
        user = operations.accept_invitation(invitation, form.password.data)
        start_session(user)
        db.session.commit()
        flash(_("Welcome to Remiss, %(name)s.", name=user.name), "success")
        return redirect(url_for("documents.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/accept.html", form=form, invitation=invitation), status
