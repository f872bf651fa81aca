"""The editors' review dashboard: every comment a version has to answer for, grouped by block.

A version answers for the comments made on it and for earlier ones carried forward to it:
those still open, and those decided since it was published. Filtering, counting and ordering
run over a light query of the whole set; only one page of comments is loaded in full, so the
page costs the same number of queries for 30 comments or 3,000.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Organisation, User
from app.audit import AuditEvent
from app.documents.loaders import PageBlock, page_blocks, ref_labels
from app.documents.models import Block, BlockKind, BlockRevision, Document, Version
from app.extensions import db
from app.merge import Merge, merge
from app.review.models import Comment, CommentKind, CommentStatus, Endorsement
from app.worddiff import WordOp

PAGE_SIZE = 100
# Names only: a user's roles are not needed to show who wrote a comment.
_AUTHOR = so.joinedload(Comment.author).options(so.load_only(User.id, User.name), so.lazyload(User.role_rows))
STATUS_FILTERS = tuple(s.value for s in CommentStatus)
KIND_FILTERS = tuple(k.value for k in CommentKind)


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@dataclass(frozen=True)
class Filters:
    """What the editor asked to see; unknown values are ignored rather than refused."""

    status: str = ""
    kind: str = ""
    organisation_id: int | None = None
    suggestion: bool = False
    unanswered: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Filters:
        status = args.get("status", "")
        kind = args.get("kind", "")
        return cls(
            status=status if status in STATUS_FILTERS else "",
            kind=kind if kind in KIND_FILTERS else "",
            organisation_id=_int(args.get("org")),
            suggestion=args.get("suggestion") == "1",
            unanswered=args.get("unanswered") == "1",
            page=max(_int(args.get("page")) or 1, 1),
        )

    def args(self, **changes) -> dict:
        """Query arguments for these filters (with *changes*), for links that keep them."""
        values = {
            "status": self.status,
            "kind": self.kind,
            "org": self.organisation_id,
            "suggestion": "1" if self.suggestion else "",
            "unanswered": "1" if self.unanswered else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def active(self) -> bool:
        return bool(self.status or self.kind or self.organisation_id or self.suggestion or self.unanswered)


@dataclass
class Row:
    """One comment on the dashboard, with what the editor needs beside it."""

    comment: Comment
    replies: list[Comment]
    endorsements: int
    current_text: str | None  # the block's text in this version (None: general or removed)
    draft_text: str | None  # the block's text in the working draft, if there is one
    in_draft: bool
    applied: bool = False  # its suggestion is already in the working draft
    duplicate_number: int | None = None  # the "#N" it duplicates
    draft_revision: int | None = None  # the revision number of the block in the working draft
    draft_is_table: bool = False  # a table's suggestion is not merged: the editor edits the table

    @property
    def changed_since(self) -> bool:
        """Whether the paragraph as it stands differs from the text the comment was made on."""
        now = self.text_now
        return now is not None and self.comment.block_text is not None and self.comment.block_text != now

    @property
    def text_now(self) -> str | None:
        """The paragraph as it stands: in the working draft if there is one, else in this version."""
        return self.draft_text if self.in_draft else self.current_text

    @cached_property
    def merge(self) -> Merge | None:
        """The merge of the suggestion into the draft's paragraph, when it waits to be applied."""
        c = self.comment
        if not self._applicable or self.draft_text is None or self.draft_is_table:
            return None
        return merge(c.block_text, c.suggestion, self.draft_text)

    @property
    def can_apply(self) -> bool:
        """Whether every change of the suggestion can be taken as shown: no conflict with the draft."""
        return self.merge is not None and self.merge.clean

    @property
    def apply_takes(self) -> list[int]:
        """The changes applying from the card takes: all of them (clean merges only)."""
        return [c.number for c in self.merge.takeable] if self.merge is not None else []

    @property
    def apply_ops(self) -> list[WordOp]:
        """The draft's paragraph turned into what taking every change gives, as word ops."""
        return self.merge.ops(*self.merge.everything) if self.can_apply else []

    @property
    def apply_conflict(self) -> bool:
        """Whether some change of the suggestion overlaps an edit made in the draft since: the editor
        chooses on the conflict view (the card offers it instead of a button)."""
        return self.merge is not None and not self.merge.clean

    @property
    def apply_by_hand(self) -> bool:
        """Whether the suggestion waits on a table, which the editor changes in the draft editor."""
        return self._applicable and self.draft_is_table

    @property
    def _applicable(self) -> bool:
        c = self.comment
        return bool(c.suggestion) and self.in_draft and not self.applied and not c.is_withdrawn

    @property
    def outdated(self) -> bool:
        return self.current_text is not None and self.comment.block_text not in (None, self.current_text)


