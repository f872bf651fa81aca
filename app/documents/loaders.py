"""Load documents and versions for a request: 404 when missing, sign-in or 403 when not allowed."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from app.documents.models import Block, BlockRevision, Document, Version, VersionState
from app.documents.numbering import Ref, number_blocks
from app.extensions import db, login_manager


def get_document(slug: str) -> Document:
    """The document with *slug* if the current user may read it."""
    document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    if document is None:
        abort(404)
    if not document.can_read(current_user):
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())
        abort(403)
    return document


def get_version(document: Document, number: int) -> Version:
    """Version *number* of *document*; drafts only for editors (others get 404)."""
    version = next((v for v in document.versions if v.number == number), None)
    if version is None:
        abort(404)
    if version.state is VersionState.DRAFT and not (current_user.is_authenticated and current_user.is_editor):
        abort(404)
    return version


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
