"""State changes on accounts; each takes the acting user and writes the audit log."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext

from app.accounts.models import Invitation, Organisation, Role, User, hash_token
from app.audit import record
from app.database import utcnow
from app.extensions import db
from app.signals import password_reset_requested, user_forgotten

log = logging.getLogger("remiss.accounts")


def create_organisation(name: str, actor: User | None) -> Organisation:
    """Add an organisation to the network."""
    organisation = Organisation(name=name)
    db.session.add(organisation)
    db.session.flush()
    record(actor, "organisation.create", organisation, name=name)
    return organisation


def create_user(*, email, name, organisation, roles, password=None, actor=None) -> User:
    """Create a user directly (the CLI and the demo data use this)."""
    user = User(email=email.strip().lower(), name=name, organisation=organisation)
    user.set_roles(roles)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, roles=sorted(r.value for r in roles))
    return user


def invite(*, email, name, organisation, roles, actor: User) -> tuple[Invitation, str]:
    """Create a single-use invitation; returns it and the secret for the link."""
    invitation, token = Invitation.create(
        email=email,
        name=name,
        organisation=organisation,
        roles=roles,
        created_by=actor,
        days=current_app.config["INVITATION_DAYS"],
    )
    db.session.add(invitation)
    db.session.flush()
    record(actor, "invitation.create", invitation, roles=invitation.roles)
    return invitation, token


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Turn a valid invitation into an account with *password*; marks it used."""
    user = User(email=invitation.email, name=invitation.name, organisation=invitation.organisation)
    user.set_roles(invitation.role_set)
    user.set_password(password)
    db.session.add(user)
    invitation.used_at = utcnow()
    db.session.flush()
    invitation.user_id = user.id
    record(user, "invitation.accept", invitation)
    return user


def update_user(
    user: User, *, organisation, roles: set[Role], active: bool, actor: User, may_answer: bool | None = None
) -> None:
    """Change a user's organisation, roles, active flag and right to answer, recording before and after."""
    before = {
        "roles": sorted(r.value for r in user.roles),
        "active": user.active,
        "organisation": user.organisation_id,
        "may_answer": user.may_answer,
    }
    if may_answer is not None:
        user.may_answer = may_answer
    user.organisation = organisation
    user.set_roles(roles)
    if user.active and not active:
        user.rotate_session()
    user.active = active
    after = {
        "roles": sorted(r.value for r in roles),
        "active": active,
        "organisation": organisation.id,
        "may_answer": user.may_answer,
    }
    if before != after:
        record(actor, "user.update", user, before=before, after=after)


def pseudonymise_user(user: User, actor: User) -> None:
    """Replace a deactivated person's name and e-mail for good; their comments stay as records.

    The comments keep their organisation, so the record still shows who submitted them as a body.
    """
    if user.pseudonymised:
        return
    old_email = user.email
    # Stored once, in the default language: the name is part of records read in Swedish.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        name = gettext("Former user %(n)d", n=user.id)
    user.name = name
    # .invalid never resolves (RFC 2606): nothing can be mailed to it, and it stays unique.
    user.email = f"former-user-{user.id}@pseudonymised.invalid"
    user.password_hash = None
    user.language = None
    user.active = False
    user.pseudonymised = True
    user.rotate_session()
    for invitation in db.session.scalars(
        sa.select(Invitation).where(sa.or_(Invitation.user_id == user.id, Invitation.email == old_email))
    ):
        invitation.name = name
        invitation.email = user.email
    # Nothing is mailed to a former user: their follows, settings and queued messages go.
    user_forgotten.send(user)
    # Neither the old name nor the old address goes into the log: that would undo the point.
    record(actor, "user.pseudonymise", user, before={"pseudonymised": False}, after={"pseudonymised": True})
    db.session.flush()


def change_password(user: User, password: str) -> None:
    """Set a new password and end every other session of this user."""
    user.set_password(password)
    user.rotate_session()
    record(user, "user.password", user)


def request_password_reset(email: str) -> None:
    """Queue a link to choose a new password for the account of *email*, if any (sent within a minute)."""
    for _receiver, user in password_reset_requested.send(email):
        if user is not None:
            record(None, "user.password_reset_requested", user)


def reset_password(user: User, password: str) -> None:
    """Set a password chosen through a reset link; every session of the user ends, the link dies."""
    user.set_password(password)
    user.rotate_session()
    record(user, "user.password_reset", user)


def renew_invitation(invitation: Invitation, actor: User) -> str:
    """Give an expired, unused invitation a new link and a new validity; returns the secret."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"])
    invitation.created_by = actor
    db.session.flush()
    record(actor, "invitation.renew", invitation)
    return token


def sign_out(user: User) -> None:
    """End the user's sessions on the server, not just in this browser."""
    user.rotate_session()


def refuse_sign_in(user: User | None, reason: str, email: str = "", **data) -> None:
    """Audit a refused password sign-in: the account it named (if any) and why, never the password.

    For an address without an account only its domain is kept: what was typed in the e-mail field
    may be anything (a password typed in the wrong field, say), and the log cannot be changed.
    """
    if user is None:
        data["email_domain"] = email.strip().lower().rpartition("@")[2][:253]
    record(None, "user.sign_in_refused", user, reason=reason, **data)


def note_sign_in(user: User) -> None:
    """Record a successful sign-in."""
    user.last_login_at = utcnow()
