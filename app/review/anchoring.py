"""Where a comment stands on the version being read: its block, outdated or not, its quote.

Comments anchor to a block uid, never to document-wide offsets. An open comment made on
an earlier version is shown on the later one at the same uid; it is *outdated* when the
block's text has changed since. Its quote is then found again inside that same block, as
web annotation tools do (a W3C TextQuoteSelector, exact words with a little context either
side, plus a position hint): exactly, where the quoted words stand once as whole words;
otherwise by a fuzzy match of the words and their context (rapidfuzz), snapped to whole
words and accepted only above a confidence threshold. A quote that cannot be found with
confidence is reported as changed: a confident wrong anchor is worse than a lost one, so
the rest of the document is never searched.

Pure: no app, no database. The stored anchors worked out when a version is published
(app.review.anchors) come from :func:`find_quote` too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel, Levenshtein

from app.richtext import plain

# How much text either side of a quote is kept with it (app.review.operations.locate_quote).
CONTEXT_CHARS = 32

# A word: letters and digits of any script (so å, ä, ö), and hyphenated compounds as one word
# ("IT-säkerhet"), the same unit the quote of a selection is widened to.
WORD = re.compile(r"\w+(?:[-\u2010\u2011]\w+)*")
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")

# How a candidate place is scored, as Hypothesis's client weighs it: mostly the quoted words
# themselves, then the context either side, and the old position only to break near-ties.
QUOTE_WEIGHT = 50
PREFIX_WEIGHT = 20
SUFFIX_WEIGHT = 20
POSITION_WEIGHT = 2
_TOTAL_WEIGHT = QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT

# The words score is rapidfuzz's normalised Levenshtein similarity of the quote and a candidate, case
# aside (1: the same): a word substituted costs its letters once, so the stretch that keeps the changed
# word beats the shorter one that drops it. The context is compared by Indel similarity.
WORDS_MIN = 0.7  # a stretch without most of the quoted characters is no candidate
SURE_WORDS = 0.9  # the quoted words nearly as they were: enough on their own
THRESHOLD = 0.8  # otherwise the words and their context together must score this much
MARGIN = 0.01  # a rival elsewhere scoring this close makes the place uncertain


@dataclass(frozen=True, slots=True)
class Anchor:
    """How a comment attaches to the version being read."""

    carried: bool  # made on an earlier version
    outdated: bool  # the block's text changed since the comment was made
    removed: bool  # the block no longer exists in this version
    quote_start: int | None  # where to highlight the quote in the block's plain text
    quote_changed: bool  # there was a quote, and it cannot be placed again
    quote_end: int | None = None  # where the highlight ends (the words found may differ in length)


@dataclass(frozen=True, slots=True)
class Selector:
    """A quote as stored with its comment: the exact words, their context and where they stood."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None


def find_once(text: str, needle: str) -> int | None:
    """The index of *needle* in *text* if it occurs exactly once, else None."""
    if not needle:
        return None
    first = text.find(needle)
    if first < 0 or text.find(needle, first + 1) >= 0:
        return None
    return first


