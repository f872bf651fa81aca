"""The working draft: start it, edit its blocks without losing anyone's edit, apply suggestions, publish.

Every function takes the acting editor explicitly, flushes and never commits; the view commits
once. A block edit names the revision it was based on: if someone saved the block since, the
edit is refused with :class:`StaleEdit` and nothing is written, so two editors (PRV and DIGG)
can work on one draft at the same time without overwriting each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.audit import AuditEvent, record
from app.database import utcnow
from app.documents.models import Block, BlockKind, BlockRevision, Document, Version, VersionState
from app.extensions import db
from app.merge import ALREADY, Merge, Unresolved, merge
from app.review import operations as review_operations
from app.review.models import Comment, CommentStatus
from app.richtext import sanitize_inline, table_rows, table_text
from app.signals import draft_block_saved, suggestion_applied, version_published


class DraftError(Exception):
    """A draft operation that cannot be done; *code* names why (for the message shown)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class StaleEdit(Exception):
    """An edit based on a revision that is no longer the block's current one."""

    def __init__(self, current: BlockRevision | None):
        super().__init__("stale edit")
        self.current = current


@dataclass(frozen=True, slots=True)
class NewBlock:
    """A block to write into a draft: an existing identity (*uid*) or a new one (None)."""

    uid: str | None
    kind: BlockKind
    level: int
    text: str


def _lock(version: Version) -> None:
    """Serialise structural changes to one draft (PostgreSQL row lock; SQLite writes are serial)."""
    db.session.execute(sa.select(Version.id).where(Version.id == version.id).with_for_update())


def _require_draft(version: Version | None) -> Version:
    if version is None or version.state is not VersionState.DRAFT:
        raise DraftError("no_draft")
    return version


def next_version_number(document: Document) -> int:
    """The number the next version of *document* gets."""
    highest = db.session.scalar(
        sa.select(sa.func.max(Version.number)).where(Version.document_id == document.id)
    )
    return (highest or 0) + 1


_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def next_label(label: str | None) -> str:
    """The label after *label* in its own pattern: "Utkast 2" → "Utkast 3", "v0.2" → "v0.3".

    The last number in the label counts up (keeping leading zeros: "v09" → "v10", "0.09" → "0.10");
    a label without a number has no pattern to follow, and gives "".
    """
    match = _LAST_NUMBER.search(label or "")
    if match is None:
        return ""
    digits = match.group(1)
    following = str(int(digits) + 1).zfill(len(digits))
    return label[: match.start()] + following + label[match.end() :]


def start_draft(document: Document, editor, label: str | None = None) -> Version:
    """Open the working draft: a copy of the newest version's blocks, keeping their uids."""
    if document.draft is not None:
        raise DraftError("draft_exists")
    base = document.versions[-1] if document.versions else None
    number = next_version_number(document)
    draft = Version(
        document_id=document.id,
        number=number,
        label=(label or "").strip() or str(number),
        state=VersionState.DRAFT,
        created_by_id=editor.id,
    )
    db.session.add(draft)
    db.session.flush()
    if base is not None:
        # One INSERT ... SELECT: a 2,000-block document is copied without loading it.
        copied = sa.select(
            sa.literal(draft.id),
            BlockRevision.block_id,
            BlockRevision.position,
            BlockRevision.kind,
            BlockRevision.level,
            BlockRevision.text,
            BlockRevision.changed_at,
            BlockRevision.changed_by_id,
            sa.literal(1),
        ).where(BlockRevision.version_id == base.id)
        db.session.execute(
            sa.insert(BlockRevision).from_select(
                [
                    "version_id",
                    "block_id",
                    "position",
                    "kind",
                    "level",
                    "text",
                    "changed_at",
                    "changed_by_id",
                    "revision",
                ],
                copied,
            )
        )
    db.session.expire(document, ["versions"])
    record(
        editor,
        "draft.start",
        draft,
        document=document.slug,
        number=number,
        base=base.number if base is not None else None,
    )
    db.session.flush()
    return draft


