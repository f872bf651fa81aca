"""Open-data file formats that need no request: a version's text as Markdown, and Atom feeds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.richtext import Segment, segments, table_rows

# Characters that would start Markdown syntax inside running text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
# A line start that Markdown would read as an ordered list item ("1. ", "2) ").
_ORDERED_START = re.compile(r"^(\d+)([.)])")


def md_escape(text: str) -> str:
    """Plain text made literal in Markdown."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _run_md(run: Segment) -> str:
    text = md_escape(run.text)
    # Emphasis markers must hug the words: move surrounding spaces outside them.
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    core = text.strip()
    if core:
        if run.italic:
            core = f"*{core}*"
        if run.bold:
            core = f"**{core}**"
        if run.href:
            href = run.href.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
            core = f"[{core}]({href})"
    return lead + core + trail


def rich_to_markdown(rich_text: str) -> str:
    """Stored rich text (strong, em, links) as one line of CommonMark."""
    line = "".join(_run_md(run) for run in segments(rich_text))
    # Bullets, thematic breaks and setext underlines start with these.
    if line[:1] in ("-", "+", "="):
        return "\\" + line
    return _ORDERED_START.sub(r"\1\\\2", line, count=1)


def table_markdown(text: str) -> list[str]:
    """A table block as a GitHub-flavoured Markdown table; the first row is the header."""
    rows = [[rich_to_markdown(cell).replace("\n", " ") or " " for cell in row] for row in table_rows(text)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [row + [" "] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return lines


@dataclass(frozen=True, slots=True)
class MdBlock:
    """What Markdown needs of a block: kind, level, rich text and its section number."""

    kind: str
    level: int
    text: str
    section: str = ""


def blocks_markdown(blocks: Sequence[MdBlock]) -> str:
    """Blocks as CommonMark: numbered headings one level below the title, lists, quotes, tables."""
    out: list[str] = []
    previous = None
    for block in blocks:
        is_item = block.kind in ("bullet", "number")
        # Consecutive list items form one list; everything else is separated by a blank line.
        if out and not (is_item and previous in ("bullet", "number")):
            out.append("")
        if block.kind == "heading":
            marks = "#" * (min(max(block.level, 1), 3) + 1)
            number = f"{block.section} " if block.section else ""
            out.append(f"{marks} {number}{rich_to_markdown(block.text)}".rstrip())
        elif is_item:
            indent = "    " * (min(max(block.level, 1), 3) - 1)
            bullet = "-" if block.kind == "bullet" else "1."
            out.append(f"{indent}{bullet} {rich_to_markdown(block.text)}")
        elif block.kind == "quote":
            out.append(f"> {rich_to_markdown(block.text)}")
        elif block.kind == "table":
            out.extend(table_markdown(block.text))
        else:
            out.append(rich_to_markdown(block.text))
        previous = block.kind
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- Atom

ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of a feed: a published version."""

    id: str
    title: str
    url: str
    updated: datetime
    summary: str


def _atom_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    html_url: str,
    updated: datetime,
    author: str,
    entries: Sequence[FeedEntry],
    rights: str = "",
    language: str = "sv",
) -> bytes:
    """An Atom 1.0 (RFC 4287) feed as UTF-8 bytes; every text is escaped by ElementTree."""
    ET.register_namespace("", ATOM)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", _atom_time(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=html_url)
    author_element = sub(feed, "author")
    sub(author_element, "name", author)
    if rights:
        sub(feed, "rights", rights)
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "id", entry.id)
        sub(item, "title", entry.title)
        sub(item, "updated", _atom_time(entry.updated))
        sub(item, "link", rel="alternate", type="text/html", href=entry.url)
        sub(item, "summary", entry.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
