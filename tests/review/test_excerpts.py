"""Excerpts around a quote: the quote whole, its surroundings cut at word boundaries."""

from __future__ import annotations

from app.review.excerpts import ELLIPSIS, Excerpt, excerpt

TEXT = "Myndigheter bör välja en licens som är enkel att förstå och använda i alla sammanhang."


def test_quote_at_its_offset_with_the_words_around_it():
    start = TEXT.index("enkel")
    assert excerpt(TEXT, "enkel att förstå", start) == Excerpt(
        "Myndigheter bör välja en licens som är ", "enkel att förstå", " och använda i alla sammanhang."
    )


def test_long_surroundings_are_cut_at_a_space():
    text = "ord " * 100 + "citat" + " slut" * 100
    result = excerpt(text, "citat", None, width=20)
    assert result.quote == "citat"
    assert result.before.startswith(ELLIPSIS) and len(result.before) <= 21
    assert result.after.endswith("slut" + ELLIPSIS)


def test_a_quote_no_longer_in_the_text_gives_the_opening():
    assert excerpt(TEXT, "finns inte", 3) == Excerpt("", "", TEXT)
    assert excerpt("a  b\n c") == Excerpt("", "", "a b c")