def replace_draft(document: Document, blocks: list[NewBlock], editor, *, source: str) -> Version:
    """Make *blocks* the working draft (starting one if needed): imports and pastes land here.

    Blocks with a uid keep that identity (and so their comments); the others get new ones.
    """
    draft = document.draft or start_draft(document, editor)
    _lock(draft)
    known = dict(
        db.session.execute(
            sa.select(Block.uid, Block.id).where(
                Block.document_id == document.id, Block.uid.in_([b.uid for b in blocks if b.uid])
            )
        ).all()
    )
    db.session.execute(sa.delete(BlockRevision).where(BlockRevision.version_id == draft.id))
    now = utcnow()
    seen: set[str] = set()
    rows = []
    for position, block in enumerate(blocks):
        block_id = known.get(block.uid) if block.uid and block.uid not in seen else None
        if block_id is None:
            new = Block(document_id=document.id)
            db.session.add(new)
            db.session.flush()
            block_id = new.id
        else:
            seen.add(block.uid)
        rows.append(
            {
                "version_id": draft.id,
                "block_id": block_id,
                "position": position,
                "kind": block.kind,
                "level": min(max(block.level, 1), 3),
                "text": _clean(block.kind, block.text),
                "changed_at": now,
                "changed_by_id": editor.id,
                "revision": 1,
            }
        )
    if rows:
        db.session.execute(sa.insert(BlockRevision), rows)
    record(editor, "draft.replace", draft, document=document.slug, source=source, blocks=len(blocks))
    db.session.flush()
    return draft


def _clean(kind: BlockKind, text: str) -> str:
    if kind is BlockKind.TABLE:
        return table_text(table_rows(text))
    return sanitize_inline(text)


def current_revision(draft: Version, uid: str) -> BlockRevision | None:
    """The draft's revision of block *uid*, or None when the draft no longer has it."""
    return db.session.scalar(
        sa.select(BlockRevision)
        .join(Block, Block.id == BlockRevision.block_id)
        .where(BlockRevision.version_id == draft.id, Block.uid == uid)
        .options(so.contains_eager(BlockRevision.block))
        .execution_options(populate_existing=True)
    )


def _checked(draft: Version, uid: str, base_revision: int) -> BlockRevision:
    revision = current_revision(draft, uid)
    if revision is None or revision.revision != base_revision:
        raise StaleEdit(revision)
    return revision


