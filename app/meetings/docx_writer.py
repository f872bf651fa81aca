"""The meeting pack as a DOCX file: the presented version with tracked changes and comments.

:func:`write_pack` turns a :class:`PackInput` (plain data the app builds from the
database) into the bytes of a Word document:

1. a title page (title, version and state, date, meeting with its time, place and agenda,
   organisations, licence);
2. the summary, "we asked – you answered – we did": comments by decision and by
   organisation, paragraphs changed, added, removed and moved;
3. a table of contents: a TOC field that Word updates on open (``w:updateFields``), whose
   result already lists every heading, numbered and linked, for readers that do not;
4. the version history table;
5. the text of the presented version, with real tracked changes against the base
   version (``w:ins``/``w:del`` signed with the editor and the time of the change,
   moved paragraphs as ``w:moveFrom``/``w:moveTo``), Word heading styles with 1 / 1.1 /
   1.1.1 numbering, real Word lists, quotes, tables, bold, italic and links; each block
   of the presented version inside a hidden bookmark named after its uid;
6. every comment of the compilation as a Word comment on its paragraph (on its quoted
   words when the paragraph still has them once), signed "Name (Organisation)", with
   the editors' decision and response as a threaded reply and decided threads done;
7. the compilation of comments ("Sammanställning av inkomna synpunkter"), a landscape
   table grouped by section whose header row repeats on every page.

Each section is one method of the builder, listed in :func:`write_pack`.

``tracked=False`` gives the clean variant: no revision marks, no Word comments, removed
blocks left out, the text as it stands in the presented version.

python-docx provides the package skeleton: the default template's styles, numbering,
settings, core properties, the comments part and relationships. The body, the comments
and the numbering definitions are built as WordprocessingML strings
(:mod:`app.meetings.docx_xml`) and stored as whole parts: a 3,000-row compilation built
cell by cell through python-docx took seconds, and even a parse round trip through lxml
cost 0.3 s and 100 MB. The zip is rewritten with fixed entry times and
order, so the same input always gives the same bytes (an export can be re-created and
its sha256 verified later).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

from app.compare.diff import BlockChange, CellOps, WordOp, split_replaced
from app.documents.richtext import Segment, plain, segments, table_rows
from app.meetings import docx_xml as x
from app.responses.pack import PackResponse
from app.responses.pack import labels as response_labels
from app.review.compilation import (
    CHANGES,
    PackComment,
    by_section,
    comment_text,
    fill,
    kind_label,
    labels,
    status_label,
    summarise,
)
from app.review.models import STATUS_COLOURS

__all__ = [
    "HistoryRow",
    "PackBlock",
    "PackComment",
    "PackInput",
    "WordOp",
    "blocks_from_diff",
    "write_pack",
]


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
class PackInput:
    """Everything a meeting pack shows; plain data, no database objects.

    ``blocks`` are in merged reading order (see :class:`PackBlock`); ``comments`` are
    the comments made on the base version and the versions after it up to the presented
    one, and the earlier ones still open, in reading order (see
    :class:`app.meetings.compilation.PackComment`). ``agenda`` is the meeting's agenda as
    typed (one item per line), ``place`` where or at which link it is held. ``history`` lists the
    versions up to the presented one. ``strings`` overrides labels of the built-in
    ``language`` table (:data:`app.meetings.compilation.LABELS`); dates are shown in
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
    place: str = ""
    comments: Sequence[PackComment] = ()
    history: Sequence[HistoryRow] = ()
    organisations: Sequence[str] = ()
    base_version_label: str | None = None
    licence_name: str = "CC BY 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    language: str = "sv"
    strings: Mapping[str, str] | None = None
    timezone: str = "Europe/Stockholm"
    # The organisations' formal responses to the presented version (app.responses.pack).
    responses: Sequence[PackResponse] = ()


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


# --------------------------------------------------------------------------- layout

# A4 with 2.5 cm side margins: the text width of the portrait and landscape sections.
_MARGIN = 1418
_TEXT_WIDTH = 11906 - 2 * _MARGIN
_HISTORY_GRID = (567, 1134, 1276, 2126, _TEXT_WIDTH - 567 - 1134 - 1276 - 2126)
_LANDSCAPE_WIDTH = 16838 - 2 * _MARGIN
# Nr fits a four-digit number at 9 pt; the comment itself gets the widest column.
# The response column is what the meeting reads most: it gets the second widest.
_COMPILATION_GRID = (600, 1150, 1600, 1250, 3200, 1900, 1400, _LANDSCAPE_WIDTH - 11100)
_HEADER_FILL = "D9E2F3"
_GROUP_FILL = "EDEDED"
_WITHDRAWN_FILL = "F6F6F6"

# Numbering definitions added to the template's numbering part. The ids are far above
# the template's own (abstract 0-8, num 1-9), fixed so the output is deterministic.
_ABSTRACT_HEADINGS, _ABSTRACT_BULLETS, _ABSTRACT_NUMBERS = 90, 91, 92
_NUM_HEADINGS, _NUM_BULLETS, _FIRST_LIST_NUM = 100, 101, 102

TEXT_BOOKMARK_ID = 999_999

# (text, background) of each decision, the palette of the web pages (contrast 7:1 or more).
_STATUS_COLOURS = {status.value: colours for status, colours in STATUS_COLOURS.items()}


def _coloured(value: str, colour: str) -> str:
    """A bold run in *colour* (hex), for a status word on its shaded cell."""
    return (
        f'<w:r><w:rPr><w:b/><w:bCs/><w:color w:val="{colour}"/></w:rPr>'
        f'<w:t xml:space="preserve">{x.text(value)}</w:t></w:r>'
    )


_STYLE_OF_KIND = {
    "heading": None,
    "paragraph": None,
    "bullet": "ListParagraph",
    "number": "ListParagraph",
    "quote": "Quote",
}
_KINDS = (*_STYLE_OF_KIND, "table")
_SAFE_SCHEMES = ("http", "https", "mailto")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def _level(value: int) -> int:
    return min(max(int(value or 1), 1), 3)


def _status(block: PackBlock) -> str:
    return "unchanged" if block.status == "moved" else block.status


def _gone(block: PackBlock, role: str) -> bool:
    """Whether *block* in *role* is text the presented version no longer has at that place."""
    return role == "move_from" or (role == "normal" and _status(block) == "removed")


def _para_id(comment_id: int) -> str:
    """A ``w14:paraId`` for a comment's paragraph: eight hex digits below 0x80000000, stable."""
    return f"{0x10000000 + comment_id:08X}"


