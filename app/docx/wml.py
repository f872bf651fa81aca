"""WordprocessingML fragments built as strings: escaping, runs, tracked changes, tables, fields.

The meeting pack has thousands of table cells; building them through python-docx's
object layer (or element by element) is what made exports slow (decisions.md: 1.5 s
against 0.07 s for the same XML built directly). Every piece of text passes through
:func:`text` or :func:`attr` here, and the whole body is parsed once by lxml before it
is stored, so a mistake shows up as an export error rather than as a broken file.

Element order inside ``w:pPr``, ``w:rPr``, ``w:tblPr``, ``w:trPr``, ``w:tcPr`` and
``w:sectPr`` follows the schema (ECMA-376 part 1): Word rejects or "repairs" files
whose property children are out of order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Segment(Protocol):
    """A stretch of rich text as the writers take it (``app.richtext.Segment`` is one)."""

    @property
    def text(self) -> str: ...
    @property
    def bold(self) -> bool: ...
    @property
    def italic(self) -> bool: ...
    @property
    def href(self) -> str | None: ...


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NSDECLS = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
W15_NS = "http://schemas.microsoft.com/office/word/2012/wordml"


def qname(tag: str) -> str:
    """The Clark name ``{w-namespace}tag`` of a WordprocessingML element or attribute, for lxml."""
    return f"{{{W_NS}}}{tag}"


# The comments part carries w14:paraId; Word 2007 and schema checks skip what mc:Ignorable lists.
COMMENTS_NSDECLS = f'{NSDECLS} xmlns:mc="{MC_NS}" xmlns:w14="{W14_NS}" mc:Ignorable="w14"'
COMMENTS_EX_NSDECLS = f'xmlns:mc="{MC_NS}" xmlns:w15="{W15_NS}" mc:Ignorable="w15"'

# Characters XML 1.0 forbids (C0 controls other than tab, LF, CR; lone surrogates;
# U+FFFE/U+FFFF). lxml refuses them and Word reports the file as corrupt.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def clean(value: str) -> str:
    """*value* without the characters XML cannot carry."""
    if _ILLEGAL.search(value):
        return _ILLEGAL.sub("", value)
    return value


# Anything text() has to change; most text has none of it, and skips the replaces.
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: str) -> str:
    """*value* escaped for element content."""
    if not _SPECIAL.search(value):
        return value
    return clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: str) -> str:
    """*value* escaped for a double-quoted attribute (line breaks kept as references)."""
    return (
        text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    )


def w_date(moment: datetime | None) -> str:
    """A revision or comment date as Word writes it: ISO-8601 UTC, whole seconds."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    m = moment.astimezone(UTC)
    # Formatted by hand: strftime was a tenth of the time of a pack with 3,000 comments.
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def bookmark_start(bookmark_id: int, name: str) -> str:
    """A ``w:bookmarkStart``; its ``w:bookmarkEnd`` must carry the same id."""
    return f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{attr(name)}"/>'


def bookmark_end(bookmark_id: int) -> str:
    """The end of the bookmark *bookmark_id*."""
    return f'<w:bookmarkEnd w:id="{bookmark_id}"/>'


class Ids:
    """One counter for every annotation id (revisions, move ranges, comments).

    The schema wants revision ids unique; sharing one counter with comments costs
    nothing and rules out any clash between the id spaces in stricter readers.
    """

    def __init__(self, start: int = 1) -> None:
        self._next = itertools.count(start)

    def next(self) -> int:
        """The next unused id."""
        return next(self._next)


@dataclass(frozen=True, slots=True)
class Signature:
    """Who made a tracked change and when (``w:author``, ``w:date``)."""

    author: str
    date: str

    def who(self) -> str:
        """The ``w:author`` and (when known) ``w:date`` attributes."""
        date = f' w:date="{self.date}"' if self.date else ""
        return f' w:author="{attr(self.author)}"{date}'

    def attrs(self, ids: Ids) -> str:
        """The attributes of one revision mark, with a fresh id."""
        return f' w:id="{ids.next()}"{self.who()}'


