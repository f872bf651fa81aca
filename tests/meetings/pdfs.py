"""Small PDF files for the agenda's attachment tests: a plain one and hostile ones."""

from __future__ import annotations

import zlib


def pdf(*objects: bytes, header: bytes = b"%PDF-1.4\n", trailer_extra: bytes = b"") -> bytes:
    """A PDF with *objects* (dictionary bodies, numbered from 1), an xref table and a trailer."""
    out = bytearray(header + b"%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return dictionary[:-2] + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"
CONTENT = stream(b"<< >>", b"BT /F1 24 Tf 72 700 Td (Bilder) Tj ET")


def slides(*, catalog: bytes = b"<< /Type /Catalog /Pages 2 0 R >>", extra: tuple[bytes, ...] = ()) -> bytes:
    return pdf(catalog, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE, CONTENT, *extra)


PDF = slides()
WITH_JAVASCRIPT = slides(
    catalog=b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
    extra=(b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>",),
)
# The same, its names spelt with #xx escapes, as scanners that read bytes literally miss.
WITH_ESCAPED_JAVASCRIPT = slides(
    catalog=b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
    extra=(b"<< /Type /Action /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",),
)
# The action hidden in a compressed object stream (PDF 1.5).
_HIDDEN = zlib.compress(b"5 0 << /Type /Action /S /Launch /F (calc.exe) >>")
IN_OBJECT_STREAM = slides(
    catalog=b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
    extra=(stream(b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>", _HIDDEN),),
)
WITH_EMBEDDED_FILE = slides(
    catalog=b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>",
    extra=(b"<< /Names [(a.exe) 6 0 R] >>",),
)
WITH_PAGE_ACTION = slides(catalog=b"<< /Type /Catalog /Pages 2 0 R /AA << /O 5 0 R >> >>")
ENCRYPTED = pdf(
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    PAGE,
    CONTENT,
    b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",
    trailer_extra=b"/Encrypt 5 0 R ",
)
TRUNCATED = PDF[: len(PDF) // 2]
NOT_A_PDF_BUT_NAMED_ONE = b"PK\x03\x04" + b"\x00" * 100
# An image whose bytes happen to hold "/JS" and "/AA": harmless, accepted.
IMAGE_WITH_NAME_LIKE_BYTES = slides(
    extra=(stream(b"<< /Type /XObject /Subtype /Image /Filter /DCTDecode >>", b"\xff\xd8 /JS /AA \x00\x01"),)
)
# An action hidden in an image's bytes, where the xref table could point a reader at it.
ACTION_IN_IMAGE_BYTES = slides(
    extra=(
        stream(
            b"<< /Type /XObject /Subtype /Image /Filter /DCTDecode >>",
            b"\xff\xd8 7 0 obj << /S /JavaScript /JS (app.alert\\(1\\)) >> endobj \x00",
        ),
    )
)
