"""Three-way, word-level merge of a suggested paragraph into the working draft's paragraph.

Three texts of one paragraph: *base*, the text the suggestion was made on; *proposal*, the
whole paragraph the member suggested; *current*, the paragraph in the working draft now. The
proposal's changes against the base are listed one by one (:class:`Change`), so the editor takes
or leaves each, as with Word's accept and reject. A change is

- **clean** when it touches nothing the draft changed since the base: it goes into the current
  text where its words stand, even when other sentences of the paragraph changed meanwhile;
- **already** in the draft, when the draft made the same change;
- in **conflict** when it overlaps or touches one of the draft's own edits (in the base's
  coordinates; two insertions at one point conflict unless they are the same). Touching
  changes and edits form one :class:`Conflict`, which needs the editor's choice: the draft's
  text for that stretch or the proposal's.

The result is the current text with the taken changes put in, so the draft's own edits stay;
it only ever holds tokens of the three texts. Nothing here guesses a conflict away.

The tokens and their alignment are app.worddiff's: words (å, ä and ö included), single
punctuation marks and spaces, a token's formatting part of its identity. Pure: no models,
no request.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from app.richtext import Segment, from_segments, segments
from app.worddiff import (
    DELETE,
    EQUAL,
    INSERT,
    Stretch,
    Token,
    WordOp,
    align,
    diff_runs,
    is_blank,
    join_runs,
    stretches,
    token_ops,
    tokenize,
)

CLEAN = "clean"
ALREADY = "already"
CONFLICT = "conflict"

# An editor's choice for a conflict: keep the draft's text of that stretch, or take the proposal's.
DRAFT = "draft"
PROPOSAL = "proposal"
CHOICES = (DRAFT, PROPOSAL)

# A piece of the alignment of the base with another text.
_EQUAL, _CHANGE, _BLANK = "equal", "change", "blank"

# Words of context shown on each side of a change in the list of changes.
CONTEXT_WORDS = 4


class Unresolved(ValueError):
    """The editor has not chosen for every conflict: there is no result yet."""

    def __init__(self, numbers: list[int]):
        super().__init__(f"unresolved conflicts: {numbers}")
        self.numbers = numbers


@dataclass(frozen=True, slots=True)
class _Piece:
    """base[b0:b1] against other[o0:o1]: equal (token for token), a change, or spacing only."""

    b0: int
    b1: int
    o0: int
    o1: int
    kind: str


@dataclass(frozen=True, slots=True)
class Change:
    """One change of the proposal against the base, numbered from 1 in reading order."""

    number: int
    state: str  # CLEAN, ALREADY or CONFLICT
    old: tuple[Token, ...]  # the base's words it replaces (none for an insertion)
    new: tuple[Token, ...]  # the proposal's words (none for a deletion)
    conflict: int | None  # the number of its conflict
    start: int  # where it stands in the current text (clean and already changes)
    end: int


@dataclass(frozen=True, slots=True)
class Conflict:
    """A stretch where the proposal's changes meet the draft's edits: the editor chooses."""

    number: int
    changes: tuple[int, ...]  # the numbers of the proposal's changes in it
    base: tuple[Token, ...]  # the stretch as it was (made on)
    draft: tuple[Token, ...]  # as the draft has it now
    proposal: tuple[Token, ...]  # as the proposal has it
    start: int  # the stretch in the current text
    end: int


@dataclass(frozen=True, slots=True)
class Part:
    """A stretch of the preview: unchanged text, a change or a conflict, with the ops of each way
    it can go (*options*, by name) and the one the editor's choices give (*active*)."""

    kind: str  # "text", "change" or "conflict"
    number: int | None
    options: dict[str, list[WordOp]]
    active: str


