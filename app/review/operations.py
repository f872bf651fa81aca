"""State changes on comments: each takes the acting user explicitly and flushes, never commits."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.audit import record
from app.database import utcnow
from app.documents.loaders import PageBlock
from app.documents.models import Block, BlockRevision, Document, Version
from app.extensions import db
from app.review import markdown, mentions
from app.review.anchoring import find_once
from app.review.models import (
    Comment,
    CommentKind,
    CommentMention,
    CommentRevision,
    CommentStatus,
    Endorsement,
)
from app.richtext import plain, sanitize_inline
from app.signals import (
    comment_decided,
    comment_edited,
    comment_endorsed,
    comment_hidden,
    comment_withdrawn,
    comments_posted,
)

CONTEXT_CHARS = 32


@dataclass(frozen=True, slots=True)
class Quote:
    """An exact span of a block's plain text, with context and offsets."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def locate_quote(block_text_html: str, exact: str, start: int | None = None) -> Quote | None:
    """Find *exact* in the block's plain text.

    With *start* (from a selection in the browser) the quote must stand exactly there;
    without it, it must occur exactly once, or we could not say which one was meant.
    """
    text = plain(block_text_html)
    exact = " ".join((exact or "").split())
    if not exact:
        return None
    if start is not None and text[start : start + len(exact)] == exact:
        pass
    else:
        start = find_once(text, exact)
        if start is None:
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
    # Two people commenting at once on PostgreSQL would both read the same maximum; the row
    # lock on the document (held until commit) makes them take turns. SQLite writes one at a
    # time anyway (BEGIN IMMEDIATE) and has no FOR UPDATE: there the lock is not asked for.
    lock, highest = _numbering_statements()
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(lock, {"id": document.id})
    return (db.session.scalar(highest, {"id": document.id}) or 0) + 1


@functools.cache
def _numbering_statements() -> tuple[sa.Select, sa.Select]:
    """The document row lock and the highest number so far, built once (every comment runs them)."""
    lock = sa.select(Document.id).where(Document.id == sa.bindparam("id")).with_for_update()
    highest = sa.select(sa.func.max(Comment.number)).where(Comment.document_id == sa.bindparam("id"))
    return lock, highest


def proposal(text: str | None) -> str | None:
    """A suggestion as stored: the whole proposed paragraph, sanitised (None when it is empty).

    Whatever the quote, a suggestion is the paragraph as the member would have it; the text it
    was made on is the comment's ``block_text``.
    """
    return sanitize_inline(text or "") or None


@dataclass(frozen=True, slots=True)
class NewComment:
    """One comment of many stored at once by :func:`create_comments`.

    *suggestion* is the whole proposed paragraph (see :func:`proposal`); a suggestion's *body*,
    the reason for it, may be empty.
    """

    revision: BlockRevision | PageBlock | None
    kind: CommentKind
    body: str
    suggestion: str | None = None
    quote: Quote | None = None
    parent: Comment | None = None


def _build_comment(
    version: Version, entry: NewComment, *, author, organisation, number: int, at: datetime | None
) -> Comment:
    """A new comment row, its body rendered and sanitised once (not yet added to the session)."""
    revision, parent, quote = entry.revision, entry.parent, entry.quote
    body, body_html = mentions.prepare(entry.body or "")
    comment = Comment(
        document_id=version.document_id,
        number=number,
        version_id=version.id,
        # Replies carry their thread's block, so a block's discussion loads in one query.
        block_id=revision.block_id if revision is not None else (parent.block_id if parent else None),
        parent_id=parent.id if parent is not None else None,
        author_id=author.id,
        organisation_id=organisation.id if organisation is not None else author.organisation_id,
        kind=entry.kind,
        body=body,
        body_html=body_html,
        suggestion=proposal(entry.suggestion),
        block_text=revision.text if revision is not None else None,
        created_at=at or utcnow(),
    )
    if quote is not None:
        comment.quote_exact = quote.exact
        comment.quote_prefix = quote.prefix
        comment.quote_suffix = quote.suffix
        comment.quote_start = quote.start
        comment.quote_end = quote.end
    return comment


