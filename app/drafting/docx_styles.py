"""How the Word importer reads styles and list numbering: the role of a paragraph style, a list's format.

A heading is a paragraph whose style is *named* "heading N" (whatever its id, so a Swedish
Word's "Rubrik1" works), also through ``basedOn`` chains; quotes, titles, lists and
table-of-contents entries likewise (:meth:`Styles.role`). Bold and italic a style sets
come from its run properties (:meth:`Styles.mark`). :class:`Numbering` tells a bullet
from a number from the numbering part's ``numFmt``, overrides and style links included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from app.docx.reading import NS as _NS
from app.docx.reading import W_VAL
from app.docx.wml import qname as _w

W_RPR = _w("rPr")
_FALSE = {"0", "false", "off", "none"}
_HEADING_NAME = re.compile(r"^heading\s*(\d+)$")
_LIST_NAME = re.compile(r"^list (bullet|number)(?:\s*(\d+))?$")
# Word's two quote styles, LibreOffice's, and the one pandoc writes for a blockquote.
_QUOTE_NAMES = {"quote", "intense quote", "quotations", "block text"}
_TOC_NAME = re.compile(r"^toc(?:\s*\d+|\s*heading)$")


def toggle(el: etree._Element | None) -> bool | None:
    """The value of a toggle property element (``<w:b/>``), None when absent."""
    if el is None:
        return None
    return el.get(W_VAL, "true").lower() not in _FALSE


@dataclass
class Style:
    name: str
    kind: str
    based_on: str | None
    bold: bool | None
    italic: bool | None
    num_id: str | None
    ilvl: int
    outline: int | None


class Styles:
    """Style definitions by id, with the role of a paragraph style resolved through basedOn."""

    def __init__(self, root: etree._Element | None) -> None:
        self.by_id: dict[str, Style] = {}
        self.default_paragraph: str | None = None
        self.default_bold: bool | None = None
        self.default_italic: bool | None = None
        self._roles: dict[str | None, tuple[str, int] | None] = {}
        if root is None:
            return
        defaults = root.find("w:docDefaults/w:rPrDefault/w:rPr", _NS)
        if defaults is not None:
            self.default_bold = toggle(defaults.find(_w("b")))
            self.default_italic = toggle(defaults.find(_w("i")))
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
            self.by_id[sid] = Style(
                name=" ".join((name_el.get(W_VAL, "") if name_el is not None else "").split()).casefold(),
                kind=kind,
                based_on=based.get(W_VAL) if based is not None else None,
                bold=toggle(rpr.find(_w("b"))) if rpr is not None else None,
                italic=toggle(rpr.find(_w("i"))) if rpr is not None else None,
                num_id=child_val(num, "numId"),
                ilvl=int_value(child_val(num, "ilvl")) or 0,
                outline=int_value(outline.get(W_VAL)) if outline is not None else None,
            )
            if kind == "paragraph" and on_attr(el.get(_w("default"))):
                self.default_paragraph = sid

    def chain(self, sid: str | None) -> Iterator[Style]:
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


def child_val(el: etree._Element | None, tag: str) -> str | None:
    if el is None:
        return None
    child = el.find(_w(tag))
    return child.get(W_VAL) if child is not None else None


def int_value(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def on_attr(value: str | None) -> bool:
    return value is not None and value.lower() not in _FALSE


class Numbering:
    """numFmt of a (numId, ilvl) from the numbering part, overrides and style links included."""

    def __init__(self, root: etree._Element | None, styles: Styles) -> None:
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
            if int_value(override.get(_w("ilvl"))) == ilvl:
                value = child_val(override.find(_w("lvl")), "numFmt")
                if value:
                    return value
        abstract = self.abstract.get(child_val(num, "abstractNumId") or "")
        if abstract is None:
            return None
        for lvl in abstract.iterfind(_w("lvl")):
            if int_value(lvl.get(_w("ilvl"))) == ilvl:
                value = child_val(lvl, "numFmt")
                if value:
                    return value
        link = child_val(abstract, "numStyleLink")
        linked = self.styles.numbering(link) if link else None
        if linked:
            return self.fmt(linked[0], ilvl, depth + 1)
        return None


def numbering_root(part) -> etree._Element | None:
    try:
        return part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return None
