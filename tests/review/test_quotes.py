"""Quotes are whole words (app.review.quotes): widening a selection, words chosen by number."""

from __future__ import annotations

import pytest

from app.review.quotes import span_of_words, widen, word_choices, word_numbers, words

TEXT = "Allt publicerat material ska tydligt ange vilken CC-BY-licens som gäller, t.ex. CC BY 4.0."


def _widened(part: str, offset: int = 0) -> str:
    start = TEXT.index(part, offset)
    span = widen(TEXT, start, start + len(part))
    return TEXT[span[0] : span[1]] if span else None


@pytest.mark.parametrize(
    ("selected", "quote"),
    [
        ("Allt publicerat material ska ty", "Allt publicerat material ska tydligt"),  # issue 22's half word
        ("licerat mat", "publicerat material"),
        ("ydlig", "tydligt"),
        ("BY", "CC-BY-licens"),  # a hyphenated compound is one word
        ("-licens som", "CC-BY-licens som"),
        ("gälle", "gäller"),  # å ä ö are letters
        (" ska ", "ska"),  # spaces around are left out
        ("gäller, ", "gäller,"),  # punctuation the selection takes in stays
        ("ller, t.e", "gäller, t.ex"),
        ("4", "4.0"),  # a decimal point between digits joins them
        ("tydligt ange", "tydligt ange"),  # whole words stay as they are
    ],
)
def test_a_selection_is_widened_to_the_whole_words_it_touches(selected, quote):
    assert _widened(selected) == quote


def test_punctuation_around_whole_words_is_kept():
    text = "Välj (CC BY) nu."
    assert widen(text, 5, 12) == (5, 12)
    assert widen(text, 6, 11) == (6, 11)


def test_a_selection_of_spaces_or_punctuation_has_no_words():
    start = TEXT.index(", ")
    assert widen(TEXT, start, start + 2) is None
    assert widen("", 0, 0) is None


def test_words_are_unicode_letters_and_digits():
    text = "Ärendet år 2026 – öppna data, EU:s regler."
    assert [text[s:e] for s, e in words(text)] == ["Ärendet", "år", "2026", "öppna", "data", "EU:s", "regler"]


def test_words_chosen_by_number():
    assert TEXT[slice(*span_of_words(TEXT, 1, 3))] == "publicerat material ska"
    assert span_of_words(TEXT, 3, 1) is None
    assert span_of_words(TEXT, 0, 999) is None
    assert span_of_words(TEXT, -1, 2) is None
    start = TEXT.index("tydligt")
    assert word_numbers(TEXT, start, start + len("tydligt ange")) == (4, 5)


def test_word_labels_tell_repeated_words_apart():
    choices = word_choices("en rad till, och en rad till")
    assert choices[0] == (0, "1: en rad till och")
    assert choices[4] == (4, "5: en rad till")
    assert len(choices) == 7