class _Words:
    """A text's words: their spans, and which positions fall inside one."""

    __slots__ = ("ends", "inside", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.inside = bytearray(len(text) + 1)
        for match in WORD.finditer(text):
            start, end = match.span()
            self.starts.append(start)
            self.ends.append(end)
            self.inside[start + 1 : end] = b"\x01" * (end - start - 1)

    def whole(self, start: int, end: int) -> bool:
        """Whether text[start:end] begins and ends between words, never inside one."""
        return not self.inside[start] and not self.inside[end]


@functools.lru_cache(maxsize=1024)
def _words(text: str) -> _Words:
    return _Words(text)


def covers_whole_words(text: str, start: int, end: int) -> bool:
    """Whether the span [start, end) of *text* cuts no word in two."""
    return 0 <= start <= end <= len(text) and _words(text).whole(start, end)


def whole_word_occurrences(text: str, exact: str) -> list[int]:
    """Where *exact* stands in *text* with whole words at both ends."""
    words = _words(text)
    found: list[int] = []
    at = text.find(exact)
    while at >= 0:
        if words.whole(at, at + len(exact)):
            found.append(at)
        at = text.find(exact, at + 1)
    return found


def _similarity(a: str, b: str) -> float:
    return Indel.normalized_similarity(a, b, processor=str.casefold)


def _context(stored: str, now: str, before: bool) -> float:
    """How well the context stored with the quote matches the text now beside a candidate.

    Up to CONTEXT_CHARS either side were stored, fewer at the paragraph's ends, so a short
    prefix also says "near the beginning" and is compared with all that stands there now.
    When the paragraph now ends sooner than the stored context reaches (a sentence after the
    quote deleted), the nearest words count for half: they still say where the quote stood.
    """
    whole = _similarity(stored, now)
    if len(now) >= len(stored):
        return whole
    nearest = stored[len(stored) - len(now) :] if before else stored[: len(now)]
    return (whole + _similarity(nearest, now)) / 2


def _score(text: str, selector: Selector, start: int, end: int, words: float) -> float:
    """The weighted score of the candidate text[start:end] whose words score *words* (0-1)."""
    before = _context(selector.prefix, text[max(0, start - CONTEXT_CHARS) : start], before=True)
    after = _context(selector.suffix, text[end : end + CONTEXT_CHARS], before=False)
    if selector.start is None:
        position = 1.0
    else:
        position = 1.0 - min(1.0, abs(start - selector.start) / max(len(text), 1))
    return (
        QUOTE_WEIGHT * words + PREFIX_WEIGHT * before + SUFFIX_WEIGHT * after + POSITION_WEIGHT * position
    ) / _TOTAL_WEIGHT


def find_quote(text: str, selector: Selector) -> tuple[int, int] | None:
    """The span of *text* (plain) where the quote described by *selector* now stands, or None.

    The quoted words standing once as whole words are taken as they are. Otherwise every
    stretch of whole words about as long as the quote is scored against it and its context
    (see the weights above); the best is taken if its words are nearly the quote's, or its
    words and context together reach the threshold, and no other place scores about as well.
    """
    exact = selector.exact
    if not exact or not text:
        return None
    words = _words(text)
    occurrences = whole_word_occurrences(text, exact)
    if len(occurrences) == 1:
        return occurrences[0], occurrences[0] + len(exact)
    core = _EDGE_PUNCTUATION.sub("", exact)
    if not core:
        return None
    count = max(1, len(WORD.findall(core)))
    slack = max(1, round(count / 4))
    spans: list[tuple[int, int]] = []
    candidates: list[str] = []
    starts, ends = words.starts, words.ends
    total = len(starts)
    for i in range(total):
        start = starts[i]
        for j in range(i + max(1, count - slack) - 1, min(total, i + count + slack)):
            spans.append((start, ends[j]))
            candidates.append(text[start : ends[j]])
    scored = []
    for _candidate, words_score, index in process.extract(
        core,
        candidates,
        scorer=Levenshtein.normalized_similarity,
        processor=str.casefold,
        score_cutoff=WORDS_MIN,
        limit=None,
    ):
        start, end = spans[index]
        scored.append((_score(text, selector, start, end, words_score), words_score, start, end))
    if not scored:
        return None
    # Best first; of equals, the one closest in length to the quote.
    scored.sort(key=lambda s: (-s[0], abs((s[3] - s[2]) - len(core))))
    best, best_words, start, end = scored[0]
    if best_words < SURE_WORDS and best < THRESHOLD:
        return None
    rival = next((s for s in scored[1:] if s[3] <= start or s[2] >= end), None)
    if rival is not None and rival[0] >= best - MARGIN:
        return None
    return start, end


@functools.lru_cache(maxsize=8192)
def plain_text(rich_text: str) -> str:
    """richtext.plain, remembered: a page asks for the same paragraphs' text many times."""
    return plain(rich_text)


@functools.lru_cache(maxsize=8192)
def relocate(
    text_now: str, exact: str, prefix: str | None, suffix: str | None, start: int | None
) -> tuple[int, int] | None:
    """:func:`find_quote` for a stored quote in *text_now* (plain), remembered per process."""
    return find_quote(text_now, Selector(exact, prefix or "", suffix or "", start))


def quote_span(
    then_html: str | None,
    now_html: str,
    *,
    exact: str,
    prefix: str | None,
    suffix: str | None,
    start: int | None,
) -> tuple[int, int] | None:
    """Where a comment's quote stands in *now_html*, the paragraph made from *then_html*.

    In unchanged text (or text of which the earlier state is not known) the quote stands where
    it was made, if its offset still reads it; anything else is found again.
    """
    now = plain_text(now_html)
    unchanged = then_html is None or plain_text(then_html) == now
    if unchanged and start is not None and now[start : start + len(exact)] == exact:
        return start, start + len(exact)
    return relocate(now, exact, prefix, suffix, start)


# (comment id, quote exact, prefix, suffix, start, block text then, block text in the version)
QuoteRow = tuple[int, str, str | None, str | None, int | None, str | None, str]


def places(rows: Iterable[QuoteRow]) -> list[dict]:
    """The anchor rows (comment_id, quote_start, quote_end) of the quotes whose paragraph changed.

    Quotes in unchanged paragraphs stand where they were made and need no row, nor do those of
    which the text then is unknown (:func:`anchor` places them on the page). Pure: the migration
    that fills the table for versions published before it uses it too.
    """
    out = []
    for comment_id, exact, prefix, suffix, start, then, now in rows:
        if then is None or plain_text(then) == plain_text(now):
            continue
        found = relocate(plain_text(now), exact, prefix, suffix, start)
        out.append(
            {
                "comment_id": comment_id,
                "quote_start": found[0] if found else None,
                "quote_end": found[1] if found else None,
            }
        )
    return out


def anchor(
    *,
    made_on_current: bool,
    block_uid: str | None,
    text_then: str | None,
    current_texts: dict[str, str],
    quote_exact: str | None,
    quote_start: int | None,
    quote_prefix: str | None = None,
    quote_suffix: str | None = None,
    stored: tuple[int | None, int | None] | None = None,
) -> Anchor:
    """Place one comment on the version being read.

    *current_texts* maps the uids of the version being read to their rich text;
    *text_then* is the block's text when the comment was made. *stored* is where the quote was
    found when the version was published ((None, None): not found), or None if that was not
    stored, in which case it is worked out here.
    """
    carried = not made_on_current
    if block_uid is None:  # a general comment on the version as a whole
        return Anchor(carried, False, False, None, False)
    if block_uid not in current_texts:
        return Anchor(carried, False, True, None, bool(quote_exact))
    now = current_texts[block_uid]
    outdated = carried and text_then is not None and plain_text(text_then) != plain_text(now)
    if not quote_exact:
        return Anchor(carried, outdated, False, None, False)
    if outdated and stored is not None:
        start, end = stored
    else:
        found = quote_span(
            text_then if outdated else None,
            now,
            exact=quote_exact,
            prefix=quote_prefix,
            suffix=quote_suffix,
            start=quote_start,
        )
        start, end = found or (None, None)
    return Anchor(carried, outdated, False, start, start is None, end)
