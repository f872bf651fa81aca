"""Notification preferences, followed documents, and the outbox of messages to send."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, enum_type, utcnow
from app.extensions import db


class NotificationKind(enum.Enum):
    """What a message is about; each user chooses a frequency per kind."""

    REPLY = "reply"
    DECISION = "decision"
    NEW_VERSION = "new_version"
    DEADLINE = "deadline"
    # An organisation's formal response (remissvar) is due and not yet submitted (issue 17):
    # its own kind, so that turning off comment deadlines does not silently stop these.
    RESPONSE_DUE = "response_due"
    # A link to choose a new password: asked for by the person, never subject to preferences.
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a kind of message, not a secret)
    # Someone @mentioned the person in a comment or a reply (issue 27).
    MENTION = "mention"


# The kinds a user chooses a frequency for (and can unsubscribe from).
PREFERENCE_KINDS = (
    NotificationKind.REPLY,
    NotificationKind.DECISION,
    NotificationKind.NEW_VERSION,
    NotificationKind.DEADLINE,
    NotificationKind.RESPONSE_DUE,
    NotificationKind.MENTION,
)


class Frequency(enum.Enum):
    """How a user wants one kind of message: at once, in the daily digest, or not at all."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"


# Replies and decisions concern one's own comments, so they come at once; comment deadlines can
# wait. A response reminder also comes at once: it goes to the person who answers for the
# organisation, and asks them to act before a date.
DEFAULT_FREQUENCIES = {
    NotificationKind.REPLY: Frequency.IMMEDIATE,
    NotificationKind.DECISION: Frequency.IMMEDIATE,
    NotificationKind.NEW_VERSION: Frequency.IMMEDIATE,
    NotificationKind.DEADLINE: Frequency.DIGEST,
    NotificationKind.RESPONSE_DUE: Frequency.IMMEDIATE,
    # Someone asks for the person by name: at once, like a reply.
    NotificationKind.MENTION: Frequency.IMMEDIATE,
}


class OutboxState(enum.Enum):
    """Where a queued message stands."""

    PENDING = "pending"
    SENT = "sent"
    # Not sent on purpose: unsubscribed since, account closed, or no longer true.
    SKIPPED = "skipped"
    # Given up after the last retry.
    FAILED = "failed"


class NotificationPreference(db.Model):
    """One user's chosen frequency for one kind; a missing row means the default."""

    __tablename__ = "notification_preference"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    kind: so.Mapped[NotificationKind] = so.mapped_column(
        enum_type(NotificationKind, "notification_kind"), primary_key=True
    )
    frequency: so.Mapped[Frequency] = so.mapped_column(enum_type(Frequency, "notification_frequency"))


class Follow(db.Model):
    """A user hears about new versions and deadlines of a document they follow."""

    __tablename__ = "document_follow"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id"), primary_key=True, index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class Notification(db.Model):
    """One message owed to one user, written in the same transaction as the event that caused it.

    Delivery (app.notifications.delivery) happens outside the request; the text is rendered
    then, in the recipient's language, from the objects referred to here.
    """

    __tablename__ = "notification"
    __table_args__ = (
        # A reminder is sent once per version and user, however often the sender runs.
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notification_user_dedupe"),
        sa.Index("ix_notification_due", "state", "delivery", "next_attempt_at"),
        # Who was reminded under a key: each reminder run and the editors' responses table ask,
        # and the outbox keeps every message ever sent (migration b1a0c0de0022).
        sa.Index("ix_notification_dedupe_key", "dedupe_key"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    kind: so.Mapped[NotificationKind] = so.mapped_column(enum_type(NotificationKind, "notification_kind"))
    delivery: so.Mapped[Frequency] = so.mapped_column(enum_type(Frequency, "notification_frequency"))
    # None only for messages about the account itself (a password reset link).
    document_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("document.id"))
    version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    comment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("comment.id"))
    dedupe_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    state: so.Mapped[OutboxState] = so.mapped_column(
        enum_type(OutboxState, "outbox_state"), default=OutboxState.PENDING
    )
    attempts: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Set by the sender that claimed the row, so two overlapping cron runs never send it twice.
    lease: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship()  # noqa: F821
    document: so.Mapped[Document | None] = so.relationship()  # noqa: F821
    version: so.Mapped[Version | None] = so.relationship()  # noqa: F821
    comment: so.Mapped[Comment | None] = so.relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Notification {self.kind.value} to {self.user_id} {self.state.value}>"


class InboxKind(enum.Enum):
    """What an inbox item is about (issue 27)."""

    MENTION = "mention"
    REPLY = "reply"
    DECISION = "decision"
    NEW_VERSION = "new_version"
    RESPONSE_DUE = "response_due"


class InboxItem(db.Model):
    """One thing that happened for one person, shown in their inbox (/inbox) whatever their e-mail
    settings: written in the same transaction as the event, by the receivers of its signal
    (app.notifications.inbox). Only ids: what it says is read when it is shown, as the viewer may
    see it then (a comment hidden since, or a document no longer readable, shows no content).
    """

    __tablename__ = "inbox_item"
    __table_args__ = (
        # The inbox, newest first, one page at a time.
        sa.Index("ix_inbox_item_user_created", "user_id", "created_at", "id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    kind: so.Mapped[InboxKind] = so.mapped_column(enum_type(InboxKind, "inbox_kind"))
    document_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("document.id"))
    version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    comment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("comment.id"))
    # Who did it (the replier, the deciding editor, the publisher, the one who mentioned); None for
    # reminders, which nobody sends.
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    document: so.Mapped[Document | None] = so.relationship()  # noqa: F821
    version: so.Mapped[Version | None] = so.relationship()  # noqa: F821
    comment: so.Mapped[Comment | None] = so.relationship()  # noqa: F821
    actor: so.Mapped[User | None] = so.relationship(foreign_keys=[actor_id])  # noqa: F821

    def __repr__(self) -> str:
        return f"<InboxItem {self.kind.value} for {self.user_id}>"
