"""Word-level diff of inline rich text: the ops, and the redline they render as.

Pure text: no models, no request. The compare view, the comments' suggested wording, the API
and the Word pack all read two rich texts as the same ops; app.merge aligns its three texts with
the same tokens and stretches.
"""

from __future__ import annotations

import html
import re
import unicodedata
from itertools import repeat

from markupsafe import Markup
from rapidfuzz.distance import Indel

from app.richtext import Segment, segments, wrap

# The contract shared with the DOCX writer: ("equal" | "insert" | "delete", runs of that
# stretch). An "equal" stretch carries the new version's formatting.
WordOp = tuple[str, list[Segment]]

EQUAL = "equal"
INSERT = "insert"
DELETE = "delete"

# Words (Unicode, so å ä ö belong to words), single punctuation marks, and runs of
# whitespace. Words are the smallest unit that can change, so a diff never splits one.
_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")
# Whitespace that is not one plain space (a tab, a thin space, two spaces).
_ODD_SPACE = re.compile(r"[^\S ]|  ")
_PLAIN_MARKS: tuple[bool, bool, str | None] = (False, False, None)

# A token is (text, marks); marks are Segment.marks() of the run it came from.
Token = tuple[str, tuple[bool, bool, str | None]]

# The key every whitespace token compares by: spacing is not content.
SPACE_KEY = " "


# --------------------------------------------------------------------------- word diff


def tokenize(runs: list[Segment]) -> tuple[list[Token], list[str]]:
    """Split runs into tokens, and the keys they compare by (shared by the diff and app.merge).

    A key is the token's text with its formatting (bolding a word is a change); every
    whitespace token has the key :data:`SPACE_KEY`.
    """
    tokens: list[Token] = []
    keys: list[str] = []
    for run in runs:
        marks = run.marks()
        # Composed and decomposed å must compare equal, and a decomposed ring
        # (a combining mark) is not a word character, so it would split words.
        text = unicodedata.normalize("NFC", run.text)
        found = _TOKEN.findall(text)
        tokens.extend(zip(found, repeat(marks, len(found)), strict=True))
        # Formatting is part of a word's identity: bolding a word is a change. Whitespace
        # compares as one space; stored text has only single spaces, so most runs' tokens are
        # their own keys (a 2,000-word paragraph is tokenised in about a millisecond).
        odd_space = _ODD_SPACE.search(text) is not None
        if marks == _PLAIN_MARKS:
            keys.extend([SPACE_KEY if tok.isspace() else tok for tok in found] if odd_space else found)
        else:
            suffix = f"\x00{run.bold:d}{run.italic:d}{run.href or ''}"
            if odd_space:
                keys.extend([SPACE_KEY if tok.isspace() else tok + suffix for tok in found])
            else:
                keys.extend([tok if tok == SPACE_KEY else tok + suffix for tok in found])
    return tokens, keys


def is_blank(keys: list[str]) -> bool:
    """Whether these keys are all whitespace (or none)."""
    return all(key == SPACE_KEY for key in keys)


class Stretch:
    """A stretch of an alignment: equal, or a change; old[i1:i2] against new[j1:j2]."""

    __slots__ = ("equal", "i1", "i2", "j1", "j2")

    def __init__(self, equal: bool, i1: int, i2: int, j1: int, j2: int) -> None:
        self.equal = equal
        self.i1, self.i2, self.j1, self.j2 = i1, i2, j1, j2

    def __repr__(self) -> str:
        return f"Stretch({self.equal}, {self.i1}, {self.i2}, {self.j1}, {self.j2})"


def _append(out: list[Stretch], stretch: Stretch) -> None:
    if out and out[-1].equal == stretch.equal:
        out[-1].i2, out[-1].j2 = stretch.i2, stretch.j2
    else:
        out.append(stretch)


def align(old_keys: list[str], new_keys: list[str]) -> list[Stretch]:
    """The raw alignment of two key lists: alternating equal and changed stretches, not cleaned up."""
    # rapidfuzz's Indel (LCS) alignment: measured 4x faster than difflib over whole
    # versions (benchmarks/bench_diff.py). LCS happily matches the lone spaces between
    # rewritten words; stretches() folds those back into one change.
    raw: list[Stretch] = []
    for tag, i1, i2, j1, j2 in Indel.opcodes(old_keys, new_keys):
        _append(raw, Stretch(tag == EQUAL, i1, i2, j1, j2))
    return raw


