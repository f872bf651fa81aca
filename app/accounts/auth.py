"""Flask-Login wiring and the role checks used by views."""

from __future__ import annotations

import functools

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, abort, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from app.accounts.models import Role, User
from app.accounts.operations import note_sign_in
from app.extensions import db, login_manager
from app.signals import password_reset_opened


def init_login(app: Flask) -> None:
    """Configure Flask-Login for this app."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@functools.cache
def _user_statement() -> sa.Select:
    """Every signed-in request runs this: built once, with the roles joined (one query, not two)."""
    return (
        sa.select(User)
        .where(User.id == sa.bindparam("id"))
        .options(so.joinedload(User.role_rows), so.undefer(User.inbox_unread))
    )


@login_manager.user_loader
def load_user(identifier: str) -> User | None:
    """Load the user named in the session, if their session token still matches."""
    user_id, _, token = identifier.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.execute(_user_statement(), {"id": int(user_id)}).unique().scalar_one_or_none()
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def role_required(*roles: Role):
    """Allow the view only to signed-in users holding one of *roles*."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.roles & set(roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def user_by_email(email: str) -> User | None:
    """Find a user by e-mail, case-insensitively."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def user_for_reset_token(token: str) -> tuple[User | None, str]:
    """(user, "valid") for a good password reset link; (None, "invalid" | "expired") otherwise.

    The link is a message of the mail outbox, which sits above accounts: it answers the signal.
    """
    for _receiver, answer in password_reset_opened.send(token):
        return answer
    return None, "invalid"


def start_session(user: User) -> None:
    """Begin a fresh session for *user* (no fixation: old session data goes, the language stays).

    Every way of signing in (password, invitation, reset link, an organisation's provider) ends here.
    """
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    login_user(user)
    session.permanent = True
    note_sign_in(user)
