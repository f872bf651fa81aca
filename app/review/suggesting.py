"""Where a member's proposed paragraph lands: the revision it was made on, and whether it still stands.

A suggestion is made on the paragraph a page showed: the form carries that revision's id.
It is stored on the version that takes comments now (the page's own, or the current one if
a newer version was published meanwhile) only when the paragraph there still reads exactly
as it did; otherwise the member is shown both texts (409) and nothing is stored. A proposal
is never laid over text its author has not seen.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

import sqlalchemy as sa

from app.documents.models import BlockKind, BlockRevision, Document, Version
from app.extensions import db


class Outcome(enum.Enum):
    """What may happen to a proposal made on a given revision."""

    STORE = "store"  # the paragraph reads as the member saw it, on a version taking comments
    CLOSED = "closed"  # no version takes comments
    CHANGED = "changed"  # the paragraph has changed (or gone) since the page was loaded
    UNKNOWN = "unknown"  # the form names no revision of this paragraph: an old or altered form


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a proposal goes: *revision* on *version* when STORE; *base* is what the member saw."""

    outcome: Outcome
    base: BlockRevision | None = None
    version: Version | None = None
    revision: BlockRevision | None = None


@functools.cache
def _revision_statement() -> sa.Select:
    return sa.select(BlockRevision).where(
        BlockRevision.version_id == sa.bindparam("version_id"),
        BlockRevision.block_id == sa.bindparam("block_id"),
    )


def revision_of(version: Version, block_id: int) -> BlockRevision | None:
    """The revision of block *block_id* in *version* (one query), or None if it has none."""
    return db.session.scalar(_revision_statement(), {"version_id": version.id, "block_id": block_id})


def taking_version(document: Document, version: Version) -> Version | None:
    """The version a proposal seen on *version* would be made on now: *version* while it takes
    comments, else the current version if one published since takes them; None if none does."""
    if version.accepts_comments():
        return version
    current = document.current_version
    if current is not None and current.number > version.number and current.accepts_comments():
        return current
    return None


def place(document: Document, version: Version, block_id: int, revision_id: str | None) -> Placement:
    """Where a proposal made on revision *revision_id* of block *block_id*, seen on *version*, goes."""
    target = taking_version(document, version)
    if target is None:
        return Placement(Outcome.CLOSED)
    base = db.session.get(BlockRevision, int(revision_id)) if (revision_id or "").isdigit() else None
    if (
        base is None
        or base.block_id != block_id
        or base.version.document_id != document.id
        or not base.version.is_published
    ):
        return Placement(Outcome.UNKNOWN)
    # Published meanwhile (target is newer): the proposal stands only if the paragraph did not change.
    revision = base if base.version_id == target.id else revision_of(target, block_id)
    if revision is None or revision.text != base.text or revision.kind is not base.kind:
        return Placement(Outcome.CHANGED, base, target, revision)
    return Placement(Outcome.STORE, base, target, revision)


def is_table(revision: BlockRevision | None) -> bool:
    """Whether a proposal for *revision* is a table (typed one row per line, cells split by |)."""
    return revision is not None and revision.kind is BlockKind.TABLE