def _comment_ex(para_id: str, *, parent: str | None = None, done: bool = False) -> str:
    """A ``w15:commentEx``: threads a reply to its *parent* and marks a thread done."""
    parent_attr = f' w15:paraIdParent="{parent}"' if parent else ""
    return f'<w15:commentEx w15:paraId="{para_id}"{parent_attr} w15:done="{1 if done else 0}"/>'


def _side(ops: Sequence[WordOp], skip: str) -> list[Segment]:
    """The runs of one side of *ops*: the old text (skip inserts) or the new (skip deletes)."""
    return [seg for tag, runs in ops if tag != skip for seg in runs]


def _safe_url(href: str | None) -> str | None:
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


class _Clock:
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

    def date_time(self, moment: datetime | None) -> str:
        return self.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# --------------------------------------------------------------------------- the body


class _PackBuilder:
    """Builds the body, comments and list numbering of one pack."""

    def __init__(self, document: Document, pack: PackInput, tracked: bool) -> None:
        self.document = document
        self.pack = pack
        self.tracked = tracked
        self.strings = labels(pack.language, pack.strings)
        self.clock = _Clock(pack.timezone)
        self.ids = x.Ids()
        self.inline = x.Inline(self._link, self.ids)
        # Links in comments.xml would need relationships of that part: comments show
        # the link text only.
        self.comment_inline = x.Inline(lambda href: None, self.ids)
        self._rids: dict[str, str | None] = {}
        self._labels: dict[tuple[str, str], str] = {}
        self._suggestions: dict[str, list[Segment]] = {}
        self.comments: list[str] = []
        self.comments_ex: list[str] = []
        # (level, text, bookmark) of every heading, in order: the table of contents.
        self.headings: list[tuple[int, str, str]] = []
        self.list_nums: list[int] = []
        self._next_list_num = _FIRST_LIST_NUM
        self._move_names: dict[str, str] = {}
        self._anchored: dict[str, list[PackComment]] = {}
        self._unanchored: list[PackComment] = []

    # -- links and comments

    def _label(self, key: str, value: str, placeholder: str = "label") -> str:
        """The label *key* with its *placeholder* filled by *value* (cached: thousands of rows)."""
        cached = self._labels.get((key, value))
        if cached is None:
            cached = self._labels[(key, value)] = fill(self.strings[key], **{placeholder: value})
        return cached

    def _suggestion(self, html: str) -> list[Segment]:
        """The runs of a suggestion, parsed once for its Word comment and its table row."""
        cached = self._suggestions.get(html)
        if cached is None:
            cached = self._suggestions[html] = segments(html)
        return cached

    def _link(self, href: str) -> str | None:
        url = _safe_url(href)
        if url is None:
            return None
        if url not in self._rids:
            self._rids[url] = self.document.part.relate_to(url, RT.HYPERLINK, is_external=True)
        return self._rids[url]

    def _plan_comments(self, present: set[str], deleted: set[str]) -> None:
        """Decide where each comment of the compilation is anchored (tracked variant only).

        A comment on a block of the presented text sits on that block (on its quote when
        :meth:`_paragraph` finds it there once); one on a block whose deleted text the
        tracked file still shows sits on that deleted paragraph; a general comment sits on
        the note that opens the text. A comment on a block the file no longer holds is in
        the compilation only.
        """
        if not self.tracked:
            return
        for comment in self.pack.comments:
            if comment.block_uid is None:
                self._unanchored.append(comment)
            elif comment.block_uid in present or comment.block_uid in deleted:
                self._anchored.setdefault(comment.block_uid, []).append(comment)

    def _thread(self, comment: PackComment, on_quote: bool = False) -> tuple[str, str]:
        """The range start and end (with reference runs) of *comment*'s Word thread.

        The thread is the comment and, once decided, the editors' decision and response
        as a reply in the same thread (``w15:paraIdParent``); a decided or withdrawn
        thread is marked done (``w15:done``), as Word's "Resolve" does. *on_quote*: the
        range is the quoted span itself, so the comment does not repeat the quote.
        """
        cid = self.ids.next()
        done = not comment.is_open
        para_id = _para_id(cid)
        self.comments.append(self._comment_xml(cid, comment, para_id, on_quote))
        self.comments_ex.append(_comment_ex(para_id, done=done))
        start, end = x.comment_start(cid), x.comment_end(cid)
        reply = self._reply_xml(comment)
        if reply is not None:
            rid = self.ids.next()
            reply_para = _para_id(rid)
            author, date, paragraphs = reply
            self.comments.append(
                # Author and initials both "Name (Organisation)" (issue 13): Word shows the
                # initials in the comment mark, where a bare "MM" would not say who.
                x.comment(rid, author, author, date, paragraphs, para_id=reply_para)
            )
            self.comments_ex.append(_comment_ex(reply_para, parent=para_id, done=done))
            start += x.comment_start(rid)
            end += x.comment_end(rid)
        return start, end

    def _comment_marks(self, comments: Sequence[PackComment]) -> tuple[str, str]:
        """Range starts and ends (with reference runs) of the threads of *comments*."""
        starts, ends = [], []
        for comment in comments:
            start, end = self._thread(comment)
            starts.append(start)
            ends.append(end)
        return "".join(starts), "".join(ends)

    def _comment_xml(self, cid: int, comment: PackComment, para_id: str, on_quote: bool = False) -> str:
        s = self.strings
        run = x.comment_run
        heading = f"#{comment.number} {kind_label(comment, s)}"
        if comment.block_uid is None:
            heading += f" · {s['general_comment']}"
        elif comment.ref:
            heading += f" · {comment.ref}"
        if comment.version_label:
            heading += f" · {self._label('made_on_version', comment.version_label)}"
        lines = [run(heading, bold=True)]
        lines += [run(line) for line in comment_text(comment, s).splitlines() if line.strip()]
        if comment.quote and not on_quote:
            lines.append(run(f"{s['col_quote']}: ”{comment.quote}”", italic=True))
        if comment.suggestion:
            lines.append(
                run(f"{s['col_suggestion']}: ", bold=True)
                + self.comment_inline.runs(self._suggestion(comment.suggestion))
            )
        if comment.withdrawn:
            lines.append(run(status_label(comment, s), italic=True))
        return x.comment(
            cid,
            comment.author_label,
            comment.author_label,
            x.w_date(comment.created_at),
            lines,
            para_id=para_id,
        )

    def _reply_xml(self, comment: PackComment) -> tuple[str, str, list[str]] | None:
        """(author, date, paragraphs) of the editors' reply to *comment*, or None while open."""
        if comment.withdrawn or comment.status == "open":
            return None
        s = self.strings
        decision = self._label("decision_reply", status_label(comment, s), "status")
        if comment.decided_in_label:
            decision += f" · {self._label('decided_in_version', comment.decided_in_label)}"
        paragraphs = [x.comment_run(decision, bold=True)]
        paragraphs += [x.comment_run(line) for line in comment.response.splitlines() if line.strip()]
        author = comment.decider_label or s["editors"]
        return author, x.w_date(comment.decided_at), paragraphs

    # -- title page, contents, history

    def title_page(self) -> str:
        """Title, version and state, date, meeting, organisations and licence."""
        s, p = self.strings, self.pack
        state = s.get(f"state_{p.version_state}", p.version_state)
        version = fill(s["version"], label=p.version_label)
        out = [
            x.paragraph(x.run(s["kicker"]), style="Subtitle"),
            x.paragraph(x.run(p.document_title), style="Title"),
            x.paragraph(x.run(f"{version} – {state}"), style="Subtitle"),
        ]
        if p.version_date:
            out.append(
                x.paragraph(x.run(f"{s['date']}: ", bold=True) + x.run(self.clock.date(p.version_date)))
            )
        out.append(x.paragraph(x.run(f"{s['meeting']}: ", bold=True) + x.run(p.meeting_title)))
        if p.meeting_date:
            when = f"{self.clock.date_time(p.meeting_date)} ({s['time_zone']})"
            out.append(x.paragraph(x.run(f"{s['time']}: ", bold=True) + x.run(when)))
        if p.place.strip():
            place = p.place.strip()
            target = self.inline.runs([Segment(place, href=place)]) if _safe_url(place) else x.run(place)
            out.append(x.paragraph(x.run(f"{s['place']}: ", bold=True) + target))
        items = [line.strip() for line in p.agenda.splitlines() if line.strip()]
        if items:
            out.append(x.paragraph(x.run(s["agenda"]), style="PackSubheading"))
            out += [x.paragraph(x.run(item), style="PackAgenda") for item in items]
            out.append(x.paragraph(""))
        if p.base_version_label:
            key = "compared_with" if self.tracked else "clean_compared_with"
            out.append(x.paragraph(x.run(fill(s[key], label=p.base_version_label))))
        if p.organisations:
            out.append(
                x.paragraph(x.run(f"{s['organisations']}: ", bold=True) + x.run(", ".join(p.organisations)))
            )
        licence = x.run(fill(s["licence"], name=p.licence_name) + " ")
        if p.licence_url:
            licence += self.inline.runs([Segment(p.licence_url, href=p.licence_url)])
        out.append(x.paragraph(licence))
        return "".join(out)

    def contents(self) -> str:
        """The table of contents: a TOC field whose result already lists every heading.

        Word updates the field on open (``w:updateFields``) and adds page numbers; a file
        printed or converted without updating fields still shows each heading, numbered
        and linked to its bookmark.
        """
        s = self.strings
        instruction = (
            '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        )
        out = [x.paragraph(x.run(s["contents"]), style="TOCHeading", page_break_before=True)]
        entries = self.headings or [(1, s["toc_placeholder"], "")]
        for i, (level, title, anchor) in enumerate(entries):
            body = x.run(title)
            if anchor:
                body = f'<w:hyperlink w:anchor="{x.attr(anchor)}" w:history="1">{body}</w:hyperlink>'
            out.append(x.paragraph((instruction if i == 0 else "") + body, style=f"TOC{level}"))
        out.append(x.paragraph('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
        return "".join(out)

    def _pack_heading(self, title: str, anchor: str, *, page_break: bool = False) -> str:
        """A heading of the pack itself (not of the text), bookmarked for the contents."""
        self.headings.append((1, title, anchor))
        bookmark_id = self.ids.next()
        return x.paragraph(
            x.bookmark_start(bookmark_id, anchor) + x.run(title) + x.bookmark_end(bookmark_id),
            style="PackHeading",
            page_break_before=page_break,
        )

    def summary(self) -> str:
        """ "We asked – you answered – we did": comments by decision and organisation, changes."""
        s, p = self.strings, self.pack
        figures = summarise(p.comments, p.blocks)
        by_decision: dict[str, int] = figures["by_decision"]  # type: ignore[assignment]
        by_org: list[dict] = figures["by_organisation"]  # type: ignore[assignment]
        changes: dict[str, int] = figures["paragraphs"]  # type: ignore[assignment]
        if p.base_version_label:
            intro = fill(
                s["summary_intro"],
                comments=figures["comments"],
                organisations=len(by_org),
                base=p.base_version_label,
                **changes,
            )
        else:
            intro = fill(s["summary_intro_first"], comments=figures["comments"], organisations=len(by_org))
        out = [self._pack_heading(s["summary"], "_RemissSummary", page_break=True), x.paragraph(x.run(intro))]

        def cells(values: Sequence[str], grid: Sequence[int], bold: bool = False) -> list[str]:
            return [
                x.cell(x.paragraph(x.run(v, bold=bold), style="PackTableText"), w)
                for v, w in zip(values, grid, strict=True)
            ]

        grid = (_TEXT_WIDTH - 1700, 1700)
        rows = [self._header_row([s["col_decision"], s["col_count"]], grid)]
        for status, count in by_decision.items():
            text_colour, fill_colour = _STATUS_COLOURS.get(status, ("000000", "FFFFFF"))
            label = s.get(f"status_{status}", status)
            rows.append(
                x.row(
                    [
                        x.cell(
                            x.paragraph(_coloured(label, text_colour), style="PackTableText"),
                            grid[0],
                            fill=fill_colour,
                        ),
                        x.cell(x.paragraph(x.run(str(count)), style="PackTableText"), grid[1]),
                    ],
                    cant_split=True,
                )
            )
        rows.append(x.row(cells([s["total"], str(figures["comments"])], grid, bold=True), cant_split=True))
        out.append(x.paragraph(x.run(s["summary_by_decision"]), style="PackSubheading"))
        out.append(x.table(grid, rows, fixed=True, caption=s["summary_by_decision"]))

        if by_org:
            grid3 = (_TEXT_WIDTH - 3400, 1700, 1700)
            rows = [self._header_row([s["col_organisation"], s["col_comments"], s["col_decided"]], grid3)]
            rows += [
                x.row(
                    cells([o["organisation"], str(o["comments"]), str(o["decided"])], grid3), cant_split=True
                )
                for o in by_org
            ]
            out.append(x.paragraph(x.run(s["summary_by_organisation"]), style="PackSubheading"))
            out.append(x.table(grid3, rows, fixed=True, caption=s["summary_by_organisation"]))

        if p.base_version_label:
            rows = [self._header_row([s["col_change"], s["col_count"]], grid)]
            rows += [
                x.row(cells([s[f"change_{key}"], str(changes[key])], grid), cant_split=True)
                for key in CHANGES
            ]
            out.append(x.paragraph(x.run(s["summary_paragraphs"]), style="PackSubheading"))
            out.append(x.table(grid, rows, fixed=True, caption=s["summary_paragraphs"]))
        return "".join(out)

    def history(self) -> str:
        """The version history table."""
        s, clock = self.strings, self.clock
        head = [
            s["col_number"],
            s["col_version"],
            s["col_date"],
            s["col_published_by"],
            s["col_summary"],
        ]
        rows = [self._header_row(head, _HISTORY_GRID)]
        for item in self.pack.history:
            values = [
                str(item.number),
                item.label,
                clock.date(item.published_at),
                item.published_by,
            ]
            cells = [
                x.cell(x.paragraph(x.run(v), style="PackTableText"), w)
                for v, w in zip(values, _HISTORY_GRID, strict=False)
            ]
            cells.append(
                x.cell(x.paragraph(x.lines_run(item.summary), style="PackTableText"), _HISTORY_GRID[-1])
            )
            rows.append(x.row(cells, cant_split=True))
        return self._pack_heading(s["history"], "_RemissHistory", page_break=True) + x.table(
            _HISTORY_GRID, rows, fixed=True, caption=s["history"]
        )

    def responses(self) -> str:
        """The organisations' formal responses (remissvar) to the presented version, and who did not."""
        rows_in = self.pack.responses
        if not rows_in:
            return ""
        s = response_labels(self.pack.language)
        answered = sum(1 for r in rows_in if r.position)
        intro = fill(s["intro"], answered=answered, total=len(rows_in), label=self.pack.version_label)
        grid = (2000, 1900, 1500, _TEXT_WIDTH - 2000 - 1900 - 1500 - 1300, 1300)
        head = [
            s["col_organisation"],
            s["col_position"],
            s["col_reference"],
            s["col_decided_by"],
            s["col_submitted"],
        ]
        rows = [self._header_row(head, grid)]
        for r in rows_in:
            position = r.position or s["no_answer"]
            if r.replaces_earlier:
                position += f" ({s['replaced']})"
            values = (r.organisation, position, r.reference, r.decided_by, self.clock.date(r.submitted_at))
            cells = [
                x.cell(x.paragraph(x.run(v), style="PackTableText"), w)
                for v, w in zip(values, grid, strict=True)
            ]
            rows.append(x.row(cells, cant_split=True))
        return (
            self._pack_heading(s["heading"], "_RemissResponses")
            + x.paragraph(x.run(intro))
            + x.table(grid, rows, fixed=True, caption=s["heading"])
        )

    def _header_row(self, titles: Sequence[str], grid: Sequence[int]) -> str:
        return x.row(
            (
                x.cell(x.paragraph(x.run(t, bold=True), style="PackTableText"), w, fill=_HEADER_FILL)
                for t, w in zip(titles, grid, strict=True)
            ),
            header=True,
            cant_split=True,
        )

    # -- the text

    def _layout(self) -> list[tuple[PackBlock, str]]:
        """The blocks to write with their role: clean, normal, move_from or move_to."""
        blocks = list(self.pack.blocks)
        if not self.tracked:
            return [(b, "clean") for b in blocks if _status(b) != "removed"]
        moved = {
            b.uid: b
            for b in blocks
            if b.moved and b.old_index is not None and _status(b) in ("unchanged", "modified")
        }
        pending = sorted(moved.values(), key=lambda b: b.old_index or 0)
        out: list[tuple[PackBlock, str]] = []
        for block in blocks:
            if block.uid in moved:
                out.append((block, "move_to"))
                continue
            # The blocks that did not move keep the base version's order, so the old
            # copy of a moved block goes before the first of them that followed it.
            if block.old_index is not None:
                while pending and (pending[0].old_index or 0) < block.old_index:
                    out.append((pending.pop(0), "move_from"))
            out.append((block, "normal"))
        out.extend((block, "move_from") for block in pending)
        return out

    def text(self) -> str:
        """The presented text, opened by a note that also holds the general comments."""
        layout = self._layout()
        present = {b.uid for b, role in layout if role != "move_from" and not _gone(b, role)}
        deleted = {b.uid for b, role in layout if role == "normal" and _status(b) == "removed"}
        self._plan_comments(present, deleted)
        s, p = self.strings, self.pack
        if self.tracked and p.base_version_label:
            note = fill(s["compared_with"], label=p.base_version_label)
        else:
            note = fill(s["clean_text"], label=p.version_label)
        start, end = self._comment_marks(self._unanchored)
        out = [x.paragraph(start + x.run(note, italic=True) + end, page_break_before=True)]
        # A bookmark around the text itself: importing an edited pack reads only this part,
        # not the title page, the history or the compilation around it.
        out.append(f'<w:bookmarkStart w:id="{TEXT_BOOKMARK_ID}" w:name="{x.TEXT_BOOKMARK}"/>')
        list_num: int | None = None
        previous_table = False
        numbers = [0, 0, 0]
        for block, role in layout:
            kind = block.kind if block.kind in _KINDS else "paragraph"
            if kind == "number" and list_num is None:
                list_num = self._new_list()
            elif kind not in ("bullet", "number"):
                list_num = None
            comments = self._anchored.get(block.uid, []) if role != "move_from" else []
            # The paragraph marker: a hidden bookmark named after the block, on every block
            # of the presented version (not on the deleted or moved-away copies).
            if _gone(block, role):
                mark_start = mark_end = ""
            else:
                bookmark_id = self.ids.next()
                mark_start = x.bookmark_start(bookmark_id, x.paragraph_bookmark_name(block.uid))
                mark_end = x.bookmark_end(bookmark_id)
                if kind == "heading":
                    level = _level(block.level)
                    numbers[level - 1] += 1
                    numbers[level:] = [0] * (3 - level)
                    number = ".".join(str(n) for n in numbers[:level])
                    title = plain(block.text_html)
                    self.headings.append((level, f"{number} {title}", x.paragraph_bookmark_name(block.uid)))
            if kind == "table":
                if previous_table:
                    # Two tables in a row would merge into one in Word.
                    out.append(x.paragraph(""))
                start, end = self._comment_marks(comments)
                out.append(self._table(block, role, start, end, mark_start, mark_end))
            else:
                out.append(self._paragraph(block, kind, role, list_num, comments, mark_start, mark_end))
            previous_table = kind == "table"
        out.append(f'<w:bookmarkEnd w:id="{TEXT_BOOKMARK_ID}"/>')
        return "".join(out)

    def _new_list(self) -> int:
        num = self._next_list_num
        self._next_list_num += 1
        self.list_nums.append(num)
        return num

    def _signature(self, block: PackBlock) -> x.Signature:
        return x.Signature(block.author, x.w_date(block.changed_at))

    def _paragraph(
        self,
        block: PackBlock,
        kind: str,
        role: str,
        list_num: int | None,
        comments: Sequence[PackComment] = (),
        mark_start: str = "",
        mark_end: str = "",
    ) -> str:
        status = _status(block)
        sig = self._signature(block)
        ids = self.ids
        ops = block.ops
        mark = ""
        before = after = ""
        gone = _gone(block, role)  # the paragraph is not in the presented version at this place
        # The paragraph's runs as pieces (runs, revision wrapper, part of the presented text?).
        pieces: list[tuple[Sequence[Segment], str | None, bool]]
        if role == "clean" or (role == "normal" and status == "unchanged"):
            pieces = [(segments(block.text_html), None, True)]
        elif role == "move_to":
            name = self._move_name(block.uid)
            range_id = ids.next()
            before = f'<w:moveToRangeStart w:id="{range_id}"{sig.who()} w:name="{name}"/>'
            after = f'<w:moveToRangeEnd w:id="{range_id}"/>'
            # Deleted words are shown once, in the moved-from copy; here the text reads
            # as it now stands, inserted words marked, so rejecting the move is exact.
            if ops is None:
                pieces = [(segments(block.text_html), "w:moveTo", True)]
            else:
                pieces = [
                    (runs, "w:moveTo" if tag == "equal" else "w:ins", True)
                    for tag, runs in ops
                    if tag != "delete"
                ]
            mark = f"<w:moveTo{sig.attrs(ids)}/>"
        elif role == "move_from":
            name = self._move_name(block.uid)
            range_id = ids.next()
            before = f'<w:moveFromRangeStart w:id="{range_id}"{sig.who()} w:name="{name}"/>'
            after = f'<w:moveFromRangeEnd w:id="{range_id}"/>'
            runs = _side(ops, "insert") if ops is not None else segments(block.text_html)
            pieces = [(runs, "w:moveFrom", False)]
            mark = f"<w:moveFrom{sig.attrs(ids)}/>"
        elif status == "added":
            runs = _side(ops, "delete") if ops is not None else segments(block.text_html)
            pieces = [(runs, "w:ins", True)]
            mark = f"<w:ins{sig.attrs(ids)}/>"
        elif status == "removed":
            runs = _side(ops, "insert") if ops is not None else segments(block.text_html)
            pieces = [(runs, "w:del", False)]
            mark = f"<w:del{sig.attrs(ids)}/>"
        elif ops is None:
            pieces = [(segments(block.text_html), None, True)]
        else:
            wrap = {"insert": "w:ins", "delete": "w:del"}
            pieces = [(runs, wrap.get(tag), tag != "delete") for tag, runs in ops]
        content = self._anchor(pieces, comments, sig, whole=gone)

        level = _level(block.level)
        style = _STYLE_OF_KIND.get(kind)
        num: tuple[int, int] | None = None
        if kind == "heading":
            style = f"Heading{level}"
            # A heading that is gone from this place must not take a number: the pack's
            # 1 / 1.1 numbering has to match the references ("3.2 ¶4") people use.
            num = (0, 0) if gone else None
        elif kind == "bullet":
            num = (_NUM_BULLETS, level - 1)
        elif kind == "number":
            num = (0, 0) if gone else (list_num or _FIRST_LIST_NUM, level - 1)
        return x.paragraph(mark_start + before + content + after + mark_end, style=style, num=num, mark=mark)

    def _anchor(
        self,
        pieces: Sequence[tuple[Sequence[Segment], str | None, bool]],
        comments: Sequence[PackComment],
        sig: x.Signature,
        whole: bool,
    ) -> str:
        """The runs of *pieces* with the Word threads of *comments* anchored in them.

        A comment whose quote occurs exactly once in the presented text of the paragraph
        is anchored on that span; any other (and every one when *whole*) on the paragraph.
        """
        runs = self.inline.runs
        presented = "".join(seg.text for segs, _wrap, counts in pieces if counts for seg in segs)
        markers: list[tuple[int, int, str]] = []  # (offset, 0 end / 1 start, xml)
        outer: list[PackComment] = []
        for comment in comments:
            quote = comment.quote
            if whole or not quote or presented.count(quote) != 1:
                outer.append(comment)
                continue
            at = presented.index(quote)
            start, end = self._thread(comment, on_quote=True)
            markers += [(at, 1, start), (at + len(quote), 0, end)]
        start, end = self._comment_marks(outer)
        if not markers:
            return start + "".join(runs(segs, wrap, sig) for segs, wrap, _counts in pieces) + end
        markers.sort(key=lambda m: (m[0], m[1]))
        out: list[str] = [start]
        pending: list[Segment] = []
        pending_wrap: str | None = None
        position = 0
        index = 0

        def flush() -> None:
            if pending:
                out.append(runs(list(pending), pending_wrap, sig))
                pending.clear()

        for segs, wrap, counts in pieces:
            for seg in segs:
                text_ = seg.text
                while True:
                    while index < len(markers) and markers[index][0] <= position:
                        flush()
                        out.append(markers[index][2])
                        index += 1
                    if not counts or index >= len(markers) or markers[index][0] >= position + len(text_):
                        break
                    cut = markers[index][0] - position
                    if wrap != pending_wrap:
                        flush()
                        pending_wrap = wrap
                    pending.append(replace(seg, text=text_[:cut]))
                    position += cut
                    text_ = text_[cut:]
                if wrap != pending_wrap:
                    flush()
                    pending_wrap = wrap
                if text_:
                    pending.append(replace(seg, text=text_))
                if counts:
                    position += len(text_)
        flush()
        out.extend(m[2] for m in markers[index:])
        out.append(end)
        return "".join(out)

    def _move_name(self, uid: str) -> str:
        if uid not in self._move_names:
            self._move_names[uid] = f"move{len(self._move_names) + 1}"
        return self._move_names[uid]

    def _table(
        self, block: PackBlock, role: str, start: str, end: str, mark_start: str = "", mark_end: str = ""
    ) -> str:
        """A table block; tracked rows carry ``w:ins``/``w:del`` in ``w:trPr`` when whole.

        Tables are never marked as moves (Word moves runs, not rows): a moved table is
        written as deleted at its old place and inserted at its new one.
        """
        status = _status(block)
        sig = self._signature(block)
        whole: str | None = None  # "w:ins" / "w:del" for a table added or removed whole
        if role == "move_from" or (role == "normal" and status == "removed"):
            whole = "w:del"
        elif role == "move_to" or (role == "normal" and status == "added"):
            whole = "w:ins"
        cells: list[list[str]]
        if (
            role == "clean"
            or (role == "normal" and status == "unchanged")
            or (whole is None and block.cells is None)
        ):
            cells = [[self.inline.runs(segments(c)) for c in r] for r in table_rows(block.text_html)]
        elif whole is not None:
            skip = "insert" if whole == "w:del" else "delete"
            if block.cells is not None:
                rows_runs = [[_side(ops, skip) for ops in r] for r in block.cells]
            else:
                rows_runs = [[segments(c) for c in r] for r in table_rows(block.text_html)]
            cells = [[self.inline.runs(runs, whole, sig) for runs in r] for r in rows_runs]
        else:
            wrap = {"insert": "w:ins", "delete": "w:del"}
            cells = [
                ["".join(self.inline.runs(runs, wrap.get(tag), sig) for tag, runs in ops) for ops in r]
                for r in block.cells or []
            ]
        columns = max((len(r) for r in cells), default=1) or 1
        width = _TEXT_WIDTH // columns
        rows = []
        for i, r in enumerate(cells):
            padded = list(r) + [""] * (columns - len(r))
            if i == 0:
                padded[0] = mark_start + start + padded[0] + end
            if i == len(cells) - 1:
                padded[-1] = padded[-1] + mark_end
            tcs = [
                x.cell(
                    x.paragraph(content, mark=f"<{whole}{sig.attrs(self.ids)}/>" if whole else ""),
                    width,
                )
                for content in padded
            ]
            row_mark = f"<{whole}{sig.attrs(self.ids)}/>" if whole else ""
            rows.append(x.row(tcs, header=i == 0 and len(cells) > 1, mark=row_mark))
        return x.table([width] * columns, rows)

    # -- the compilation

    def compilation(self) -> str:
        """The compilation table: a group row per section, one row per comment."""
        s = self.strings
        heading = self._pack_heading(s["compilation"], "_RemissCompilation")
        if not self.pack.comments:
            return heading + x.paragraph(x.run(s["no_comments"], italic=True))
        grid = _COMPILATION_GRID
        titles = [
            s["col_number"],
            s["col_ref"],
            s["col_organisation"],
            s["col_author"],
            s["col_comment"],
            s["col_suggestion"],
            s["col_status"],
            s["col_response"],
        ]
        rows = [self._header_row(titles, grid)]
        # Thousands of rows: the fixed parts of each cell are built once, and the loop
        # below only joins strings (about 3x faster than calling the helpers per cell).
        starts = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>' for w in grid]
        grey = f'<w:shd w:val="clear" w:color="auto" w:fill="{_WITHDRAWN_FILL}"/>'
        withdrawn_starts = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{grey}</w:tcPr>' for w in grid]
        p_open = '<w:p><w:pPr><w:pStyle w:val="PackTableText"/></w:pPr>'
        p_close = "</w:p>"
        end = p_close + "</w:tc>"
        br = "<w:r><w:br/></w:r>"
        run, lines_run, runs = x.run, x.lines_run, self.inline.runs
        general = s["general_comment"]
        # The status cell in the palette the web uses, always with the word.
        status_starts = {
            status: f'<w:tc><w:tcPr><w:tcW w:w="{grid[6]}" w:type="dxa"/>'
            f'<w:shd w:val="clear" w:color="auto" w:fill="{colours[1]}"/></w:tcPr>'
            for status, colours in _STATUS_COLOURS.items()
        }

        def status_runs(c: PackComment) -> str:
            colour = _STATUS_COLOURS.get(c.decision, ("000000", ""))[0]
            out = _coloured(status_label(c, s), colour)
            if c.decided_in_label:
                out += br + run(self._label("decided_in_version", c.decided_in_label), italic=True)
            return out

        for section, comments in by_section(self.pack.comments, s):
            rows.append(
                x.row(
                    [
                        x.cell(
                            x.paragraph(x.run(section, bold=True), style="PackTableText", keep_next=True),
                            sum(grid),
                            span=len(grid),
                            fill=_GROUP_FILL,
                        )
                    ],
                    cant_split=True,
                )
            )
            for c in comments:
                ref = run(c.ref or general)
                if c.version_label:
                    ref += br + run(self._label("made_on_version", c.version_label), italic=True)
                body = lines_run(comment_text(c, s))
                if c.kind != "comment":
                    body = run(kind_label(c, s), bold=True) + p_close + p_open + body
                if c.quote:
                    body += p_close + p_open + run(f"”{c.quote}”", italic=True)
                response = lines_run(c.response) if c.response else ""
                if c.decided_by:
                    response += br + run(f"– {c.decided_by}", italic=True)
                suggestion = runs(self._suggestion(c.suggestion)) if c.suggestion else ""
                cells = withdrawn_starts if c.withdrawn else starts
                rows.append(
                    "".join(
                        (
                            "<w:tr>",
                            cells[0],
                            p_open,
                            run(str(c.number)),
                            end,
                            cells[1],
                            p_open,
                            ref,
                            end,
                            cells[2],
                            p_open,
                            run(c.organisation),
                            end,
                            cells[3],
                            p_open,
                            run(c.author),
                            end,
                            cells[4],
                            p_open,
                            body,
                            end,
                            cells[5],
                            p_open,
                            suggestion,
                            end,
                            status_starts[c.decision],
                            p_open,
                            status_runs(c),
                            end,
                            cells[7],
                            p_open,
                            response,
                            end,
                            "</w:tr>",
                        )
                    )
                )
        return heading + x.table(grid, rows, fixed=True, caption=s["compilation"])


# --------------------------------------------------------------------------- skeleton

_STYLES = """
<w:style w:type="character" w:styleId="Hyperlink">
  <w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>
  <w:unhideWhenUsed/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="PackHeading">
  <w:name w:val="Pack Heading"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
  <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="240"/>
  <w:outlineLvl w:val="0"/></w:pPr>
  <w:rPr><w:rFonts w:asciiTheme="majorHAnsi" w:hAnsiTheme="majorHAnsi" w:cstheme="majorBidi"/>
  <w:b/><w:bCs/><w:color w:val="365F91"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="PackTableText">
  <w:name w:val="Pack Table Text"/><w:basedOn w:val="Normal"/><w:qFormat/>
  <w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="PackSubheading">
  <w:name w:val="Pack Subheading"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
  <w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/></w:pPr>
  <w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="PackAgenda">
  <w:name w:val="Pack Agenda"/><w:basedOn w:val="Normal"/><w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="60"/><w:ind w:left="284"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC1">
  <w:name w:val="toc 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC2">
  <w:name w:val="toc 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/><w:ind w:left="220"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC3">
  <w:name w:val="toc 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/><w:ind w:left="440"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="CommentText">
  <w:name w:val="annotation text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="CommentReference">
  <w:name w:val="annotation reference"/><w:basedOn w:val="DefaultParagraphFont"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/>
  </w:rPr></w:style>
"""


def _lvl(ilvl: int, fmt: str, text: str, indent: int, hanging: int, style: str = "") -> str:
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{pstyle}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{indent}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
    )


_ABSTRACT_NUMS = (
    # Headings 1 / 1.1 / 1.1.1, linked to the Heading styles both ways (pStyle here,
    # numPr in the styles), which is how Word itself stores outline numbering.
    f'<w:abstractNum {x.NSDECLS} w:abstractNumId="{_ABSTRACT_HEADINGS}">'
    '<w:nsid w:val="52E15001"/><w:multiLevelType w:val="multilevel"/>'
    + _lvl(0, "decimal", "%1", 432, 432, "Heading1")
    + _lvl(1, "decimal", "%1.%2", 576, 576, "Heading2")
    + _lvl(2, "decimal", "%1.%2.%3", 720, 720, "Heading3")
    + "</w:abstractNum>",
    f'<w:abstractNum {x.NSDECLS} w:abstractNumId="{_ABSTRACT_BULLETS}">'
    '<w:nsid w:val="52E15002"/><w:multiLevelType w:val="hybridMultilevel"/>'
    + _lvl(0, "bullet", "•", 720, 360)
    + _lvl(1, "bullet", "–", 1080, 360)
    + _lvl(2, "bullet", "•", 1440, 360)
    + "</w:abstractNum>",
    f'<w:abstractNum {x.NSDECLS} w:abstractNumId="{_ABSTRACT_NUMBERS}">'
    '<w:nsid w:val="52E15003"/><w:multiLevelType w:val="hybridMultilevel"/>'
    + _lvl(0, "decimal", "%1.", 720, 360)
    + _lvl(1, "lowerLetter", "%2.", 1080, 360)
    + _lvl(2, "lowerRoman", "%3.", 1440, 360)
    + "</w:abstractNum>",
)


def _num(num_id: int, abstract_id: int, restart: bool = False) -> str:
    # Word continues a list across w:num instances of one abstractNum unless each
    # level's start is overridden: that is what makes every numbered list start at 1.
    overrides = (
        "".join(f'<w:lvlOverride w:ilvl="{i}"><w:startOverride w:val="1"/></w:lvlOverride>' for i in range(3))
        if restart
        else ""
    )
    return (
        f'<w:num {x.NSDECLS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'
    )


# Drops the indentation whitespace of the XML literals in this module.
_COMPACT = etree.XMLParser(remove_blank_text=True)


def _w(tag: str) -> str:
    return f"{{{x.W_NS}}}{tag}"


_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _prepare_template(document: Document) -> None:
    """Drop the template's leftovers: its thumbnail (a blank page) and stylesWithEffects.

    The thumbnail would be shown as the file's preview; stylesWithEffects.xml is a
    438 KB Word 2010 copy of styles.xml that Word rebuilds when it needs it.
    """
    package = document.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    for rid, rel in list(document.part.rels.items()):
        if rel.reltype == _STYLES_WITH_EFFECTS:
            document.part.drop_rel(rid)


def _setup_styles(document: Document, language: str) -> None:
    """Add the pack's styles, set the language, link Heading 1-3 to the outline numbering."""
    styles = document.styles.element
    added = etree.fromstring(f"<w:styles {x.NSDECLS}>{_STYLES}</w:styles>", _COMPACT)
    ids = {style.get(_w("styleId")) for style in added}
    for style in styles.findall(_w("style")):
        if style.get(_w("styleId")) in ids:
            styles.remove(style)
    styles.extend(list(added))
    lang = styles.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}/{_w('lang')}")
    if lang is not None:
        lang.set(_w("val"), "sv-SE" if language == "sv" else "en-GB")
    for level in (1, 2, 3):
        style = document.styles[f"Heading {level}"].element
        num_pr = style.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level - 1
        num_pr.get_or_add_numId().val = _NUM_HEADINGS
    # "TOC Heading" is based on Heading 1 and would inherit its number.
    toc = document.styles["TOC Heading"].element
    toc_num = toc.get_or_add_pPr().get_or_add_numPr()
    toc_num.get_or_add_numId().val = 0


def _setup_numbering(document: Document, list_nums: Sequence[int]) -> None:
    numbering = document.part.numbering_part.element
    first_num = numbering.find(_w("num"))
    for source in _ABSTRACT_NUMS:
        element = etree.fromstring(source, _COMPACT)
        if first_num is not None:
            first_num.addprevious(element)
        else:
            numbering.append(element)
    nums = [_num(_NUM_HEADINGS, _ABSTRACT_HEADINGS), _num(_NUM_BULLETS, _ABSTRACT_BULLETS)]
    nums += [_num(n, _ABSTRACT_NUMBERS, restart=True) for n in list_nums]
    cleanup = numbering.find(_w("numIdMacAtCleanup"))
    for source in nums:
        element = etree.fromstring(source)
        if cleanup is not None:
            cleanup.addprevious(element)
        else:
            numbering.append(element)


def _setup_settings(document: Document, language: str) -> None:
    """Ask Word to fill the fields (TOC) on open; ``w:updateFields`` must precede ``w:compat``."""
    settings = document.settings.element
    for tag in ("savePreviewPicture", "updateFields"):
        for old in settings.findall(_w(tag)):
            settings.remove(old)
    update = etree.SubElement(settings, _w("updateFields"))
    update.set(_w("val"), "true")
    compat = settings.find(_w("compat"))
    if compat is not None:
        compat.addprevious(update)
    # python-docx's template leaves out w:zoom/@w:percent, which the schema requires.
    zoom = settings.find(_w("zoom"))
    if zoom is not None and zoom.get(_w("percent")) is None:
        zoom.set(_w("percent"), "100")
    theme_lang = settings.find(_w("themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(_w("val"), "sv-SE" if language == "sv" else "en-GB")
    if language == "sv":
        for tag, value in (("decimalSymbol", ","), ("listSeparator", ";")):
            element = settings.find(_w(tag))
            if element is not None:
                element.set(_w("val"), value)


def _setup_core_properties(document: Document, pack: PackInput, strings: Mapping[str, str]) -> None:
    """Core properties from the data only: a pack made twice must not differ in a date."""
    moment = pack.version_date or pack.meeting_date or datetime(2000, 1, 1, tzinfo=UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    publisher = next((h.published_by for h in pack.history if h.number == pack.version_number), "")
    creator = ", ".join(pack.organisations)

    def short(value: str) -> str:
        return x.clean(value)[:255]

    props = document.core_properties
    props.title = short(pack.document_title)
    props.subject = short(pack.meeting_title)
    props.author = short(creator or publisher)
    props.last_modified_by = short(publisher or creator)
    props.created = moment
    props.modified = moment
    props.revision = max(1, int(pack.version_number))
    props.version = short(pack.version_label)
    props.language = "sv-SE" if pack.language == "sv" else "en-GB"
    props.keywords = short(pack.document_slug)
    props.identifier = short(f"{pack.document_slug}/{pack.version_label}")
    props.category = short(strings["kicker"])
    props.content_status = short(strings.get(f"state_{pack.version_state}", pack.version_state))
    props.comments = ""


def _setup_footer(document: Document, pack: PackInput, strings: Mapping[str, str]) -> str:
    """A footer "title · version · Page N"; returns its relationship id."""
    section = document.sections[0]
    footer = section.footer
    footer.is_linked_to_previous = False
    text = (
        f"{pack.document_title} · {fill(strings['version'], label=pack.version_label)} · {strings['page']} "
    )
    element = footer.part.element
    for child in list(element):
        element.remove(child)
    element.append(
        etree.fromstring(
            f'<w:p {x.NSDECLS}><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{x.run(text)}'
            f"{x.field('PAGE', x.run('1'))}</w:p>"
        )
    )
    ref = document.element.body.find(f"{_w('sectPr')}/{_w('footerReference')}")
    return ref.get(f"{{{x.R_NS}}}id")


_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Application>Remiss</Application>"
    b"<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    b"<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
)

# The zip's own metadata is part of the bytes: fixed time, order, mode and compression.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")


_COMMENTS_EX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
_COMMENTS_EX_REL = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"


def _part(root: str, content: str, nsdecls: str = x.NSDECLS) -> bytes:
    """A whole XML part ``w:<root>`` around *content*."""
    return (
        f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<w:{root} {nsdecls}>{content}</w:{root}>"
    ).encode()


def _deterministic_zip(data: bytes, replace: Mapping[str, bytes]) -> bytes:
    """The package *data* re-zipped byte-stable, with the entries of *replace* swapped in."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    missing = set(replace) - set(entries)
    if missing:
        raise RuntimeError(f"package has no part {sorted(missing)}")
    entries.update(replace)
    names = [n for n in _FIRST_ENTRIES if n in entries]
    names += sorted(n for n in entries if n not in _FIRST_ENTRIES)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            # Level 1: three times faster than the default 6 on the 6 MB body of a large
            # pack, for a file about 1.5 times larger (0.46 MB against 0.31 MB).
            target.writestr(info, entries[name], compresslevel=1)
    return out.getvalue()


def write_pack(pack: PackInput, tracked: bool = True) -> bytes:
    """The meeting pack as DOCX bytes; *tracked* False gives the clean variant.

    Deterministic: the same *pack* gives the same bytes (no clock, no random ids).
    """
    document = docx.Document()
    builder = _PackBuilder(document, pack, tracked)
    strings = builder.strings
    _prepare_template(document)
    _setup_styles(document, pack.language)
    _setup_settings(document, pack.language)
    _setup_core_properties(document, pack, strings)
    footer_rid = _setup_footer(document, pack, strings)

    # The pack's sections in order, each one method of the builder (adding a section is one
    # line here). The contents are written last, once every heading is known.
    portrait: list[Callable[[], str]] = [
        builder.title_page,
        builder.summary,
        builder.responses,
        builder.contents,
        builder.history,
        builder.text,
    ]
    landscape: list[Callable[[], str]] = [builder.compilation]
    written = {section: section() for section in (*portrait, *landscape) if section != builder.contents}
    written[builder.contents] = builder.contents()
    body = "".join(
        (
            *(written[section] for section in portrait),
            # The text ends the portrait section; the compilation gets landscape pages.
            x.paragraph(
                "",
                sect_pr=x.sect_pr(landscape=False, margins=_MARGIN, footer_rid=footer_rid, title_page=True),
            ),
            *(written[section] for section in landscape),
            x.sect_pr(landscape=True, margins=_MARGIN),
        )
    )
    _setup_numbering(document, builder.list_nums)
    # The body and the comments are written as whole parts: parsing 6 MB of generated
    # XML into lxml only to serialise it again cost 0.3 s and 100 MB per pack.
    replace_parts = {
        "docProps/app.xml": _APP_XML,
        "word/document.xml": _part("document", f"<w:body>{body}</w:body>"),
    }
    if builder.comments:
        # Reading .comments makes python-docx add the part, its content type and its
        # relationship; the part's content is then replaced like the body's.
        document.comments  # noqa: B018
        replace_parts["word/comments.xml"] = _part(
            "comments", "".join(builder.comments), nsdecls=x.COMMENTS_NSDECLS
        )
        # Threads (replies) and "done" live in commentsExtended.xml (Word 2013 and later).
        extended = (
            "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f"<w15:commentsEx {x.COMMENTS_EX_NSDECLS}>{''.join(builder.comments_ex)}</w15:commentsEx>"
        ).encode()
        document.part.relate_to(
            Part(PackURI("/word/commentsExtended.xml"), _COMMENTS_EX_TYPE, extended, document.part.package),
            _COMMENTS_EX_REL,
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return _deterministic_zip(buffer.getvalue(), replace_parts)
