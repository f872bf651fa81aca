"""Rich text as people type it: Markdown inline markup, converted to and from the stored form.

People type ``**bold**``, ``*italic*`` and ``[text](https://...)`` in a plain text field (the
draft editor, a suggestion without JavaScript); the stored form is the sanitised HTML subset
of :mod:`app.richtext`. :func:`to_markup` is the inverse of :func:`from_markup`, so opening a
text and saving it unchanged changes nothing. Inline markup is parsed with markdown-it-py;
other markup stays as text, and links keep http, https and mailto only. A table is typed one
row per line with its cells separated by ``|``.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from app.richtext import Segment, from_segments, segments, table_rows, table_text

_MD = MarkdownIt("commonmark", {"html": False})
_LINK_SCHEMES = {"http", "https", "mailto"}
# Characters Markdown could read as markup; a backslash keeps them literal.
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|!])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
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
    return inline_html(" ".join((text or "").replace("\r\n", "\n").split("\n")))


def table_to_markup(value: str) -> str:
    """A table block's text as typed: one row per line, cells split by ``|``."""
    return "\n".join(" | ".join(to_markup(cell) for cell in row) for row in table_rows(value))


def table_from_markup(text: str) -> str:
    """A table block's stored text for what was typed (rows padded to the widest)."""
    rows = [cells_of(line) for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]
    width = max((len(row) for row in rows), default=0)
    return table_text([row + [""] * (width - len(row)) for row in rows])


def cells_of(line: str) -> list[str]:
    """The rich-text cells of one pipe-table line."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [inline_html(cell.strip().replace("\\|", "|")) for cell in _CELL_SPLIT.split(body)]


def inline_html(text: str) -> str:
    """Rich-text html for one line of Markdown inline markup."""
    if not text.strip():
        return ""
    tokens = _MD.parseInline(text)[0].children or []
    runs: list[Segment] = []
    bold = italic = 0
    links: list[str | None] = []
    for token in tokens:
        kind = token.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold = max(bold - 1, 0)
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic = max(italic - 1, 0)
        elif kind == "link_open":
            links.append(_safe_href(str(token.attrs.get("href", ""))))
        elif kind == "link_close":
            if links:
                links.pop()
        else:
            content = " " if kind in ("softbreak", "hardbreak") else token.content
            href = next((h for h in reversed(links) if h), None)
            runs.append(Segment(content, bold > 0, italic > 0, href))
    return from_segments(runs)


def _safe_href(href: str) -> str | None:
    return href if urlsplit(href).scheme.lower() in _LINK_SCHEMES else None
