"""Inline rich text of a block: a tiny, always-sanitised HTML subset.

A block's text is stored as HTML that contains only ``<strong>``, ``<em>`` and
``<a href>`` (http, https, mailto) around escaped text. Everything that writes
block text (the editor, DOCX import, paste, suggestions) goes through
:func:`sanitize_inline`, so templates may mark it safe, and every consumer
(diff, DOCX export, API) reads it back as a flat list of :class:`Segment`.

Table blocks hold rows separated by ``\\n`` and cells by ``\\t``; each cell is
inline rich text of its own (see :func:`table_rows`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

_INLINE_CLEANER = nh3.Cleaner(
    tags={"strong", "em", "a"},
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    strip_comments=True,
)
_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_ALIASES = {"b": "strong", "i": "em"}


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text with one set of inline marks."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None

    def marks(self) -> tuple[bool, bool, str | None]:
        """The formatting of this run, for comparing runs."""
        return (self.bold, self.italic, self.href)


def _normalise_tags(value: str) -> str:
    # Word and browsers produce <b>/<i>; we store one spelling only.
    return re.sub(
        r"<(/?)(b|i)(\s[^>]*)?>",
        lambda m: f"<{m.group(1)}{_ALIASES[m.group(2).lower()]}>",
        value,
        flags=re.IGNORECASE,
    )


def sanitize_inline(value: str) -> str:
    """Return *value* reduced to the inline subset, whitespace folded.

    Idempotent: ``sanitize_inline(sanitize_inline(x)) == sanitize_inline(x)``.
    """
    cleaned = _INLINE_CLEANER.clean(_normalise_tags(value or ""))
    # Re-serialise through our own writer so the stored form is canonical
    # (adjacent runs merged, empty links dropped, whitespace folded).
    return from_segments(segments(cleaned))


def from_plain(text: str) -> str:
    """Rich text for a plain string (everything escaped)."""
    return html.escape(_WS.sub(" ", text or "").strip(), quote=False)


class _SegmentParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[Segment] = []
        self.bold = 0
        self.italic = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        tag = _ALIASES.get(tag, tag)
        if tag == "strong":
            self.bold += 1
        elif tag == "em":
            self.italic += 1
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag):
        tag = _ALIASES.get(tag, tag)
        if tag == "strong" and self.bold:
            self.bold -= 1
        elif tag == "em" and self.italic:
            self.italic -= 1
        elif tag == "a" and self.links:
            self.links.pop()

    def handle_data(self, data):
        if not data:
            return
        href = next((h for h in reversed(self.links) if h), None)
        self.out.append(Segment(data, self.bold > 0, self.italic > 0, href))


def segments(value: str) -> list[Segment]:
    """Parse stored rich text into runs; adjacent runs with equal marks merge."""
    parser = _SegmentParser()
    parser.feed(value or "")
    parser.close()
    return merge(parser.out)


def merge(runs: list[Segment]) -> list[Segment]:
    """Fold whitespace and merge neighbouring runs that share their marks."""
    out: list[Segment] = []
    for run in runs:
        text = _WS.sub(" ", run.text)
        if not text:
            continue
        if out and out[-1].marks() == run.marks():
            prev = out.pop()
            text = _WS.sub(" ", prev.text + text)
        elif out and out[-1].text.endswith(" ") and text.startswith(" "):
            text = text[1:]
            if not text:
                continue
        out.append(Segment(text, run.bold, run.italic, run.href))
    if out:
        first = out[0]
        out[0] = Segment(first.text.lstrip(), first.bold, first.italic, first.href)
        last = out[-1]
        out[-1] = Segment(last.text.rstrip(), last.bold, last.italic, last.href)
    return [s for s in out if s.text]


def wrap(run: Segment, inner_html: str) -> str:
    """*inner_html* inside *run*'s marks, nested the one way every renderer uses."""
    if run.italic:
        inner_html = f"<em>{inner_html}</em>"
    if run.bold:
        inner_html = f"<strong>{inner_html}</strong>"
    if run.href:
        inner_html = f'<a href="{html.escape(run.href, quote=True)}">{inner_html}</a>'
    return inner_html


def from_segments(runs: list[Segment]) -> str:
    """Serialise runs to the stored HTML form (the inverse of :func:`segments`)."""
    parts: list[str] = []
    for run in merge(runs):
        text = html.escape(run.text, quote=False)
        parts.append(wrap(run, text))
    return "".join(parts)


def plain(value: str) -> str:
    """The text of stored rich text without any markup."""
    return "".join(s.text for s in segments(value))


def table_rows(value: str) -> list[list[str]]:
    """Split a table block's text into rows of rich-text cells."""
    return [row.split("\t") for row in (value or "").split("\n")]


def table_text(rows: list[list[str]]) -> str:
    """Join rows of rich-text cells into a table block's stored text."""
    return "\n".join(
        "\t".join(sanitize_inline(cell.replace("\t", " ").replace("\n", " ")) for cell in row) for row in rows
    )


def highlight(value: str, ranges: list[tuple[int, int]]) -> str:
    """Stored rich text with ``<mark>`` around the given plain-text ranges (quotes)."""
    if not ranges:
        return value
    return highlight_runs(segments(value), ranges)


def highlight_runs(runs: list[Segment], ranges: list[tuple[int, int]]) -> str:
    """*runs* as HTML, every piece escaped, with ``<mark>`` around the given ranges of their
    joined text. The runs are written as they are (a stretch of a diff keeps its edge spaces)."""
    length = sum(len(run.text) for run in runs)
    marked = [False] * length
    for start, end in ranges:
        for i in range(max(start, 0), min(end, length)):
            marked[i] = True
    parts: list[str] = []
    offset = 0
    for run in runs:
        pieces: list[str] = []
        i = 0
        while i < len(run.text):
            flag = marked[offset + i]
            j = i
            while j < len(run.text) and marked[offset + j] == flag:
                j += 1
            text = html.escape(run.text[i:j], quote=False)
            pieces.append(f"<mark>{text}</mark>" if flag else text)
            i = j
        parts.append(wrap(run, "".join(pieces)))
        offset += len(run.text)
    return "".join(parts)


def replace_span(value: str, start: int, end: int, replacement: str) -> str:
    """Stored rich text with the plain-text range [start, end) replaced by *replacement* (rich text)."""
    before: list[Segment] = []
    after: list[Segment] = []
    offset = 0
    for run in segments(value):
        run_start, run_end = offset, offset + len(run.text)
        if run_start < start:
            before.append(Segment(run.text[: max(0, start - run_start)], run.bold, run.italic, run.href))
        if run_end > end:
            after.append(Segment(run.text[max(0, end - run_start) :], run.bold, run.italic, run.href))
        offset = run_end
    return from_segments([*before, *segments(sanitize_inline(replacement)), *after])