def stretches(
    old_keys: list[str],
    new_keys: list[str],
    *,
    fold_blank: bool = True,
    aligned: list[Stretch] | None = None,
) -> list[Stretch]:
    """Align two key lists into alternating equal and changed stretches of whole words.

    With *fold_blank* a change of spacing only (", " against " ,") counts as equal, so an equal
    stretch may then differ in its whitespace; without it, every equal stretch pairs its tokens
    one to one (what a three-way merge needs to map positions). *aligned*: the raw alignment of
    the same keys (:func:`align`), when the caller already has it.
    """
    if aligned is None:
        aligned = align(old_keys, new_keys)
    raw = [Stretch(s.equal, s.i1, s.i2, s.j1, s.j2) for s in aligned]

    merged: list[Stretch] = []
    for s in raw:
        if fold_blank and not s.equal and is_blank(old_keys[s.i1 : s.i2]) and is_blank(new_keys[s.j1 : s.j2]):
            s.equal = True
        _append(merged, s)

    # "del a | eq ' ' | del b" is noise around a shared space: one change of whole words.
    cleaned: list[Stretch] = []
    for s in merged:
        if (
            not s.equal
            and len(cleaned) >= 2
            and cleaned[-1].equal
            and is_blank(new_keys[cleaned[-1].j1 : cleaned[-1].j2])
            and not cleaned[-2].equal
        ):
            left = cleaned[-2]
            cleaned[-2:] = [Stretch(False, left.i1, s.i2, left.j1, s.j2)]
        else:
            cleaned.append(s)
    return _no_lone_spaces(cleaned, old_keys, new_keys)


def _edge(keys: list[str], start: int, end: int, *, space: bool, from_end: bool) -> int:
    """How many tokens of keys[start:end], from one end, are whitespace (*space*) or are not."""
    count = 0
    seq = range(end - 1, start - 1, -1) if from_end else range(start, end)
    for i in seq:
        if (keys[i] == SPACE_KEY) != space:
            break
        count += 1
    return count


def _no_lone_spaces(cleaned: list[Stretch], old_keys: list[str], new_keys: list[str]) -> list[Stretch]:
    """No change strikes or inserts whitespace alone against words: a redline reads as words struck
    and words inserted, never a struck space.

    A change of spaces only on one side ("del ' ' | ins ', om tillgänglighet '") keeps its spaces as
    equal text when the other side ends (or starts) with as many ("ins ', om tillgänglighet' | eq ' '").
    When it does not (a space become a hyphen), the change takes in the words on either side of it
    ("del 'e tjänst' | ins 'e-tjänst'"). Equal stretches still pair their tokens one to one when
    they did, so app.merge can map positions through them.
    """
    out = [Stretch(s.equal, s.i1, s.i2, s.j1, s.j2) for s in cleaned]
    result: list[Stretch] = []
    for index, s in enumerate(out):
        if s.i2 == s.i1 and s.j2 == s.j1:
            continue  # an equal stretch whose words a change took in
        old_blank = s.i2 > s.i1 and is_blank(old_keys[s.i1 : s.i2])
        new_blank = s.j2 > s.j1 and is_blank(new_keys[s.j1 : s.j2])
        if s.equal or old_blank == new_blank or s.i2 == s.i1 or s.j2 == s.j1:
            _append(result, s)
            continue
        if old_blank:
            blank = s.i2 - s.i1
            if _edge(new_keys, s.j1, s.j2, space=True, from_end=True) >= blank:
                # The spaces after the inserted words are the old ones, kept.
                _append(result, Stretch(False, s.i1, s.i1, s.j1, s.j2 - blank))
                _append(result, Stretch(True, s.i1, s.i2, s.j2 - blank, s.j2))
                continue
            if _edge(new_keys, s.j1, s.j2, space=True, from_end=False) >= blank:
                _append(result, Stretch(True, s.i1, s.i2, s.j1, s.j1 + blank))
                _append(result, Stretch(False, s.i2, s.i2, s.j1 + blank, s.j2))
                continue
        else:
            blank = s.j2 - s.j1
            if _edge(old_keys, s.i1, s.i2, space=True, from_end=True) >= blank:
                _append(result, Stretch(False, s.i1, s.i2 - blank, s.j1, s.j1))
                _append(result, Stretch(True, s.i2 - blank, s.i2, s.j1, s.j2))
                continue
            if _edge(old_keys, s.i1, s.i2, space=True, from_end=False) >= blank:
                _append(result, Stretch(True, s.i1, s.i1 + blank, s.j1, s.j2))
                _append(result, Stretch(False, s.i1 + blank, s.i2, s.j2, s.j2))
                continue
        # No spaces to keep (a space become a hyphen): take in the word on each side of it.
        change = Stretch(False, s.i1, s.i2, s.j1, s.j2)
        if result and result[-1].equal:
            prev = result[-1]
            take = min(
                _edge(old_keys, prev.i1, prev.i2, space=False, from_end=True),
                _edge(new_keys, prev.j1, prev.j2, space=False, from_end=True),
            )
            prev.i2 -= take
            prev.j2 -= take
            change.i1 -= take
            change.j1 -= take
            if prev.i2 == prev.i1 and prev.j2 == prev.j1:
                result.pop()
        if index + 1 < len(out) and out[index + 1].equal:
            after = out[index + 1]
            take = min(
                _edge(old_keys, after.i1, after.i2, space=False, from_end=False),
                _edge(new_keys, after.j1, after.j2, space=False, from_end=False),
            )
            after.i1 += take
            after.j1 += take
            change.i2 += take
            change.j2 += take
        _append(result, change)
    return result