def create_comment(
    *,
    version: Version,
    revision: BlockRevision | PageBlock | None,
    author,
    kind: CommentKind,
    body: str,
    suggestion: str | None = None,
    quote: Quote | None = None,
    parent: Comment | None = None,
    at: datetime | None = None,
    follows: bool = False,
    organisation=None,
) -> Comment:
    """Store a comment (or a reply when *parent* is given), rendered and sanitised once.

    The author starts following the document, unless the caller knows they do (*follows*).
    *organisation* is the one the comment is made for, when an editor submits it on behalf
    of another organisation (a comment received by mail); by default the author's own.
    """
    entry = NewComment(revision, kind, body, suggestion, quote, parent)
    return create_comments(
        version, [entry], author=author, organisation=organisation, at=at, follows=follows
    )[0]


def create_comments(
    version: Version,
    entries: list[NewComment],
    *,
    author,
    organisation=None,
    at: datetime | None = None,
    follows: bool = False,
) -> list[Comment]:
    """Store several comments by one author at once, by the rules of :func:`create_comment`.

    They are numbered in one go and inserted in one flush (a Word file brings hundreds);
    the parents of replies must be stored already.
    """
    if not entries:
        return []
    document = version.document
    first = next_comment_number(document)
    comments = [
        _build_comment(version, entry, author=author, organisation=organisation, number=first + i, at=at)
        for i, entry in enumerate(entries)
    ]
    db.session.add_all(comments)
    db.session.flush()
    # Notifications follow the document for the author and tell whoever was replied to.
    comments_posted.send(document, comments=comments, author=author, follows=follows)
    # Who is @mentioned is stored, and told (app.review.mentions).
    mentions.record_mentions(comments, author)
    return comments


def seed_comment(*, document, version, block: Block, author, kind, body, suggestion, quote, at):
    """Create a demo comment on *block* of *version* (used by `flask seed-demo`).

    *suggestion* is the whole proposed paragraph; *quote* only points at words of it.
    """
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


def edit_comment(comment: Comment, *, kind: CommentKind, body: str, suggestion: str | None, actor) -> bool:
    """Change a comment's wording, keeping the earlier wording; returns whether anything changed.

    *suggestion* is the whole proposed paragraph; its reason (*body*) may be empty.
    """
    suggestion = proposal(suggestion)
    known = [
        m.user_id
        for m in db.session.scalars(sa.select(CommentMention).where(CommentMention.comment_id == comment.id))
    ]
    body, body_html = mentions.prepare(body or "", known)
    if (comment.kind, comment.body, comment.suggestion) == (kind, body, suggestion):
        comment.unreachable_mentions = []
        return False
    db.session.add(
        CommentRevision(comment=comment, body=comment.body, suggestion=comment.suggestion, kind=comment.kind)
    )
    comment.kind = kind
    comment.body = body
    comment.body_html = body_html
    comment.suggestion = suggestion
    comment.updated_at = utcnow()
    db.session.flush()
    # A person the edit mentions for the first time is told; those mentioned before are not again.
    mentions.record_mentions([comment], actor)
    comment_edited.send(comment, actor=actor)
    return True


def withdraw_comment(comment: Comment, actor) -> None:
    """Mark a comment withdrawn by its author; the record stays."""
    comment.withdrawn_at = utcnow()
    comment.status = CommentStatus.WITHDRAWN
    record(actor, "comment.withdraw", comment, number=comment.number)
    db.session.flush()
    comment_withdrawn.send(comment, actor=actor)


def toggle_endorsement(comment: Comment, user) -> bool:
    """Endorse ("Instämmer") or take the endorsement back; returns whether it now stands."""
    existing = db.session.get(Endorsement, (comment.id, user.id))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
        comment_endorsed.send(comment, user=user, stands=False)
        return False
    db.session.add(Endorsement(comment_id=comment.id, user_id=user.id))
    db.session.flush()
    comment_endorsed.send(comment, user=user, stands=True)
    return True


