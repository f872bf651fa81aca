"""What notifications does when comments, decisions and versions happen (app.signals).

Connected when this module is first imported (create_app does it): once per process however
many apps are built, since a module is imported once. Receivers run inside the sender's
transaction and only add rows (flushed, never committed), as the enqueue_* functions always did.
"""

from __future__ import annotations

from app.notifications import operations
from app.signals import comment_decided, comments_decided, comments_posted, version_published


@comments_posted.connect
def follow_and_tell_replied_to(document, *, comments, author, follows: bool, **_extra) -> None:
    """Commenting follows the document; a reply tells the author replied to (queued, not sent)."""
    if not follows:
        operations.follow_document(author, document)
    for comment in comments:
        operations.enqueue_reply(comment)


@comment_decided.connect
def tell_decided(comment, **_extra) -> None:
    """Tell the comment's author about the editor's decision."""
    operations.enqueue_decision(comment)


@comments_decided.connect
def tell_many_decided(_document_id, *, comments, **_extra) -> None:
    """Tell the authors of a bulk decision's comments, in one go."""
    operations.enqueue_decisions(comments)


@version_published.connect
def tell_followers(version, **_extra) -> None:
    """Tell the document's followers about the new version."""
    operations.enqueue_new_version(version)
