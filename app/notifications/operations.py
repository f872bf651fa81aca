"""State changes for notifications: preferences, following, and writing messages to the outbox.

The enqueue_* functions are called where the event happens, inside its transaction: they only
add outbox rows (flushed, never committed) and never send, so mail cannot slow or break the
request. app.notifications.delivery sends them later.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.audit import record
from app.database import utcnow
from app.documents.models import Document, Version, VersionState
from app.extensions import db
from app.notifications import inbox
from app.notifications.models import (
    DEFAULT_FREQUENCIES,
    Follow,
    Frequency,
    InboxItem,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxState,
)
from app.notifications.tokens import DIGEST
from app.review.models import Comment

# "A comment deadline two days away".
REMIND_BEFORE = timedelta(days=2)


def preferences_of(user) -> dict[NotificationKind, Frequency]:
    """Every kind with the user's chosen frequency, defaults filled in."""
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.kind, NotificationPreference.frequency).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return {kind: chosen.get(kind, default) for kind, default in DEFAULT_FREQUENCIES.items()}


def _frequencies(user_ids, kind: NotificationKind) -> dict[int, Frequency]:
    """Each user's frequency for *kind*, in one query."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    chosen = dict(
        db.session.execute(
            sa.select(NotificationPreference.user_id, NotificationPreference.frequency).where(
                NotificationPreference.kind == kind, NotificationPreference.user_id.in_(user_ids)
            )
        ).all()
    )
    return {user_id: chosen.get(user_id, DEFAULT_FREQUENCIES[kind]) for user_id in user_ids}


def set_preferences(user, choices: dict[NotificationKind, Frequency]) -> None:
    """Store the user's frequency for each kind in *choices*."""
    rows = {
        row.kind: row
        for row in db.session.scalars(
            sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind, frequency in choices.items():
        if kind in rows:
            rows[kind].frequency = frequency
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, frequency=frequency))
    db.session.flush()


def unsubscribe(user, scope: str) -> list[NotificationKind]:
    """Stop one kind of message (or every kind sent as a digest); returns the kinds stopped."""
    if scope == DIGEST:
        kinds = [kind for kind, frequency in preferences_of(user).items() if frequency is Frequency.DIGEST]
    else:
        kinds = [NotificationKind(scope)]
    set_preferences(user, dict.fromkeys(kinds, Frequency.NONE))
    return kinds


def _insert_ignoring_duplicates(model, rows: list[dict]) -> None:
    """Insert *rows*, skipping any that would break a unique constraint (a concurrent insert won)."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(model).values(rows).on_conflict_do_nothing())


def is_following(user, document: Document) -> bool:
    """Whether *user* follows *document*."""
    if user is None or not user.is_authenticated:
        return False
    return db.session.get(Follow, (user.id, document.id)) is not None


def follow_document(user, document: Document) -> None:
    """Follow a document: hear about its new versions and deadlines (idempotent)."""
    # INSERT … ON CONFLICT DO NOTHING: two comments at once must not fail on a duplicate follow.
    dialect = db.session.get_bind().dialect.name
    db.session.execute(
        _follow_statement(dialect), {"user_id": user.id, "document_id": document.id, "created_at": utcnow()}
    )


@functools.cache
def _follow_statement(dialect: str):
    """INSERT a follow unless it exists; built once per dialect (every comment runs it)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    columns = ("user_id", "document_id", "created_at")
    return insert(Follow).values({name: sa.bindparam(name) for name in columns}).on_conflict_do_nothing()


def unfollow_document(user, document: Document) -> None:
    """Stop following a document (idempotent)."""
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id, Follow.document_id == document.id))


def _row(user_id: int, kind: NotificationKind, frequency: Frequency, now: datetime, **refs) -> dict:
    return {
        "user_id": user_id,
        "kind": kind,
        "delivery": frequency,
        "state": OutboxState.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        **refs,
    }


def _enqueue_one(user_id: int, kind: NotificationKind, **refs) -> Notification | None:
    frequency = _frequencies([user_id], kind)[user_id]
    if frequency is Frequency.NONE:
        return None
    now = utcnow()
    notification = Notification(**_row(user_id, kind, frequency, now, **refs))
    db.session.add(notification)
    db.session.flush()
    return notification


def enqueue_reply(reply) -> Notification | None:
    """Tell the author of the comment replied to (not when people reply to themselves)."""
    if reply.parent_id is None:
        return None
    parent = db.session.get(Comment, reply.parent_id)
    if parent is None or parent.author_id == reply.author_id:
        return None
    # The reply itself is referred to: if it is hidden before the message goes, none is sent.
    return _enqueue_one(
        parent.author_id, NotificationKind.REPLY, document_id=reply.document_id, comment_id=reply.id
    )


def enqueue_decision(comment) -> Notification | None:
    """Tell a comment's author that an editor decided on it (not an editor deciding their own)."""
    if comment.decided_by_id == comment.author_id:
        return None
    # The message shows the decision as it stands when sent, so one waiting message is enough.
    waiting = db.session.scalar(
        sa.select(Notification.id).where(
            Notification.comment_id == comment.id,
            Notification.kind == NotificationKind.DECISION,
            Notification.state == OutboxState.PENDING,
        )
    )
    if waiting is not None:
        return None
    return _enqueue_one(
        comment.author_id, NotificationKind.DECISION, document_id=comment.document_id, comment_id=comment.id
    )


