"""Styles a Word file of the app adds to python-docx's template, and its language.

Element order inside a style follows the schema (ECMA-376 part 1). The XML literals are
indented for reading; :data:`COMPACT` drops that whitespace when they are parsed.
"""

from __future__ import annotations

from docx.document import Document
from lxml import etree

from app.docx.wml import NSDECLS, qname

# Drops the indentation whitespace of XML literals.
COMPACT = etree.XMLParser(remove_blank_text=True)

HYPERLINK = """
<w:style w:type="character" w:styleId="Hyperlink">
  <w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>
  <w:unhideWhenUsed/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>"""

# The entries of a table of contents, levels 1-3 (Word's own "toc N" styles).
TOC = """
<w:style w:type="paragraph" w:styleId="TOC1">
  <w:name w:val="toc 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC2">
  <w:name w:val="toc 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/><w:ind w:left="220"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC3">
  <w:name w:val="toc 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/><w:ind w:left="440"/></w:pPr></w:style>"""

# The text of a Word comment and its reference mark (Word's "annotation" styles).
COMMENTS = """
<w:style w:type="paragraph" w:styleId="CommentText">
  <w:name w:val="annotation text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="CommentReference">
  <w:name w:val="annotation reference"/><w:basedOn w:val="DefaultParagraphFont"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:sz w:val="16"/><w:szCs w:val="16"/>
  </w:rPr></w:style>
"""

# The page footer at 9 pt, so title, version and page number keep to one line (app.docx.footer).
FOOTER = """
<w:style w:type="paragraph" w:styleId="Footer">
  <w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:link w:val="FooterChar"/><w:uiPriority w:val="99"/>
  <w:unhideWhenUsed/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"""

# The custom styles of python-docx's template (linked character styles), as Swedish Word
# names them. Word translates the names of its built-in styles itself, never a custom one.
SWEDISH_NAMES = {
    "HeaderChar": "Sidhuvud Char",
    "FooterChar": "Sidfot Char",
    **{f"Heading{n}Char": f"Rubrik {n} Char" for n in range(1, 10)},
    "TitleChar": "Rubrik Char",
    "SubtitleChar": "Underrubrik Char",
    "BodyTextChar": "Brödtext Char",
    "BodyText2Char": "Brödtext 2 Char",
    "BodyText3Char": "Brödtext 3 Char",
    "MacroTextChar": "Makrotext Char",
    "QuoteChar": "Citat Char",
    "IntenseQuoteChar": "Starkt citat Char",
}


def locale(language: str) -> str:
    """The Word language tag of the app's *language*: "sv-SE" for Swedish, "en-GB" otherwise."""
    return "sv-SE" if language == "sv" else "en-GB"


def add_styles(document: Document, styles_xml: str) -> None:
    """Add the ``w:style`` elements of *styles_xml*, replacing the template's of the same id."""
    styles = document.styles.element
    added = etree.fromstring(f"<w:styles {NSDECLS}>{styles_xml}</w:styles>", COMPACT)
    ids = {style.get(qname("styleId")) for style in added}
    for style in styles.findall(qname("style")):
        if style.get(qname("styleId")) in ids:
            styles.remove(style)
    styles.extend(list(added))


def name_styles(document: Document, names: dict[str, str]) -> None:
    """Rename the custom styles whose ids are keys of *names* (what Word lists: the document's language)."""
    for style in document.styles.element.findall(qname("style")):
        name = names.get(style.get(qname("styleId")))
        if name is not None and style.get(qname("customStyle")) in ("1", "true"):
            style.find(qname("name")).set(qname("val"), name)


def set_language(document: Document, tag: str) -> None:
    """The document's default language for spelling and hyphenation (``w:lang`` of the defaults)."""
    lang = document.styles.element.find(
        f"{qname('docDefaults')}/{qname('rPrDefault')}/{qname('rPr')}/{qname('lang')}"
    )
    if lang is not None:
        lang.set(qname("val"), tag)


def number_headings(document: Document, num_id: int, levels: int = 3) -> None:
    """Link Heading 1..*levels* to the outline numbering *num_id* (``w:numPr`` in the styles).

    "TOC Heading" is based on Heading 1 and would inherit its number: it gets none.
    """
    for level in range(1, levels + 1):
        style = document.styles[f"Heading {level}"].element
        num_pr = style.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level - 1
        num_pr.get_or_add_numId().val = num_id
    toc = document.styles["TOC Heading"].element
    toc_num = toc.get_or_add_pPr().get_or_add_numPr()
    toc_num.get_or_add_numId().val = 0
