"""State changes on comments: each takes the acting user explicitly and flushes, never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.database import utcnow
from app.documents.models import Block, BlockRevision, Document, Version
from app.documents.richtext import plain, sanitize_inline
from app.extensions import db
from app.review import markdown
from app.review.models import Comment, CommentKind

CONTEXT_CHARS = 32


@dataclass(frozen=True, slots=True)
class Quote:
    """An exact span of a block's plain text, with context and offsets."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def locate_quote(block_text_html: str, exact: str) -> Quote | None:
    """Find *exact* in the block's plain text; None unless it occurs exactly once."""
    text = plain(block_text_html)
    exact = " ".join((exact or "").split())
    if not exact:
        return None
    start = text.find(exact)
    if start < 0 or text.find(exact, start + 1) >= 0:
        return None
    end = start + len(exact)
    return Quote(
        exact=exact,
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
        start=start,
        end=end,
    )


def next_comment_number(document: Document) -> int:
    """The next per-document comment number."""
    highest = db.session.scalar(
        sa.select(sa.func.max(Comment.number)).where(Comment.document_id == document.id)
    )
    return (highest or 0) + 1


def create_comment(
    *,
    version: Version,
    revision: BlockRevision | None,
    author,
    kind: CommentKind,
    body: str,
    suggestion: str | None = None,
    quote: Quote | None = None,
    parent: Comment | None = None,
    at: datetime | None = None,
) -> Comment:
    """Store a comment (or a reply when *parent* is given), rendered and sanitised once."""
    document = version.document
    comment = Comment(
        document_id=document.id,
        number=next_comment_number(document),
        version_id=version.id,
        block_id=revision.block_id if revision is not None else None,
        parent_id=parent.id if parent is not None else None,
        author_id=author.id,
        organisation_id=author.organisation_id,
        kind=kind,
        body=body,
        body_html=markdown.render(body),
        suggestion=sanitize_inline(suggestion) if suggestion else None,
        block_text=revision.text if revision is not None else None,
        created_at=at or utcnow(),
    )
    if quote is not None:
        comment.quote_exact = quote.exact
        comment.quote_prefix = quote.prefix
        comment.quote_suffix = quote.suffix
        comment.quote_start = quote.start
        comment.quote_end = quote.end
    db.session.add(comment)
    db.session.flush()
    return comment


def seed_comment(*, document, version, block: Block, author, kind, body, suggestion, quote, at):
    """Create a demo comment on *block* of *version* (used by `flask seed-demo`)."""
    revision = db.session.scalar(
        sa.select(BlockRevision).where(
            BlockRevision.version_id == version.id, BlockRevision.block_id == block.id
        )
    )
    located = locate_quote(revision.text, quote) if quote else None
    return create_comment(
        version=version,
        revision=revision,
        author=author,
        kind=CommentKind(kind),
        body=body,
        suggestion=suggestion,
        quote=located,
        at=at,
    )
