"""The editor's text form of a block: Markdown inline markup, converted to and from rich text.

Editors type ``**bold**``, ``*italic*`` and ``[text](https://...)``; the stored form is
the sanitised HTML subset of :mod:`app.richtext`. A table is one row per line
with cells separated by ``|``. :func:`to_markup` is the inverse of :func:`from_markup`,
so opening a block and saving it unchanged changes nothing.
"""

from __future__ import annotations

import itertools
import re

from app.documents.models import BlockKind
from app.drafting.paste import cells_of, inline_html
from app.richtext import Segment, segments, table_rows, table_text

# Characters Markdown could read as markup; a backslash keeps them literal.
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|!])")
_ORDER = ("href", "bold", "italic")
_MARKERS = {"bold": "**", "italic": "*"}


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _link_target(href: str) -> str:
    if any(c in href for c in " ()<>"):
        return "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
    return href


def _render(runs: list[Segment], keys: tuple[str, ...]) -> str:
    """Nest marks outermost-first so each one opens and closes exactly once per group."""
    if not keys:
        return "".join(_escape(run.text) for run in runs)
    key, rest = keys[0], keys[1:]
    out: list[str] = []
    for mark, group in itertools.groupby(runs, key=lambda run: getattr(run, key)):
        inner = _render(list(group), rest)
        core = inner.strip(" ")
        if not mark or not core:
            out.append(inner)
            continue
        # Markdown's delimiters must touch the text: spaces go outside them.
        lead = inner[: len(inner) - len(inner.lstrip(" "))]
        trail = inner[len(inner.rstrip(" ")) :]
        if key == "href":
            wrapped = f"[{core}]({_link_target(mark)})"
        else:
            wrapped = f"{_MARKERS[key]}{core}{_MARKERS[key]}"
        out.append(lead + wrapped + trail)
    return "".join(out)


def to_markup(value: str) -> str:
    """Markdown inline markup for stored rich text."""
    return _render(segments(value), _ORDER)


def from_markup(text: str) -> str:
    """Stored rich text for Markdown inline markup (line breaks become spaces)."""
    return inline_html(" ".join((text or "").split("\n")))


def block_to_markup(kind: BlockKind, value: str) -> str:
    """The text an editor sees for a block; tables one row per line, cells split by ``|``."""
    if kind is BlockKind.TABLE:
        return "\n".join(" | ".join(to_markup(cell) for cell in row) for row in table_rows(value))
    return to_markup(value)


def block_from_markup(kind: BlockKind, text: str) -> str:
    """Stored text for what an editor typed for a block of *kind*."""
    if kind is BlockKind.TABLE:
        rows = [cells_of(line) for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]
        width = max((len(row) for row in rows), default=0)
        return table_text([row + [""] * (width - len(row)) for row in rows])
    return from_markup((text or "").replace("\r\n", "\n"))


def split_parts(text: str) -> list[str]:
    """The parts of a split: the editor's text cut at empty lines."""
    parts = re.split(r"\n[ \t]*\n", (text or "").replace("\r\n", "\n"))
    return [part.strip() for part in parts if part.strip()]
