"""The settings part (word/settings.xml) of a Word file the app writes."""

from __future__ import annotations

from docx.document import Document
from lxml import etree

from app.docx.wml import qname


def fix_zoom(document: Document) -> None:
    """Give ``w:zoom`` the ``w:percent`` the schema requires (python-docx's template leaves it out)."""
    zoom = document.settings.element.find(qname("zoom"))
    if zoom is not None and zoom.get(qname("percent")) is None:
        zoom.set(qname("percent"), "100")


def update_fields_on_open(document: Document) -> None:
    """Ask Word to fill the fields (a TOC) on open; ``w:updateFields`` must precede ``w:compat``.

    The preview picture is not saved: it would show the fields before their update.
    """
    settings = document.settings.element
    for tag in ("savePreviewPicture", "updateFields"):
        for old in settings.findall(qname(tag)):
            settings.remove(old)
    update = etree.SubElement(settings, qname("updateFields"))
    update.set(qname("val"), "true")
    compat = settings.find(qname("compat"))
    if compat is not None:
        compat.addprevious(update)


def set_language(document: Document, tag: str, *, swedish_numbers: bool) -> None:
    """The theme fonts' language *tag*; *swedish_numbers*: decimal comma, list separator ";"."""
    settings = document.settings.element
    theme_lang = settings.find(qname("themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qname("val"), tag)
    if swedish_numbers:
        for name, value in (("decimalSymbol", ","), ("listSeparator", ";")):
            element = settings.find(qname(name))
            if element is not None:
                element.set(qname("val"), value)
