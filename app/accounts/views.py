"""Sign-in, password reset, invitations and user administration (the profile page is app.pages.profile)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import operations
from app.accounts.auth import role_required, user_by_email, user_for_reset_token
from app.accounts.blueprint import bp
from app.accounts.forms import (
    ForgotPasswordForm,
    InvitationForm,
    LoginForm,
    OrganisationForm,
    ResetPasswordForm,
    SetPasswordForm,
    UserForm,
)
from app.accounts.models import Invitation, Organisation, Role, User, hash_token
from app.extensions import db, limiter
from app.mail import send_invitation
from app.web import log_security
from app.web.forms import ConfirmForm
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
    logout_user()
    session.clear()
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


# ---- administration -------------------------------------------------------------------------


@bp.route("/admin/users")
@role_required(Role.ADMIN)
def admin_users():
    """Every user, with organisation and roles."""
    users = db.session.scalars(sa.select(User).order_by(User.name)).all()
    invitations = db.session.scalars(
        sa.select(Invitation).where(Invitation.used_at.is_(None)).order_by(Invitation.created_at.desc())
    ).all()
    return render_template("accounts/admin_users.html", users=users, invitations=invitations)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_user(user_id: int):
    """Change one user's roles, organisation or active flag."""
    user = db.get_or_404(User, user_id)
    form = UserForm(
        obj=None,
        data=None
        if request.method == "POST"
        else {
            "organisation": str(user.organisation_id),
            "roles": sorted(r.value for r in user.roles),
            "active": user.active,
            "may_answer": user.may_answer,
        },
    )
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, int(form.organisation.data))
        roles = {Role(v) for v in form.roles.data}
        if user.id == current_user.id and (Role.ADMIN not in roles or not form.active.data):
            form.roles.errors = [_("You cannot remove your own administrator role or deactivate yourself.")]
        else:
            operations.update_user(
                user,
                organisation=organisation,
                roles=roles,
                active=form.active.data,
                actor=current_user,
                may_answer=form.may_answer.data,
            )
            if form.pseudonymise.data:
                operations.pseudonymise_user(user, current_user)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.admin_users"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/admin_user.html", form=form, user=user), status


@bp.route("/admin/organisations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_organisations():
    """List organisations and add new ones."""
    form = OrganisationForm()
    if form.validate_on_submit():
        operations.create_organisation(form.name.data, current_user)
        db.session.commit()
        flash(_("Organisation added."), "success")
        return redirect(url_for("accounts.admin_organisations"))
    rows = db.session.execute(
        sa.select(Organisation, sa.func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/admin_organisations.html", form=form, rows=rows), status


@bp.route("/admin/invitations/<int:invitation_id>/renew", methods=["POST"])
@role_required(Role.ADMIN)
def admin_renew_invitation(invitation_id: int):
    """Send an expired invitation again, with a new link (the old one stays dead)."""
    invitation = db.get_or_404(Invitation, invitation_id)
    if invitation.state() != "expired" or not ConfirmForm().validate_on_submit():
        flash(_("Only an expired, unused invitation can be sent again."), "error")
        return redirect(url_for("accounts.admin_users"))
    token = operations.renew_invitation(invitation, current_user)
    db.session.commit()
    link = url_for("accounts.accept_invitation", token=token, _external=True)
    mailed = send_invitation(invitation, link)
    return render_template(
        "accounts/invitation_created.html", invitation=invitation, link=link, mailed=mailed
    )


@bp.route("/admin/invitations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_invite():
    """Invite a person; the link is shown once to copy and e-mailed if SMTP is set."""
    form = InvitationForm()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, int(form.organisation.data))
        invitation, token = operations.invite(
            email=form.email.data,
            name=form.name.data,
            organisation=organisation,
            roles={Role(v) for v in form.roles.data},
            actor=current_user,
        )
        db.session.commit()
        link = url_for("accounts.accept_invitation", token=token, _external=True)
        mailed = send_invitation(invitation, link)
        return render_template(
            "accounts/invitation_created.html", invitation=invitation, link=link, mailed=mailed
        )
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/admin_invite.html", form=form), status
