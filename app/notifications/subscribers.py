"""What notifications does when comments, decisions and versions happen (app.signals).

Connected when this module is first imported (create_app does it): once per process however
many apps are built, since a module is imported once. Receivers run inside the sender's
transaction and only add rows (flushed, never committed), as the enqueue_* functions always did;
the inbox's items (app.notifications.inbox) are written by the same receivers.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.notifications import inbox, operations
from app.notifications.models import Follow, InboxKind
from app.review.models import Comment
from app.signals import (
    comment_decided,
    comment_mentioned,
    comments_decided,
    comments_posted,
    version_published,
)


@comments_posted.connect
def follow_and_tell_replied_to(document, *, comments, author, follows: bool, **_extra) -> None:
    """Commenting follows the document; a reply tells the author replied to (queued, not sent)."""
    if not follows:
        operations.follow_document(author, document)
    for comment in comments:
        operations.enqueue_reply(comment)
    _inbox_replies(document, comments, author)


@comment_decided.connect
def tell_decided(comment, *, editor=None, **_extra) -> None:
    """Tell the comment's author about the editor's decision."""
    operations.enqueue_decision(comment)
    _inbox_decided(comment, editor)


@comments_decided.connect
def tell_many_decided(_document_id, *, comments, editor=None, **_extra) -> None:
    """Tell the authors of a bulk decision's comments, in one go."""
    operations.enqueue_decisions(comments)
    _inbox_many_decided(comments, editor)


@version_published.connect
def tell_followers(version, *, editor=None, **_extra) -> None:
    """Tell the document's followers about the new version."""
    operations.enqueue_new_version(version)
    _inbox_new_version(version, editor)


# ---- the inbox (issue 27): written whatever the person's e-mail settings ------------------------


def _inbox_replies(document, comments, author) -> None:
    """A reply puts an item in the inbox of the author replied to."""
    entries = []
    for comment in comments:
        if comment.parent_id is None:
            continue
        parent = db.session.get(Comment, comment.parent_id)
        if parent is not None:
            entries.append((parent.author_id, {"document_id": document.id, "comment_id": comment.id}))
    inbox.add_many(entries, InboxKind.REPLY, actor_id=author.id)


def _inbox_decided(comment, editor) -> None:
    """A decision puts an item in the inbox of the comment's author."""
    inbox.add(
        InboxKind.DECISION,
        [comment.author_id],
        actor_id=editor.id if editor is not None else comment.decided_by_id,
        document_id=comment.document_id,
        comment_id=comment.id,
    )


def _inbox_many_decided(comments, editor) -> None:
    """A bulk decision: one item per comment, in its author's inbox."""
    entries = [(c.author_id, {"document_id": c.document_id, "comment_id": c.id}) for c in comments]
    inbox.add_many(entries, InboxKind.DECISION, actor_id=editor.id if editor is not None else None)


def _inbox_new_version(version, editor) -> None:
    """A new version: an item for each active follower of the document (not the publisher)."""
    followers = db.session.scalars(
        sa.select(Follow.user_id)
        .join(User, User.id == Follow.user_id)
        .where(
            Follow.document_id == version.document_id, User.active.is_(True), User.pseudonymised.is_(False)
        )
    ).all()
    inbox.add(
        InboxKind.NEW_VERSION,
        followers,
        actor_id=editor.id if editor is not None else version.published_by_id,
        document_id=version.document_id,
        version_id=version.id,
    )


@comment_mentioned.connect
def tell_mentioned(comment, *, users, author, **_extra) -> None:
    """People newly @mentioned: an inbox item each, and e-mail as each has set it. The author a
    reply answers hears of the reply already, not twice."""
    replied_to = None
    if comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        replied_to = parent.author_id if parent is not None else None
    user_ids = [u.id for u in users if u.id != replied_to]
    inbox.add(
        InboxKind.MENTION,
        user_ids,
        actor_id=author.id,
        document_id=comment.document_id,
        comment_id=comment.id,
    )
    operations.enqueue_mention(comment, [u for u in user_ids if u != author.id])