# A word diff shown as formatting, not as tracked changes (a suggestion in a comment or a table
# cell): deleted words struck, inserted ones underlined, each in a colour of the status palette
# (contrast 7:1 or more); the strike and the underline carry the meaning without the colour.
REDLINE_DELETE, REDLINE_INSERT = "delete", "insert"
_REDLINE_COLOUR = {REDLINE_DELETE: "8A1414", REDLINE_INSERT: "0B5A21"}


def run(
    value: str,
    bold: bool = False,
    italic: bool = False,
    *,
    style: str | None = None,
    deleted: bool = False,
    redline: str | None = None,
    size: int | None = None,
) -> str:
    """One ``w:r``; *deleted* writes ``w:delText`` as the content of a ``w:del`` must be.

    *redline* ("delete" or "insert") strikes or underlines the run (see :data:`REDLINE_DELETE`);
    *size* is in half-points.
    """
    props = ""
    if style:
        props += f'<w:rStyle w:val="{style}"/>'
    if bold:
        props += "<w:b/><w:bCs/>"
    if italic:
        props += "<w:i/><w:iCs/>"
    if redline == REDLINE_DELETE:
        props += "<w:strike/>"
    if redline in _REDLINE_COLOUR:
        props += f'<w:color w:val="{_REDLINE_COLOUR[redline]}"/>'
    if size:
        props += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    if redline == REDLINE_INSERT:
        props += '<w:u w:val="single"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    tag = "w:delText" if deleted else "w:t"
    # Runs come from folded rich text, but tabs would show as literal characters.
    body = text(value.replace("\t", " "))
    return f'<w:r>{rpr}<{tag} xml:space="preserve">{body}</{tag}></w:r>'