@dataclass
class Group:
    """The comments on one block (or on the version as a whole, or on removed text)."""

    key: str  # "general", "removed" or the block uid
    block: PageBlock | None
    label: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Dashboard:
    """A page of the dashboard."""

    groups: list[Group]
    counts: dict[str, int]
    total: int
    matching: int
    page: int
    pages: int
    organisations: dict[int, str]

    @property
    def selectable(self) -> int:
        """How many comments on this page can be ticked for a bulk decision (not withdrawn or hidden ones)."""
        return sum(
            1 for g in self.groups for r in g.rows if not r.comment.is_withdrawn and not r.comment.is_hidden
        )


def _base_query(document: Document, version: Version):
    earlier = [v.id for v in document.versions if v.number < version.number]
    carried = sa.and_(
        Comment.version_id.in_(earlier),
        sa.or_(
            sa.and_(Comment.status == CommentStatus.OPEN, Comment.withdrawn_at.is_(None)),
            # Decided while this version was the one under review (or, for a draft, taken into it).
            Comment.decided_at >= version.published_at
            if version.published_at
            else Comment.resolved_in_version_id == version.id,
        ),
    )
    return sa.and_(
        Comment.document_id == document.id,
        Comment.parent_id.is_(None),
        sa.or_(Comment.version_id == version.id, carried) if earlier else Comment.version_id == version.id,
    )


def _light_rows(document: Document, version: Version):
    """Every comment *version* answers for, as light rows (no text): enough to filter, count, order."""
    # Status and kind as their stored strings: converting 3,000 of each to enums costs more
    # than the query itself.
    return db.session.execute(
        sa.select(
            Comment.id,
            Comment.number,
            Comment.block_id,
            sa.type_coerce(Comment.status, sa.String).label("status"),
            sa.type_coerce(Comment.kind, sa.String).label("kind"),
            Comment.organisation_id,
            Organisation.name,
            Comment.suggestion.is_not(None),
            Comment.decided_at.is_not(None),
            Comment.withdrawn_at.is_not(None),
        )
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .where(_base_query(document, version))
    ).all()


def _wanted(filters: Filters):
    def wanted(row) -> bool:
        if filters.status and row.status != filters.status:
            return False
        if filters.kind and row.kind != filters.kind:
            return False
        if filters.organisation_id and row.organisation_id != filters.organisation_id:
            return False
        if filters.suggestion and not row[7]:
            return False
        return not (filters.unanswered and (row[8] or row[9]))

    return wanted


def _placer(order: dict[int, int]):
    def place(row) -> tuple:
        # General comments first, then blocks in document order, then those on removed text.
        if row.block_id is None:
            return (0, 0, row.number)
        if row.block_id in order:
            return (1, order[row.block_id], row.number)
        return (2, 0, row.number)

    return place


def _block_order(version: Version) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(BlockRevision.block_id)
        .where(BlockRevision.version_id == version.id)
        .order_by(BlockRevision.position)
    ).scalars()
    return {block_id: i for i, block_id in enumerate(rows)}


