"""What the mail outbox does when accounts announce something (see app.signals).

Accounts sit below notifications and never import them: a forgotten member's mail stops, and a
password reset link is queued and checked here. Connected on import, once, at start-up;
receivers run in the sender's transaction.
"""

from __future__ import annotations

from app.accounts.models import User
from app.notifications import operations, password_reset
from app.signals import password_reset_opened, password_reset_requested, user_forgotten


@user_forgotten.connect
def _stop_mail(user: User) -> None:
    operations.forget_user(user)


@password_reset_requested.connect
def _queue_reset_link(email: str) -> User | None:
    notification = password_reset.queue_reset(email)
    return notification.user if notification is not None else None


@password_reset_opened.connect
def _check_reset_link(token: str) -> tuple[User | None, str]:
    return password_reset.user_for_token(token)
