"""Snowball's Swedish stop list, the one PostgreSQL's swedish configuration uses (its
tsearch_data/swedish.stop, BSD licence), so a stop word is dropped on both databases alike."""

from __future__ import annotations

from pathlib import Path

STOP_WORDS = frozenset(
    line.strip() for line in (Path(__file__).with_name("swedish.stop")).read_text("utf-8").splitlines()
) - {""}


def is_stop(word: str) -> bool:
    return word in STOP_WORDS
