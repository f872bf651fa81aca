"""Quotes are whole words: a selection widened to the words it touches, or words chosen by number.

A word is a run of letters and digits in any script (so å, ä and ö belong to it), joined
across a hyphen, an apostrophe or a colon ("CC-BY-licens", "EU:s") and across a decimal point
or comma between digits ("4.0", "2,5"). The reading page's script uses the same definition
(``WORD`` in app/static/js/comments.js), so the quote a member sees before sending is the
one the server stores. Pure text: offsets are into a block's plain text (app.richtext.plain).
"""

from __future__ import annotations

import re

# [^\W_] is a letter or a digit in any script. Keep in step with WORD in comments.js.
WORD = re.compile(r"[^\W_]+(?:(?:[-\u2010\u2011'\u2019:]|(?<=\d)[.,](?=\d))[^\W_]+)*")
# A word's label in the keyboard word picker shows a little of what follows it.
LABEL_CONTEXT_WORDS = 3


def words(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every word of *text*, in order."""
    return [match.span() for match in WORD.finditer(text)]


def widen(text: str, start: int, end: int) -> tuple[int, int] | None:
    """[start, end) with spaces trimmed and each end that falls inside a word moved out to that
    word's edge; None if it touches no word.

    Punctuation the selection includes stays ("tydligt," or "(CC BY)"); it is never trimmed.
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    spans = words(text)
    if not any(s < end and e > start for s, e in spans):
        return None
    for s, e in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    return start, end


def span_of_words(text: str, first: int, last: int) -> tuple[int, int] | None:
    """The span from word number *first* to word number *last* (counted from 0), or None."""
    spans = words(text)
    if not 0 <= first <= last < len(spans):
        return None
    return spans[first][0], spans[last][1]


def word_choices(text: str) -> list[tuple[int, str]]:
    """(number, label) for each word, for choosing the first and last quoted word by keyboard.

    The label gives the word's position and the words after it ("12: tydligt ange vilken"),
    so a word that occurs twice can be told apart by ear.
    """
    found = [text[s:e] for s, e in words(text)]
    return [(i, f"{i + 1}: {' '.join(found[i : i + 1 + LABEL_CONTEXT_WORDS])}") for i in range(len(found))]


def word_numbers(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The numbers of the first and last word inside [start, end), or None."""
    inside = [i for i, (s, e) in enumerate(words(text)) if s >= start and e <= end]
    return (inside[0], inside[-1]) if inside else None
