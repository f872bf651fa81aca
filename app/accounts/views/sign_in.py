"""Signing in and out, a forgotten password, accepting an invitation."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import operations
from app.accounts.auth import user_by_email, user_for_reset_token
from app.accounts.blueprint import bp
from app.accounts.forms import (
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SetPasswordForm,
)
from app.accounts.models import Invitation, User, hash_token
from app.accounts.sso import protocols
from app.accounts.sso.models import IdentityProvider
from app.extensions import db, limiter
from app.web import log_security
from app.web.redirects import safe_next


def start_session(user: User) -> None:
    """Begin a fresh session for *user* (no fixation: old session data goes)."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    login_user(user)
    session.permanent = True
    operations.note_sign_in(user)


def _account_tried() -> str:
    """The rate-limit key of the account a sign-in names (spread over many addresses or not)."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


SIGN_IN_LIMIT = "10 per minute; 50 per hour"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"], key_func=_account_tried)
def login():
    """Sign in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = user_by_email(form.email.data)
        if user is None or not user.active or not user.check_password(form.password.data):
            log_security("sign-in-failed", email=form.email.data)
            flash(_("Wrong e-mail or password."), "error")
            return render_template("accounts/login.html", form=form), 200
        start_session(user)
        db.session.commit()
        return redirect(safe_next(request.args.get("next")) or url_for("documents.index"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out, ending the session on the server as well."""
    operations.sign_out(current_user)
    db.session.commit()
    sso = session.get("sso") or {}
    logout_user()
    session.clear()
    # Signed in through a provider: end its session too, where it offers that (issue 26).
    # Minimal dispatch from branch s26-oidc; s26-core's sign-out dispatch replaces it.
    provider = db.session.get(IdentityProvider, sso["provider_id"]) if sso.get("provider_id") else None
    provider_logout = protocols.logout_for(provider.kind) if provider is not None else None
    if provider_logout is not None and (response := provider_logout(provider, sso)) is not None:
        return response
    flash(_("You have signed out."), "info")
    return redirect(url_for("documents.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def forgot_password():
    """Ask for a link to choose a new password; the answer never says whether the address is known."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
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
