"""Where a comment stands on the version being read: its block, outdated or not, its quote.

Comments anchor to a block uid, never to document-wide offsets. An open comment made on
an earlier version is shown on the later one at the same uid; it is *outdated* when the
block's text has changed since, and its quote is highlighted again only when the quoted
text still occurs exactly once inside that same block (a confident wrong anchor is worse
than a lost one, so the rest of the document is never searched).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.richtext import plain


@dataclass(frozen=True, slots=True)
class Anchor:
    """How a comment attaches to the version being read."""

    carried: bool  # made on an earlier version
    outdated: bool  # the block's text changed since the comment was made
    removed: bool  # the block no longer exists in this version
    quote_start: int | None  # where to highlight the quote in the block's plain text
    quote_changed: bool  # there was a quote, and it cannot be placed again


def find_once(text: str, needle: str) -> int | None:
    """The index of *needle* in *text* if it occurs exactly once, else None."""
    if not needle:
        return None
    first = text.find(needle)
    if first < 0 or text.find(needle, first + 1) >= 0:
        return None
    return first


def anchor(
    *,
    made_on_current: bool,
    block_uid: str | None,
    text_then: str | None,
    current_texts: dict[str, str],
    quote_exact: str | None,
    quote_start: int | None,
) -> Anchor:
    """Place one comment on the version being read.

    *current_texts* maps the uids of the version being read to their rich text;
    *text_then* is the block's text when the comment was made.
    """
    if block_uid is None:  # a general comment on the version as a whole
        return Anchor(not made_on_current, False, False, None, False)
    if block_uid not in current_texts:
        return Anchor(not made_on_current, False, True, None, bool(quote_exact))
    now = current_texts[block_uid]
    outdated = not made_on_current and text_then is not None and plain(text_then) != plain(now)
    if not quote_exact:
        return Anchor(not made_on_current, outdated, False, None, False)
    if not outdated:
        return Anchor(not made_on_current, False, False, quote_start, False)
    start = find_once(plain(now), quote_exact)
    return Anchor(True, True, False, start, start is None)
