"""Stored anchors: where each carried comment's quote stands in a version, worked out at publish.

A version's text never changes once published, nor does a comment's quote, so where the quote
stands in that version is worked out once, when the version is published (the receiver in
app.review.receivers), and stored in ``comment_anchor``. The reading page reads the rows with
its comments, in the same query, instead of matching every quote on every view. A comment
without a row (one re-opened after the version was published) is placed on the page by the
same matcher (app.review.anchoring), so a missing row costs time, never a wrong mark.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from app.documents.models import BlockRevision, Version
from app.extensions import db
from app.review.anchoring import places
from app.review.models import Comment, CommentAnchor, CommentStatus


def store_anchors(version: Version) -> int:
    """Work out and store where the open, quoted comments of earlier versions stand in *version*.

    Two statements and one insert, whatever the number of comments; flushes, never commits.
    Returns how many rows were stored.
    """
    rows = db.session.execute(
        _carried_quotes_statement(),
        {"document_id": version.document_id, "version_id": version.id, "number": version.number},
    ).all()
    anchors = places(rows)
    db.session.execute(sa.delete(CommentAnchor).where(CommentAnchor.version_id == version.id))
    if anchors:
        for anchor in anchors:
            anchor["version_id"] = version.id
        # The table's own insert: the ORM's bulk insert splits the rows into many small batches.
        db.session.execute(sa.insert(CommentAnchor.__table__), anchors)
    return len(anchors)


@functools.cache
def _carried_quotes_statement() -> sa.Select:
    """The quoted, open top-level comments of a document's earlier versions whose paragraph is in
    the version ``version_id``, with the paragraph's text then and in that version (built once)."""
    earlier = sa.select(Version.id).where(
        Version.document_id == sa.bindparam("document_id"), Version.number < sa.bindparam("number")
    )
    return (
        sa.select(
            Comment.id,
            Comment.quote_exact,
            Comment.quote_prefix,
            Comment.quote_suffix,
            Comment.quote_start,
            Comment.block_text,
            BlockRevision.text,
        )
        .join(
            BlockRevision,
            sa.and_(
                BlockRevision.block_id == Comment.block_id,
                BlockRevision.version_id == sa.bindparam("version_id"),
            ),
        )
        .where(
            Comment.document_id == sa.bindparam("document_id"),
            Comment.version_id.in_(earlier.scalar_subquery()),
            Comment.parent_id.is_(None),
            Comment.quote_exact.is_not(None),
            Comment.status == CommentStatus.OPEN,
            Comment.withdrawn_at.is_(None),
        )
    )
