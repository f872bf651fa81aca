"""Load every comment a version's page shows, in a constant number of queries."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Organisation, User
from app.documents.models import Block, CommentVisibility, Document, Version
from app.extensions import db
from app.review.anchoring import Anchor, anchor
from app.review.labels import short_datetime
from app.review.models import Comment, CommentAnchor, CommentStatus, Endorsement
from app.richtext import highlight

FILTERS = ("all", "open", "mine", "none")
# Beyond this many threads a page shows counts per block and loads each block's
# discussion on demand: rendering thousands of threads at once is slow to serve and to read.
INLINE_LIMIT = 300
# Up to this many comments, their endorsements are looked up by id.
ENDORSEMENT_IDS_LIMIT = 1000


@dataclass
class ReplyView:
    """A reply as one reader sees it, with what they may do worked out once."""

    comment: Comment
    can_edit: bool = False
    can_withdraw: bool = False
    created: str = ""
    author_name: str = ""
    organisation_name: str = ""

    @classmethod
    def of(cls, comment: Comment, viewer, names: tuple[str, str] | None = None) -> ReplyView:
        """*names* (author, organisation) when already loaded; otherwise read from the comment."""
        author, organisation = names or (comment.author.name, comment.organisation.name)
        created = short_datetime(comment.created_at)
        return cls(
            comment, comment.can_edit(viewer), comment.can_withdraw(viewer), created, author, organisation
        )


@dataclass
class CommentView:
    """A top-level comment as one reader sees it: placement, replies and what they may do."""

    comment: Comment
    anchor: Anchor
    replies: list[ReplyView] = field(default_factory=list)
    endorsements: int = 0
    endorsed: bool = False
    can_edit: bool = False
    can_withdraw: bool = False
    created: str = ""
    author_name: str = ""
    organisation_name: str = ""
    block_uid: str | None = None
    can_endorse: bool = False

    @classmethod
    def of(
        cls,
        comment: Comment,
        anchor: Anchor,
        viewer,
        replies=(),
        endorsements=0,
        endorsed=False,
        names: tuple[str, str, str | None] | None = None,
    ):
        """Build the view, working out the viewer's permissions once.

        *replies* are ReplyViews; *names* (author, organisation, block uid) when the caller
        loaded them with the comment, otherwise they are read through its relationships.
        """
        if names is None:
            block = comment.block if comment.block_id else None
            names = (comment.author.name, comment.organisation.name, block.uid if block else None)
        return cls(
            comment=comment,
            anchor=anchor,
            replies=list(replies),
            endorsements=endorsements,
            endorsed=endorsed,
            can_edit=comment.can_edit(viewer),
            can_withdraw=comment.can_withdraw(viewer),
            created=short_datetime(comment.created_at),
            author_name=names[0],
            organisation_name=names[1],
            block_uid=names[2],
            can_endorse=comment.can_endorse(viewer),
        )


@dataclass
class Threads:
    """All comments of a page, grouped the way the page shows them."""

    by_block: dict[str, list[CommentView]]
    general: list[CommentView]
    removed: list[CommentView]
    open_counts: dict[str, int]
    show_names: bool
    show_organisations: bool
    visible: bool
    total: int
    organisations: dict[int, str] = field(default_factory=dict)
    collapsed: dict[str, int] = field(default_factory=dict)

    def for_block(self, uid: str) -> list[CommentView]:
        return self.by_block.get(uid, [])


@dataclass(frozen=True)
class Answered:
    """A comment on an earlier version that *this* version answered (accepted into it)."""

    number: int
    version_number: int
    organisation: str
    status: CommentStatus
    response_html: str | None


def answered_by_block(version: Version) -> dict[str, list[Answered]]:
    """Per block uid, the comments whose decision was carried out in *version*; one query."""
    rows = db.session.execute(_answered_statement(), {"version_id": version.id}).all()
    answered: dict[str, list[Answered]] = defaultdict(list)
    for uid, *values in rows:
        answered[uid].append(Answered(*values))
    return dict(answered)


def who_sees_what(document: Document, viewer) -> tuple[bool, bool, bool]:
    """(comments visible, names shown, organisations shown) for *viewer*."""
    if viewer is not None and viewer.is_authenticated:
        return True, True, True
    setting = document.comment_visibility
    if setting is CommentVisibility.NONE:
        return False, False, False
    return True, setting is CommentVisibility.FULL, True


def _wanted(view: CommentView, mode: str, organisation_id: int | None, viewer) -> bool:
    comment = view.comment
    if organisation_id is not None and comment.organisation_id != organisation_id:
        return False
    if mode == "open":
        return comment.is_open
    if mode == "mine":
        return comment.is_author(viewer) or any(r.comment.is_author(viewer) for r in view.replies)
    return True


def load_threads(
    document: Document,
    version: Version,
    current_texts: dict[str, str],
    viewer,
    mode: str = "all",
    organisation_id: int | None = None,
    only_blocks: set[int] | None = None,
    with_general: bool = False,
) -> Threads:
    """The comments shown on *version*: its own, plus open ones carried from earlier versions.

    *only_blocks* restricts them to those blocks' discussions, plus the comments on the
    version as a whole when *with_general* is set.
    """
    visible, names, organisations = who_sees_what(document, viewer)
    empty = Threads({}, [], [], {}, names, organisations, visible, 0)
    if not visible or mode == "none":
        return empty
    earlier_numbers = {v.id: v.number for v in document.versions if v.number <= version.number}
    params = {"document_id": document.id, "version_ids": list(earlier_numbers), "version_id": version.id}
    if only_blocks is not None:
        params["block_ids"] = sorted(only_blocks)
    statement = _threads_statement(only_blocks is not None, with_general)
    rows = db.session.execute(statement, params).all()
    # Endorsements per comment, and which of them are the reader's own, in one grouped query:
    # for the comments loaded when they are few, for the whole document when they are many.
    viewer_id = viewer.id if viewer is not None and viewer.is_authenticated else None
    counts: dict[int, int] = {}
    mine: set[int] = set()
    loaded = [row[0].id for row in rows if not row[0].parent_id]
    if loaded:
        by_ids = len(loaded) <= ENDORSEMENT_IDS_LIMIT
        params = {"viewer_id": viewer_id}
        params.update({"comment_ids": loaded} if by_ids else {"document_id": document.id})
        for comment_id, count, own in db.session.execute(_endorsements_statement(by_ids), params):
            counts[comment_id] = count
            if own:
                mine.add(comment_id)
    replies: dict[int, list[ReplyView]] = defaultdict(list)
    threads_organisations: dict[int, str] = {}
    tops: list[tuple[Comment, tuple[str, str, str | None], tuple | None]] = []
    for comment, author_name, organisation_name, block_uid, stored, stored_start, stored_end in rows:
        if comment.parent_id:
            replies[comment.parent_id].append(ReplyView.of(comment, viewer, (author_name, organisation_name)))
        else:
            placed = (stored_start, stored_end) if stored is not None else None
            tops.append((comment, (author_name, organisation_name, block_uid), placed))
        threads_organisations[comment.organisation_id] = organisation_name

    threads = Threads({}, [], [], {}, names, organisations, True, 0)
    threads.organisations = dict(sorted(threads_organisations.items(), key=lambda item: item[1]))
    for comment, names, placed in tops:
        made_on_current = comment.version_id == version.id
        # Earlier versions' comments travel forward only while they are still open.
        if not made_on_current and comment.status is not CommentStatus.OPEN:
            continue
        if not made_on_current and comment.is_withdrawn:
            continue
        uid = names[2]
        view = CommentView.of(
            comment=comment,
            viewer=viewer,
            anchor=anchor(
                made_on_current=made_on_current,
                block_uid=uid,
                text_then=comment.block_text,
                current_texts=current_texts,
                quote_exact=comment.quote_exact,
                quote_start=comment.quote_start,
                quote_prefix=comment.quote_prefix,
                quote_suffix=comment.quote_suffix,
                stored=placed,
            ),
            replies=replies.get(comment.id, []),
            endorsements=counts.get(comment.id, 0),
            endorsed=comment.id in mine,
            names=names,
        )
        if uid is not None and not view.anchor.removed and comment.is_open:
            threads.open_counts[uid] = threads.open_counts.get(uid, 0) + 1
        if not _wanted(view, mode, organisation_id, viewer):
            continue
        threads.total += 1
        if uid is None:
            threads.general.append(view)
        elif view.anchor.removed:
            threads.removed.append(view)
        else:
            threads.by_block.setdefault(uid, []).append(view)
    return threads


def count_by_block(document: Document, version: Version) -> dict[int, tuple[int, int]]:
    """Threads shown on *version* per block id: (all, open), in one grouped query."""
    earlier = [v.id for v in document.versions if v.number <= version.number]
    rows = db.session.execute(
        _counts_statement(), {"document_id": document.id, "version_ids": earlier, "version_id": version.id}
    ).all()
    return {block_id: (total, int(open_ or 0)) for block_id, total, open_ in rows}


def quote_ranges(threads) -> dict[str, tuple[tuple[int, int], ...]]:
    """Per block uid, the plain-text ranges of its comments' quotes that can be placed."""
    out = {}
    for uid, views in threads.by_block.items():
        ranges = tuple(
            (view.anchor.quote_start, view.anchor.quote_end)
            for view in views
            if view.anchor.quote_start is not None and view.anchor.quote_end is not None
        )
        if ranges:
            out[uid] = ranges
    return out


