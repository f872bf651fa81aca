"""Importing a draft (Word file or pasted text): align it with the previous version, then write it.

:func:`prepare_import` turns the blocks read from an upload into a :class:`PendingImport`:
the blocks in their stored form, how each one aligns with the previous version, and what
the reader could not represent. Nothing is written until :func:`write_import`, which
applies the editor's choices (keep the uid of an uncertain match, or split it into a new
block) and hands the blocks to :func:`app.drafting.operations.replace_draft`. The web
pages and ``flask import-docx`` share both steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.audit import record
from app.documents.models import (
    LICENCES,
    Block,
    BlockKind,
    BlockRevision,
    Document,
    Version,
    Visibility,
)
from app.drafting.alignment import Match, OldBlock, align
from app.drafting.docx_reader import ImportedBlock, ReportItem
from app.drafting.operations import NewBlock, replace_draft
from app.extensions import db
from app.richtext import sanitize_inline, table_rows, table_text

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80
TITLE_MAX = 300


class ImportRefused(Exception):
    """A pending import that can no longer be written; *code* names why (for the message shown)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class NewDocument:
    """What an editor entered for a document that the import creates."""

    title: str
    slug: str
    licence: str
    visibility: str


@dataclass
class PendingImport:
    """An import read and aligned, waiting for the editor to confirm or cancel it.

    ``matches`` has one entry per block (see :class:`app.drafting.alignment.Match`);
    ``old`` holds the previous version's blocks of the uncertain matches, by old index,
    so the report can show them side by side without the database.
    """

    user_id: int
    source: str
    filename: str
    blocks: list[ImportedBlock]
    matches: list[Match]
    removed: list[str]
    report: list[ReportItem] = field(default_factory=list)
    document_id: int | None = None
    new_document: NewDocument | None = None
    base_version_id: int | None = None
    base_label: str | None = None
    draft_number: int | None = None
    old: dict[int, ImportedBlock] = field(default_factory=dict)
    token: str = ""
    created: float = 0.0

    @property
    def uncertain(self) -> list[Match]:
        """The matches an editor confirms or splits."""
        return [m for m in self.matches if m.low_confidence]

    def counts(self, split: set[int] | frozenset[int] = frozenset()) -> dict[str, int]:
        """Blocks per status (unchanged, edited, moved, moved+edited, new) and removed ones.

        Blocks in *split* count as new, and the old blocks they matched as removed.
        """
        counts = {"unchanged": 0, "edited": 0, "moved": 0, "moved+edited": 0, "new": 0}
        for m in self.matches:
            counts["new" if m.index in split else m.status] += 1
        counts["removed"] = len(self.removed) + sum(1 for m in self.uncertain if m.index in split)
        return counts


def stored_form(block: ImportedBlock) -> ImportedBlock | None:
    """*block* with its text as the database keeps it (None when nothing is left)."""
    if block.kind == BlockKind.TABLE.value:
        rows = table_rows(block.text)
        if not any(cell.strip() for row in rows for cell in row):
            return None
        text = table_text(rows)
    else:
        text = sanitize_inline(block.text)
        if not text.strip():
            return None
    kind = BlockKind(block.kind).value
    return ImportedBlock(kind, min(max(int(block.level), 1), 3), text)


def previous_version(document: Document | None) -> Version | None:
    """The version an import is aligned with: the newest published one, else the working draft."""
    if document is None:
        return None
    return document.current_version or document.draft


def old_blocks(version: Version | None) -> list[OldBlock]:
    """The blocks of *version* in order, with their uids; one query."""
    if version is None:
        return []
    rows = db.session.execute(
        sa.select(Block.uid, BlockRevision.kind, BlockRevision.level, BlockRevision.text)
        .join(Block, Block.id == BlockRevision.block_id)
        .where(BlockRevision.version_id == version.id)
        .order_by(BlockRevision.position)
    ).all()
    return [OldBlock(uid, kind.value, level, text) for uid, kind, level, text in rows]


def prepare_import(
    document: Document | None,
    blocks: list[ImportedBlock],
    report: list[ReportItem],
    *,
    source: str,
    filename: str,
    user=None,
    new_document: NewDocument | None = None,
) -> PendingImport:
    """Align *blocks* with *document*'s previous version (all new for a new document); writes nothing.

    *user* is the editor the import is kept for (None: a command-line dry run).
    """
    cleaned = [b for b in (stored_form(block) for block in blocks) if b is not None]
    base = previous_version(document)
    old = old_blocks(base)
    alignment = align(old, cleaned)
    uncertain = {m.old_index: old[m.old_index] for m in alignment.low_confidence if m.old_index is not None}
    draft = document.draft if document is not None else None
    return PendingImport(
        user_id=user.id if user is not None else 0,
        source=source,
        filename=filename,
        blocks=cleaned,
        matches=alignment.matches,
        removed=alignment.removed,
        report=list(report),
        document_id=document.id if document is not None else None,
        new_document=new_document,
        base_version_id=base.id if base is not None else None,
        base_label=base.label if base is not None else None,
        draft_number=draft.number if draft is not None else None,
        old={i: ImportedBlock(b.kind, b.level, b.text) for i, b in uncertain.items()},
    )


def new_blocks(pending: PendingImport, split: set[int] | frozenset[int] = frozenset()) -> list[NewBlock]:
    """The blocks to write: each keeps its matched uid unless the editor split it off (*split*)."""
    out = []
    for block, match in zip(pending.blocks, pending.matches, strict=True):
        uid = None if match.index in split else match.uid
        out.append(NewBlock(uid, BlockKind(block.kind), block.level, block.text))
    return out


def slug_taken(slug: str) -> bool:
    """Whether a document already has *slug*."""
    return db.session.scalar(sa.select(Document.id).where(Document.slug == slug)) is not None


def create_document(*, title: str, slug: str, licence: str, visibility: Visibility, editor) -> Document:
    """A new document without versions; its first version starts as a working draft."""
    if licence not in LICENCES:
        raise ImportRefused("bad_licence")
    if not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX:
        raise ImportRefused("bad_slug")
    if slug_taken(slug):
        raise ImportRefused("slug_taken")
    document = Document(
        title=title.strip()[:TITLE_MAX],
        slug=slug,
        licence=licence,
        visibility=visibility,
        created_by_id=editor.id,
    )
    db.session.add(document)
    db.session.flush()
    record(editor, "document.create", document, slug=slug, visibility=visibility.value)
    return document


def write_import(pending: PendingImport, editor, split: set[int] | frozenset[int] = frozenset()) -> Version:
    """Write a pending import as the working draft; :class:`ImportRefused` when it is stale.

    Stale means the document is gone, a version was published since the upload (the
    alignment was against an older text), or the new document's slug was taken meanwhile.
    Flushes; the caller commits.
    """
    if pending.new_document is not None:
        spec = pending.new_document
        document = create_document(
            title=spec.title,
            slug=spec.slug,
            licence=spec.licence,
            visibility=Visibility(spec.visibility),
            editor=editor,
        )
    else:
        document = db.session.get(Document, pending.document_id)
        if document is None:
            raise ImportRefused("document_gone")
        base = previous_version(document)
        if (base.id if base is not None else None) != pending.base_version_id:
            raise ImportRefused("base_changed")
    return replace_draft(document, new_blocks(pending, split), editor, source=pending.source)