def enqueue_decisions(comments) -> list[Notification]:
    """:func:`enqueue_decision` for many comments at once (a bulk decision), in a few queries."""
    comments = [c for c in comments if c.decided_by_id != c.author_id]
    if not comments:
        return []
    waiting = set(
        db.session.scalars(
            sa.select(Notification.comment_id).where(
                Notification.comment_id.in_([c.id for c in comments]),
                Notification.kind == NotificationKind.DECISION,
                Notification.state == OutboxState.PENDING,
            )
        )
    )
    comments = [c for c in comments if c.id not in waiting]
    frequencies = _frequencies({c.author_id for c in comments}, NotificationKind.DECISION)
    now = utcnow()
    rows = [
        Notification(
            **_row(
                c.author_id,
                NotificationKind.DECISION,
                frequencies[c.author_id],
                now,
                document_id=c.document_id,
                comment_id=c.id,
            )
        )
        for c in comments
        if frequencies[c.author_id] is not Frequency.NONE
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _followers(document_id: int, kind: NotificationKind, exclude: set[int]) -> list[tuple[int, Frequency]]:
    """Active followers of a document who want *kind*, with their frequency."""
    user_ids = db.session.scalars(
        sa.select(Follow.user_id)
        .join(User, User.id == Follow.user_id)
        .where(Follow.document_id == document_id, User.active.is_(True), User.pseudonymised.is_(False))
    ).all()
    frequencies = _frequencies([u for u in user_ids if u not in exclude], kind)
    return [(u, f) for u, f in frequencies.items() if f is not Frequency.NONE]


def enqueue_new_version(version: Version) -> int:
    """Tell a document's followers (except the publishing editor) about a newly published version."""
    now = utcnow()
    exclude = {version.published_by_id} if version.published_by_id else set()
    rows = [
        _row(
            user_id,
            NotificationKind.NEW_VERSION,
            frequency,
            now,
            document_id=version.document_id,
            version_id=version.id,
            dedupe_key=f"version:{version.id}",
        )
        for user_id, frequency in _followers(version.document_id, NotificationKind.NEW_VERSION, exclude)
    ]
    _insert_ignoring_duplicates(Notification, rows)
    return len(rows)


def enqueue_deadline_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for each follower of each open version whose deadline is two days away or less.

    Idempotent: a (user, version) pair is reminded once, however often this runs.
    """
    now = now or utcnow()
    versions = db.session.scalars(
        sa.select(Version).where(
            Version.state == VersionState.OPEN,
            Version.deadline.is_not(None),
            Version.deadline > now,
            Version.deadline <= now + REMIND_BEFORE,
        )
    ).all()
    queued = 0
    for version in versions:
        key = f"deadline:{version.id}"
        reminded = already_reminded(key)
        pairs = _followers(version.document_id, NotificationKind.DEADLINE, reminded)
        queued += queue_reminders(NotificationKind.DEADLINE, version, key, pairs, now)
    db.session.flush()
    return queued


def already_reminded(key: str) -> set[int]:
    """The users who already have a reminder queued under the dedupe *key*."""
    return set(db.session.scalars(sa.select(Notification.user_id).where(Notification.dedupe_key == key)))


def queue_reminders(kind: NotificationKind, version: Version, key: str, pairs, now: datetime) -> int:
    """Queue a reminder of *kind* about *version* under *key* for each (user id, frequency) pair
    that wants one; a row another run inserted meanwhile is skipped. Returns how many were queued."""
    rows = [
        _row(
            user_id,
            kind,
            frequency,
            now,
            document_id=version.document_id,
            version_id=version.id,
            dedupe_key=key,
        )
        for user_id, frequency in pairs
        if frequency is not Frequency.NONE
    ]
    _insert_ignoring_duplicates(Notification, rows)
    if kind is NotificationKind.RESPONSE_DUE:
        # The inbox shows a response reminder whatever the person's e-mail setting (issue 27).
        inbox.add_reminders(version, [user_id for user_id, _frequency in pairs], now)
    return len(rows)


def forget_user(user) -> None:
    """Stop everything that would mail *user* (a pseudonymised former member): follows, settings,
    queue, and their inbox."""
    db.session.execute(sa.delete(Follow).where(Follow.user_id == user.id))
    db.session.execute(sa.delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
    # Nor is anything kept for them to read: their inbox goes (issue 27).
    db.session.execute(sa.delete(InboxItem).where(InboxItem.user_id == user.id))
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.state == OutboxState.PENDING)
        .values(state=OutboxState.SKIPPED)
        .execution_options(synchronize_session=False)
    )


def retry_failed(messages: list[Notification], actor) -> None:
    """Queue given-up *messages* again with a fresh set of retries; each is audited."""
    now = utcnow()
    for message in messages:
        before = {"state": message.state.value, "attempts": message.attempts, "error": message.last_error}
        message.state = OutboxState.PENDING
        message.attempts = 0
        message.next_attempt_at = now
        message.lease = None
        record(actor, "notification.retry", message, before=before, after={"state": "pending", "attempts": 0})
    db.session.flush()


def enqueue_mention(comment, user_ids) -> int:
    """Mail the people newly @mentioned in *comment* who want it (their MENTION setting)."""
    frequencies = _frequencies(user_ids, NotificationKind.MENTION)
    now = utcnow()
    rows = [
        Notification(
            **_row(
                user_id,
                NotificationKind.MENTION,
                frequency,
                now,
                document_id=comment.document_id,
                comment_id=comment.id,
            )
        )
        for user_id, frequency in frequencies.items()
        if frequency is not Frequency.NONE
    ]
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)