def _pieces(base_keys: list[str], other_keys: list[str], aligned: list[Stretch]) -> list[_Piece]:
    out = []
    for s in stretches(base_keys, other_keys, fold_blank=False, aligned=aligned):
        if s.equal:
            kind = _EQUAL
        elif is_blank(base_keys[s.i1 : s.i2]) and is_blank(other_keys[s.j1 : s.j2]):
            kind = _BLANK
        else:
            kind = _CHANGE
        out.append(_Piece(s.i1, s.i2, s.j1, s.j2, kind))
    return out


def _touches(a0: int, a1: int, edit: _Piece) -> bool:
    """Whether the base range [a0, a1) overlaps or touches *edit*, a draft edit.

    A change of spacing alone (a space before a comma dropped) only counts when the range covers
    it: it never stands between two words, so merging beside it cannot glue or split them.
    """
    b0, b1 = edit.b0, edit.b1
    if edit.kind == _BLANK:
        if a0 == a1:
            return b0 < a0 < b1
        if b0 == b1:
            return a0 < b0 < a1
        return a0 < b1 and b0 < a1
    return a0 <= b1 and b0 <= a1


def _locate(pieces: list[_Piece], position: int) -> int:
    """The other text's position for base *position*, which no edit covers."""
    for piece in pieces:
        if piece.kind == _EQUAL and piece.b0 <= position <= piece.b1:
            return piece.o0 + position - piece.b0
    for piece in pieces:
        if piece.b0 == position:
            return piece.o0
        if piece.b1 == position:
            return piece.o1
    return 0


def _span(pieces: list[_Piece], r0: int, r1: int, members: Iterable[int]) -> tuple[int, int]:
    """The other text's range for the base range [r0, r1) with the edits *members* (piece indexes).

    Equal pieces count where they overlap the range; edits at its edges that are not members
    stay outside it, so taking the stretch never swallows a neighbouring edit.
    """
    lo: int | None = None
    hi: int | None = None
    for index in members:
        piece = pieces[index]
        lo = piece.o0 if lo is None else min(lo, piece.o0)
        hi = piece.o1 if hi is None else max(hi, piece.o1)
    for piece in pieces:
        if piece.kind != _EQUAL or piece.b0 >= r1 or piece.b1 <= r0:
            continue
        start = piece.o0 + max(piece.b0, r0) - piece.b0
        end = piece.o0 + min(piece.b1, r1) - piece.b0
        lo = start if lo is None else min(lo, start)
        hi = end if hi is None else max(hi, end)
    if lo is None or hi is None:
        lo = hi = _locate(pieces, r0)
    return lo, hi


def _is_word(token: Token) -> bool:
    return token[0][0].isalnum() or token[0][0] == "_"


def _words(tokens: Iterable[Token], count: int, from_end: bool) -> list[Token]:
    """Up to *count* words (with what lies between them) from one end of *tokens*."""
    tokens = list(tokens)
    seq = reversed(tokens) if from_end else iter(tokens)
    out: list[Token] = []
    words = 0
    for token in seq:
        if _is_word(token):
            if words == count:
                break
            words += 1
        out.append(token)
    # The outer edge is a word, not a space (nor, before a change, the previous sentence's full stop).
    while out and (out[-1][0].isspace() or (from_end and not _is_word(out[-1]))):
        out.pop()
    if from_end:
        out.reverse()
    return out


def _coalesce(ops: Iterable[WordOp]) -> list[WordOp]:
    """Join neighbouring ops of one tag (and the runs where they meet, if formatted alike)."""
    out: list[WordOp] = []
    for tag, runs in ops:
        if not runs:
            continue
        if out and out[-1][0] == tag:
            joined = list(out[-1][1])
            if joined[-1].marks() == runs[0].marks():
                last = joined.pop()
                joined.append(Segment(last.text + runs[0].text, *last.marks()))
                joined.extend(runs[1:])
            else:
                joined.extend(runs)
            out[-1] = (tag, joined)
        else:
            out.append((tag, list(runs)))
    return out


