"""The published minutes of a meeting as a Word file, written with python-docx on the app's skeleton
(:mod:`app.docx.package`): the title and facts, who attended, then per agenda item (or the meeting as
a whole) the minutes, the decisions and a table of the action points.

Plain data in, no database objects; every text goes through python-docx as text (so markup in it
stays text) after :func:`app.docx.wml.clean` took out what XML cannot carry. The same input gives the
same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from docx.shared import Pt

from app.docx import package, settings, styles
from app.docx.properties import set_core_properties
from app.docx.wml import clean


@dataclass(frozen=True, slots=True)
class DocAction:
    what: str
    owner: str
    due: str
    status: str


@dataclass(frozen=True, slots=True)
class DocSection:
    """One agenda item (or the meeting as a whole): its minutes as plain text, decisions, actions."""

    title: str
    text: str = ""
    decisions: Sequence[str] = ()
    actions: Sequence[DocAction] = ()


@dataclass(frozen=True, slots=True)
class MinutesFile:
    """Everything the Word file shows, in the reader's language (``labels``: decisions, actions,
    what, owner, due, status, attendance, attendance_count, kicker)."""

    title: str
    facts: Sequence[tuple[str, str]]
    attendees: Sequence[str]
    sections: Sequence[DocSection]
    labels: Mapping[str, str]
    language: str = "sv"
    moment: datetime = field(default_factory=lambda: datetime(2000, 1, 1, tzinfo=UTC))
    author: str = ""


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs; single line breaks stay inside their paragraph."""
    return [block.strip("\n") for block in clean(text).replace("\r\n", "\n").split("\n\n") if block.strip()]


def _paragraph(document, text: str, style_id: str | None = None):
    """A paragraph of *text* in the style *style_id* (set by id: python-docx's lookup by name reads
    every style of the template for each paragraph)."""
    paragraph = document.add_paragraph()
    if style_id:
        paragraph._p.style = style_id
    paragraph.add_run(clean(text))
    return paragraph


def write_minutes(minutes: MinutesFile) -> bytes:
    """The minutes as DOCX bytes."""
    document = package.new_document()
    locale = styles.locale(minutes.language)
    styles.set_language(document, locale)
    settings.fix_zoom(document)
    settings.set_language(document, locale, swedish_numbers=minutes.language == "sv")
    labels = minutes.labels
    set_core_properties(
        document,
        title=minutes.title,
        subject=labels["kicker"],
        author=minutes.author,
        last_modified_by=minutes.author,
        moment=minutes.moment,
        revision=1,
        language=locale,
        category=labels["kicker"],
    )
    _paragraph(document, labels["kicker"], "Subtitle")
    _paragraph(document, minutes.title, "Title")
    for label, value in minutes.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(clean(f"{label}: ")).bold = True
        paragraph.add_run(clean(value))

    _paragraph(document, labels["attendance"], "Heading1")
    _paragraph(document, labels["attendance_count"])
    for name in minutes.attendees:
        _paragraph(document, name, "ListBullet")

    for section in minutes.sections:
        _paragraph(document, section.title, "Heading1")
        for text in _paragraphs(section.text):
            _paragraph(document, text)
        if section.decisions:
            _paragraph(document, labels["decisions"], "Heading2")
            for decision in section.decisions:
                _paragraph(document, decision, "ListNumber")
        if section.actions:
            _paragraph(document, labels["actions"], "Heading2")
            table = document.add_table(rows=1, cols=4)
            table._tbl.tblStyle_val = "TableGrid"
            for cell, key in zip(table.rows[0].cells, ("what", "owner", "due", "status"), strict=True):
                cell.paragraphs[0].add_run(clean(labels[key])).bold = True
            for action in section.actions:
                cells = table.add_row().cells
                values = (action.what, action.owner, action.due, action.status)
                for cell, value in zip(cells, values, strict=True):
                    cell.paragraphs[0].add_run(clean(value)).font.size = Pt(10)
            document.add_paragraph()
    return package.save(document, {"docProps/app.xml": package.APP_XML})
