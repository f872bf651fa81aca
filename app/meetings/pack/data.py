"""The meeting pack's input: plain data the app builds from the database, no database objects."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.compare.diff import BlockChange, CellOps, split_replaced
from app.responses.pack import PackResponse
from app.review.compilation import PackComment
from app.timeutil import STOCKHOLM
from app.worddiff import WordOp


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One published version in the version history table."""

    number: int
    label: str
    published_at: datetime | None
    published_by: str
    summary: str


@dataclass(frozen=True, slots=True)
class PackBlock:
    """One block of the merged reading order of the base and the presented version.

    ``kind`` is heading, paragraph, bullet, number, quote or table; ``level`` 1-3.
    ``text_html`` is the stored rich text in the presented version, or, for a removed
    block, in the base version. ``status`` is unchanged, modified, added or removed
    (``"moved"`` from app.compare.diff is read as unchanged with ``moved`` True).

    ``ops`` are the block's word ops against the base (``BlockChange.ops``) and ``cells``
    the per-cell ops of a table (``BlockChange.cells``); when they are None the writer
    derives whole-block ops from ``text_html`` and ``status``. A modified block without
    ops is written as its new text without marks: a block that became or stopped being a
    table (``BlockChange.replaced``) should be passed as the removed and the added block
    that ``app.compare.diff.split_replaced`` gives.

    A moved block (``moved`` True) appears once, at its new place; ``old_index`` is its
    position in the base version (``BlockChange.old_index``), which places the
    ``w:moveFrom`` copy of it among the removed and unmoved blocks (whose ``old_index``
    is set too). Without ``old_index`` a move is not marked.

    ``author`` and ``changed_at`` sign the block's tracked changes: the editor who made
    the change and when. :func:`blocks_from_diff` builds these from a version diff.
    """

    uid: str
    kind: str
    level: int
    text_html: str
    status: str = "unchanged"
    moved: bool = False
    old_index: int | None = None
    ops: Sequence[WordOp] | None = None
    cells: CellOps | None = None
    author: str = ""
    changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PackAgendaItem:
    """One item of the meeting's agenda on the cover: when (start and end, or a duration in
    minutes), the title and who presents it."""

    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    duration_minutes: int | None = None
    presenter: str = ""


@dataclass(frozen=True, slots=True)
class PackInput:
    """Everything a meeting pack shows; plain data, no database objects.

    ``blocks`` are in merged reading order (see :class:`PackBlock`); ``comments`` are
    the comments made on the base version and the versions after it up to the presented
    one, and the earlier ones still open, in reading order (see
    :class:`app.review.compilation.PackComment`). ``agenda`` is the meeting's agenda as
    typed (one item per line) and ``agenda_items`` its items (:class:`PackAgendaItem`), ``place``
    where or at which link it is held. ``history`` lists the
    versions up to the presented one. ``strings`` overrides labels of the built-in
    ``language`` table (:data:`app.review.compilation.LABELS`); dates are shown in
    ``timezone``.
    """

    document_title: str
    document_slug: str
    version_number: int
    version_label: str
    version_state: str
    version_date: datetime | None
    meeting_title: str
    meeting_date: datetime | None
    blocks: Sequence[PackBlock]
    agenda: str = ""
    agenda_items: Sequence[PackAgendaItem] = ()
    place: str = ""
    comments: Sequence[PackComment] = ()
    history: Sequence[HistoryRow] = ()
    organisations: Sequence[str] = ()
    base_version_label: str | None = None
    licence_name: str = "CC BY 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    language: str = "sv"
    strings: Mapping[str, str] | None = None
    timezone: str = STOCKHOLM.key
    # The organisations' formal responses to the presented version (app.responses.pack).
    responses: Sequence[PackResponse] = ()
    # The open action points carried from the series' earlier meetings, one line each in the
    # pack's language (app.meetings.minutes.pack_lines), under the heading open_actions_heading.
    open_actions: Sequence[str] = ()
    open_actions_heading: str = ""


def _field(block: object, name: str, default: object) -> object:
    if isinstance(block, Mapping):
        return block.get(name, default)
    return getattr(block, name, default)


def blocks_from_diff(
    changes: Iterable[BlockChange],
    sign: Callable[[BlockChange], tuple[str, datetime | None]] | None = None,
) -> list[PackBlock]:
    """The pack's blocks for the merged order of ``app.compare.diff.diff_versions``.

    *sign* gives the (editor, time) that sign a change's tracked marks; without it the
    marks carry no author or date. A replaced block becomes its removed and added halves.
    """
    out: list[PackBlock] = []
    for change in changes:
        author, when = sign(change) if sign else ("", None)
        for part in split_replaced(change) if change.replaced else (change,):
            block = part.new if part.new is not None else part.old
            kind = _field(block, "kind", "paragraph")
            kind = str(getattr(kind, "value", kind) or "paragraph")
            out.append(
                PackBlock(
                    uid=part.uid,
                    kind=kind,
                    level=int(_field(block, "level", 1) or 1),
                    text_html=str(_field(block, "text", "") or ""),
                    status=str(getattr(part.status, "value", part.status)),
                    moved=part.moved,
                    old_index=part.old_index,
                    ops=part.ops if part.cells is None else None,
                    cells=part.cells,
                    author=author,
                    changed_at=when,
                )
            )
    return out
