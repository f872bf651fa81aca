"""Reading an uploaded Word file: refusing unsafe files before parsing, then its parts and its text.

:func:`check_docx` looks at the raw bytes and the zip directory only (no XML is parsed)
and raises :class:`DocxRejected` with a stable ``code`` for anything that is not a plain,
safe .docx: zip bombs, XXE, macros, encrypted and non-DOCX files. The codes (translated by
the app) are listed in :data:`REJECTION_CODES`. :func:`open_docx` checks and opens a file
with python-docx; the importer (:mod:`app.drafting.docx_reader`) and the Word-comments
reader (:mod:`app.wordcomments.reader`) both start there.

:func:`body_items` and :func:`text_part` give the paragraphs and tables a reader walks: in
an exported meeting pack only its text (the :data:`~app.docx.bookmarks.TEXT_BOOKMARK`
range), not the title page, history or compilation.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator

from lxml import etree

from app.docx.bookmarks import TEXT_BOOKMARK
from app.docx.wml import MC_NS, R_NS, W_NS, qname

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
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class DocxRejected(Exception):
    """An upload that is refused; ``code`` is one of :data:`REJECTION_CODES`."""

    def __init__(self, code: str, message_params: dict[str, object] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message_params = dict(message_params or {})


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
        root = etree.fromstring(archive.read(ct_name), SAFE_PARSER)
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


def part_root(part) -> etree._Element | None:
    """The root element of a package part, parsed safely if python-docx did not (comments, notes...)."""
    if part is None:
        return None
    element = getattr(part, "element", None)
    if element is not None:
        return element
    try:
        return etree.fromstring(part.blob, SAFE_PARSER)
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


# --------------------------------------------------------------------------- parts and text

# Namespaces of the reading XPaths; python-docx's element classes override .xpath() with
# their own prefixes, so readers compile theirs with these.
NS = {
    "w": W_NS,
    "r": R_NS,
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "mc": MC_NS,
    "v": "urn:schemas-microsoft-com:vml",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}
W_P, W_TBL, W_T = qname("p"), qname("tbl"), qname("t")
W_SDT, W_SDTCONTENT, W_VAL = qname("sdt"), qname("sdtContent"), qname("val")
# Inline wrappers whose content reads as if they were not there (tracked insertions included).
WRAPPERS = {qname("ins"), qname("moveTo"), qname("smartTag"), qname("customXml"), qname("dir"), qname("bdo")}
_BOOKMARK_START = etree.XPath(".//w:bookmarkStart[@w:name=$name]", namespaces=NS)
_BOOKMARK_END = etree.XPath(".//w:bookmarkEnd[@w:id=$id]", namespaces=NS)


def related_parts(document) -> dict:
    """The internal parts the main document part relates to, by the last word of the type ("comments")."""
    return {
        rel.reltype.rsplit("/", 1)[-1]: rel.target_part
        for rel in document.part.rels.values()
        if not rel.is_external
    }


def _skip(code: str) -> None:
    """What :func:`body_items` and :func:`text_part` report when nobody listens."""


def body_items(container: etree._Element, report: Callable[[str], None] = _skip) -> Iterator[etree._Element]:
    """Paragraphs and tables of a body or cell in order, wrappers unwrapped.

    *report* is told what is left out: a table-of-contents content control
    ("table_of_contents"), an embedded document ("embedded_document").
    """
    for child in container:
        tag = child.tag
        if tag in (W_P, W_TBL):
            yield child
        elif tag == W_SDT:
            if _is_toc(child):
                report("table_of_contents")
                continue
            content = child.find(W_SDTCONTENT)
            if content is not None:
                yield from body_items(content, report)
        elif tag in WRAPPERS:
            yield from body_items(child, report)
        elif tag in (qname("altChunk"), qname("subDoc")):
            report("embedded_document")


def _is_toc(sdt: etree._Element) -> bool:
    gallery = sdt.find("w:sdtPr/w:docPartObj/w:docPartGallery", NS)
    return gallery is not None and "contents" in gallery.get(W_VAL, "").lower()


def text_part(
    body: etree._Element, items: list[etree._Element], report: Callable[[str], None] = _skip
) -> list[etree._Element]:
    """Only the *items* inside the text bookmark of an exported meeting pack, if there is one.

    *report* hears "pack_parts" when items were left out.
    """
    starts = _BOOKMARK_START(body, name=TEXT_BOOKMARK)
    if not starts:
        return items
    order = {el: i for i, el in enumerate(body.iter())}
    # LibreOffice splits the bookmark at a section break into two of the same name, and
    # may drop the first one's end: the text runs from the first start to the last end.
    ends = [end for start in starts for end in _BOOKMARK_END(body, id=start.get(qname("id")))]
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
        report("pack_parts")
    return kept


def text_items(document) -> list[etree._Element]:
    """The body's paragraphs and tables in order (content controls unwrapped), as the import reads them.

    In a meeting pack only the text part counts: not the title page, history or compilation.
    """
    body = document.element.body
    return text_part(body, list(body_items(body)))