def undecided_count(document: Document, version: Version) -> int:
    """How many comments *version* answers for are still undecided (open and not withdrawn)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(
            _base_query(document, version),
            Comment.status == CommentStatus.OPEN,
            Comment.withdrawn_at.is_(None),
        )
    )


@dataclass(frozen=True)
class Next:
    """Where the flow goes after a decision: the next undecided comment, and its page."""

    comment_id: int | None
    number: int | None
    page: int


def next_undecided(document: Document, version: Version, filters: Filters, after: Comment) -> Next:
    """The first undecided comment after *after* in the dashboard's order under *filters* (wrapping).

    *after* may have left the filtered set (it was just decided under "not yet decided"): its
    place in the order is still known, so the flow goes on from where it was.
    """
    order = _block_order(version)
    place = _placer(order)
    chosen = sorted((row for row in _light_rows(document, version) if _wanted(filters)(row)), key=place)
    here = place(after)
    undecided = [
        (i, row)
        for i, row in enumerate(chosen)
        if row.status == CommentStatus.OPEN.value and not row[9] and row.id != after.id
    ]
    following = [(i, row) for i, row in undecided if place(row) > here] or undecided
    pages = max((len(chosen) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if not following:
        return Next(None, None, min(filters.page, pages))
    index, row = following[0]
    return Next(row.id, row.number, index // PAGE_SIZE + 1)


def load_dashboard(
    document: Document, version: Version, filters: Filters, draft: Version | None
) -> Dashboard:
    """One page of *version*'s comments, grouped by block in document order, with counts per status."""
    # Plain values, and for a published version kept by the process: its text never changes.
    blocks = page_blocks(version)
    labels = ref_labels(blocks)
    by_block_id = {b.block_id: b for b in blocks}
    order = {b.block_id: i for i, b in enumerate(blocks)}

    light = _light_rows(document, version)
    counts = Counter(row.status for row in light)
    organisations = dict(sorted({(row.organisation_id, row.name) for row in light}, key=lambda item: item[1]))

    chosen = sorted((row for row in light if _wanted(filters)(row)), key=_placer(order))
    pages = max((len(chosen) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(filters.page, pages)
    ids = [row.id for row in chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    rows = _load_rows(ids, {k: b.text for k, b in by_block_id.items()}, draft)

    groups: list[Group] = []
    for row in rows:
        comment = row.comment
        block = by_block_id.get(comment.block_id) if comment.block_id is not None else None
        key = "general" if comment.block_id is None else (block.uid if block else "removed")
        if not groups or groups[-1].key != key:
            groups.append(Group(key, block, labels.get(block.uid, "") if block else ""))
        groups[-1].rows.append(row)
    return Dashboard(
        groups=groups,
        counts={s: counts.get(s, 0) for s in STATUS_FILTERS},
        total=len(light),
        matching=len(chosen),
        page=page,
        pages=pages,
        organisations=organisations,
    )


def load_row(version: Version, comment: Comment, draft: Version | None) -> Row:
    """One dashboard card, as a decision returns it (a constant handful of queries)."""
    texts = {}
    if comment.block_id is not None:
        texts = _texts(version, [comment.block_id])
    return _load_rows([comment.id], texts, draft)[0]


def load_rows(version: Version, ids: list[int], draft: Version | None) -> list[Row]:
    """The dashboard cards of the comments *ids*, as a bulk decision returns them."""
    block_ids = db.session.scalars(
        sa.select(Comment.block_id).where(Comment.id.in_(ids), Comment.block_id.is_not(None))
    ).all()
    return _load_rows(ids, _texts(version, set(block_ids)), draft)


def _texts(version: Version, block_ids) -> dict[int, str]:
    return dict(
        db.session.execute(
            sa.select(BlockRevision.block_id, BlockRevision.text).where(
                BlockRevision.version_id == version.id, BlockRevision.block_id.in_(list(block_ids))
            )
        ).all()
    )


def applied_suggestions(ids, draft: Version | None) -> set[int]:
    """Which of the comments *ids* have had their suggestion applied in *draft* (one query)."""
    if draft is None or not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Comment.id)
            .join(
                AuditEvent,
                sa.and_(
                    AuditEvent.object_type == "comment",
                    AuditEvent.object_id == Comment.id,
                    AuditEvent.action == "suggestion.apply",
                ),
            )
            .where(Comment.id.in_(list(ids)), Comment.resolved_in_version_id == draft.id)
        )
    )


def _load_rows(ids: list[int], current_texts: dict[int, str], draft: Version | None) -> list[Row]:
    """The comments *ids* in full, in that order, with replies, endorsements and the draft's text."""
    comments = {
        c.id: c
        for c in db.session.scalars(
            sa.select(Comment)
            .where(Comment.id.in_(ids))
            .options(
                _AUTHOR,
                so.joinedload(Comment.organisation).load_only(Organisation.id, Organisation.name),
                so.joinedload(Comment.block).load_only(Block.id, Block.uid),
                so.joinedload(Comment.version).load_only(Version.id, Version.number, Version.label),
            )
        ).unique()
    }
    replies: dict[int, list[Comment]] = defaultdict(list)
    endorsements: dict[int, int] = {}
    draft_texts: dict[int, str] = {}
    draft_revisions: dict[int, tuple[int, BlockKind]] = {}
    if ids:
        for reply in db.session.scalars(
            sa.select(Comment)
            .where(Comment.parent_id.in_(ids))
            .options(
                _AUTHOR,
                so.joinedload(Comment.organisation).load_only(Organisation.id, Organisation.name),
            )
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
        block_ids = {c.block_id for c in comments.values() if c.block_id is not None}
        if draft is not None and block_ids:
            for block_id, text, revision, kind in db.session.execute(
                sa.select(
                    BlockRevision.block_id, BlockRevision.text, BlockRevision.revision, BlockRevision.kind
                ).where(BlockRevision.version_id == draft.id, BlockRevision.block_id.in_(block_ids))
            ):
                draft_texts[block_id] = text
                draft_revisions[block_id] = (revision, kind)

    applied = applied_suggestions(ids, draft)
    duplicates: dict[int, int] = {}
    targets = {c.duplicate_of_id for c in comments.values() if c.duplicate_of_id}
    if targets:
        duplicates = dict(
            db.session.execute(sa.select(Comment.id, Comment.number).where(Comment.id.in_(targets))).all()
        )
    rows = []
    for comment_id in ids:
        comment = comments[comment_id]
        rows.append(
            Row(
                comment=comment,
                replies=replies.get(comment_id, []),
                endorsements=endorsements.get(comment_id, 0),
                current_text=current_texts.get(comment.block_id),
                draft_text=draft_texts.get(comment.block_id),
                in_draft=comment.block_id in draft_texts,
                applied=comment_id in applied,
                duplicate_number=duplicates.get(comment.duplicate_of_id),
                draft_revision=draft_revisions.get(comment.block_id, (None, None))[0],
                draft_is_table=draft_revisions.get(comment.block_id, (None, None))[1] is BlockKind.TABLE,
            )
        )
    return rows
