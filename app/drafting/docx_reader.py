"""Read an uploaded Word draft (.docx) into blocks, refusing unsafe files before parsing.

Two steps:

1. :func:`app.docx.reading.check_docx` looks at the raw bytes and the zip directory
   only (no XML is parsed) and raises :class:`~app.docx.reading.DocxRejected` with a
   stable ``code`` for anything that is not a plain, safe .docx. The codes (translated
   by the app) are listed in :data:`~app.docx.reading.REJECTION_CODES`.
2. :func:`read_docx` walks the body XML in document order and returns blocks in the
   rich-text contract of :mod:`app.richtext`, plus a report of everything
   that could not be represented (:data:`REPORT_CODES`): nothing is dropped silently.

Reading rules (product.md, "Importing a draft from Word"):

- Headings come from the paragraph style's *name* ("heading 1" whatever its id, so a
  Swedish Word's "Rubrik1" works), also through ``basedOn`` chains and, failing that,
  an outline level. Levels deeper than 3 are imported as 3 and reported.
- "Title" is imported as an ordinary paragraph and reported (code ``title``): the
  document title is a field of its own in Remiss, and a heading 1 would shift the
  numbering of every chapter.
- List items come from ``w:numPr`` (the numbering definition's ``numFmt`` tells bullet
  from number, ``ilvl`` gives the level) or from the "List Bullet"/"List Number"
  style names (:mod:`app.drafting.docx_styles`). "Quote", "Intense Quote", "Quotations"
  (LibreOffice) and "Block Text" (pandoc) give quotes. Table-of-contents paragraphs
  are skipped and reported.
- The *accepted* view of tracked changes: ``w:ins``/``w:moveTo`` are kept,
  ``w:del``/``w:moveFrom`` dropped, and a paragraph whose mark was deleted is joined
  to the next one. Content controls (``w:sdt``) are unwrapped.
- Bold and italic come from run properties, character styles, and the paragraph
  style (except for headings and quotes, whose style formatting is their look).
  Links keep http, https and mailto targets only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from app.docx.reading import (
    MAX_UPLOAD_BYTES,
    NS,
    W_SDT,
    W_SDTCONTENT,
    W_T,
    W_TBL,
    WRAPPERS,
    DocxRejected,
    body_items,
    open_docx,
    part_root,
    related_parts,
    text_part,
)
from app.docx.wml import qname as _w
from app.drafting.docx_styles import Numbering, Styles, child_val, int_value, numbering_root, toggle
from app.richtext import Segment, from_segments, plain, table_text

REPORT_CODES: dict[str, str] = {
    "image": "pictures (detail: alt text or name)",
    "chart": "charts",
    "diagram": "SmartArt diagrams",
    "shape": "drawn shapes",
    "text_box": "text boxes; their text is not imported (detail: the text)",
    "embedded_object": "embedded objects (OLE, ink)",
    "embedded_document": "embedded documents (altChunk)",
    "equation": "equations (detail: their text)",
    "footnote": "footnote references; the notes are not imported (detail: the notes)",
    "endnote": "endnote references; the notes are not imported (detail: the notes)",
    "comment": "Word comments in the file (detail: their text)",
    "header_footer": "text in headers or footers (detail: the text)",
    "field": "fields imported as their current text (detail: field types)",
    "table_of_contents": "a table of contents, skipped",
    "heading_level": "headings deeper than level 3, imported as level 3 (detail: levels)",
    "list_level": "list items deeper than level 3, imported as level 3 (detail: levels)",
    "title": "'Title' style paragraphs, imported as paragraphs (detail: the text)",
    "internal_link": "links to places inside the document, kept as text",
    "link_scheme": "links that are not http, https or mailto, kept as text (detail: schemes)",
    "hidden_text": "hidden text, skipped (detail: the text)",
    "placeholder": "empty content controls showing placeholder text, skipped",
    "symbol": "symbol-font characters, skipped",
    "merged_cells": "tables with merged cells, imported cell by cell",
    "nested_table": "tables inside table cells, flattened into the cell's text",
    "pack_parts": "a Remiss meeting pack: only its text was read, not the title page, history or compilation",
}


@dataclass(frozen=True, slots=True)
class ImportedBlock:
    """One block read from a draft: kind, level (1-3) and rich-text html."""

    kind: str
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class ReportItem:
    """Something in the file that was not imported as is (code in :data:`REPORT_CODES`)."""

    code: str
    detail: str
    count: int


@dataclass
class ImportResult:
    """The blocks of an imported draft and what could not be represented."""

    blocks: list[ImportedBlock]
    report: list[ReportItem] = field(default_factory=list)


# --------------------------------------------------------------------------- reading

W_TR, W_TC, W_R = _w("tr"), _w("tc"), _w("r")
W_PPR, W_RPR = _w("pPr"), _w("rPr")
W_INS, W_DEL, W_MOVETO, W_MOVEFROM = _w("ins"), _w("del"), _w("moveTo"), _w("moveFrom")
W_HYPERLINK, W_FLDSIMPLE, W_FLDCHAR, W_INSTR = (
    _w("hyperlink"),
    _w("fldSimple"),
    _w("fldChar"),
    _w("instrText"),
)
_R_ID = f"{{{NS['r']}}}id"
_MC_ALT = f"{{{NS['mc']}}}AlternateContent"
_MC_CHOICE = f"{{{NS['mc']}}}Choice"
_MC_FALLBACK = f"{{{NS['mc']}}}Fallback"
_M_MATH = (f"{{{NS['m']}}}oMath", f"{{{NS['m']}}}oMathPara")
_SKIPPED = {W_DEL, W_MOVEFROM}
_SPACES = {_w("tab"), _w("ptab"), _w("br"), _w("cr")}
_LINK_SCHEMES = {"http", "https", "mailto"}
_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+(?:"([^"]*)"|([^\s"\\]+))', re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_EXCERPT = 80
_GRAPHIC_KINDS = (
    ("/picture", "image"),
    ("/chart", "chart"),
    ("/diagram", "diagram"),
)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


# Compiled XPath: python-docx's element classes override .xpath() with their own prefixes.
_KEPT_TEXT = etree.XPath(".//w:t[not(ancestor::w:del)]", namespaces=NS)
_TEXT_BOXES = etree.XPath(".//w:txbxContent", namespaces=NS)


def _accepted_text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in _KEPT_TEXT(el))


class _Report:
    def __init__(self) -> None:
        self.items: dict[str, tuple[int, list[str]]] = {}

    def add(self, code: str, sample: str = "") -> None:
        count, samples = self.items.get(code, (0, []))
        sample = _excerpt(sample)
        if sample and sample not in samples and len(samples) < 3:
            samples.append(sample)
        self.items[code] = (count + 1, samples)

    def result(self) -> list[ReportItem]:
        return [ReportItem(code, "; ".join(samples), count) for code, (count, samples) in self.items.items()]


@dataclass
class _Field:
    instr: list[str] = field(default_factory=list)
    in_result: bool = False
    kind: str = ""
    href: str | None = None


@dataclass
class _Para:
    """What a paragraph contributes: its kind, level and runs, and whether its mark is deleted."""

    kind: str
    level: int
    runs: list[Segment]
    mark_deleted: bool


class _Reader:
    def __init__(self, document) -> None:
        part = document.part
        self.rels = part.rels
        self.styles = Styles(document.styles.element)
        self.numbering = Numbering(numbering_root(part), self.styles)
        self.report = _Report()
        self.fields: list[_Field] = []
        self.notes: dict[str, dict[str, str]] = {}
        self.parts = related_parts(document)
        self.body = document.element.body

    # -- block level ---------------------------------------------------------

    def read(self) -> ImportResult:
        blocks: list[ImportedBlock] = []
        carry: list[Segment] = []
        carry_para: _Para | None = None
        for el in text_part(self.body, list(self._block_items(self.body)), self.report.add):
            if el.tag == W_TBL:
                if carry_para is not None:
                    self._emit(blocks, carry_para, carry)
                    carry, carry_para = [], None
                table = self._table(el)
                if table is not None:
                    blocks.append(table)
                continue
            para = self._paragraph(el)
            if para is None:
                continue
            runs = carry + para.runs
            if para.mark_deleted:
                # The accepted view joins this paragraph to the next one, which keeps
                # its own properties (they live in the surviving paragraph mark).
                carry, carry_para = runs, para
                continue
            carry, carry_para = [], None
            self._emit(blocks, para, runs)
        if carry_para is not None:
            self._emit(blocks, carry_para, carry)
        self._document_parts()
        return ImportResult(blocks, self.report.result())

    def _emit(self, blocks: list[ImportedBlock], para: _Para, runs: list[Segment]) -> None:
        html = from_segments(runs)
        if not html:
            return
        if para.kind == "title":
            self.report.add("title", plain(html))
            blocks.append(ImportedBlock("paragraph", 1, html))
            return
        blocks.append(ImportedBlock(para.kind, para.level, html))

    def _block_items(self, container: etree._Element) -> Iterator[etree._Element]:
        """Paragraphs and tables of a body or cell in order, wrappers unwrapped (skips reported)."""
        return body_items(container, self.report.add)

    def _paragraph(self, p: etree._Element) -> _Para | None:
        ppr = p.find(W_PPR)
        sid = None
        direct_num = None
        direct_outline = None
        mark_deleted = False
        if ppr is not None:
            sid = child_val(ppr, "pStyle")
            num = ppr.find(_w("numPr"))
            if num is not None:
                direct_num = (child_val(num, "numId") or "0", int_value(child_val(num, "ilvl")) or 0)
            direct_outline = int_value(child_val(ppr, "outlineLvl"))
            mark = ppr.find(W_RPR)
            mark_deleted = mark is not None and (
                mark.find(W_DEL) is not None or mark.find(W_MOVEFROM) is not None
            )
        sid = sid or self.styles.default_paragraph
        role = self.styles.role(sid)
        if role and role[0] == "toc":
            if _accepted_text(p).strip():
                self.report.add("table_of_contents")
            # Still walk the runs so that field begin/end marks stay balanced.
            self._runs(p, sid, style_marks=False)
            return None
        kind, level = self._kind(role, sid, direct_num, direct_outline)
        runs = self._runs(p, sid, style_marks=kind in ("paragraph", "bullet", "number"))
        if level > 3:
            code = "heading_level" if kind == "heading" else "list_level"
            if any(r.text.strip() for r in runs):
                self.report.add(code, str(level))
            level = 3
        return _Para(kind, level, runs, mark_deleted)

    def _kind(
        self,
        role: tuple[str, int] | None,
        sid: str | None,
        direct_num: tuple[str, int] | None,
        direct_outline: int | None,
    ) -> tuple[str, int]:
        if role and role[0] in ("heading", "title"):
            return role
        is_list = bool(role and role[0] in ("bullet", "number"))
        if direct_num is not None:
            if direct_num[0] != "0":
                # "List Bullet 2" is usually its own one-level list (ilvl 0) indented
                # deeper: the style name's level counts as much as ilvl.
                if role and is_list:
                    kind, level = self._list_kind(direct_num, role[0])
                    return (kind, max(level, role[1])) if kind != "paragraph" else (kind, level)
                return self._list_kind(direct_num, "bullet")
            if is_list:
                role, is_list = None, False  # numId 0: the list look was removed by hand
        style_num = self.styles.numbering(sid) if direct_num is None else None
        if role and is_list:
            # The style name gives the level; its numbering (if any) tells bullet from number.
            if style_num and style_num[0] != "0":
                kind = self._list_kind(style_num, role[0])[0]
                return (kind if kind != "paragraph" else role[0], role[1])
            return role
        if style_num and style_num[0] != "0":
            return self._list_kind(style_num, "bullet")
        if role:
            return role
        outline = direct_outline if direct_outline is not None else self.styles.outline(sid)
        if outline is not None and 0 <= outline < 9:
            return ("heading", outline + 1)
        return ("paragraph", 1)

    def _list_kind(self, num: tuple[str, int], fallback: str) -> tuple[str, int]:
        fmt = self.numbering.fmt(num[0], num[1])
        level = num[1] + 1
        if fmt is None:
            return (fallback, level)
        if fmt == "none":
            return ("paragraph", 1)
        return ("bullet" if fmt == "bullet" else "number", level)

    def _table(self, tbl: etree._Element) -> ImportedBlock | None:
        rows: list[list[str]] = []
        merged = False
        for tr in self._rows(tbl):
            trpr = tr.find(_w("trPr"))
            if trpr is not None and (trpr.find(W_DEL) is not None):
                continue  # a row deleted with tracking is gone in the accepted view
            cells: list[str] = []
            for tc in self._cells(tr):
                tcpr = tc.find(_w("tcPr"))
                if tcpr is not None and (
                    tcpr.find(_w("vMerge")) is not None or (int_value(child_val(tcpr, "gridSpan")) or 1) > 1
                ):
                    merged = True
                cells.append(from_segments(self._cell_runs(tc)))
            if cells:
                rows.append(cells)
        if merged:
            self.report.add("merged_cells")
        if not any(cell for row in rows for cell in row):
            return None
        return ImportedBlock("table", 1, table_text(rows))

    def _unwrapped(self, parent: etree._Element, tag: str) -> Iterator[etree._Element]:
        """Children of *parent* with *tag*, including those inside content controls."""
        for child in parent:
            if child.tag == tag:
                yield child
            elif child.tag == W_SDT or child.tag in WRAPPERS:
                content = child.find(W_SDTCONTENT) if child.tag == W_SDT else child
                if content is not None:
                    yield from self._unwrapped(content, tag)

    def _rows(self, tbl: etree._Element) -> Iterator[etree._Element]:
        """Rows of a table, including those inside row-level content controls."""
        return self._unwrapped(tbl, W_TR)

    def _cells(self, tr: etree._Element) -> Iterator[etree._Element]:
        """Cells of a row, including those inside cell-level content controls."""
        return self._unwrapped(tr, W_TC)

    def _cell_runs(self, tc: etree._Element) -> list[Segment]:
        runs: list[Segment] = []
        for el in self._block_items(tc):
            if el.tag == W_TBL:
                self.report.add("nested_table")
                for tr in self._rows(el):
                    for inner in self._cells(tr):
                        runs += [Segment(" "), *self._cell_runs(inner)]
                continue
            para = self._paragraph(el)
            if para is not None and para.runs:
                runs += [Segment(" "), *para.runs]
        return runs

    # -- inline level --------------------------------------------------------

    def _runs(self, p: etree._Element, sid: str | None, style_marks: bool) -> list[Segment]:
        out: list[Segment] = []
        self._inline(p, out, _Ctx(sid, style_marks, None))
        # Not merged yet: a paragraph joined to the next keeps its edge spaces.
        return out

    def _inline(self, el: etree._Element, out: list[Segment], ctx: _Ctx) -> None:
        for child in el:
            tag = child.tag
            if tag == W_R:
                self._run(child, out, ctx)
            elif tag in WRAPPERS:
                self._inline(child, out, ctx)
            elif tag in _SKIPPED:
                continue
            elif tag == W_HYPERLINK:
                self._inline(child, out, ctx.with_href(self._link(child)))
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is None:
                    continue
                if child.find("w:sdtPr/w:showingPlcHdr", NS) is not None:
                    self.report.add("placeholder", _accepted_text(content))
                    continue
                self._inline(content, out, ctx)
            elif tag == W_FLDSIMPLE:
                fld = _Field(instr=[child.get(_w("instr"), "")])
                self._start_result(fld)
                self.fields.append(fld)
                self._inline(child, out, ctx)
                self.fields.pop()
            elif tag == _MC_ALT:
                branch = _alternate(child)
                if branch is not None:
                    self._inline(branch, out, ctx)
            elif tag in _M_MATH:
                self.report.add("equation", " ".join(child.itertext()))

    def _link(self, hyperlink: etree._Element) -> str | None:
        rid = hyperlink.get(_R_ID)
        if rid is None:
            if hyperlink.get(_w("anchor")):
                self.report.add("internal_link")
            return None
        rel = self.rels.get(rid)
        if rel is None or not rel.is_external:
            self.report.add("internal_link")
            return None
        return self._checked_href(rel.target_ref)

    def _checked_href(self, target: str) -> str | None:
        target = target.strip()
        scheme = urlsplit(target).scheme.lower()
        if scheme in _LINK_SCHEMES:
            return target
        self.report.add("link_scheme", scheme or target)
        return None

    def _run(self, r: etree._Element, out: list[Segment], ctx: _Ctx) -> None:
        rpr = r.find(W_RPR)
        hidden = rpr is not None and toggle(rpr.find(_w("vanish"))) is True
        bold, italic = self._marks(rpr, ctx)
        for child in r:
            tag = child.tag
            if tag == W_T:
                text = child.text or ""
                if hidden:
                    if text.strip():
                        self.report.add("hidden_text", text)
                    continue
                self._text(text, bold, italic, out, ctx)
            elif tag in _SPACES or tag == _w("noBreakHyphen"):
                if not hidden:
                    self._text("-" if tag == _w("noBreakHyphen") else " ", bold, italic, out, ctx)
            elif tag == W_FLDCHAR:
                self._field_char(child.get(_w("fldCharType"), ""))
            elif tag == W_INSTR:
                if self.fields and not self.fields[-1].in_result:
                    self.fields[-1].instr.append(child.text or "")
            elif tag == _w("sym"):
                self._symbol(child, bold, italic, out, ctx)
            elif tag == _w("drawing"):
                self._drawing(child)
            elif tag == _w("pict"):
                self._vml(child)
            elif tag in (_w("object"), _w("contentPart")):
                self.report.add("embedded_object")
            elif tag == _w("footnoteReference"):
                self.report.add("footnote", self._note("footnotes", child.get(_w("id"), "")))
            elif tag == _w("endnoteReference"):
                self.report.add("endnote", self._note("endnotes", child.get(_w("id"), "")))
            elif tag == _MC_ALT:
                branch = _alternate(child)
                if branch is not None:
                    self._run(_as_run(branch, rpr), out, ctx)
            elif tag == _w("ruby"):
                base = child.find(_w("rubyBase"))
                if base is not None:
                    self._inline(base, out, ctx)

    def _marks(self, rpr: etree._Element | None, ctx: _Ctx) -> tuple[bool, bool]:
        marks = []
        for prop, tag in (("bold", "b"), ("italic", "i")):
            value = toggle(rpr.find(_w(tag))) if rpr is not None else None
            if value is None and rpr is not None:
                value = self.styles.mark(child_val(rpr, "rStyle"), prop)
            if value is None and ctx.style_marks:
                value = self.styles.mark(ctx.sid, prop)
            if value is None:
                value = getattr(self.styles, f"default_{prop}")
            marks.append(bool(value))
        return marks[0], marks[1]

    def _text(self, text: str, bold: bool, italic: bool, out: list[Segment], ctx: _Ctx) -> None:
        href = ctx.href
        for fld in self.fields:
            if not fld.in_result or fld.kind == "TOC":
                return  # field codes are not text; a TOC's result is skipped whole
            if fld.href and href is None:
                href = fld.href
        out.append(Segment(text, bold, italic, href))

    def _field_char(self, kind: str) -> None:
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "separate" and self.fields:
            self._start_result(self.fields[-1])
        elif kind == "end" and self.fields:
            self.fields.pop()

    def _start_result(self, fld: _Field) -> None:
        fld.in_result = True
        instr = "".join(fld.instr).strip()
        fld.kind = instr.split(None, 1)[0].upper() if instr else ""
        if fld.kind == "HYPERLINK":
            m = _HYPERLINK_FIELD.match(instr)
            target = (m.group(1) or m.group(2)) if m else None
            if target and not re.search(r"\\l\b", instr):
                fld.href = self._checked_href(target)
            else:
                self.report.add("internal_link")
        elif fld.kind == "TOC":
            self.report.add("table_of_contents")
        elif fld.kind and fld.kind not in ("PAGEREF",):
            self.report.add("field", fld.kind)

    def _symbol(self, sym: etree._Element, bold: bool, italic: bool, out: list[Segment], ctx: _Ctx) -> None:
        code = _int_hex(sym.get(_w("char"), ""))
        # Symbol fonts map glyphs into the private use area: no meaningful character.
        if code is None or 0xE000 <= code <= 0xF8FF:
            self.report.add("symbol")
            return
        self._text(chr(code), bold, italic, out, ctx)

    def _drawing(self, drawing: etree._Element) -> None:
        texts = _TEXT_BOXES(drawing)
        if texts:
            for box in texts:
                self.report.add("text_box", _accepted_text(box))
            return
        uris = [g.get("uri", "") for g in drawing.iter(f"{{{NS['a']}}}graphicData")]
        kind = "shape"
        for suffix, code in _GRAPHIC_KINDS:
            if any(uri.endswith(suffix) for uri in uris):
                kind = code
                break
        doc_pr = drawing.find(".//wp:docPr", NS)
        label = ""
        if doc_pr is not None:
            label = doc_pr.get("descr") or doc_pr.get("title") or doc_pr.get("name") or ""
        self.report.add(kind, label)

    def _vml(self, pict: etree._Element) -> None:
        boxes = _TEXT_BOXES(pict)
        if boxes:
            for box in boxes:
                self.report.add("text_box", _accepted_text(box))
        elif pict.find(".//v:imagedata", NS) is not None:
            self.report.add("image")
        else:
            self.report.add("shape")

    # -- other parts ---------------------------------------------------------

    def _note(self, part: str, note_id: str) -> str:
        if part not in self.notes:
            root = part_root(self.parts.get(part))
            notes: dict[str, str] = {}
            if root is not None:
                for note in root:
                    notes[note.get(_w("id"), "")] = _accepted_text(note)
            self.notes[part] = notes
        return self.notes[part].get(note_id, "")

    def _document_parts(self) -> None:
        comments = part_root(self.parts.get("comments"))
        if comments is not None:
            for comment in comments.iterfind(_w("comment")):
                self.report.add("comment", _accepted_text(comment))
        for rel in self.rels.values():
            if rel.is_external or rel.reltype.rsplit("/", 1)[-1] not in ("header", "footer"):
                continue
            root = part_root(rel.target_part)
            text = _accepted_text(root) if root is not None else ""
            # Page numbers alone are layout, not content.
            if _LETTER.search(text):
                self.report.add("header_footer", text)


@dataclass(frozen=True, slots=True)
class _Ctx:
    sid: str | None
    style_marks: bool
    href: str | None

    def with_href(self, href: str | None) -> _Ctx:
        return _Ctx(self.sid, self.style_marks, href)


def _alternate(el: etree._Element) -> etree._Element | None:
    # Word writes the modern form as the first Choice and an old one as Fallback;
    # reading one of them keeps a picture from being counted twice.
    choice = el.find(_MC_CHOICE)
    return choice if choice is not None else el.find(_MC_FALLBACK)


def _as_run(branch: etree._Element, rpr: etree._Element | None) -> etree._Element:
    """A detached run holding a run-level AlternateContent branch, so it reads like a run."""
    run = etree.Element(W_R)
    if rpr is not None:
        run.append(etree.fromstring(etree.tostring(rpr)))
    for child in branch:
        run.append(etree.fromstring(etree.tostring(child)))
    return run


def _int_hex(value: str) -> int | None:
    try:
        return int(value, 16)
    except ValueError:
        return None


def read_docx(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> ImportResult:
    """Check and read a .docx upload into blocks plus a report of what was not imported."""
    document = open_docx(data, max_bytes)
    try:
        result = _Reader(document).read()
    except (etree.LxmlError, ValueError, RecursionError) as exc:
        raise DocxRejected("not_docx") from exc
    if not result.blocks:
        raise DocxRejected("empty")
    return result
