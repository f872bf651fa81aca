"""Read pasted plain text or a small Markdown subset into blocks.

Blocks are separated by blank lines; the lines of one paragraph are joined. Recognised:
``#``/``##``/``###`` headings (deeper ones become level 3; ``===``/``---`` underlines
too), ``-``/``*``/``+``/``•``/``–`` bullets, ``1.``/``1)`` numbered items (indenting by
two or more spaces more than the item above makes a deeper level, at most 3),
``>`` quotes, and simple pipe tables (a header row, a ``---`` separator row, body rows).
Inline ``**bold**``, ``*italic*``/``_italic_`` and ``[text](https://url)`` are parsed
with markdown-it-py; other markup stays as text. Links keep http, https and mailto only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.drafting.docx_reader import ImportedBlock
from app.richtext import table_text
from app.textmarkup import cells_of, inline_html

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_BULLET = re.compile(r"^( *)[-*+•◦▪·–]\s+(.*)$")
_NUMBER = re.compile(r"^( *)\d{1,9}[.)]\s+(.*)$")
_QUOTE = re.compile(r"^ {0,3}>\s?(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


@dataclass
class _Open:
    kind: str
    level: int
    lines: list[str] = field(default_factory=list)


def read_paste(text: str) -> list[ImportedBlock]:
    """Blocks (rich-text html) for pasted plain text or Markdown."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n")
    blocks: list[ImportedBlock] = []
    current: _Open | None = None
    indents: list[int] = []  # indentation of the open list levels

    def flush() -> None:
        nonlocal current
        if current is not None:
            html = inline_html(" ".join(current.lines))
            if html:
                blocks.append(ImportedBlock(current.kind, current.level, html))
        current = None

    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            flush()
            continue
        if "|" in line and i < len(lines) and _TABLE_SEP.match(lines[i]) and "-" in lines[i]:
            flush()
            indents.clear()
            rows = [cells_of(line)]
            i += 1
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(cells_of(lines[i]))
                i += 1
            if any(cell for row in rows for cell in row):
                blocks.append(ImportedBlock("table", 1, table_text(rows)))
            continue
        if m := _HEADING.match(line):
            flush()
            indents.clear()
            current = _Open("heading", min(len(m.group(1)), 3), [m.group(2) or ""])
            flush()
            continue
        if current is not None and current.kind == "paragraph" and (m := _SETEXT.match(line)):
            current.kind, current.level = "heading", 1 if m.group(1)[0] == "=" else 2
            flush()
            continue
        if _RULE.match(line):
            flush()
            continue
        if m := (_BULLET.match(line) or _NUMBER.match(line)):
            flush()
            kind = "bullet" if _BULLET.match(line) else "number"
            current = _Open(kind, _list_level(indents, len(m.group(1))), [m.group(2)])
            continue
        if m := _QUOTE.match(line):
            if current is None or current.kind != "quote":
                flush()
                indents.clear()
                current = _Open("quote", 1)
            if m.group(1).strip():
                current.lines.append(m.group(1).strip())
            else:
                flush()  # an empty ">" line ends one quoted paragraph
            continue
        if current is None:
            indents.clear()
            current = _Open("paragraph", 1)
        current.lines.append(line.strip())
    flush()
    return blocks


def _list_level(indents: list[int], indent: int) -> int:
    """Level of a list item from its indentation relative to the open levels."""
    while indents and indent < indents[-1] - 1:
        indents.pop()
    if not indents or indent >= indents[-1] + 2:
        indents.append(indent)
    return min(len(indents), 3)
