"""Load documents and versions for a request: 404 when missing, sign-in or 403 when not allowed."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from app import fragments
from app.accounts.models import User
from app.documents.models import Block, BlockRevision, Document, Version, VersionState
from app.documents.numbering import Ref, number_blocks
from app.extensions import db, login_manager


def get_document(slug: str) -> Document:
    """The document with *slug* if the current user may read it."""
    document = db.session.execute(document_statement(), {"slug": slug}).unique().scalar_one_or_none()
    return readable(document)


def readable(document: Document | None) -> Document:
    """*document* if the current user may read it: 404 when missing, sign-in or 403 when not allowed."""
    if document is None:
        abort(404)
    if not document.can_read(current_user):
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())
        abort(403)
    return document


@functools.cache
def document_statement() -> sa.Select:
    """A document by slug (bind parameter ``slug``) with its versions in the same query.

    A document has a handful of versions. Built once: every document page runs it. Pages show
    who published each version, never what roles they hold. Pages above add columns to it
    (the reading page: whether the reader follows the document).
    """
    return (
        sa.select(Document)
        .where(Document.slug == sa.bindparam("slug"))
        .options(so.joinedload(Document.versions).joinedload(Version.published_by).lazyload(User.role_rows))
    )


def get_version(document: Document, number: int) -> Version:
    """Version *number* of *document*; drafts only for editors (others get 404)."""
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        abort(404)
    if version.state is VersionState.DRAFT and not document.can_edit(current_user):
        abort(404)
    return version


def published_version(slug: str, number: int) -> tuple[Document, Version]:
    """A readable document's published version (404 for drafts, as for every reader)."""
    document = get_document(slug)
    version = get_version(document, number)
    if not version.is_published:
        abort(404)
    return document, version


def editor_document(slug: str) -> Document:
    """The document, for its editors only (403 for everyone else signed in)."""
    document = get_document(slug)
    if not document.can_edit(current_user):
        abort(403)
    return document


@dataclass(frozen=True, slots=True)
class BlockView:
    """One block as a page shows it."""

    revision: BlockRevision
    ref: Ref

    @property
    def uid(self) -> str:
        return self.revision.block.uid

    @property
    def kind(self) -> str:
        return self.revision.kind.value

    @property
    def level(self) -> int:
        return self.revision.level

    @property
    def text(self) -> str:
        return self.revision.text

    @property
    def anchor(self) -> str:
        return f"b-{self.uid}"

    @property
    def block_id(self) -> int:
        return self.revision.block_id


@dataclass(frozen=True, slots=True)
class PageBlock:
    """One block as the reading page and the comment form need it: plain values, no ORM object."""

    uid: str
    block_id: int
    kind: str
    level: int
    text: str
    ref: Ref
    anchor: str
    # Consecutive list items share one <ul>/<ol>: the tag this block sits in, the list it
    # opens and the list it closes before itself (fixed by the layout, so worked out once).
    list_tag: str | None = None
    list_open: str | None = None
    list_close: str | None = None


LIST_TAGS = {"bullet": "ul", "number": "ol"}


def page_blocks(version: Version) -> tuple[PageBlock, ...]:
    """The blocks of *version* in order, numbered, as plain values.

    A published version's text never changes, so each process loads it once and keeps it
    (keyed by the version's id and publication time); a draft is read afresh every time.
    """
    if not version.is_published:
        return _load_page_blocks(version.id)
    key = (version.id, version.published_at)
    return fragments.cache("layouts").get(key, lambda: _load_page_blocks(version.id))


def _load_page_blocks(version_id: int) -> tuple[PageBlock, ...]:
    rows = db.session.execute(
        sa.select(Block.uid, Block.id, BlockRevision.kind, BlockRevision.level, BlockRevision.text)
        .join(Block, Block.id == BlockRevision.block_id)
        .where(BlockRevision.version_id == version_id)
        .order_by(BlockRevision.position)
    ).all()
    refs = number_blocks(rows)
    blocks, previous = [], None
    for (uid, block_id, kind, level, text), ref in zip(rows, refs, strict=True):
        tag = LIST_TAGS.get(kind.value)
        close = previous if previous and previous != tag else None
        opens = tag if tag and tag != previous else None
        blocks.append(
            PageBlock(uid, block_id, kind.value, level, text or "", ref, f"b-{uid}", tag, opens, close)
        )
        previous = tag
    return tuple(blocks)


def version_blocks(version: Version) -> list[BlockView]:
    """The blocks of *version* in order, numbered; one query whatever the size."""
    revisions = db.session.scalars(
        sa.select(BlockRevision)
        .where(BlockRevision.version_id == version.id)
        .options(so.joinedload(BlockRevision.block).load_only(Block.uid))
        .order_by(BlockRevision.position)
    ).all()
    refs = number_blocks(revisions)
    return [BlockView(rev, ref) for rev, ref in zip(revisions, refs, strict=True)]


def ref_labels(blocks) -> dict[str, str]:
    """Each block's human reference ("3.2 ¶4", in Swedish "3.2 st. 4"), translated once per page."""
    in_section = _("%(section)s ¶%(n)d")
    alone = _("¶%(n)d")
    labels = {}
    for block in blocks:
        ref = block.ref
        if ref.is_heading:
            labels[block.uid] = ref.section
        elif ref.section:
            labels[block.uid] = in_section % {"section": ref.section, "n": ref.paragraph}
        else:
            labels[block.uid] = alone % {"n": ref.paragraph}
    return labels
