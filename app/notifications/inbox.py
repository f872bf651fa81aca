"""Each person's inbox (issue 27): mentions, replies to their comments, decisions on them, new
versions of documents they follow and response reminders, newest first, whatever their e-mail
settings (those decide the mail only).

Items are written by the receivers in app.notifications.subscribers, in the transaction of the
event, and hold ids only. The unread count is kept on the user row (``User.inbox_unread``), so
the bell in every page's header costs no query; it is raised with each item written and set
from the table again whenever items are read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Document, Version
from app.extensions import db
from app.notifications.models import InboxItem, InboxKind
from app.review.models import Comment

PAGE_SIZE = 25
# A response reminder run finds the same people again (those who turned its e-mail off have no
# outbox row to be found by): a second item within this time is not written.
REMINDER_GAP = timedelta(days=1)


def add(
    kind: InboxKind, user_ids, *, actor_id: int | None = None, now: datetime | None = None, **refs
) -> int:
    """Write one item of *kind* for each of *user_ids* (not for the actor), in one statement."""
    return add_many([(u, refs) for u in sorted(set(user_ids))], kind, actor_id=actor_id, now=now)


def _raise_counts(counts: Counter) -> None:
    """Add to the unread counts on the user rows: one UPDATE per distinct increment."""
    by_step: dict[int, list[int]] = {}
    for user_id, step in counts.items():
        by_step.setdefault(step, []).append(user_id)
    for step, ids in by_step.items():
        db.session.execute(
            sa.update(User)
            .where(User.id.in_(ids))
            .values(inbox_unread=sa.func.coalesce(User.inbox_unread, 0) + step)
            .execution_options(synchronize_session=False)
        )
    # A user already loaded in this session (the signed-in one) must not keep a stale count.
    for user_id in counts:
        user = db.session.identity_map.get(db.session.identity_key(User, user_id))
        if user is not None:
            db.session.expire(user, ["inbox_unread"])


def add_many(
    entries: list[tuple[int, dict]], kind: InboxKind, *, actor_id: int | None, now: datetime | None = None
) -> int:
    """Items of *kind* for (user id, refs) pairs (e.g. one per decided comment's author), in one
    statement; never for the actor."""
    entries = [(u, refs) for u, refs in entries if u is not None and u != actor_id]
    if not entries:
        return 0
    now = now or utcnow()
    rows = [
        {
            "user_id": user_id,
            "kind": kind,
            "actor_id": actor_id,
            "created_at": now,
            "read_at": None,
            "document_id": refs.get("document_id"),
            "version_id": refs.get("version_id"),
            "comment_id": refs.get("comment_id"),
        }
        for user_id, refs in entries
    ]
    db.session.execute(sa.insert(InboxItem), rows)
    _raise_counts(Counter(u for u, _refs in entries))
    return len(rows)


def add_reminders(version: Version, user_ids, now: datetime) -> int:
    """Response reminders about *version*, skipping people reminded of it within REMINDER_GAP."""
    user_ids = set(user_ids)
    if not user_ids:
        return 0
    recent = set(
        db.session.scalars(
            sa.select(InboxItem.user_id).where(
                InboxItem.kind == InboxKind.RESPONSE_DUE,
                InboxItem.version_id == version.id,
                InboxItem.user_id.in_(sorted(user_ids)),
                InboxItem.created_at > now - REMINDER_GAP,
            )
        )
    )
    return add(
        InboxKind.RESPONSE_DUE,
        user_ids - recent,
        now=now,
        document_id=version.document_id,
        version_id=version.id,
    )


# What an entry needs of a comment: not its text, which can be long.
_COMMENT_COLUMNS = (
    Comment.document_id,
    Comment.number,
    Comment.version_id,
    Comment.parent_id,
    Comment.author_id,
    Comment.status,
    Comment.hidden_at,
    Comment.withdrawn_at,
)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a person's inbox."""

    items: list[InboxItem]
    page: int
    pages: int
    total: int


def page_of(user, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """The *page*-th page of *user*'s items, newest first, with what they refer to: three queries
    however many items (the count, the items with their document, version and actor, and the
    comments with their parents and versions)."""
    total = db.session.scalar(sa.select(sa.func.count()).where(InboxItem.user_id == user.id)) or 0
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    items = db.session.scalars(
        sa.select(InboxItem)
        .where(InboxItem.user_id == user.id)
        .order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
        .offset((page - 1) * size)
        .limit(size)
        .options(
            # What the entries say and link to, and nothing more (who published a version, and
            # people's roles, would otherwise come along).
            so.joinedload(InboxItem.document).selectinload(Document.versions).lazyload("*"),
            so.joinedload(InboxItem.version).lazyload("*"),
            so.joinedload(InboxItem.actor).lazyload("*"),
            # A comment's version is one of its document's, loaded above: found without a query.
            so.selectinload(InboxItem.comment).options(
                so.load_only(*_COMMENT_COLUMNS),
                so.lazyload("*"),
                so.joinedload(Comment.parent).options(so.load_only(*_COMMENT_COLUMNS), so.lazyload("*")),
            ),
        )
    ).all()
    return Page(items=list(items), page=page, pages=pages, total=total)


def get_own(user, item_id: int) -> InboxItem | None:
    """The item *item_id* if it is *user*'s, else None (nobody learns of another's items)."""
    item = db.session.get(InboxItem, item_id)
    if item is None or item.user_id != user.id:
        return None
    return item


def mark_read(user_id: int, item_id: int) -> None:
    """Mark one of the user's items read (opening it does), and count their unread ones again.

    Writes only, no read first: opening an item is a GET, whose SQLite transaction starts
    deferred, and a write after a read there could find the database changed meanwhile.
    """
    db.session.execute(
        sa.update(InboxItem)
        .where(InboxItem.id == item_id, InboxItem.user_id == user_id, InboxItem.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    unread = (
        sa.select(sa.func.count())
        .where(InboxItem.user_id == user_id, InboxItem.read_at.is_(None))
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(User)
        .where(User.id == user_id)
        .values(inbox_unread=unread)
        .execution_options(synchronize_session=False)
    )


def mark_all_read(user) -> int:
    """Mark every unread item of *user* read; returns how many were."""
    result = db.session.execute(
        sa.update(InboxItem)
        .where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    user.inbox_unread = 0
    db.session.flush()
    return result.rowcount or 0
