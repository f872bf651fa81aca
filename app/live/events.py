"""What live does when things happen (app.signals): a live_event row, then a wake-up after commit.

Connected when this module is first imported (create_app does it). Receivers run inside the
sender's transaction: the row is saved, or rolled back, with what it tells of. On PostgreSQL
the NOTIFY is issued in that same transaction, and PostgreSQL delivers it only at commit (never
for a rollback); with Redis, and for this process's own streams, the wake-up is sent from the
session's after_commit hook. A batch (a Word file's hundred comments, a bulk decision) costs one
INSERT and one NOTIFY per document: streams read every row after the id they last sent.
"""

from __future__ import annotations

import functools
import logging
import re

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.database import utcnow
from app.extensions import db
from app.live.broker import broker
from app.live.models import LiveEvent
from app.signals import (
    comment_decided,
    comment_edited,
    comment_endorsed,
    comment_hidden,
    comment_withdrawn,
    comments_decided,
    comments_posted,
    draft_block_saved,
    suggestion_applied,
    version_published,
)

log = logging.getLogger(__name__)

PENDING = "remiss.live.pending"
# Kinds only editors' streams carry: the working draft and who is deciding what.
EDITORS_ONLY = frozenset({"draft", "deciding"})
ID_COLUMNS = ("comment_id", "block_id", "version_id")
CHANNEL = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def add_events(document_id: int, kind: str, rows: list[dict], actor=None) -> list[int]:
    """One event of *kind* on *document_id* per dict of ids in *rows* (comment_id, block_id,
    version_id), inserted in one statement, with a wake-up announced for after the commit;
    the new events' ids."""
    if not rows:
        return []
    if db.engine.dialect.name == "postgresql":
        # Ids are the streams' cursor: they must commit in the order they were given, per
        # document, or a stream that sent id 11 would never send an id 10 committed after it.
        # The lock is held to the commit, so the next writer on this document takes a higher id
        # and commits later. (SQLite has one writer at a time anyway.)
        db.session.execute(_lock_statement(), {"document_id": document_id})
    actor_id = getattr(actor, "id", None)
    now = utcnow()
    values = [
        {
            "document_id": document_id,
            "kind": kind,
            "actor_id": actor_id,
            "created_at": now,
            **dict.fromkeys(ID_COLUMNS),
            **row,
        }
        for row in rows
    ]
    # A plain INSERT ... RETURNING rather than ORM objects and a flush: every comment posted
    # runs this, and nothing reads the rows back as objects.
    ids = list(db.session.scalars(_insert_statement(), values))
    _announce(document_id, max(ids))
    return ids


def add_event(document_id: int, kind: str, actor=None, **ids) -> int:
    """One event of *kind* on *document_id* (ids: comment_id, block_id, version_id); its id."""
    return add_events(document_id, kind, [ids], actor)[0]


@functools.cache
def _insert_statement():
    # The table's, not the entity's: an ORM-enabled INSERT goes through the ORM's bulk path,
    # which cost as much as the flush it replaced.
    table = LiveEvent.__table__
    return sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)


def _announce(document_id: int, event_id: int) -> None:
    session = db.session()
    session.info.setdefault(PENDING, {})[document_id] = event_id
    if (
        current_app.config.get("LIVE_BACKEND", "database") != "redis"
        and db.engine.dialect.name == "postgresql"
    ):
        db.session.execute(
            _notify_statement(), {"channel": channel(), "payload": f"{event_id}:{document_id}"}
        )


@functools.cache
def _lock_statement():
    # The two-key form, (27, document id): issue 27's own space, clear of any other lock.
    return sa.text("SELECT pg_advisory_xact_lock(27, :document_id)")


@functools.cache
def _notify_statement():
    return sa.text("SELECT pg_notify(:channel, :payload)")


def channel() -> str:
    """The NOTIFY / pub-sub channel (LIVE_CHANNEL, a plain identifier)."""
    name = current_app.config.get("LIVE_CHANNEL", "remiss_live")
    return name if CHANNEL.match(name) else "remiss_live"


@sa.event.listens_for(so.Session, "after_commit")
def _after_commit(session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    pairs = [(event_id, document_id) for document_id, event_id in pending.items()]
    broker.publish_many(pairs)
    try:
        app = current_app._get_current_object()
    except RuntimeError:
        return
    if app.config.get("LIVE_BACKEND") == "redis" and app.config.get("LIVE_REDIS_URL"):
        try:
            client = _redis(app.config["LIVE_REDIS_URL"])
            for event_id, document_id in pairs:
                client.publish(channel(), f"{event_id}:{document_id}")
        except Exception as error:  # Redis away: the other servers learn at their next catch-up
            log.warning("live: could not publish to Redis (%s)", error)


@sa.event.listens_for(so.Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(PENDING, None)


@functools.cache
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=2)


# ---- receivers ---------------------------------------------------------------------------------


def _ids(comment) -> dict:
    return {"comment_id": comment.id, "block_id": comment.block_id, "version_id": comment.version_id}


@comments_posted.connect
def comments_were_posted(document, *, comments, author, **_extra) -> None:
    """New comments and replies: one event each."""
    for kind, replies in (("comment", False), ("reply", True)):
        rows = [_ids(c) for c in comments if (c.parent_id is not None) is replies]
        add_events(document.id, kind, rows, author)


@comment_edited.connect
def comment_was_edited(comment, *, actor, **_extra) -> None:
    """A comment's wording changed."""
    add_event(comment.document_id, "edited", actor, **_ids(comment))


@comment_withdrawn.connect
def comment_was_withdrawn(comment, *, actor, **_extra) -> None:
    """A comment was withdrawn."""
    add_event(comment.document_id, "withdrawn", actor, **_ids(comment))


@comment_hidden.connect
def comment_was_hidden(comment, *, hidden: bool, actor, **_extra) -> None:
    """A comment was hidden or shown again: ids only, never its text."""
    add_event(comment.document_id, "hidden" if hidden else "unhidden", actor, **_ids(comment))


@comment_endorsed.connect
def comment_was_endorsed(comment, *, user, **_extra) -> None:
    """Someone endorsed a comment, or took it back."""
    add_event(comment.document_id, "endorsed", user, **_ids(comment))


@comment_decided.connect
def comment_was_decided(comment, *, editor, **_extra) -> None:
    """An editor decided on a comment."""
    add_event(comment.document_id, "decided", editor, **_ids(comment))


@comments_decided.connect
def comments_were_decided(document_id, *, comments, editor, **_extra) -> None:
    """A bulk decision: one event per comment, one INSERT."""
    add_events(document_id, "decided", [_ids(c) for c in comments], editor)


@suggestion_applied.connect
def suggestion_was_applied(comment, *, editor, **_extra) -> None:
    """A suggestion was merged into the working draft."""
    add_event(comment.document_id, "applied", editor, **_ids(comment))


@draft_block_saved.connect
def draft_block_was_saved(revision, *, editor, **_extra) -> None:
    """A block of the working draft was saved (editors' streams only)."""
    add_event(
        revision.block.document_id,
        "draft",
        editor,
        block_id=revision.block_id,
        version_id=revision.version_id,
    )


@version_published.connect
def version_was_published(version, *, editor, **_extra) -> None:
    """A new version opened for comments."""
    add_event(version.document_id, "published", editor, version_id=version.id)
