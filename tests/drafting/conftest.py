"""Fixture builders for the import tests: .docx files generated in memory.

``docx_kit`` builds documents with python-docx and raw WordprocessingML fragments (for
what python-docx has no API for: tracked changes, content controls, fields, text boxes),
and rewrites zip members directly for the broken and hostile files.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable

import docx
import pytest
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}
NSDECLS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
IN_CI = os.environ.get("CI", "").lower() == "true"


class DocxKit:
    """Builders for test documents; every method returns or edits in-memory bytes."""

    def build(self, fill: Callable[[Document], object] | None = None) -> bytes:
        """A new python-docx document, filled by ``fill(doc)``, saved to bytes."""
        document = docx.Document()
        if fill is not None:
            fill(document)
        return self.save(document)

    def save(self, document: Document) -> bytes:
        """The bytes of a python-docx document."""
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def body(self, *fragments: str, fill: Callable[[Document], object] | None = None) -> bytes:
        """A document whose body is the given raw XML fragments (prefixes as in ``NS``)."""

        def build(document: Document) -> None:
            if fill is not None:
                fill(document)
            for fragment in fragments:
                self.append(document, fragment)

        return self.build(build)

    def append(self, document: Document, fragment: str) -> None:
        """Append raw body XML (one or more elements) before the section properties."""
        wrapper = parse_xml(f"<w:body {NSDECLS}>{fragment}</w:body>")
        body = document.element.body
        for element in list(wrapper):
            body.insert(len(body) - 1, element)

    def element(self, fragment: str):
        """One raw XML element (prefixes as in ``NS``), e.g. to append to a paragraph."""
        return parse_xml(f"<w:body {NSDECLS}>{fragment}</w:body>")[0]

    def link(self, document: Document, url: str) -> str:
        """The relationship id of an external hyperlink target."""
        return document.part.relate_to(url, RT.HYPERLINK, is_external=True)

    def numbering(self, document: Document, formats: list[str]) -> str:
        """Add a list definition with one numFmt per level; returns its numId."""
        root = document.part.numbering_part.element
        ids = [int(el.get(f"{{{NS['w']}}}numId")) for el in root.iterfind(f"{{{NS['w']}}}num")]
        num_id = max(ids, default=0) + 1
        levels = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="%{i + 1}."/></w:lvl>'
            for i, fmt in enumerate(formats)
        )
        abstract = parse_xml(
            f'<w:abstractNum {NSDECLS} w:abstractNumId="{900 + num_id}">{levels}</w:abstractNum>'
        )
        # abstractNum elements must come before num elements.
        first_num = root.find(f"{{{NS['w']}}}num")
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            root.append(abstract)
        root.append(
            parse_xml(
                f'<w:num {NSDECLS} w:numId="{num_id}"><w:abstractNumId w:val="{900 + num_id}"/></w:num>'
            )
        )
        return str(num_id)

    def footnotes(self, document: Document, notes: dict[int, str]) -> None:
        """Add a footnotes part holding the given notes."""
        body = "".join(
            f'<w:footnote w:id="{i}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote>'
            for i, text in notes.items()
        )
        blob = f"<w:footnotes {NSDECLS}>{body}</w:footnotes>".encode()
        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, blob, document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)

    def rewrite(
        self,
        data: bytes,
        replace: dict[str, bytes | Callable[[bytes], bytes]] | None = None,
        add: dict[str, bytes] | None = None,
        drop: tuple[str, ...] = (),
    ) -> bytes:
        """Copy a zip, replacing, adding or dropping members."""
        replace = replace or {}
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(data)) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for info in source.infolist():
                if info.filename in drop:
                    continue
                content = source.read(info.filename)
                if info.filename in replace:
                    change = replace[info.filename]
                    content = change(content) if callable(change) else change
                target.writestr(info.filename, content)
            for name, content in (add or {}).items():
                target.writestr(name, content)
        return out.getvalue()

    def zip_bomb(self, megabytes: int = 100) -> bytes:
        """A valid-looking .docx under 1 MB whose document.xml unpacks to *megabytes* of spaces."""
        good = self.build(lambda document: document.add_paragraph("Text."))
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(good)) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb,
        ):
            for info in source.infolist():
                if info.filename != "word/document.xml":
                    bomb.writestr(info.filename, source.read(info.filename))
            # Streamed so that building the bomb stays cheap too.
            with bomb.open("word/document.xml", "w", force_zip64=True) as stream:
                chunk = b" " * (1024 * 1024)
                for _ in range(megabytes):
                    stream.write(chunk)
        return out.getvalue()

    def png(self) -> bytes:
        """A valid 1x1 PNG."""

        def chunk(kind: bytes, payload: bytes) -> bytes:
            crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
            return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

        header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
        pixels = zlib.compress(b"\x00\xff\x00\x00")
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def docx_kit() -> DocxKit:
    """Builders for generated .docx files (see :class:`DocxKit`)."""
    return DocxKit()
