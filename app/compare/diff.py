"""Version-level diff of blocks (tables cell by cell), for the compare view, the API and DOCX.

The word-level diff of one text is app.worddiff; this module matches the blocks of two versions
and compares each pair with it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from markupsafe import Markup

from app.richtext import table_rows
from app.worddiff import (
    DELETE,
    EQUAL,
    INSERT,
    WordOp,
    has_changes,
    ops_html,
    render_ops_html,
    render_side_by_side,
    whole_ops,
    word_ops,
)

CellOps = list[list[list[WordOp]]]

_TABLE = "table"


class ChangeStatus(StrEnum):
    """How a block changed between two versions (compares equal to its string value)."""

    UNCHANGED = "unchanged"
    MODIFIED = "modified"
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"


# --------------------------------------------------------------------------- tables


def whole_cells(table_text: str, tag: str) -> CellOps:
    """Per-cell ops showing a whole table with one tag."""
    return [[whole_ops(cell, tag) for cell in row] for row in table_rows(table_text)]


def diff_table(old_text: str, new_text: str) -> CellOps | None:
    """Per-cell word ops when both tables have the same shape, else None.

    "Same shape" means the same number of rows and the same number of cells in each
    row. A table whose shape changed is shown whole-block instead: the old table
    deleted and the new one inserted (see :attr:`BlockChange.replaced`).
    """
    old_rows = table_rows(old_text)
    new_rows = table_rows(new_text)
    if [len(row) for row in old_rows] != [len(row) for row in new_rows]:
        return None
    return [
        [word_ops(old_cell, new_cell) for old_cell, new_cell in zip(old_row, new_row, strict=True)]
        for old_row, new_row in zip(old_rows, new_rows, strict=True)
    ]


def _cells_changed(cells: CellOps) -> bool:
    return any(has_changes(ops) for row in cells for ops in row)


# --------------------------------------------------------------------------- versions


@dataclass(frozen=True, slots=True)
class BlockChange:
    """One block of a version comparison, in merged reading order.

    ``ops`` are the block's word ops (for non-table blocks; equal / insert / delete of
    the whole text for unchanged, added and removed blocks). ``cells`` are per-cell ops
    for table blocks. ``replaced`` marks a modified block that can only be shown whole:
    a table that changed shape, or a block that became or stopped being a table; there
    ``ops`` is empty and ``cells`` is None (see :func:`split_replaced`). A moved block
    that was also edited has status "modified" and ``moved`` True.
    """

    uid: str
    status: ChangeStatus
    moved: bool
    old: Any
    new: Any
    ops: list[WordOp]
    old_index: int | None
    new_index: int | None
    cells: CellOps | None = None
    replaced: bool = False


@dataclass(frozen=True, slots=True)
class VersionDiff:
    """The blocks of two versions in merged reading order, with counts per status.

    ``counts`` has the keys added, removed, modified, moved and unchanged; a block that
    was moved and edited counts as both modified and moved.
    """

    changes: list[BlockChange]
    counts: dict[str, int]


def _field(block: Any, name: str, default: Any) -> Any:
    if isinstance(block, Mapping):
        return block.get(name, default)
    return getattr(block, name, default)


def _shape(block: Any) -> tuple[str, int, str]:
    """(kind, level, text) of a block given as an object or a mapping."""
    kind = _field(block, "kind", None) or "paragraph"
    # Model rows carry an enum (BlockKind.TABLE); dicts from the API carry its value.
    return (
        str(getattr(kind, "value", kind)),
        int(_field(block, "level", 1) or 1),
        _field(block, "text", "") or "",
    )


def _index(blocks: list[Any], which: str) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, block in enumerate(blocks):
        uid = str(_field(block, "uid", ""))
        if uid in positions:
            raise ValueError(f"duplicate block uid {uid!r} in the {which} version")
        positions[uid] = i
    return positions


def _in_order(sequence: list[int]) -> set[int]:
    """Members of one longest increasing subsequence of distinct ints (O(n log n)).

    Over the old positions of the shared blocks in new order this is the LCS of the
    two uid sequences: the blocks that kept their relative order. The rest moved.
    """
    tails: list[int] = []  # smallest tail value of an increasing run of each length
    tail_at: list[int] = []  # index in *sequence* of that tail
    previous: list[int] = [-1] * len(sequence)
    for i, value in enumerate(sequence):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k] = value
            tail_at[k] = i
        previous[i] = tail_at[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        keep.add(sequence[i])
        i = previous[i]
    return keep


def _content(kind: str, text: str, tag: str) -> tuple[list[WordOp], CellOps | None]:
    if kind == _TABLE:
        return [], whole_cells(text, tag)
    return whole_ops(text, tag), None


def _compare(old: Any, new: Any) -> tuple[bool, list[WordOp], CellOps | None, bool]:
    """(modified, ops, cells, replaced) for a block present in both versions."""
    old_kind, old_level, old_text = _shape(old)
    new_kind, new_level, new_text = _shape(new)
    retyped = old_kind != new_kind or old_level != new_level
    if old_text == new_text and (old_kind == _TABLE) == (new_kind == _TABLE):
        ops, cells = _content(new_kind, new_text, EQUAL)
        return retyped, ops, cells, False
    if old_kind == _TABLE and new_kind == _TABLE:
        cells = diff_table(old_text, new_text)
        if cells is None:
            return True, [], None, True
        return retyped or _cells_changed(cells), [], cells, False
    if old_kind == _TABLE or new_kind == _TABLE:
        return True, [], None, True
    ops = word_ops(old_text, new_text)
    return retyped or has_changes(ops), ops, None, False


def diff_versions(old_blocks: Iterable[Any], new_blocks: Iterable[Any]) -> VersionDiff:
    """Compare two versions' blocks (objects or dicts with uid, kind, level, text).

    Blocks are matched by uid. Moves are found with a longest common subsequence of
    the shared uids, so one moved block does not make the blocks after it "moved".
    The result is in new-version order, each removed block placed right after the
    nearest block before it in the old version that kept its place (or first).
    """
    old_list = list(old_blocks)
    new_list = list(new_blocks)
    old_pos = _index(old_list, "old")
    new_pos = _index(new_list, "new")

    shared_old_positions = [old_pos[uid] for uid in new_pos if uid in old_pos]
    stable_old_positions = _in_order(shared_old_positions)

    # Removed blocks grouped under the uid of their anchor (None: before everything).
    removed_after: dict[str | None, list[BlockChange]] = {}
    anchor: str | None = None
    for i, block in enumerate(old_list):
        uid = str(_field(block, "uid", ""))
        if uid in new_pos:
            if i in stable_old_positions:
                anchor = uid
            continue
        kind, _, text = _shape(block)
        ops, cells = _content(kind, text, DELETE)
        removed_after.setdefault(anchor, []).append(
            BlockChange(uid, ChangeStatus.REMOVED, False, block, None, ops, i, None, cells)
        )

    changes: list[BlockChange] = list(removed_after.get(None, ()))
    for j, block in enumerate(new_list):
        uid = str(_field(block, "uid", ""))
        i = old_pos.get(uid)
        if i is None:
            kind, _, text = _shape(block)
            ops, cells = _content(kind, text, INSERT)
            change = BlockChange(uid, ChangeStatus.ADDED, False, None, block, ops, None, j, cells)
        else:
            old = old_list[i]
            moved = i not in stable_old_positions
            modified, ops, cells, replaced_ = _compare(old, block)
            if modified:
                status = ChangeStatus.MODIFIED
            else:
                status = ChangeStatus.MOVED if moved else ChangeStatus.UNCHANGED
            change = BlockChange(uid, status, moved, old, block, ops, i, j, cells, replaced_)
        changes.append(change)
        changes.extend(removed_after.get(uid, ()))

    counts = {status.value: 0 for status in ChangeStatus}
    for change in changes:
        if change.status is not ChangeStatus.MOVED:
            counts[change.status.value] += 1
        if change.moved:
            counts[ChangeStatus.MOVED.value] += 1
    return VersionDiff(changes, counts)


def changed_only(diff: VersionDiff) -> list[BlockChange]:
    """The entries of *diff* that are not unchanged (moved blocks included)."""
    return [c for c in diff.changes if c.status is not ChangeStatus.UNCHANGED]


def split_replaced(change: BlockChange) -> tuple[BlockChange, BlockChange]:
    """A replaced block as a removed entry for the old block and an added one for the new."""
    old_kind, _, old_text = _shape(change.old)
    new_kind, _, new_text = _shape(change.new)
    old_ops, old_cells = _content(old_kind, old_text, DELETE)
    new_ops, new_cells = _content(new_kind, new_text, INSERT)
    removed = replace(
        change,
        status=ChangeStatus.REMOVED,
        moved=False,
        new=None,
        new_index=None,
        ops=old_ops,
        cells=old_cells,
        replaced=False,
    )
    added = replace(
        change,
        status=ChangeStatus.ADDED,
        old=None,
        old_index=None,
        ops=new_ops,
        cells=new_cells,
        replaced=False,
    )
    return removed, added


# --------------------------------------------------------------------------- rendering


def _safe(markup: str) -> Markup:
    # Everything reaching it was built by app.worddiff.ops_html, which escapes every token and href.
    return Markup(markup)  # noqa: S704


def _table_html(cells: CellOps, show: tuple[str, ...]) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td>{ops_html(ops, show)}</td>" for ops in row) + "</tr>" for row in cells
    )
    return f'<table class="diff-table"><tbody>{rows}</tbody></table>'


def render_table_html(cells: CellOps) -> Markup:
    """A table with each cell's inline redline."""
    return _safe(_table_html(cells, (EQUAL, DELETE, INSERT)))