def _replaced(old: Iterable[Token], new: Iterable[Token]) -> list[WordOp]:
    return _coalesce([(DELETE, join_runs(list(old))), (INSERT, join_runs(list(new)))])


def _equal(tokens: Iterable[Token]) -> list[WordOp]:
    return _coalesce([(EQUAL, join_runs(list(tokens)))])


class Merge:
    """The three-way merge of one suggestion: its changes, its conflicts, and the result of taking some."""

    def __init__(self, base: str, proposal: str, current: str):
        # Each distinct text read once: most drafts still hold the text a suggestion was made on.
        read: dict[str, tuple[list[Token], list[str]]] = {}
        for text in (base, proposal, current):
            if text not in read:
                read[text] = tokenize(segments(text))
        self.base_tokens, base_keys = read[base]
        self.proposal_tokens, proposal_keys = read[proposal]
        self.current_tokens, current_keys = read[current]
        self._keys = (base_keys, proposal_keys, current_keys)
        # Each alignment computed once: the merge's pieces and the pages' word diffs both use it.
        self._aligned = (align(base_keys, proposal_keys), align(base_keys, current_keys))
        self._proposed = _pieces(base_keys, proposal_keys, self._aligned[0])
        self._drafted = _pieces(base_keys, current_keys, self._aligned[1])
        edits = [i for i, p in enumerate(self._drafted) if p.kind != _EQUAL]
        edit_ends = [self._drafted[i].b1 for i in edits]

        # Each change of the proposal, with the draft's edits it overlaps or touches.
        found: list[tuple[int, str, list[int]]] = []
        for index, piece in enumerate(self._proposed):
            if piece.kind != _CHANGE:
                continue
            touching = []
            # Edits are disjoint and in order: start at the first that ends at or after the change.
            for k in range(bisect_left(edit_ends, piece.b0), len(edits)):
                edit = self._drafted[edits[k]]
                if edit.b0 > piece.b1:
                    break
                if _touches(piece.b0, piece.b1, edit):
                    touching.append(edits[k])
            found.append((index, self._state(piece, touching, proposal_keys, current_keys), touching))

        # Conflicting changes and the edits they touch, joined where they overlap or meet.
        groups: list[list] = []  # [start, end, change positions in found, edit indexes]
        for position, (index, state, touching) in enumerate(found):
            if state != CONFLICT:
                continue
            piece = self._proposed[index]
            start = min([piece.b0] + [self._drafted[i].b0 for i in touching])
            end = max([piece.b1] + [self._drafted[i].b1 for i in touching])
            if groups and start <= groups[-1][1]:
                group = groups[-1]
                group[0], group[1] = min(group[0], start), max(group[1], end)
                group[2].append(position)
                group[3].update(touching)
            else:
                groups.append([start, end, [position], set(touching)])

        conflict_of: dict[int, int] = {}
        self.conflicts: list[Conflict] = []
        for number, (start, end, positions, touching) in enumerate(groups, start=1):
            c0, c1 = _span(self._drafted, start, end, touching)
            p0, p1 = _span(self._proposed, start, end, [found[p][0] for p in positions])
            for p in positions:
                conflict_of[p] = number
            self.conflicts.append(
                Conflict(
                    number=number,
                    changes=tuple(p + 1 for p in positions),
                    base=tuple(self.base_tokens[start:end]),
                    draft=tuple(self.current_tokens[c0:c1]),
                    proposal=tuple(self.proposal_tokens[p0:p1]),
                    start=c0,
                    end=c1,
                )
            )

        self.changes: list[Change] = []
        for position, (index, state, touching) in enumerate(found):
            piece = self._proposed[index]
            if state == CONFLICT:
                c0 = c1 = -1
            else:
                c0, c1 = _span(self._drafted, piece.b0, piece.b1, touching)
            self.changes.append(
                Change(
                    number=position + 1,
                    state=state,
                    old=tuple(self.base_tokens[piece.b0 : piece.b1]),
                    new=tuple(self.proposal_tokens[piece.o0 : piece.o1]),
                    conflict=conflict_of.get(position),
                    start=c0,
                    end=c1,
                )
            )

    def _state(self, piece: _Piece, touching: list[int], proposal_keys, current_keys) -> str:
        if not touching:
            return CLEAN
        edits = [self._drafted[i] for i in touching]
        if all(piece.b0 <= e.b0 and e.b1 <= piece.b1 for e in edits):
            # The draft changed only inside this change's words: the same change, or another?
            c0, c1 = _span(self._drafted, piece.b0, piece.b1, touching)
            if current_keys[c0:c1] == proposal_keys[piece.o0 : piece.o1]:
                return ALREADY
        return CONFLICT

    def proposal_ops(self) -> list[WordOp]:
        """The suggestion's word diff against the text it was made on, as :func:`word_ops` gives it."""
        base_keys, proposal_keys, _current = self._keys
        return token_ops(self.base_tokens, base_keys, self.proposal_tokens, proposal_keys, self._aligned[0])

    def draft_ops(self) -> list[WordOp]:
        """The draft's changes since the text the suggestion was made on, as word ops."""
        base_keys, _proposal, current_keys = self._keys
        return token_ops(self.base_tokens, base_keys, self.current_tokens, current_keys, self._aligned[1])

    # ----------------------------------------------------------------- what the editor may take

    @cached_property
    def takeable(self) -> list[Change]:
        """The changes the editor decides on (not those the draft already has)."""
        return [c for c in self.changes if c.state != ALREADY]

    @property
    def clean(self) -> bool:
        """Whether every change can be taken without a choice (no conflicts)."""
        return not self.conflicts

    @property
    def everything(self) -> tuple[list[int], dict[int, str]]:
        """The choices that take every change (the proposal's text in every conflict)."""
        return [c.number for c in self.changes], dict.fromkeys((c.number for c in self.conflicts), PROPOSAL)

    def taken_and_left(self, taken: Iterable[int], choices: Mapping[int, str]) -> tuple[list[int], list[int]]:
        """The numbers of the changes taken and left by these choices (already-made ones in neither)."""
        taken = set(taken)
        took, left = [], []
        for change in self.takeable:
            if change.state == CONFLICT:
                chosen = choices.get(change.conflict) == PROPOSAL
            else:
                chosen = change.number in taken
            (took if chosen else left).append(change.number)
        return took, left

    def _check(self, choices: Mapping[int, str]) -> None:
        missing = [c.number for c in self.conflicts if choices.get(c.number) not in CHOICES]
        if missing:
            raise Unresolved(missing)

    def _replacements(self, taken: Iterable[int], choices: Mapping[int, str]):
        """(start, end, new tokens, conflict or None) in the current text, in order."""
        self._check(choices)
        taken = set(taken)
        out = []
        for change in self.changes:
            if change.state == CLEAN and change.number in taken:
                out.append((change.start, change.end, change.new, None))
        for conflict in self.conflicts:
            if choices[conflict.number] == PROPOSAL:
                out.append((conflict.start, conflict.end, conflict.proposal, conflict))
        out.sort(key=lambda r: (r[0], r[1]))
        return out

    # ----------------------------------------------------------------- the result

    def result_tokens(
        self, taken: Iterable[int] = (), choices: Mapping[int, str] | None = None
    ) -> list[Token]:
        """The current text with the *taken* clean changes and the conflicts as *choices* says.

        :class:`Unresolved` when a conflict has no choice.
        """
        out: list[Token] = []
        at = 0
        for start, end, new, _conflict in self._replacements(taken, choices or {}):
            out.extend(self.current_tokens[at:start])
            out.extend(new)
            at = end
        out.extend(self.current_tokens[at:])
        return out

    def result(self, taken: Iterable[int] = (), choices: Mapping[int, str] | None = None) -> str:
        """The merged paragraph as stored rich text (see :meth:`result_tokens`)."""
        return from_segments(join_runs(self.result_tokens(taken, choices)))

    def ops(self, taken: Iterable[int] = (), choices: Mapping[int, str] | None = None) -> list[WordOp]:
        """Word ops from the current text to the result (app.worddiff's format, for render_ops_html)."""
        ops: list[WordOp] = []
        at = 0
        for start, end, new, conflict in self._replacements(taken, choices or {}):
            ops.append((EQUAL, join_runs(self.current_tokens[at:start])))
            old = self.current_tokens[start:end]
            if conflict is None:
                ops.extend(_replaced(old, new))
            else:
                ops.extend(diff_runs(join_runs(old), join_runs(list(new))))
            at = end
        ops.append((EQUAL, join_runs(self.current_tokens[at:])))
        return _coalesce(ops)

    # ----------------------------------------------------------------- what the editor sees

    def parts(self, taken: Iterable[int] = (), choices: Mapping[int, str] | None = None) -> list[Part]:
        """The preview in stretches, each with every way it can go, so a page can switch them.

        A change's options: "taken" (struck and underlined) and "left" (the draft's text). A
        conflict's: "open" (the draft's text, no choice yet), "draft" and "proposal".
        """
        taken = set(taken)
        choices = choices or {}
        slots = []
        for change in self.changes:
            if change.state == CLEAN:
                slots.append((change.start, change.end, "change", change))
        for conflict in self.conflicts:
            slots.append((conflict.start, conflict.end, "conflict", conflict))
        slots.sort(key=lambda s: (s[0], s[1]))
        parts: list[Part] = []
        at = 0
        for start, end, kind, item in slots:
            if start > at:
                parts.append(Part("text", None, {"text": _equal(self.current_tokens[at:start])}, "text"))
            old = self.current_tokens[start:end]
            if kind == "change":
                options = {"taken": _replaced(old, item.new), "left": _equal(old)}
                active = "taken" if item.number in taken else "left"
            else:
                options = {
                    "open": _equal(old),
                    DRAFT: _equal(old),
                    PROPOSAL: _coalesce(diff_runs(join_runs(old), join_runs(list(item.proposal)))),
                }
                active = choices.get(item.number) if choices.get(item.number) in CHOICES else "open"
            parts.append(Part(kind, item.number, options, active))
            at = max(at, end)
        if at < len(self.current_tokens):
            parts.append(Part("text", None, {"text": _equal(self.current_tokens[at:])}, "text"))
        return parts

    def change_ops(self, change: Change) -> list[WordOp]:
        """A change on its own, with a few words of the draft's text around it (for the list)."""
        if change.state == CONFLICT:
            before: list[Token] = []
            after: list[Token] = []
        else:
            before = _words(self.current_tokens[: change.start], CONTEXT_WORDS, from_end=True)
            after = _words(self.current_tokens[change.end :], CONTEXT_WORDS, from_end=False)
        return _coalesce(
            [(EQUAL, join_runs(before)), *_replaced(change.old, change.new), (EQUAL, join_runs(after))]
        )

    def conflict_context(self, conflict: Conflict) -> tuple[list[Token], list[Token]]:
        """A few words of the draft's text before and after a conflict."""
        return (
            _words(self.current_tokens[: conflict.start], CONTEXT_WORDS, from_end=True),
            _words(self.current_tokens[conflict.end :], CONTEXT_WORDS, from_end=False),
        )


def merge(base: str | None, proposal: str, current: str) -> Merge:
    """The three-way merge of *proposal* (made on *base*) into *current*; all stored rich text.

    Without a base (a suggestion whose paragraph text was not kept) the current text stands in
    for it: every change of the proposal is then shown against the draft as it is.
    """
    return Merge(current if base is None else base, proposal, current)
