"""The page footer of a Word file the app writes: a label and the page number."""

from __future__ import annotations

from docx.document import Document
from lxml import etree

from app.docx.wml import NSDECLS, R_NS, field, qname, run


def page_footer(document: Document, label: str) -> str:
    """A footer "*label*N" (N the page number) on the first section; returns its relationship id.

    The sections that follow refer to it by that id in their ``w:sectPr``.
    """
    footer = document.sections[0].footer
    footer.is_linked_to_previous = False
    element = footer.part.element
    for child in list(element):
        element.remove(child)
    element.append(
        etree.fromstring(
            f'<w:p {NSDECLS}><w:pPr><w:pStyle w:val="Footer"/></w:pPr>{run(label)}'
            f"{field('PAGE', run('1'))}</w:p>"
        )
    )
    reference = document.element.body.find(f"{qname('sectPr')}/{qname('footerReference')}")
    return reference.get(f"{{{R_NS}}}id")