def lines_run(value: str, bold: bool = False, italic: bool = False) -> str:
    """One run for multi-line plain text, lines joined by ``w:br``."""
    props = ("<w:b/><w:bCs/>" if bold else "") + ("<w:i/><w:iCs/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    lines = _LINE_BREAKS.split(value.replace("\t", " "))
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{text(line)}</w:t>' for line in lines)
    return f"<w:r>{rpr}{body}</w:r>"


class Inline:
    """Writes rich-text runs, with hyperlinks and tracked-change wrappers.

    *link* maps a URL to the id of an external hyperlink relationship (or None when the
    URL may not be linked); *ids* numbers the revision marks.
    """

    def __init__(self, link: Callable[[str], str | None], ids: Ids) -> None:
        self.link = link
        self.ids = ids

    def runs(
        self,
        runs: Iterable[Segment],
        change: str | None = None,
        signature: Signature | None = None,
        *,
        redline: str | None = None,
        size: int | None = None,
    ) -> str:
        """Runs for *runs*; *change* ("w:ins", "w:del", "w:moveFrom", "w:moveTo") wraps them.

        Word allows a revision mark inside a hyperlink but not a hyperlink inside a
        revision mark (``w:ins`` holds runs only), so each stretch of one link gets its
        own mark, inside the ``w:hyperlink``. *redline* and *size* are :func:`run`'s.
        """
        deleted = change == "w:del"
        out: list[str] = []
        for href, group in itertools.groupby(runs, key=lambda seg: seg.href):
            rid = self.link(href) if href else None
            body = "".join(
                run(
                    seg.text,
                    seg.bold,
                    seg.italic,
                    style="Hyperlink" if rid else None,
                    deleted=deleted,
                    redline=redline,
                    size=size,
                )
                for seg in group
                if seg.text
            )
            if not body:
                continue
            if change and signature is not None:
                body = f"<{change}{signature.attrs(self.ids)}>{body}</{change}>"
            if rid:
                body = f'<w:hyperlink r:id="{rid}" w:history="1">{body}</w:hyperlink>'
            out.append(body)
        return "".join(out)

    def redline(self, ops: Iterable[tuple[str, Iterable[Segment]]], *, size: int | None = None) -> str:
        """A word diff (``app.worddiff`` ops: "equal", "delete", "insert") as one stretch of runs:
        deleted words struck, inserted ones underlined, formatting and links kept."""
        marks = {"delete": REDLINE_DELETE, "insert": REDLINE_INSERT}
        return "".join(self.runs(runs, redline=marks.get(tag), size=size) for tag, runs in ops)


def paragraph(
    content: str,
    *,
    style: str | None = None,
    num: tuple[int, int] | None = None,
    keep_next: bool = False,
    page_break_before: bool = False,
    mark: str = "",
    sect_pr: str = "",
) -> str:
    """A ``w:p``; *num* is (numId, ilvl), *mark* the paragraph mark's revision (``w:rPr``)."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if keep_next:
        props += "<w:keepNext/>"
    if page_break_before:
        props += "<w:pageBreakBefore/>"
    if num is not None:
        props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    if mark:
        props += f"<w:rPr>{mark}</w:rPr>"
    props += sect_pr
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    return f"<w:p>{ppr}{content}</w:p>"


def cell(content: str, width: int, *, span: int = 1, fill: str | None = None) -> str:
    """A ``w:tc`` of *width* twips; *content* must hold at least one paragraph."""
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{content or paragraph('')}</w:tc>"


def row(cells: Iterable[str], *, header: bool = False, cant_split: bool = False, mark: str = "") -> str:
    """A ``w:tr``; *header* repeats it at the top of every page, *mark* is ``w:ins``/``w:del``."""
    props = ""
    if cant_split:
        props += "<w:cantSplit/>"
    if header:
        props += "<w:tblHeader/>"
    props += mark
    trpr = f"<w:trPr>{props}</w:trPr>" if props else ""
    return f"<w:tr>{trpr}{''.join(cells)}</w:tr>"


def table(
    grid: Sequence[int],
    rows: Iterable[str],
    *,
    style: str = "TableGrid",
    fixed: bool = False,
    caption: str = "",
) -> str:
    """A ``w:tbl`` with the column widths *grid* (twips); *fixed* skips Word's autofit pass.

    *caption* becomes ``w:tblCaption``, the table's accessible name in Word.
    """
    width = sum(grid)
    props = (
        f'<w:tblStyle w:val="{style}"/><w:tblW w:w="{width}" w:type="dxa"/>'
        + ('<w:tblLayout w:type="fixed"/>' if fixed else "")
        + '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0"'
        ' w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        + (f'<w:tblCaption w:val="{attr(caption)}"/>' if caption else "")
    )
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    return f"<w:tbl><w:tblPr>{props}</w:tblPr><w:tblGrid>{cols}</w:tblGrid>{''.join(rows)}</w:tbl>"


def field(instruction: str, placeholder: str) -> str:
    """A complex field (begin, instruction, separate, *placeholder* runs, end), marked dirty.

    ``w:dirty`` asks Word to recompute the field on open, as ``w:updateFields`` does
    for the whole document.
    """
    return (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {text(instruction)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{placeholder}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def sect_pr(
    *,
    landscape: bool,
    margins: int,
    footer_rid: str | None = None,
    title_page: bool = False,
) -> str:
    """Section properties for an A4 page; the section starts on a new page."""
    short, long_ = 11906, 16838
    width, height = (long_, short) if landscape else (short, long_)
    orient = ' w:orient="landscape"' if landscape else ""
    footer = f'<w:footerReference w:type="default" r:id="{footer_rid}"/>' if footer_rid else ""
    return (
        f"<w:sectPr>{footer}"
        '<w:type w:val="nextPage"/>'
        f'<w:pgSz w:w="{width}" w:h="{height}"{orient}/>'
        f'<w:pgMar w:top="1134" w:right="{margins}" w:bottom="1134" w:left="{margins}"'
        ' w:header="567" w:footer="567" w:gutter="0"/>'
        '<w:cols w:space="720"/>'
        + ("<w:titlePg/>" if title_page else "")
        + '<w:docGrid w:linePitch="360"/></w:sectPr>'
    )
