"""Read an uploaded Word draft (.docx) into blocks, refusing unsafe files before parsing.

Two steps:

1. :func:`check_docx` looks at the raw bytes and the zip directory only (no XML is
   parsed) and raises :class:`DocxRejected` with a stable ``code`` for anything that
   is not a plain, safe .docx. The codes (translated by the app) are listed in
   :data:`REJECTION_CODES`.
2. :func:`read_docx` walks the body XML in document order and returns blocks in the
   rich-text contract of :mod:`app.documents.richtext`, plus a report of everything
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
  style names. "Quote", "Intense Quote", "Quotations" (LibreOffice) and "Block Text"
  (pandoc) give quotes. Table-of-contents paragraphs
  are skipped and reported.
- The *accepted* view of tracked changes: ``w:ins``/``w:moveTo`` are kept,
  ``w:del``/``w:moveFrom`` dropped, and a paragraph whose mark was deleted is joined
  to the next one. Content controls (``w:sdt``) are unwrapped.
- Bold and italic come from run properties, character styles, and the paragraph
  style (except for headings and quotes, whose style formatting is their look).
  Links keep http, https and mailto targets only.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from app.documents.richtext import Segment, from_segments, plain, table_text
from app.meetings.docx_xml import TEXT_BOOKMARK

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_BYTES = 1024 * 1024

REJECTION_CODES: dict[str, str] = {
    "empty": "the file is empty or the document contains no text",
    "too_large": "the upload is larger than the limit (params: size, limit)",
    "not_zip": "not a .docx file at all (not a zip archive)",
    "truncated": "a damaged or truncated .docx (the zip cannot be read)",
    "not_docx": "a zip archive that is not a Word document (or a template)",
    "encrypted": "a password-protected document",
    "legacy_doc": "an old Word 97-2003 .doc file: save it as .docx",
    "macro": "a macro-enabled document (.docm): save it as .docx",
    "zip_bomb": "unpacks to too much data or too many parts (params: limit)",
    "doctype": "an XML part declares a DOCTYPE or entity (XXE / billion laughs)",
}

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

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An encrypted OOXML file is an OLE compound file with these streams (MS-OFFCRYPTO);
# directory entry names are stored in UTF-16LE.
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_DOCTYPE = re.compile(
    b"|".join(
        re.escape(word.encode(enc))
        for word in ("<!DOCTYPE", "<!ENTITY")
        for enc in ("utf-8", "utf-16-le", "utf-16-be")
    )
)
_SCAN_CHUNK = 64 * 1024
_SCAN_OVERLAP = 32  # longest pattern is 18 bytes (UTF-16 "<!DOCTYPE")

_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MAIN_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MACRO_TYPES = (
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
    "application/vnd.ms-office.vbaproject",
)
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class DocxRejected(Exception):
    """An upload that is refused; ``code`` is one of :data:`REJECTION_CODES`."""

    def __init__(self, code: str, message_params: dict[str, object] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message_params = dict(message_params or {})


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


# --------------------------------------------------------------------------- checking


def check_docx(
    data: bytes,
    max_bytes: int = MAX_UPLOAD_BYTES,
    *,
    max_members: int = MAX_MEMBERS,
    max_part_bytes: int = MAX_PART_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_ratio: int = MAX_RATIO,
) -> None:
    """Raise :class:`DocxRejected` unless *data* is a safe .docx; parses no XML content."""
    if not data:
        raise DocxRejected("empty")
    if len(data) > max_bytes:
        raise DocxRejected("too_large", {"size": len(data), "limit": max_bytes})
    if data.startswith(_OLE_MAGIC):
        if any(name in data for name in _ENCRYPTED_STREAMS):
            raise DocxRejected("encrypted")
        raise DocxRejected("legacy_doc")
    if not data.startswith(_ZIP_MAGIC):
        raise DocxRejected("not_zip")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        # It starts like a zip, so an unreadable directory means a cut-off upload.
        raise DocxRejected("truncated") from exc
    with archive:
        infos = archive.infolist()
        _check_sizes(infos, max_members, max_part_bytes, max_total_bytes, max_ratio)
        names = {info.filename.lower(): info.filename for info in infos}
        if "[content_types].xml" not in names:
            raise DocxRejected("not_docx")
        if any(name.endswith("vbaproject.bin") for name in names):
            raise DocxRejected("macro")
        types = _scan_and_read_types(archive, infos, names)
        main = [part for part, ctype in types.items() if ctype in (_MAIN_DOCX, *_MACRO_TYPES)]
        if any(ctype in _MACRO_TYPES for ctype in types.values()):
            raise DocxRejected("macro")
        if not main or not all(part in names for part in main):
            raise DocxRejected("not_docx")


def _check_sizes(
    infos: list[zipfile.ZipInfo],
    max_members: int,
    max_part_bytes: int,
    max_total_bytes: int,
    max_ratio: int,
) -> None:
    # Declared sizes are a safe bound: zipfile never inflates a member beyond its
    # declared size (the CRC check fails instead), and python-docx reads through it.
    if len(infos) > max_members:
        raise DocxRejected("zip_bomb", {"limit": max_members})
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise DocxRejected("encrypted")
        total += info.file_size
        if info.file_size > max_part_bytes:
            raise DocxRejected("zip_bomb", {"limit": max_part_bytes})
        if total > max_total_bytes:
            raise DocxRejected("zip_bomb", {"limit": max_total_bytes})
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > max_ratio:
            raise DocxRejected("zip_bomb", {"limit": max_ratio})


def _scan_and_read_types(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], names: dict[str, str]
) -> dict[str, str]:
    """Scan every XML part for DTDs, then return {lowercase part name: content type}."""
    ct_name = names["[content_types].xml"]
    _scan_member(archive, ct_name)
    try:
        root = etree.fromstring(archive.read(ct_name), _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DocxRejected("not_docx") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DocxRejected("truncated") from exc
    defaults = {
        el.get("Extension", "").lower(): el.get("ContentType", "").lower()
        for el in root.iter(f"{_CT_NS}Default")
    }
    overrides = {
        el.get("PartName", "").lstrip("/").lower(): el.get("ContentType", "").lower()
        for el in root.iter(f"{_CT_NS}Override")
    }
    types: dict[str, str] = {}
    for info in infos:
        lower = info.filename.lower()
        ctype = overrides.get(lower) or defaults.get(lower.rsplit(".", 1)[-1], "")
        types[lower] = ctype
        is_xml = lower.endswith((".xml", ".rels")) or "xml" in ctype
        # SVG pictures may legitimately carry a DOCTYPE; python-docx never parses them.
        if is_xml and not ctype.startswith("image/") and info.filename != ct_name:
            _scan_member(archive, info.filename)
    for part, ctype in overrides.items():
        types.setdefault(part, ctype)
    return types


def _scan_member(archive: zipfile.ZipFile, name: str) -> None:
    tail = b""
    found = False
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(_SCAN_CHUNK):
                window = tail + chunk
                if _DOCTYPE.search(window):
                    found = True
                    break
                tail = window[-_SCAN_OVERLAP:]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise DocxRejected("truncated") from exc
    except (NotImplementedError, RuntimeError) as exc:
        # Unsupported compression method or a password-protected member.
        raise DocxRejected("not_docx") from exc
    if found:
        raise DocxRejected("doctype")


# --------------------------------------------------------------------------- reading

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {
    "w": _W,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "v": "urn:schemas-microsoft-com:vml",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


W_P, W_TBL, W_TR, W_TC, W_R, W_T = _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("r"), _w("t")
W_PPR, W_RPR, W_SDT, W_SDTCONTENT = _w("pPr"), _w("rPr"), _w("sdt"), _w("sdtContent")
W_INS, W_DEL, W_MOVETO, W_MOVEFROM = _w("ins"), _w("del"), _w("moveTo"), _w("moveFrom")
W_HYPERLINK, W_FLDSIMPLE, W_FLDCHAR, W_INSTR = (
    _w("hyperlink"),
    _w("fldSimple"),
    _w("fldChar"),
    _w("instrText"),
)
W_VAL = _w("val")
_BOOKMARK_START = etree.XPath(".//w:bookmarkStart[@w:name=$name]", namespaces=_NS)
_BOOKMARK_END = etree.XPath(".//w:bookmarkEnd[@w:id=$id]", namespaces=_NS)
_R_ID = f"{{{_NS['r']}}}id"
_MC_ALT = f"{{{_NS['mc']}}}AlternateContent"
_MC_CHOICE = f"{{{_NS['mc']}}}Choice"
_MC_FALLBACK = f"{{{_NS['mc']}}}Fallback"
_M_MATH = (f"{{{_NS['m']}}}oMath", f"{{{_NS['m']}}}oMathPara")
_WRAPPERS = {W_INS, W_MOVETO, _w("smartTag"), _w("customXml"), _w("dir"), _w("bdo")}
_SKIPPED = {W_DEL, W_MOVEFROM}
_SPACES = {_w("tab"), _w("ptab"), _w("br"), _w("cr")}
_FALSE = {"0", "false", "off", "none"}
_LINK_SCHEMES = {"http", "https", "mailto"}
_HEADING_NAME = re.compile(r"^heading\s*(\d+)$")
_LIST_NAME = re.compile(r"^list (bullet|number)(?:\s*(\d+))?$")
# Word's two quote styles, LibreOffice's, and the one pandoc writes for a blockquote.
_QUOTE_NAMES = {"quote", "intense quote", "quotations", "block text"}
_TOC_NAME = re.compile(r"^toc(?:\s*\d+|\s*heading)$")
_HYPERLINK_FIELD = re.compile(r'^\s*HYPERLINK\s+(?:"([^"]*)"|([^\s"\\]+))', re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_EXCERPT = 80
_GRAPHIC_KINDS = (
    ("/picture", "image"),
    ("/chart", "chart"),
    ("/diagram", "diagram"),
)


def _on(el: etree._Element | None) -> bool | None:
    """The value of a toggle property element (``<w:b/>``), None when absent."""
    if el is None:
        return None
    return el.get(W_VAL, "true").lower() not in _FALSE


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


# Compiled XPath: python-docx's element classes override .xpath() with their own prefixes.
_KEPT_TEXT = etree.XPath(".//w:t[not(ancestor::w:del)]", namespaces=_NS)
_TEXT_BOXES = etree.XPath(".//w:txbxContent", namespaces=_NS)


def _accepted_text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in _KEPT_TEXT(el))


@dataclass
class _Style:
    name: str
    kind: str
    based_on: str | None
    bold: bool | None
    italic: bool | None
    num_id: str | None
    ilvl: int
    outline: int | None


class _Styles:
    """Style definitions by id, with the role of a paragraph style resolved through basedOn."""

    def __init__(self, root: etree._Element | None) -> None:
        self.by_id: dict[str, _Style] = {}
        self.default_paragraph: str | None = None
        self.default_bold: bool | None = None
        self.default_italic: bool | None = None
        self._roles: dict[str | None, tuple[str, int] | None] = {}
        if root is None:
            return
        defaults = root.find("w:docDefaults/w:rPrDefault/w:rPr", _NS)
        if defaults is not None:
            self.default_bold = _on(defaults.find(_w("b")))
            self.default_italic = _on(defaults.find(_w("i")))
        for el in root.iterfind(_w("style")):
            sid = el.get(_w("styleId"))
            if sid is None:
                continue
            kind = el.get(_w("type"), "paragraph")
            name_el = el.find(_w("name"))
            based = el.find(_w("basedOn"))
            rpr = el.find(W_RPR)
            num = el.find("w:pPr/w:numPr", _NS)
            outline = el.find("w:pPr/w:outlineLvl", _NS)
            self.by_id[sid] = _Style(
                name=" ".join((name_el.get(W_VAL, "") if name_el is not None else "").split()).casefold(),
                kind=kind,
                based_on=based.get(W_VAL) if based is not None else None,
                bold=_on(rpr.find(_w("b"))) if rpr is not None else None,
                italic=_on(rpr.find(_w("i"))) if rpr is not None else None,
                num_id=_child_val(num, "numId"),
                ilvl=_int(_child_val(num, "ilvl")) or 0,
                outline=_int(outline.get(W_VAL)) if outline is not None else None,
            )
            if kind == "paragraph" and _on_attr(el.get(_w("default"))):
                self.default_paragraph = sid

    def chain(self, sid: str | None) -> Iterator[_Style]:
        """The style and the styles it is based on (cycles cut)."""
        seen: set[str] = set()
        while sid and sid not in seen and sid in self.by_id:
            seen.add(sid)
            style = self.by_id[sid]
            yield style
            sid = style.based_on

    def role(self, sid: str | None) -> tuple[str, int] | None:
        """("heading"|"title"|"quote"|"bullet"|"number"|"toc", level) from style names."""
        if sid not in self._roles:
            self._roles[sid] = self._find_role(sid)
        return self._roles[sid]

    def _find_role(self, sid: str | None) -> tuple[str, int] | None:
        for style in self.chain(sid):
            name = style.name
            if m := _HEADING_NAME.match(name):
                return ("heading", int(m.group(1)))
            if _TOC_NAME.match(name):
                return ("toc", 1)
            if name == "title":
                return ("title", 1)
            if name in _QUOTE_NAMES:
                return ("quote", 1)
            if m := _LIST_NAME.match(name):
                return ("bullet" if m.group(1) == "bullet" else "number", int(m.group(2) or 1))
        return None

    def numbering(self, sid: str | None) -> tuple[str, int] | None:
        """(numId, ilvl) a paragraph style (or one it is based on) applies."""
        for style in self.chain(sid):
            if style.num_id is not None:
                return (style.num_id, style.ilvl)
        return None

    def outline(self, sid: str | None) -> int | None:
        """The outline level of a paragraph style, if any."""
        for style in self.chain(sid):
            if style.outline is not None:
                return style.outline
        return None

    def mark(self, sid: str | None, prop: str) -> bool | None:
        """Bold or italic ("bold"/"italic") set by a style or its bases."""
        for style in self.chain(sid):
            value = getattr(style, prop)
            if value is not None:
                return value
        return None


def _child_val(el: etree._Element | None, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(_w(tag))
    return child.get(W_VAL) if child is not None else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _on_attr(value: str | None) -> bool:
    return value is not None and value.lower() not in _FALSE


class _Numbering:
    """numFmt of a (numId, ilvl) from the numbering part, overrides and style links included."""

    def __init__(self, root: etree._Element | None, styles: _Styles) -> None:
        self.styles = styles
        self.abstract: dict[str, etree._Element] = {}
        self.nums: dict[str, etree._Element] = {}
        if root is None:
            return
        for el in root.iterfind(_w("abstractNum")):
            self.abstract[el.get(_w("abstractNumId"), "")] = el
        for el in root.iterfind(_w("num")):
            self.nums[el.get(_w("numId"), "")] = el

    def fmt(self, num_id: str, ilvl: int, depth: int = 0) -> str | None:
        """ "bullet", "none", another numFmt value, or None when undefined."""
        num = self.nums.get(num_id)
        if num is None or depth > 3:
            return None
        for override in num.iterfind(_w("lvlOverride")):
            if _int(override.get(_w("ilvl"))) == ilvl:
                value = _child_val(override.find(_w("lvl")), "numFmt")
                if value:
                    return value
        abstract = self.abstract.get(_child_val(num, "abstractNumId") or "")
        if abstract is None:
            return None
        for lvl in abstract.iterfind(_w("lvl")):
            if _int(lvl.get(_w("ilvl"))) == ilvl:
                value = _child_val(lvl, "numFmt")
                if value:
                    return value
        link = _child_val(abstract, "numStyleLink")
        linked = self.styles.numbering(link) if link else None
        if linked:
            return self.fmt(linked[0], ilvl, depth + 1)
        return None


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
        self.styles = _Styles(document.styles.element)
        self.numbering = _Numbering(_numbering_root(part), self.styles)
        self.report = _Report()
        self.fields: list[_Field] = []
        self.notes: dict[str, dict[str, str]] = {}
        self.parts = {
            rel.reltype.rsplit("/", 1)[-1]: rel.target_part
            for rel in part.rels.values()
            if not rel.is_external
        }
        self.body = document.element.body

    # -- block level ---------------------------------------------------------

    def read(self) -> ImportResult:
        blocks: list[ImportedBlock] = []
        carry: list[Segment] = []
        carry_para: _Para | None = None
        for el in self._marked_text(list(self._block_items(self.body))):
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

    def _marked_text(self, items: list[etree._Element]) -> list[etree._Element]:
        """Only the items inside the text bookmark of an exported meeting pack, if there is one."""
        starts = _BOOKMARK_START(self.body, name=TEXT_BOOKMARK)
        if not starts:
            return items
        order = {el: i for i, el in enumerate(self.body.iter())}
        # LibreOffice splits the bookmark at a section break into two of the same name, and
        # may drop the first one's end: the text runs from the first start to the last end.
        ends = [end for start in starts for end in _BOOKMARK_END(self.body, id=start.get(_w("id")))]
        first = min(order[start] for start in starts)
        last = max((order[end] for end in ends), default=len(order))
        kept = []
        for item in items:
            begin = order[item]
            end = begin + sum(1 for _ in item.iter()) - 1
            if end < first or begin > last:
                continue
            # Word processors move a bookmark's ends into the neighbouring paragraph: an item
            # holding an end counts only if some of its text lies inside the bookmark.
            if begin <= first <= end or begin <= last <= end:
                texts = [order[t] for t in item.iter(W_T)]
                if not any(first < at < last for at in texts):
                    continue
            kept.append(item)
        if len(kept) < len(items):
            self.report.add("pack_parts")
        return kept

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
        """Paragraphs and tables of a body or cell in order, wrappers unwrapped."""
        for child in container:
            tag = child.tag
            if tag in (W_P, W_TBL):
                yield child
            elif tag == W_SDT:
                if self._is_toc(child):
                    self.report.add("table_of_contents")
                    continue
                content = child.find(W_SDTCONTENT)
                if content is not None:
                    yield from self._block_items(content)
            elif tag in _WRAPPERS:
                yield from self._block_items(child)
            elif tag in (_w("altChunk"), _w("subDoc")):
                self.report.add("embedded_document")

    def _is_toc(self, sdt: etree._Element) -> bool:
        gallery = sdt.find("w:sdtPr/w:docPartObj/w:docPartGallery", _NS)
        return gallery is not None and "contents" in gallery.get(W_VAL, "").lower()

    def _paragraph(self, p: etree._Element) -> _Para | None:
        ppr = p.find(W_PPR)
        sid = None
        direct_num = None
        direct_outline = None
        mark_deleted = False
        if ppr is not None:
            sid = _child_val(ppr, "pStyle")
            num = ppr.find(_w("numPr"))
            if num is not None:
                direct_num = (_child_val(num, "numId") or "0", _int(_child_val(num, "ilvl")) or 0)
            direct_outline = _int(_child_val(ppr, "outlineLvl"))
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
                    tcpr.find(_w("vMerge")) is not None or (_int(_child_val(tcpr, "gridSpan")) or 1) > 1
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
            elif child.tag == W_SDT or child.tag in _WRAPPERS:
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
            elif tag in _WRAPPERS:
                self._inline(child, out, ctx)
            elif tag in _SKIPPED:
                continue
            elif tag == W_HYPERLINK:
                self._inline(child, out, ctx.with_href(self._link(child)))
            elif tag == W_SDT:
                content = child.find(W_SDTCONTENT)
                if content is None:
                    continue
                if child.find("w:sdtPr/w:showingPlcHdr", _NS) is not None:
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
        hidden = rpr is not None and _on(rpr.find(_w("vanish"))) is True
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
            value = _on(rpr.find(_w(tag))) if rpr is not None else None
            if value is None and rpr is not None:
                value = self.styles.mark(_child_val(rpr, "rStyle"), prop)
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
        uris = [g.get("uri", "") for g in drawing.iter(f"{{{_NS['a']}}}graphicData")]
        kind = "shape"
        for suffix, code in _GRAPHIC_KINDS:
            if any(uri.endswith(suffix) for uri in uris):
                kind = code
                break
        doc_pr = drawing.find(".//wp:docPr", _NS)
        label = ""
        if doc_pr is not None:
            label = doc_pr.get("descr") or doc_pr.get("title") or doc_pr.get("name") or ""
        self.report.add(kind, label)

    def _vml(self, pict: etree._Element) -> None:
        boxes = _TEXT_BOXES(pict)
        if boxes:
            for box in boxes:
                self.report.add("text_box", _accepted_text(box))
        elif pict.find(".//v:imagedata", _NS) is not None:
            self.report.add("image")
        else:
            self.report.add("shape")

    # -- other parts ---------------------------------------------------------

    def _note(self, part: str, note_id: str) -> str:
        if part not in self.notes:
            root = _part_root(self.parts.get(part))
            notes: dict[str, str] = {}
            if root is not None:
                for note in root:
                    notes[note.get(_w("id"), "")] = _accepted_text(note)
            self.notes[part] = notes
        return self.notes[part].get(note_id, "")

    def _document_parts(self) -> None:
        comments = _part_root(self.parts.get("comments"))
        if comments is not None:
            for comment in comments.iterfind(_w("comment")):
                self.report.add("comment", _accepted_text(comment))
        for rel in self.rels.values():
            if rel.is_external or rel.reltype.rsplit("/", 1)[-1] not in ("header", "footer"):
                continue
            root = _part_root(rel.target_part)
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


def _numbering_root(part) -> etree._Element | None:
    try:
        return part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return None


def _part_root(part) -> etree._Element | None:
    if part is None:
        return None
    element = getattr(part, "element", None)
    if element is not None:
        return element
    try:
        return etree.fromstring(part.blob, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        return None


def open_docx(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES):
    """Check an upload and open it with python-docx; raises :class:`DocxRejected` as the import does."""
    check_docx(data, max_bytes)
    import docx  # deferred: python-docx is only needed once the file passed the checks

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for malformed packages
        raise DocxRejected("not_docx") from exc
    if getattr(document.element, "body", None) is None:
        # "Strict Open XML" and other dialects python-docx cannot read.
        raise DocxRejected("not_docx")
    return document


def text_items(document) -> list[etree._Element]:
    """The body's paragraphs and tables in order (content controls unwrapped), as the import reads them.

    In a meeting pack only the text part counts: not the title page, history or compilation.
    """
    reader = _Reader(document)
    return reader._marked_text(list(reader._block_items(reader.body)))


# The root element of a package part, parsed safely if python-docx did not (comments, notes...).
part_root = _part_root


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
