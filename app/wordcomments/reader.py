"""Read the Word comments, their replies and the tracked changes of a reviewed .docx (no app needed).

The file is checked and opened exactly as a Word import is (:func:`app.docx.reading.open_docx`:
zip bombs, XXE, macros, encrypted and non-DOCX files are refused before any XML is parsed), and
only the text part of a meeting pack is read (:func:`app.docx.reading.text_items`).

For every paragraph of the text we keep its *pieces*: stretches of text that are unchanged,
inserted or deleted with tracking, each with the tracked change it belongs to. The accepted
view (inserted text kept, deleted text dropped) is what the import reads; offsets of comment
ranges are offsets into that accepted text. A paragraph's marker is the uid carried by a
paragraph bookmark of the pack, when the file has them.

Replies are read from ``commentsExtended.xml`` (``w15:paraIdParent``), which Word and
LibreOffice both write; the last paragraph of a comment carries the ``w14:paraId`` it is
known by there (:mod:`app.docx.comments` reads both parts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from app.docx.comments import read_comments, read_thread_parents
from app.docx.reading import MAX_UPLOAD_BYTES, DocxRejected, open_docx, text_items
from app.docx.wml import qname as _w

W_P, W_TBL, W_T, W_DELTEXT, W_R = _w("p"), _w("tbl"), _w("t"), _w("delText"), _w("r")
W_INS, W_DEL, W_MOVETO, W_MOVEFROM = _w("ins"), _w("del"), _w("moveTo"), _w("moveFrom")
W_CSTART, W_CEND, W_CREF = _w("commentRangeStart"), _w("commentRangeEnd"), _w("commentReference")
W_BOOKMARK, W_RPR, W_PPR = _w("bookmarkStart"), _w("rPr"), _w("pPr")
W_ID, W_NAME, W_AUTHOR, W_DATE = _w("id"), _w("name"), _w("author"), _w("date")
_SPACES = {_w("tab"), _w("ptab"), _w("br"), _w("cr")}
_INSERTED = {W_INS, W_MOVETO}
_DELETED = {W_DEL, W_MOVEFROM}
# Text that is not the paragraph's own: text boxes and field instructions.
_FOREIGN = {_w("txbxContent"), _w("instrText"), _w("delInstrText")}

SAME, INSERTED, DELETED = "same", "ins", "del"


@dataclass(slots=True)
class Piece:
    """A stretch of a paragraph's text: unchanged, or inside one tracked insertion or deletion."""

    text: str
    state: str
    change: str | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One tracked change (``w:ins``/``w:del``, moves counted as such) with its author and date."""

    id: str
    kind: str
    author: str
    date: str


@dataclass
class Paragraph:
    """One paragraph of the text, in file order; *table* is the index of its table, if in one."""

    index: int
    item: int
    pieces: list[Piece] = field(default_factory=list)
    marker: str | None = None
    table: int | None = None
    inserted_mark: bool = False

    @property
    def text(self) -> str:
        """The accepted view: unchanged and inserted text."""
        return "".join(p.text for p in self.pieces if p.state != DELETED)

    @property
    def changes(self) -> list[str]:
        """Ids of the tracked changes in this paragraph, in order of appearance."""
        seen: list[str] = []
        for piece in self.pieces:
            if piece.change is not None and piece.change not in seen:
                seen.append(piece.change)
        return seen


@dataclass(frozen=True, slots=True)
class Point:
    """A place in the text: paragraph index and offset into its accepted text."""

    paragraph: int
    offset: int


@dataclass
class WordComment:
    """A Word comment: who wrote it and when, its text, where it is anchored, and its thread."""

    id: str
    author: str
    initials: str
    date: str
    text: str
    start: Point | None = None
    end: Point | None = None
    parent: str | None = None
    para_ids: list[str] = field(default_factory=list)


@dataclass
class WordFile:
    """Everything read from a reviewed file."""

    paragraphs: list[Paragraph]
    items: int
    changes: dict[str, Change]
    comments: list[WordComment]
    has_markers: bool


class _Walker:
    """Walks the text's paragraphs, collecting pieces, changes, comment anchors and markers."""

    def __init__(self, marker_of: Callable[[str], str | None] | None) -> None:
        self.marker_of = marker_of
        self.paragraphs: list[Paragraph] = []
        self.changes: dict[str, Change] = {}
        self.starts: dict[str, Point] = {}
        self.ends: dict[str, Point] = {}
        self.refs: dict[str, Point] = {}
        self.has_markers = False

    def item(self, el: etree._Element, number: int, table: int | None) -> None:
        if el.tag == W_TBL:
            for p in el.iter(W_P):
                self.paragraph(p, number, table=number)
        else:
            self.paragraph(el, number, table)

    def _change(self, el: etree._Element) -> str:
        kind = INSERTED if el.tag in _INSERTED else DELETED
        key = f"{kind}:{el.get(W_ID, '')}:{id(el)}"
        if key not in self.changes:
            self.changes[key] = Change(key, kind, el.get(W_AUTHOR, "") or "", el.get(W_DATE, "") or "")
        return key

    def paragraph(self, p: etree._Element, item: int, table: int | None) -> None:
        para = Paragraph(index=len(self.paragraphs), item=item, table=table)
        self.paragraphs.append(para)
        ppr = p.find(W_PPR)
        if ppr is not None:
            mark = ppr.find(W_RPR)
            para.inserted_mark = mark is not None and mark.find(W_INS) is not None
        offset = 0
        for el in p.iter():
            tag = el.tag
            if tag in (W_T, W_DELTEXT) or tag in _SPACES:
                context = self._context(el, p)
                if context is None:
                    continue
                state, change = context
                text = (el.text or "") if tag in (W_T, W_DELTEXT) else " "
                if tag == W_DELTEXT and state != DELETED:
                    continue
                if not text:
                    continue
                last = para.pieces[-1] if para.pieces else None
                if last is not None and last.state == state and last.change == change:
                    last.text += text
                else:
                    para.pieces.append(Piece(text, state, change))
                if state != DELETED:
                    offset += len(text)
            elif tag == W_CSTART:
                self.starts.setdefault(el.get(W_ID, ""), Point(para.index, offset))
            elif tag == W_CEND:
                self.ends[el.get(W_ID, "")] = Point(para.index, offset)
            elif tag == W_CREF:
                self.refs.setdefault(el.get(W_ID, ""), Point(para.index, offset))
            elif tag == W_BOOKMARK and self.marker_of is not None and para.marker is None:
                uid = self.marker_of(el.get(W_NAME, "") or "")
                if uid:
                    para.marker = uid
                    self.has_markers = True

    def _context(self, el: etree._Element, p: etree._Element) -> tuple[str, str | None] | None:
        """(state, change id) of a text element, or None for text that is not the paragraph's."""
        run = None
        for ancestor in el.iterancestors():
            if ancestor is p:
                break
            tag = ancestor.tag
            if tag in _FOREIGN or tag == W_P:
                return None
            if tag == W_R and run is None:
                run = ancestor
            if tag in _INSERTED or tag in _DELETED:
                if run is not None and _hidden(run):
                    return None
                return (INSERTED if tag in _INSERTED else DELETED), self._change(ancestor)
        if run is not None and _hidden(run):
            return None
        return SAME, None


