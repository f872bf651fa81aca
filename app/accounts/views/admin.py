"""User administration: users, organisations and invitations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import operations
from app.accounts.auth import role_required
from app.accounts.blueprint import bp
from app.accounts.forms import InvitationForm, OrganisationForm, UserForm
from app.accounts.models import Invitation, Organisation, Role, User
from app.extensions import db
from app.mail import send_invitation
from app.web.forms import ConfirmForm


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
