"""What every section of the meeting pack shares: layout, palette, dates, links, ids and headings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from app.docx import wml as x
from app.docx.numbering import FIRST_LIST_NUM
from app.meetings.pack.data import PackBlock, PackInput
from app.review.compilation import PackComment, fill, labels, suggestion_ops
from app.review.models import STATUS_COLOURS
from app.richtext import Segment
from app.worddiff import WordOp

# A4 with 2.5 cm side margins: the text width of the portrait and landscape sections.
MARGIN = 1418
TEXT_WIDTH = 11906 - 2 * MARGIN
HISTORY_GRID = (567, 1134, 1276, 2126, TEXT_WIDTH - 567 - 1134 - 1276 - 2126)
LANDSCAPE_WIDTH = 16838 - 2 * MARGIN
# Nr fits a four-digit number at 9 pt. A suggested wording is the whole proposed paragraph with
# its changes marked, so it gets the widest column; the comment and the response, what the
# meeting reads most, the next widest.
COMPILATION_GRID = (600, 1100, 1650, 1250, 2700, 3000, 1300, LANDSCAPE_WIDTH - 11600)
HEADER_FILL = "D9E2F3"
GROUP_FILL = "EDEDED"
WITHDRAWN_FILL = "F6F6F6"

# (text, background) of each decision, the palette of the web pages (contrast 7:1 or more).
STATUS_COLOURS_HEX = {status.value: colours for status, colours in STATUS_COLOURS.items()}


def coloured(value: str, colour: str) -> str:
    """A bold run in *colour* (hex), for a status word on its shaded cell."""
    return (
        f'<w:r><w:rPr><w:b/><w:bCs/><w:color w:val="{colour}"/></w:rPr>'
        f'<w:t xml:space="preserve">{x.text(value)}</w:t></w:r>'
    )


STYLE_OF_KIND = {
    "heading": None,
    "paragraph": None,
    "bullet": "ListParagraph",
    "number": "ListParagraph",
    "quote": "Quote",
}
KINDS = (*STYLE_OF_KIND, "table")
_SAFE_SCHEMES = ("http", "https", "mailto")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def clamp_level(value: int) -> int:
    return min(max(int(value or 1), 1), 3)


def block_status(block: PackBlock) -> str:
    return "unchanged" if block.status == "moved" else block.status


def is_gone(block: PackBlock, role: str) -> bool:
    """Whether *block* in *role* is text the presented version no longer has at that place."""
    return role == "move_from" or (role == "normal" and block_status(block) == "removed")


def side_runs(ops: Sequence[WordOp], skip: str) -> list[Segment]:
    """The runs of one side of *ops*: the old text (skip inserts) or the new (skip deletes)."""
    return [seg for tag, runs in ops if tag != skip for seg in runs]


def safe_url(href: str | None) -> str | None:
    """A URL Word accepts as a hyperlink target, or None for schemes we never link.

    Rich text is sanitised on input, but the pack is the last line: a ``javascript:``
    link must not reach a Word file, and Word reports a file with a malformed target
    (a space, a raw non-ASCII character) as corrupt, so those are percent-encoded.
    """
    if not href:
        return None
    url = x.clean(href).strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in _SAFE_SCHEMES:
        return None
    return quote(url, safe=_URL_SAFE)


class Clock:
    """Dates and times as the network reads them: local time, ISO order."""

    def __init__(self, timezone: str) -> None:
        self.zone: tzinfo
        try:
            self.zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = UTC  # no tz database on this host: UTC rather than no pack

    def local(self, moment: datetime) -> datetime:
        """*moment* in the pack's time zone (naive times are UTC, as stored)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    def date(self, moment: datetime | None) -> str:
        return self.local(moment).strftime("%Y-%m-%d") if moment else ""

    def time(self, moment: datetime | None) -> str:
        return self.local(moment).strftime("%H:%M") if moment else ""

    def date_time(self, moment: datetime | None) -> str:
        return self.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


class PackContext:
    """The state the sections of one pack share while they are written, in order.

    One id counter for every annotation (:class:`app.docx.wml.Ids`), the hyperlink
    relationships, the headings for the contents, the numbered lists for the numbering part.
    """

    def __init__(self, document: Document, pack: PackInput, tracked: bool) -> None:
        self.document = document
        self.pack = pack
        self.tracked = tracked
        self.strings = labels(pack.language, pack.strings)
        self.clock = Clock(pack.timezone)
        self.ids = x.Ids()
        self.inline = x.Inline(self._link, self.ids)
        # Links in comments.xml would need relationships of that part: comments show
        # the link text only.
        self.comment_inline = x.Inline(lambda href: None, self.ids)
        self._rids: dict[str, str | None] = {}
        self._labels: dict[tuple[str, str], str] = {}
        self._suggestions: dict[tuple[str | None, str], list[WordOp]] = {}
        # (level, text, bookmark) of every heading, in order: the table of contents.
        self.headings: list[tuple[int, str, str]] = []
        self.list_nums: list[int] = []
        self._next_list_num = FIRST_LIST_NUM

    def label(self, key: str, value: str, placeholder: str = "label") -> str:
        """The label *key* with its *placeholder* filled by *value* (cached: thousands of rows)."""
        cached = self._labels.get((key, value))
        if cached is None:
            cached = self._labels[(key, value)] = fill(self.strings[key], **{placeholder: value})
        return cached

    def suggestion(self, comment: PackComment) -> list[WordOp]:
        """A suggestion as the word ops from the text it was made on to the paragraph it proposes,
        worked out once for its Word comment and its table row (every op "equal": the proposal as
        it is, when the text it was made on is not known)."""
        key = (comment.suggestion_base, comment.suggestion or "")
        cached = self._suggestions.get(key)
        if cached is None:
            cached = self._suggestions[key] = suggestion_ops(comment)
        return cached

    def _link(self, href: str) -> str | None:
        url = safe_url(href)
        if url is None:
            return None
        if url not in self._rids:
            self._rids[url] = self.document.part.relate_to(url, RT.HYPERLINK, is_external=True)
        return self._rids[url]

    def pack_heading(self, title: str, anchor: str, *, page_break: bool = False) -> str:
        """A heading of the pack itself (not of the text), bookmarked for the contents."""
        self.headings.append((1, title, anchor))
        bookmark_id = self.ids.next()
        return x.paragraph(
            x.bookmark_start(bookmark_id, anchor) + x.run(title) + x.bookmark_end(bookmark_id),
            style="PackHeading",
            page_break_before=page_break,
        )

    def header_row(self, titles: Sequence[str], grid: Sequence[int]) -> str:
        """A table's header row: bold titles on a tinted ground, repeated on every page."""
        return x.row(
            (
                x.cell(x.paragraph(x.run(t, bold=True), style="PackTableText"), w, fill=HEADER_FILL)
                for t, w in zip(titles, grid, strict=True)
            ),
            header=True,
            cant_split=True,
        )

    def new_list(self) -> int:
        """A fresh ``w:num`` for a numbered list that starts again at 1."""
        num = self._next_list_num
        self._next_list_num += 1
        self.list_nums.append(num)
        return num
