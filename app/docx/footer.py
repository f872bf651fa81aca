"""The page footer of a Word file the app writes: a title, a label and the page number, on one line."""

from __future__ import annotations

from docx.document import Document
from lxml import etree

from app.docx.wml import NSDECLS, R_NS, field, qname, run

# What one footer line holds: 16 cm (A4 portrait, 2.5 cm margins) is 453 pt; the footer is
# 9 pt (styles.FOOTER) and Calibri's letters average under 0.5 em, so about 100 characters.
# A little room is left for wide letters (capitals, "m", "w").
FOOTER_CHARS = 90
# Room kept for the page number itself (up to four digits).
_PAGE_DIGITS = 4


def shorten(value: str, room: int) -> str:
    """*value* cut to at most *room* characters at a word, with "…" when anything was cut."""
    if len(value) <= room:
        return value
    cut = value[: max(room - 1, 1)]
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ·,;:–-") + "…"


def page_footer(document: Document, title: str, label: str) -> str:
    """A footer "*title**label*N" (N the page number) on the first section; returns its relationship id.

    The footer is one line on a portrait page: *title* (a document's title can be long) is
    shortened so the whole line keeps within :data:`FOOTER_CHARS`; *label* (version, "Page")
    is never cut. The sections that follow refer to it by that id in their ``w:sectPr``.
    """
    title = shorten(title, max(FOOTER_CHARS - len(label) - _PAGE_DIGITS, 10))
    footer = document.sections[0].footer
    footer.is_linked_to_previous = False
    element = footer.part.element
    for child in list(element):
        element.remove(child)
    element.append(
        etree.fromstring(
            f'<w:p {NSDECLS}><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{run(title + label)}'
            f"{field('PAGE', run('1'))}</w:p>"
        )
    )
    reference = document.element.body.find(f"{qname('sectPr')}/{qname('footerReference')}")
    return reference.get(f"{{{R_NS}}}id")