def join_runs(tokens: list[Token]) -> list[Segment]:
    """Join neighbouring tokens that share their formatting into runs."""
    out: list[Segment] = []
    buf: list[str] = []
    current = _PLAIN_MARKS
    for text, marks in tokens:
        if buf and marks != current:
            out.append(Segment("".join(buf), *current))
            buf = []
        current = marks
        buf.append(text)
    if buf:
        out.append(Segment("".join(buf), *current))
    return out


def diff_runs(old_runs: list[Segment], new_runs: list[Segment]) -> list[WordOp]:
    """Word ops between two lists of formatted runs (see :func:`word_ops`)."""
    if old_runs == new_runs:
        return [(EQUAL, list(new_runs))] if new_runs else []
    return token_ops(*tokenize(old_runs), *tokenize(new_runs))


def token_ops(
    old: list[Token],
    old_keys: list[str],
    new: list[Token],
    new_keys: list[str],
    aligned: list[Stretch] | None = None,
) -> list[WordOp]:
    """Word ops between two texts already tokenised (see :func:`tokenize`; *aligned*: :func:`align`)."""
    ops: list[WordOp] = []
    for s in stretches(old_keys, new_keys, aligned=aligned):
        if s.equal:
            if s.j2 > s.j1:
                ops.append((EQUAL, join_runs(new[s.j1 : s.j2])))
            continue
        # Deleted text first, then its replacement, as a reader (and Word) expects.
        if s.i2 > s.i1:
            ops.append((DELETE, join_runs(old[s.i1 : s.i2])))
        if s.j2 > s.j1:
            ops.append((INSERT, join_runs(new[s.j1 : s.j2])))
    return ops


def word_ops(old_html: str, new_html: str) -> list[WordOp]:
    """Word-level ops turning stored rich text *old_html* into *new_html*.

    Tokens are words, punctuation marks and spaces; a token's formatting is part of it,
    so bolding a word shows as that word deleted and inserted bold. Whitespace-only
    differences give no change. Adjacent changes separated only by spaces merge into
    one stretch, so a rewritten phrase reads as one deletion and one insertion.
    """
    return diff_runs(segments(old_html), segments(new_html))


def has_changes(ops: list[WordOp]) -> bool:
    """Whether any op inserts or deletes text."""
    return any(tag != EQUAL for tag, _ in ops)


def whole_ops(rich_text: str, tag: str) -> list[WordOp]:
    """Ops showing all of *rich_text* with one tag (a block wholly added, removed or kept)."""
    runs = segments(rich_text)
    return [(tag, runs)] if runs else []


# --------------------------------------------------------------------------- rendering


def _safe(markup: str) -> Markup:
    # The one place a string becomes Markup: everything reaching it was built by
    # _runs_html, which escapes every token and every href.
    return Markup(markup)  # noqa: S704


_WRAP = {DELETE: ("<del>", "</del>"), INSERT: ("<ins>", "</ins>"), EQUAL: ("", "")}


def _runs_html(runs: list[Segment]) -> str:
    parts: list[str] = []
    for run in runs:
        # Same nesting as the reader (richtext.wrap), so the compare view matches it.
        parts.append(wrap(run, html.escape(run.text)))
    return "".join(parts)


def ops_html(ops: list[WordOp], show: tuple[str, ...]) -> str:
    """The HTML of the ops whose tag is in *show*, deletions in ``<del>``, insertions in ``<ins>``."""
    parts: list[str] = []
    for tag, runs in ops:
        if tag in show:
            start, end = _WRAP[tag]
            parts.append(f"{start}{_runs_html(runs)}{end}")
    return "".join(parts)


def render_ops_html(ops: list[WordOp]) -> Markup:
    """Inline redline: deletions in ``<del>``, insertions in ``<ins>``, all text escaped."""
    return _safe(ops_html(ops, (EQUAL, DELETE, INSERT)))


def render_side_by_side(ops: list[WordOp]) -> tuple[Markup, Markup]:
    """(old side: equal and deleted text, new side: equal and inserted text)."""
    return _safe(ops_html(ops, (EQUAL, DELETE))), _safe(ops_html(ops, (EQUAL, INSERT)))