def highlighted_texts(blocks, threads) -> dict[str, str]:
    """Block texts with the quotes of their comments marked, where a quote can be placed."""
    ranges = quote_ranges(threads)
    return {
        block.uid: highlight(block.text, list(ranges[block.uid])) if block.uid in ranges else block.text
        for block in blocks
    }


# The page's statements are built once per process with bound parameters: building a
# select with its options and cache key costs more than running it on a small table.

_THREAD_COLUMNS = (
    Comment.id,
    Comment.number,
    Comment.version_id,
    Comment.block_id,
    Comment.parent_id,
    Comment.author_id,
    Comment.organisation_id,
    Comment.kind,
    Comment.body_html,
    Comment.quote_exact,
    Comment.quote_prefix,
    Comment.quote_suffix,
    Comment.quote_start,
    Comment.suggestion,
    Comment.block_text,
    Comment.status,
    Comment.response_html,
    Comment.decided_at,
    Comment.withdrawn_at,
    Comment.hidden_at,
    Comment.hidden_reason,
    Comment.created_at,
    Comment.updated_at,
    Comment.row_version,
)


@functools.cache
def _threads_statement(by_blocks: bool, with_general: bool) -> sa.Select:
    """A document's comments on the given versions (and blocks), with names, block uids and
    where each quote stands in the version ``version_id`` if that was stored at its publishing.

    Names, the block's uid and the stored anchor come as plain columns of the same query:
    relationships loaded for each of thousands of rows would cost more than the rest of the page.
    """
    statement = sa.select(
        Comment,
        User.name,
        Organisation.name,
        Block.uid,
        CommentAnchor.comment_id,
        CommentAnchor.quote_start,
        CommentAnchor.quote_end,
    ).where(
        Comment.document_id == sa.bindparam("document_id"),
        Comment.version_id.in_(sa.bindparam("version_ids", expanding=True)),
    )
    if by_blocks:
        in_blocks = Comment.block_id.in_(sa.bindparam("block_ids", expanding=True))
        statement = statement.where(
            sa.or_(in_blocks, Comment.block_id.is_(None)) if with_general else in_blocks
        )
    return (
        statement.join(User, User.id == Comment.author_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(Block, Block.id == Comment.block_id)
        .outerjoin(
            CommentAnchor,
            sa.and_(
                CommentAnchor.comment_id == Comment.id,
                CommentAnchor.version_id == sa.bindparam("version_id"),
            ),
        )
        # Only what a thread shows: the reading view carries thousands of these.
        .options(so.load_only(*_THREAD_COLUMNS))
        .order_by(Comment.created_at, Comment.id)
    )


@functools.cache
def _endorsements_statement(by_ids: bool) -> sa.Select:
    """Endorsements per comment and whether the viewer is among them: by comment ids, or
    for the whole document when the ids are too many to list."""
    comments = (
        sa.bindparam("comment_ids", expanding=True)
        if by_ids
        else sa.select(Comment.id).where(Comment.document_id == sa.bindparam("document_id")).scalar_subquery()
    )
    return (
        sa.select(
            Endorsement.comment_id,
            sa.func.count(),
            sa.func.max(sa.case((Endorsement.user_id == sa.bindparam("viewer_id"), 1), else_=0)),
        )
        .where(Endorsement.comment_id.in_(comments))
        .group_by(Endorsement.comment_id)
    )


@functools.cache
def _counts_statement() -> sa.Select:
    """Threads per block (all, open) on a version: its own and the open ones carried forward."""
    is_open = sa.and_(Comment.status == CommentStatus.OPEN, Comment.withdrawn_at.is_(None))
    return (
        sa.select(Comment.block_id, sa.func.count(), sa.func.sum(sa.case((is_open, 1), else_=0)))
        .where(
            Comment.document_id == sa.bindparam("document_id"),
            Comment.parent_id.is_(None),
            Comment.block_id.is_not(None),
            Comment.version_id.in_(sa.bindparam("version_ids", expanding=True)),
            sa.or_(Comment.version_id == sa.bindparam("version_id"), is_open),
        )
        .group_by(Comment.block_id)
    )


@functools.cache
def _answered_statement() -> sa.Select:
    """What a version answered, top-level and not hidden (index ix_comment_resolved_in_version)."""
    return (
        sa.select(
            Block.uid,
            Comment.number,
            Version.number,
            Organisation.name,
            Comment.status,
            Comment.response_html,
        )
        .join(Block, Block.id == Comment.block_id)
        .join(Version, Version.id == Comment.version_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .where(
            Comment.resolved_in_version_id == sa.bindparam("version_id"),
            Comment.parent_id.is_(None),
            Comment.hidden_at.is_(None),
        )
        .order_by(Comment.number)
    )
