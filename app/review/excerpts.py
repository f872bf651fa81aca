"""Short excerpts of a paragraph around a quoted phrase (pure: no app needed)."""

from __future__ import annotations

from dataclasses import dataclass

ELLIPSIS = "…"


@dataclass(frozen=True)
class Excerpt:
    """Text before the quote, the quote itself (may be empty), and text after it."""

    before: str
    quote: str
    after: str


def _clip_start(text: str, width: int) -> str:
    """The last *width* characters of *text*, cut at a word boundary."""
    if len(text) <= width:
        return text
    cut = text[-width:]
    space = cut.find(" ")
    return ELLIPSIS + (cut[space + 1 :] if 0 <= space < width // 2 else cut)


def _clip_end(text: str, width: int) -> str:
    """The first *width* characters of *text*, cut at a word boundary."""
    if len(text) <= width:
        return text
    cut = text[:width]
    space = cut.rfind(" ")
    return (cut[:space] if space > width // 2 else cut) + ELLIPSIS


def excerpt(text: str, quote: str | None = None, start: int | None = None, width: int = 90) -> Excerpt:
    """*text* shortened to about *width* characters either side of *quote* (found at *start*,
    or else its first occurrence); without a quote, or one no longer in the text, its opening.
    """
    if quote:
        if start is None or text[start : start + len(quote)] != quote:
            start = text.find(quote)
        if start >= 0:
            end = start + len(quote)
            return Excerpt(_clip_start(text[:start], width), quote, _clip_end(text[end:], width))
    return Excerpt("", "", _clip_end(" ".join(text.split()), 2 * width))
