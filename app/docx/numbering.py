"""List and heading numbering added to the numbering part of python-docx's template.

Three definitions: outline numbering for headings (1 / 1.1 / 1.1.1), bullets, and
numbered lists (1. / a. / i.). Their ids are far above the template's own (abstract 0-8,
num 1-9), fixed so the output is deterministic. Every numbered list gets a ``w:num`` of
its own (:func:`add_numbering` with *list_nums*) so that it starts at 1.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from lxml import etree

from app.docx.styles import COMPACT
from app.docx.wml import NSDECLS, qname

ABSTRACT_HEADINGS, ABSTRACT_BULLETS, ABSTRACT_NUMBERS = 90, 91, 92
NUM_HEADINGS, NUM_BULLETS, FIRST_LIST_NUM = 100, 101, 102


def _lvl(ilvl: int, fmt: str, text: str, indent: int, hanging: int, style: str = "") -> str:
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>{pstyle}'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{indent}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
    )


_ABSTRACT_NUMS = (
    # Headings 1 / 1.1 / 1.1.1, linked to the Heading styles both ways (pStyle here,
    # numPr in the styles: app.docx.styles.number_headings), which is how Word itself
    # stores outline numbering.
    f'<w:abstractNum {NSDECLS} w:abstractNumId="{ABSTRACT_HEADINGS}">'
    '<w:nsid w:val="52E15001"/><w:multiLevelType w:val="multilevel"/>'
    + _lvl(0, "decimal", "%1", 432, 432, "Heading1")
    + _lvl(1, "decimal", "%1.%2", 576, 576, "Heading2")
    + _lvl(2, "decimal", "%1.%2.%3", 720, 720, "Heading3")
    + "</w:abstractNum>",
    f'<w:abstractNum {NSDECLS} w:abstractNumId="{ABSTRACT_BULLETS}">'
    '<w:nsid w:val="52E15002"/><w:multiLevelType w:val="hybridMultilevel"/>'
    + _lvl(0, "bullet", "•", 720, 360)
    + _lvl(1, "bullet", "–", 1080, 360)
    + _lvl(2, "bullet", "•", 1440, 360)
    + "</w:abstractNum>",
    f'<w:abstractNum {NSDECLS} w:abstractNumId="{ABSTRACT_NUMBERS}">'
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
    return f'<w:num {NSDECLS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


def add_numbering(document: Document, list_nums: Sequence[int]) -> None:
    """Add the three definitions, their ``w:num``s, and one restarting ``w:num`` per numbered list."""
    numbering = document.part.numbering_part.element
    first_num = numbering.find(qname("num"))
    for source in _ABSTRACT_NUMS:
        element = etree.fromstring(source, COMPACT)
        if first_num is not None:
            first_num.addprevious(element)
        else:
            numbering.append(element)
    nums = [_num(NUM_HEADINGS, ABSTRACT_HEADINGS), _num(NUM_BULLETS, ABSTRACT_BULLETS)]
    nums += [_num(n, ABSTRACT_NUMBERS, restart=True) for n in list_nums]
    cleanup = numbering.find(qname("numIdMacAtCleanup"))
    for source in nums:
        element = etree.fromstring(source)
        if cleanup is not None:
            cleanup.addprevious(element)
        else:
            numbering.append(element)
