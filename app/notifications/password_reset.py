"""Forgotten passwords: a single-use link, valid for an hour, sent through the mail outbox.

Accounts asks for a link and checks one through signals (app.signals.password_reset_requested,
password_reset_opened; the receivers are in app.notifications.receivers): the link is an outbox
row, and accounts sits below the outbox.

Asking costs one query whatever the address, and the answer is the same; only for an account
that may have a link is an outbox row (kind PASSWORD_RESET) then written, and sent by cron.
The link's secret is never stored: it is an HMAC, under the app's secret key, of the outbox
row and of the user's current password hash. Setting a password changes the hash, so every
link sent before stops working: the link is single-use without a token table, and an old
link cannot undo a newer password.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from app import mail
from app.accounts.models import User
from app.database import utcnow
from app.extensions import db
from app.i18n import mail_datetime
from app.notifications.models import Frequency, Notification, NotificationKind, OutboxState

VALID_FOR = timedelta(hours=1)
# However often it is asked for, at most this many links per address are queued in VALID_FOR.
MAX_PENDING = 3


def _signature(notification: Notification, user: User) -> str:
    message = "|".join(
        (
            "password-reset",
            str(notification.id),
            str(user.id),
            notification.created_at.isoformat(),
            user.password_hash or "",
        )
    )
    key = current_app.secret_key.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:40]


def reset_token(notification: Notification) -> str:
    """The secret part of the link for *notification* (made when the message is sent)."""
    return f"{notification.id}-{_signature(notification, notification.user)}"


def expires_at(notification: Notification) -> datetime:
    """When the link in *notification* stops working."""
    return notification.created_at + VALID_FOR


def user_for_token(token: str, now: datetime | None = None) -> tuple[User | None, str]:
    """(user, 'valid') for a good link; (None, 'invalid' | 'expired') otherwise.

    A used link is 'invalid' like a forged one: the password it was made for has changed.
    """
    number, _dash, signature = token.partition("-")
    if not number.isdigit() or not signature:
        return None, "invalid"
    notification = db.session.get(Notification, int(number))
    if notification is None or notification.kind is not NotificationKind.PASSWORD_RESET:
        return None, "invalid"
    user = notification.user
    if not hmac.compare_digest(signature, _signature(notification, user)):
        return None, "invalid"
    if not user.active or user.pseudonymised:
        return None, "invalid"
    if (now or utcnow()) >= expires_at(notification):
        return None, "expired"
    return user, "valid"


def _candidate_statement() -> sa.Select:
    """The account of an address that may get a link, with its links of the last hour: one query."""
    recent = (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == User.id,
            Notification.kind == NotificationKind.PASSWORD_RESET,
            Notification.created_at > sa.bindparam("since"),
        )
        .scalar_subquery()
    )
    return sa.select(User.id, recent).where(
        User.email == sa.bindparam("email"), User.active.is_(True), User.pseudonymised.is_(False)
    )


def queue_reset(email: str) -> Notification | None:
    """Put a reset message for the account of *email* in the outbox, if there is one.

    Known and unknown addresses cost the same single query; only a message actually queued
    writes (and at most MAX_PENDING an hour per address are).
    """
    now = utcnow()
    row = db.session.execute(
        _candidate_statement(), {"email": email.strip().lower(), "since": now - VALID_FOR}
    ).first()
    if row is None or row[1] >= MAX_PENDING:
        return None
    notification = Notification(
        user_id=row[0],
        kind=NotificationKind.PASSWORD_RESET,
        delivery=Frequency.IMMEDIATE,
        document_id=None,
        state=OutboxState.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(notification)
    db.session.flush()
    return notification


def still_worth_sending(notification: Notification, now: datetime) -> bool:
    """A link that has expired, or whose account is closed, is not sent any more."""
    user = notification.user
    if not user.active or user.pseudonymised or not user.email:
        return False
    return now < expires_at(notification)


def reset_message(notification: Notification):
    """The e-mail with the link, in the current language (the sender sets the recipient's)."""
    user = notification.user
    link = url_for("accounts.reset_password", token=reset_token(notification), _external=True)
    body = render_template(
        "mail/password_reset.txt",
        user=user,
        link=link,
        until=mail_datetime(expires_at(notification)),
    )
    return mail.build(
        user.email, _("Choose a new password for Remiss"), body, {"Auto-Submitted": "auto-generated"}
    )
