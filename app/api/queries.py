"""The API's list queries: a constant number of statements per page, whatever the data's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Organisation, User
from app.api.loaders import Page
from app.api.serializers import BlockRow
from app.documents.models import Block, BlockRevision, Document, Version, Visibility
from app.documents.numbering import number_blocks
from app.extensions import db
from app.meetings.models import AgendaItem, Meeting, MeetingSeries
from app.review.models import Comment, CommentStatus, Endorsement


def block_rows(version: Version) -> list[BlockRow]:
    """The blocks of *version* in order, numbered: one query of plain columns.

    Like ``documents.loaders.version_blocks`` but without ORM objects, which cost more
    than the rest of a 500-block answer together.
    """
    rows = db.session.execute(
        sa.select(Block.uid, BlockRevision.kind, BlockRevision.level, BlockRevision.text)
        .join(Block, Block.id == BlockRevision.block_id)
        .where(BlockRevision.version_id == version.id)
        .order_by(BlockRevision.position)
    ).all()
    refs = number_blocks(rows)
    return [
        BlockRow(uid, kind.value, level, text or "", ref)
        for (uid, kind, level, text), ref in zip(rows, refs, strict=True)
    ]


@dataclass
class CommentPage:
    """One page of top-level comments and everything their JSON needs."""

    comments: list[Comment]
    replies: dict[int, list[Comment]]
    endorsements: dict[int, int]
    deciders: dict[int, str]
    originals: dict[int, int]
    next_cursor: int | None


# What the JSON shows of a comment; the internal editor note stays in the database. The
# paragraph's text at the time (block_text) is what a suggestion was made on: the JSON shows it
# with the suggestion.
_COMMENT_COLUMNS = (
    Comment.id,
    Comment.number,
    Comment.version_id,
    Comment.block_id,
    Comment.parent_id,
    Comment.author_id,
    Comment.organisation_id,
    Comment.kind,
    Comment.body,
    Comment.body_html,
    Comment.quote_exact,
    Comment.suggestion,
    Comment.block_text,
    Comment.status,
    Comment.response,
    Comment.response_html,
    Comment.duplicate_of_id,
    Comment.decided_by_id,
    Comment.decided_at,
    Comment.resolved_in_version_id,
    Comment.withdrawn_at,
    Comment.hidden_at,
    Comment.created_at,
    Comment.updated_at,
    Comment.row_version,
)


def _comment_options():
    return (
        so.load_only(*_COMMENT_COLUMNS),
        # Only the author's name: not the roles and organisation every User loads by default.
        so.joinedload(Comment.author).options(
            so.load_only(User.id, User.name), so.lazyload(User.role_rows), so.lazyload(User.organisation)
        ),
        so.joinedload(Comment.organisation).load_only(Organisation.id, Organisation.name),
    )


def comment_page(
    document: Document,
    version: Version,
    page: Page,
    status: CommentStatus | str | None = None,
    block_uid: str | None = None,
) -> CommentPage:
    """Top-level comments made on *version*, by number after the cursor (five queries at most).

    *status* is a CommentStatus or "withdrawn" (withdrawal is recorded apart from the decision).
    """
    query = (
        sa.select(Comment)
        .where(
            Comment.document_id == document.id,
            Comment.version_id == version.id,
            Comment.parent_id.is_(None),
            Comment.number > page.cursor,
        )
        .options(*_comment_options(), so.joinedload(Comment.block).load_only(Block.id, Block.uid))
        .order_by(Comment.number)
        .limit(page.limit + 1)
    )
    if status == "withdrawn":
        query = query.where(Comment.withdrawn_at.is_not(None))
    elif status is not None:
        query = query.where(Comment.status == status, Comment.withdrawn_at.is_(None))
    if block_uid is not None:
        query = query.join(Block, Block.id == Comment.block_id).where(Block.uid == block_uid)
    rows = list(db.session.scalars(query))
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        next_cursor = rows[-1].number
    ids = [c.id for c in rows]
    if not ids:
        return CommentPage([], {}, {}, {}, {}, None)

    replies: dict[int, list[Comment]] = defaultdict(list)
    for reply in db.session.scalars(
        sa.select(Comment)
        .where(Comment.parent_id.in_(ids))
        .options(*_comment_options())
        .order_by(Comment.created_at, Comment.id)
    ):
        replies[reply.parent_id].append(reply)
    endorsements = dict(
        db.session.execute(
            sa.select(Endorsement.comment_id, sa.func.count())
            .where(Endorsement.comment_id.in_(ids))
            .group_by(Endorsement.comment_id)
        ).all()
    )
    decider_ids = {c.decided_by_id for c in rows if c.decided_by_id}
    deciders = (
        dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(decider_ids))).all())
        if decider_ids
        else {}
    )
    original_ids = {c.duplicate_of_id for c in rows if c.duplicate_of_id}
    originals = (
        dict(
            db.session.execute(
                sa.select(Comment.id, Comment.number).where(Comment.id.in_(original_ids))
            ).all()
        )
        if original_ids
        else {}
    )
    return CommentPage(rows, replies, endorsements, deciders, originals, next_cursor)


def readable_documents(user, page: Page) -> tuple[list[Document], int | None]:
    """Documents the user may read, by title, *page.limit* from offset *page.cursor*."""
    query = sa.select(Document).order_by(Document.title, Document.id)
    if not (user.is_authenticated and user.is_active):
        query = query.where(Document.visibility == Visibility.PUBLIC)
    rows = list(db.session.scalars(query.offset(page.cursor).limit(page.limit + 1)))
    if len(rows) > page.limit:
        return rows[: page.limit], page.cursor + page.limit
    return rows, None


def readable_meetings(user, page: Page, document: Document | None = None) -> tuple[list[Meeting], int | None]:
    """Meetings of series (and documents) the user may read, by start time, from *page.cursor*."""
    query = (
        sa.select(Meeting)
        .join(Meeting.series)
        .outerjoin(Meeting.document)
        .options(
            so.contains_eager(Meeting.series),
            so.contains_eager(Meeting.document),
            so.joinedload(Meeting.version),
            so.joinedload(Meeting.base_version),
            so.selectinload(Meeting.speakers),
            so.selectinload(Meeting.agenda_items).options(
                so.joinedload(AgendaItem.version), so.joinedload(AgendaItem.attachment)
            ),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if not (user.is_authenticated and user.is_active):
        query = query.where(
            MeetingSeries.visibility == Visibility.PUBLIC,
            sa.or_(Meeting.document_id.is_(None), Document.visibility == Visibility.PUBLIC),
        )
    if document is not None:
        query = query.where(Meeting.document_id == document.id)
    rows = list(db.session.scalars(query.offset(page.cursor).limit(page.limit + 1)).unique())
    if len(rows) > page.limit:
        return rows[: page.limit], page.cursor + page.limit
    return rows, None
