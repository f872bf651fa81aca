"""Reading a search: the query as typed, parsed once, then asked of each database in its own way."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from app.search.text import MAX_WORD, STOP_PLACEHOLDER, WORD, is_stop, key, query_keys, word_keys, words

MAX_LENGTH = 500
MAX_TERMS = 12


class QueryError(ValueError):
    """A query that cannot be searched; *code* picks the message (app.search.views.MESSAGES)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Query:
    """Words that must all occur (any order) and phrases that must occur as written.

    A phrase holds None where a stop word stood: the word may be any word there, as on
    PostgreSQL, whose phrase search counts a dropped stop word as one position.
    """

    words: tuple[str, ...]
    phrases: tuple[tuple[str | None, ...], ...] = field(default_factory=tuple)

    @property
    def keys(self) -> frozenset[str]:
        """The keys to mark in snippets."""
        found = {k for w in self.words for k in query_keys(w)}
        for phrase in self.phrases:
            found.update(key(w) for w in phrase if w)
        return frozenset(found)

    def fts5(self, names: bool = True) -> str:
        """The SQLite FTS5 expression: every term a quoted string of keys, so no syntax gets through.

        A word is any of its keys (query_keys) in the text's stems or its words' lemmas and parts
        (``parts``); a phrase is the words' stems in a row in the text (``terms``). *names* adds
        the author's name (``name_terms``) to both.
        """
        names_column = " name_terms" if names else ""
        parts = []
        for w in self.words:
            anyof = " OR ".join(f'"{k}"' for k in query_keys(w))
            parts.append(f"{{terms{names_column} parts}} : ({anyof})")
        for phrase in self.phrases:
            written = " ".join(key(w) if w else STOP_PLACEHOLDER for w in phrase)
            parts.append(f'{{terms{names_column}}} : "{written}"')
        return " AND ".join(parts)

    def tsquery(self, names: bool = True) -> str:
        """The text for PostgreSQL's ``to_tsquery('simple', …)``: the same keys as :meth:`fts5`.

        The keys are worked out here (the ``simple`` configuration takes them as they are), so both
        databases look for the same ones. Weights: A the text's stems, B the author's name, C the
        lemmas and parts; a word may match A or C (and B with *names*), a phrase A (or B).
        Keys hold only letters and digits, so quoting them is enough.
        """
        word_weight = "" if names else ":AC"
        phrase_weight = ":AB" if names else ":A"
        parts = []
        for w in self.words:
            keys = [f"'{k}'{word_weight}" for k in query_keys(w)]
            parts.append(keys[0] if len(keys) == 1 else "(" + " | ".join(keys) + ")")
        for phrase in self.phrases:
            out, gap = f"'{key(phrase[0])}'{phrase_weight}", 1
            for w in phrase[1:]:
                if w is None:
                    gap += 1
                    continue
                out += f" <{gap}> '{key(w)}'{phrase_weight}"
                gap = 1
            parts.append(f"({out})")
        return " & ".join(parts)


def parse(raw: str | None) -> Query:
    """*raw* as a Query, or QueryError: nothing to search, too long, control characters, only stop words."""
    raw = raw or ""
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in raw):
        raise QueryError("invalid")
    text = raw.strip()
    if not text:
        raise QueryError("empty")
    if len(text) > MAX_LENGTH:
        raise QueryError("too_long")
    loose: list[str] = []
    phrases: list[tuple[str | None, ...]] = []
    # Text between double quotes is a phrase; an unclosed quote runs to the end.
    for index, part in enumerate(text.split('"')):
        found = words(part)
        if index % 2 == 0:
            loose.extend(found)
            continue
        phrase = [None if is_stop(w) else w for w in found]
        while phrase and phrase[0] is None:
            phrase.pop(0)
        while phrase and phrase[-1] is None:
            phrase.pop()
        if len(phrase) == 1:
            loose.append(phrase[0])
        elif phrase and tuple(phrase) not in phrases:
            phrases.append(tuple(phrase))
    seen: list[str] = []
    for w in loose:
        if not is_stop(w) and w not in seen:
            seen.append(w)
    if not seen and not phrases:
        raise QueryError("stop_words" if words(text) else "no_words")
    if len(seen) + sum(len(p) for p in phrases) > MAX_TERMS:
        raise QueryError("too_many")
    return Query(tuple(seen), tuple(phrases))


def snippet(text: str, keys: frozenset[str], size: int = 36, before: int = 10) -> Markup:
    """A window of *text* around its first match, every match in ``<mark>``; all of it escaped."""
    text = unicodedata.normalize("NFC", text or "")
    tokens = list(WORD.finditer(text))
    if not tokens:
        return Markup(escape(text[:240]))  # noqa: S704  (escaped)
    hits = [
        i
        for i, m in enumerate(tokens)
        if len(m.group()) <= MAX_WORD and not keys.isdisjoint(word_keys(m.group().lower()))
    ]
    start = max(0, (hits[0] if hits else 0) - before)
    end = min(len(tokens), start + size)
    # The window's text escaped in as few pieces as there are matches (a page holds 20 to 40
    # snippets): from the first word shown, or the start, to the last word shown, or the end.
    position = tokens[start].start() if start > 0 else 0
    out = [escape("… ")] if start > 0 else []
    for i in hits:
        if start <= i < end:
            match = tokens[i]
            out.append(escape(text[position : match.start()]))
            out.append(Markup("<mark>%s</mark>") % match.group())
            position = match.end()
    if end < len(tokens):
        out.append(escape(text[position : tokens[end - 1].end()]))
        out.append(escape(" …"))
    else:
        out.append(escape(text[position:]))
    return Markup("").join(out)