def _hidden(run: etree._Element) -> bool:
    rpr = run.find(W_RPR)
    if rpr is None:
        return False
    vanish = rpr.find(_w("vanish"))
    return vanish is not None and vanish.get(_w("val"), "true").lower() not in ("0", "false", "off")


def read_word_file(
    data: bytes,
    max_bytes: int = MAX_UPLOAD_BYTES,
    marker_of: Callable[[str], str | None] | None = None,
) -> WordFile:
    """Check and read a reviewed .docx; raises :class:`~app.docx.reading.DocxRejected`.

    *marker_of* turns a bookmark name into a paragraph uid (None for other bookmarks).
    """
    document = open_docx(data, max_bytes)
    try:
        return _read(document, marker_of)
    except (etree.LxmlError, ValueError, RecursionError) as exc:
        raise DocxRejected("not_docx") from exc


def _read(document, marker_of) -> WordFile:
    walker = _Walker(marker_of)
    items = text_items(document)
    for number, el in enumerate(items):
        walker.item(el, number, None)
    comments: list[WordComment] = []
    by_para_id: dict[str, WordComment] = {}
    for stored in read_comments(document):
        cid = stored.id
        comment = WordComment(
            id=cid,
            author=stored.author,
            initials=stored.initials,
            date=stored.date,
            text=stored.text,
            start=walker.starts.get(cid) or walker.refs.get(cid),
            end=walker.ends.get(cid) or walker.refs.get(cid),
            para_ids=stored.para_ids,
        )
        comments.append(comment)
        for para_id in stored.para_ids:
            by_para_id[para_id] = comment
    for para_id, parent_id in read_thread_parents(document):
        own = by_para_id.get(para_id)
        parent = by_para_id.get(parent_id)
        if own is not None and parent is not None and parent is not own:
            own.parent = parent.id
    return WordFile(walker.paragraphs, len(items), walker.changes, comments, walker.has_markers)