def render_table_side_by_side(cells: CellOps) -> tuple[Markup, Markup]:
    """(old table with deletions, new table with insertions)."""
    return _safe(_table_html(cells, (EQUAL, DELETE))), _safe(_table_html(cells, (EQUAL, INSERT)))


def render_change_html(change: BlockChange) -> Markup:
    """The inline redline of one block's content (a ``<table>`` for table blocks).

    The caller wraps it in the element the block's kind calls for. A replaced block
    renders as its old content deleted followed by its new content inserted.
    """
    if change.replaced:
        removed, added = split_replaced(change)
        return render_change_html(removed) + render_change_html(added)
    if change.cells is not None:
        return render_table_html(change.cells)
    return render_ops_html(change.ops)


def render_change_side_by_side(change: BlockChange) -> tuple[Markup, Markup]:
    """(old side, new side) of one block's content; the absent side of an add/remove is empty."""
    if change.replaced:
        removed, added = split_replaced(change)
        return render_change_side_by_side(removed)[0], render_change_side_by_side(added)[1]
    if change.cells is not None:
        old_side, new_side = render_table_side_by_side(change.cells)
    else:
        old_side, new_side = render_side_by_side(change.ops)
    return (
        old_side if change.old is not None else Markup(""),
        new_side if change.new is not None else Markup(""),
    )