def _save(revision: BlockRevision, base_revision: int, editor, **values) -> None:
    """Write *values* only if the row is still at *base_revision* (compare-and-set in SQL)."""
    result = db.session.execute(
        sa.update(BlockRevision)
        .where(BlockRevision.id == revision.id, BlockRevision.revision == base_revision)
        .values(revision=base_revision + 1, changed_at=utcnow(), changed_by_id=editor.id, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(revision)
        raise StaleEdit(current_revision(revision.version, revision.block.uid))
    draft_block_saved.send(revision, editor=editor)
    db.session.expire(revision)


def edit_block(
    draft: Version, uid: str, *, base_revision: int, kind: BlockKind, level: int, text: str, editor
) -> BlockRevision:
    """Change a block's text, kind and level; :class:`StaleEdit` if it changed since *base_revision*."""
    _require_draft(draft)
    revision = _checked(draft, uid, base_revision)
    text = _clean(kind, text)
    level = min(max(level, 1), 3)
    if (revision.kind, revision.level, revision.text) != (kind, level, text):
        _save(revision, base_revision, editor, kind=kind, level=level, text=text)
    return revision


def _shift_after(draft: Version, position: int, by: int = 1) -> None:
    db.session.execute(
        sa.update(BlockRevision)
        .where(BlockRevision.version_id == draft.id, BlockRevision.position > position)
        .values(position=BlockRevision.position + by)
        .execution_options(synchronize_session=False)
    )


def _add(draft: Version, position: int, kind: BlockKind, level: int, text: str, editor) -> BlockRevision:
    block = Block(document_id=draft.document_id)
    db.session.add(block)
    db.session.flush()
    revision = BlockRevision(
        version_id=draft.id,
        block_id=block.id,
        position=position,
        kind=kind,
        level=min(max(level, 1), 3),
        text=_clean(kind, text),
        changed_by_id=editor.id,
        revision=1,
    )
    db.session.add(revision)
    db.session.flush()
    return revision


def insert_block(
    draft: Version, after_uid: str | None, *, kind: BlockKind, level: int, text: str, editor
) -> BlockRevision:
    """A new block after *after_uid* (at the top when None), with a new uid."""
    _require_draft(draft)
    _lock(draft)
    if after_uid is None:
        position = -1
    else:
        after = current_revision(draft, after_uid)
        if after is None:
            raise DraftError("block_gone")
        position = after.position
    _shift_after(draft, position)
    return _add(draft, position + 1, kind, level, text, editor)


def delete_block(draft: Version, uid: str, *, base_revision: int, editor) -> None:
    """Take a block out of the draft (earlier versions keep it, and its comments stay on record)."""
    _require_draft(draft)
    _lock(draft)
    revision = _checked(draft, uid, base_revision)
    result = db.session.execute(
        sa.delete(BlockRevision)
        .where(BlockRevision.id == revision.id, BlockRevision.revision == base_revision)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleEdit(current_revision(draft, uid))
    db.session.expunge(revision)


def _neighbour(draft: Version, revision: BlockRevision, direction: int) -> BlockRevision | None:
    order = BlockRevision.position.desc() if direction < 0 else BlockRevision.position
    compare = (
        BlockRevision.position < revision.position
        if direction < 0
        else (BlockRevision.position > revision.position)
    )
    return db.session.scalar(
        sa.select(BlockRevision).where(BlockRevision.version_id == draft.id, compare).order_by(order).limit(1)
    )


def move_block(draft: Version, uid: str, direction: int, editor) -> bool:
    """Swap a block with the one above (-1) or below (+1); False when it is already at that end."""
    _require_draft(draft)
    _lock(draft)
    revision = current_revision(draft, uid)
    if revision is None:
        raise DraftError("block_gone")
    other = _neighbour(draft, revision, direction)
    if other is None:
        return False
    # Positions are not the text: moving does not change either block's revision.
    mine, theirs = revision.position, other.position
    for row_id, position in ((revision.id, theirs), (other.id, mine)):
        db.session.execute(
            sa.update(BlockRevision)
            .where(BlockRevision.id == row_id)
            .values(position=position)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(revision)
    db.session.expire(other)
    return True


def split_block(
    draft: Version, uid: str, *, base_revision: int, parts: list[str], editor
) -> list[BlockRevision]:
    """Cut a block into *parts* (rich text): the first keeps the uid, the rest are new blocks after it."""
    _require_draft(draft)
    _lock(draft)
    if len(parts) < 2:
        raise DraftError("split_needs_two")
    revision = _checked(draft, uid, base_revision)
    kind, level, position = revision.kind, revision.level, revision.position
    _save(revision, base_revision, editor, text=_clean(kind, parts[0]))
    _shift_after(draft, position, by=len(parts) - 1)
    added = [
        _add(draft, position + i, kind, level, part, editor) for i, part in enumerate(parts[1:], start=1)
    ]
    return [revision, *added]


def merge_with_next(
    draft: Version, uid: str, *, base_revision: int, next_revision: int, editor
) -> BlockRevision:
    """Join a block and the one after it; the first keeps its uid, kind and level."""
    _require_draft(draft)
    _lock(draft)
    revision = _checked(draft, uid, base_revision)
    following = _neighbour(draft, revision, +1)
    if following is None:
        raise DraftError("nothing_to_merge")
    if following.revision != next_revision:
        raise StaleEdit(following)
    if revision.kind is BlockKind.TABLE and following.kind is BlockKind.TABLE:
        text = revision.text + "\n" + following.text
    elif revision.kind is BlockKind.TABLE or following.kind is BlockKind.TABLE:
        raise DraftError("merge_table")
    else:
        text = (revision.text + " " + following.text).strip()
    result = db.session.execute(
        sa.delete(BlockRevision)
        .where(BlockRevision.id == following.id, BlockRevision.revision == next_revision)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleEdit(following)
    db.session.expunge(following)
    _save(revision, base_revision, editor, text=text)
    return revision


def suggestion_merge(draft: Version | None, comment: Comment) -> tuple[BlockRevision, Merge]:
    """The draft's revision of the comment's paragraph, and the merge of its suggestion into it.

    :class:`DraftError` when it cannot be applied at all: no draft, no suggestion, withdrawn,
    applied once already, the paragraph gone from the draft, or a table.
    """
    _require_draft(draft)
    if not comment.suggestion or comment.block is None:
        raise DraftError("no_suggestion")
    if comment.is_withdrawn:
        raise DraftError("withdrawn")
    if comment.resolved_in_version_id == draft.id and _applied_before(comment):
        # Applied once already: a second attempt must say so, not that the paragraph changed.
        raise DraftError("already_applied")
    revision = current_revision(draft, comment.block.uid)
    if revision is None:
        raise DraftError("block_gone")
    if revision.kind is BlockKind.TABLE:
        # A table's rows and cells are not words of one paragraph: the editor edits it.
        raise DraftError("table")
    return revision, merge(comment.block_text, comment.suggestion, revision.text)


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying a suggestion did: the paragraph's revision, the decision, the changes taken and left."""

    revision: BlockRevision
    status: CommentStatus
    taken: list[int]
    left: list[int]


def apply_suggestion(
    draft: Version,
    comment: Comment,
    editor,
    *,
    base_revision: int,
    taken: Iterable[int] = (),
    choices: Mapping[int, str] | None = None,
    written: str | None = None,
    response: str | None = None,
) -> Applied:
    """Merge a suggestion into the draft's paragraph as the editor chose, and decide on the comment.

    The editor saw the merge against the draft's *base_revision* of the paragraph; if it changed
    since, :class:`StaleEdit` and nothing is written. The changes *taken* (their numbers) and the
    editor's *choices* for the conflicts make the new text (app.merge), or the editor *written*
    it whole. Every change taken: accepted; some left: partly accepted, which needs a *response*.
    Refused with :class:`DraftError` (nothing written): a conflict without a choice
    ("unresolved"), no change taken ("nothing_taken"), partly accepted without a response
    ("response_required"), and whatever :func:`suggestion_merge` refuses.
    """
    revision, merged = suggestion_merge(draft, comment)
    if revision.revision != base_revision:
        raise StaleEdit(revision)
    choices = dict(choices or {})
    if written is not None:
        text = sanitize_inline(written)
        if text == revision.text:
            raise DraftError("nothing_taken")
        # The editor's own text: accepted if it is what taking everything gives, else partly.
        everything = merged.result(*merged.everything)
        took, left = merged.taken_and_left(*merged.everything) if text == everything else ([], [])
        status = CommentStatus.ACCEPTED if text == everything else CommentStatus.PARTLY_ACCEPTED
    else:
        try:
            text = merged.result(taken, choices)
        except Unresolved as unresolved:
            raise DraftError("unresolved") from unresolved
        took, left = merged.taken_and_left(taken, choices)
        if merged.takeable and not took:
            raise DraftError("nothing_taken")
        status = CommentStatus.PARTLY_ACCEPTED if left else CommentStatus.ACCEPTED
    response = comment.response if response is None else response
    if status is CommentStatus.PARTLY_ACCEPTED and not (response or "").strip():
        raise DraftError("response_required")
    if text != revision.text:
        _save(revision, base_revision, editor, text=text)
    # The same decision as any other (audit event, the commenter told), made in this draft.
    review_operations.decide(
        comment,
        status=status,
        response=response,
        editor_note=comment.editor_note,
        draft=draft,
        editor=editor,
    )
    comment.resolved_in_version_id = draft.id
    record(
        editor,
        "suggestion.apply",
        comment,
        number=comment.number,
        block=revision.block.uid,
        revision=base_revision,
        taken=took,
        left=left,
        already=[c.number for c in merged.changes if c.state == ALREADY],
        conflicts={} if written is not None else {str(c.number): choices[c.number] for c in merged.conflicts},
        written=written is not None,
    )
    db.session.flush()
    suggestion_applied.send(comment, draft=draft, editor=editor)
    return Applied(revision, status, took, left)


def _applied_before(comment: Comment) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "suggestion.apply",
                AuditEvent.object_type == "comment",
                AuditEvent.object_id == comment.id,
            )
        )
        > 0
    )


def draft_has_changes(draft: Version, previous: Version | None) -> bool:
    """Whether the draft differs from *previous* in any block's presence, order, kind, level or text."""
    if previous is None:
        return True

    def rows(version: Version):
        return db.session.execute(
            sa.select(BlockRevision.block_id, BlockRevision.kind, BlockRevision.level, BlockRevision.text)
            .where(BlockRevision.version_id == version.id)
            .order_by(BlockRevision.position)
        ).all()

    return [tuple(r) for r in rows(draft)] != [tuple(r) for r in rows(previous)]


def publish_draft(
    draft: Version, *, summary: str, label: str | None = None, deadline: datetime | None = None, editor
) -> Version:
    """Freeze the draft as the next open version and close the one open before it."""
    _require_draft(draft)
    _lock(draft)
    document = draft.document
    previous_open = [v for v in document.versions if v.state is VersionState.OPEN and v.id != draft.id]
    for version in previous_open:
        version.state = VersionState.CLOSED
    # Positions become contiguous: a frozen version numbers its paragraphs 1..n for good.
    ordered = db.session.scalars(
        sa.select(BlockRevision.id)
        .where(BlockRevision.version_id == draft.id)
        .order_by(BlockRevision.position)
    ).all()
    if ordered:
        db.session.execute(
            sa.update(BlockRevision).execution_options(synchronize_session=False),
            [{"id": row_id, "position": position} for position, row_id in enumerate(ordered)],
        )
    draft.state = VersionState.OPEN
    draft.change_summary = summary.strip()
    if label and label.strip():
        draft.label = label.strip()
    draft.deadline = deadline
    draft.published_at = utcnow()
    draft.published_by_id = editor.id
    record(
        editor,
        "version.publish",
        draft,
        document=document.slug,
        number=draft.number,
        label=draft.label,
        closed=[v.number for v in previous_open],
        deadline=deadline.isoformat() if deadline else None,
    )
    version_published.send(draft, editor=editor)
    db.session.flush()
    return draft