DECISIONS = (
    CommentStatus.ACCEPTED,
    CommentStatus.PARTLY_ACCEPTED,
    CommentStatus.REJECTED,
    CommentStatus.NOTED,
    CommentStatus.DUPLICATE,
)
# A reason is owed to the commenter whenever their proposal is not simply taken in.
NEEDS_RESPONSE = (CommentStatus.PARTLY_ACCEPTED, CommentStatus.REJECTED)


def _disposition(comment: Comment) -> dict:
    return {
        "status": comment.status.value,
        "response": comment.response,
        "duplicate_of": comment.duplicate_of_id,
    }


def decide(
    comment: Comment,
    *,
    status: CommentStatus,
    response: str | None,
    editor,
    editor_note: str | None = None,
    duplicate_of: Comment | None = None,
    draft: Version | None = None,
    batch: bool = False,
) -> bool:
    """Record an editor's decision (or take it back with OPEN); returns whether anything changed.

    An accepted or partly accepted comment is linked to the working draft, the version in
    which the change is made. The editor note is internal: members never see it. Part of a
    *batch* (a bulk decision), it neither flushes nor sends comment_decided: the caller flushes
    once and sends comments_decided for the batch.
    """
    if comment.is_withdrawn or comment.parent_id is not None:
        raise ValueError("only open top-level comments are decided")
    response = (response or "").strip() or None
    editor_note = (editor_note or "").strip() or None
    before = _disposition(comment)
    note_changed = editor_note != comment.editor_note
    comment.editor_note = editor_note
    comment.status = status
    comment.duplicate_of_id = duplicate_of.id if status is CommentStatus.DUPLICATE and duplicate_of else None
    if response != comment.response:
        comment.response = response
        comment.response_html = markdown.render(response) if response else None
    after = _disposition(comment)
    if after == before:
        if note_changed:
            record(editor, "comment.note", comment, number=comment.number)
            if not batch:
                db.session.flush()
        return note_changed
    if status is CommentStatus.OPEN:
        comment.decided_by_id = None
        comment.decided_at = None
        comment.resolved_in_version_id = None
    else:
        comment.decided_by_id = editor.id
        comment.decided_at = utcnow()
        if status in (CommentStatus.ACCEPTED, CommentStatus.PARTLY_ACCEPTED):
            if comment.resolved_in_version_id is None and draft is not None:
                comment.resolved_in_version_id = draft.id
        else:
            comment.resolved_in_version_id = None
    record(editor, "comment.decide", comment, number=comment.number, before=before, after=after)
    if batch:
        return True
    if status is not CommentStatus.OPEN:
        comment_decided.send(comment, editor=editor)
    db.session.flush()
    return True


def hide_comment(comment: Comment, reason: str, actor) -> None:
    """Hide a comment's text from readers, with the moderator's reason; the record stays."""
    before = {"hidden": comment.is_hidden, "reason": comment.hidden_reason}
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    record(
        actor,
        "comment.hide",
        comment,
        number=comment.number,
        before=before,
        after={"hidden": True, "reason": reason},
    )
    db.session.flush()
    comment_hidden.send(comment, hidden=True, actor=actor)


def unhide_comment(comment: Comment, actor) -> None:
    """Show a hidden comment again; who hid it and why stays in the audit log."""
    before = {"hidden": comment.is_hidden, "reason": comment.hidden_reason}
    comment.hidden_at = None
    comment.hidden_by_id = None
    comment.hidden_reason = None
    record(
        actor,
        "comment.unhide",
        comment,
        number=comment.number,
        before=before,
        after={"hidden": False, "reason": None},
    )
    db.session.flush()
    comment_hidden.send(comment, hidden=False, actor=actor)
