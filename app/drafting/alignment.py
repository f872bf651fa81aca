"""Align a new list of blocks (an imported draft) with the previous version's blocks.

Every new block either keeps the uid of an old block (and so its comments) or is new;
each old uid is used at most once and the ones not used are removed. The method
(decisions.md):

1. ``difflib.SequenceMatcher`` over normalised texts (plain text, casefolded, words
   only): equal runs keep their uids in place.
2. Inside each replaced run, old and new blocks are paired in order by similarity: the
   pairing of greatest total similarity among candidate pairs scoring at least
   :data:`PAIR_MIN` (a sparse longest-chain search). Candidates are all pairs of a small
   run, else a band around the run's diagonal plus pairs sharing rare words, so an
   all-edited 2,000-block draft costs O(n) similarity calls, not O(n²).
3. A paragraph split in two keeps its uid on the first part, and two paragraphs merged
   into one keep the first one's uid: detected when joining a block with its unpaired
   neighbour brings it closer to the other side's text.
4. Blocks still unmatched are paired across the whole document as moves: an identical
   text first, then a similarity of at least :data:`MOVE_MIN` (candidates found through
   an index of each block's rarest words, capped per block).

Similarity is the Indel ratio over word sequences (each word becomes one character so
rapidfuzz compares words, not letters: unrelated prose in one language shares many
letters but few word sequences); for short blocks (headings, list items) the
character ratio is taken when higher, so "Syfte" → "Syftet" still matches.
Matches scoring below :data:`CONFIRM` are ``low_confidence``: the editor confirms them.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Protocol

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

PAIR_MIN = 0.5
MOVE_MIN = 0.8
CONFIRM = 0.8
SPLIT_GAIN = 0.005
SHORT_WORDS = 6
BAND = 5
FULL_RUN_PAIRS = 2500
MAX_CANDIDATES = 8
MAX_POSTING = 64
MAX_DUPLICATES = 16

STATUSES = ("unchanged", "edited", "moved", "moved+edited", "new")

_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")


class BlockLike(Protocol):
    """Anything with a block's kind, level and rich-text html."""

    @property
    def kind(self) -> str: ...

    @property
    def level(self) -> int: ...

    @property
    def text(self) -> str: ...


class OldBlockLike(BlockLike, Protocol):
    """A block of the previous version: a block with its uid."""

    @property
    def uid(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OldBlock:
    """A block of the previous version, with its stable uid."""

    uid: str
    kind: str
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """What became of one new block.

    ``reason`` says how it was paired: "equal" (same normalised text in place),
    "similar" (edited in place), "split", "merge", "move", or "new".
    """

    index: int
    uid: str | None
    status: str
    score: float
    old_index: int | None
    reason: str

    @property
    def low_confidence(self) -> bool:
        """True when the pairing is uncertain and an editor should confirm it."""
        return self.uid is not None and self.status != "unchanged" and self.score < CONFIRM


@dataclass(frozen=True)
class Alignment:
    """The result of :func:`align`: one :class:`Match` per new block, and removed uids."""

    matches: list[Match]
    removed: list[str]

    @property
    def uids(self) -> list[str | None]:
        """The uid each new block keeps (None for a new block)."""
        return [m.uid for m in self.matches]

    @property
    def statuses(self) -> list[str]:
        """The status of each new block (one of :data:`STATUSES`)."""
        return [m.status for m in self.matches]

    @property
    def low_confidence(self) -> list[Match]:
        """Matches an editor must confirm side by side."""
        return [m for m in self.matches if m.low_confidence]

    @property
    def counts(self) -> dict[str, int]:
        """Number of new blocks per status, plus "removed" old blocks."""
        counts = dict.fromkeys(STATUSES, 0)
        for m in self.matches:
            counts[m.status] += 1
        counts["removed"] = len(self.removed)
        return counts


@dataclass(slots=True)
class _Prep:
    plain: str
    key: str
    words: list[str]
    chars: str  # one character per word, for word-level ratios


class _Vocabulary:
    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def prepare(self, block: BlockLike) -> _Prep:
        # Stored text is sanitised inline html (only strong/em/a, attributes escaped), so
        # stripping tags is exact here, and far cheaper than an HTML parser per block.
        raw = _TAG.sub("", block.text or "")
        text = _SPACE.sub(" ", html.unescape(raw) if "&" in raw else raw).strip()
        folded = text.casefold()
        words = _WORD.findall(folded)
        key = " ".join(words) or " ".join(folded.split())
        codes = self.codes
        for w in words:
            if w not in codes:
                # Supplementary-plane code points: no surrogates, room for a million words.
                codes[w] = chr(0x10000 + len(codes))
        return _Prep(text, key, words, "".join(map(codes.__getitem__, words)))


class _Aligner:
    def __init__(self, old: Sequence[OldBlockLike], new: Sequence[BlockLike]) -> None:
        vocab = _Vocabulary()
        self.old_blocks, self.new_blocks = old, new
        self.old = [vocab.prepare(b) for b in old]
        self.new = [vocab.prepare(b) for b in new]
        self.old_for: dict[int, int] = {}  # new index -> old index
        self.new_for: dict[int, int] = {}  # old index -> new index
        self.reason: dict[int, str] = {}
        self.score: dict[int, float] = {}
        self._sims: dict[tuple[int, int], float] = {}
        self._rare: dict[int, list[int]] | None = None
        self._free_old: list[int] = []
        self._free_new: list[int] = []
        # The second part of a split stays new and the second of a merge stays removed,
        # even if a move would otherwise pair them.
        self._settled_new: set[int] = set()
        self._settled_old: set[int] = set()

    # -- similarity ------------------------------------------------------------

    def sim(self, i: int, j: int) -> float:
        """Similarity (0..1) of old block i and new block j, cached."""
        pair = (i, j)
        value = self._sims.get(pair)
        if value is None:
            value = _similarity(self.old[i], self.new[j])
            self._sims[pair] = value
        return value

    def candidates(self, j: int) -> list[int]:
        """Old blocks sharing one of new block j's rarest words (prefix filter for MOVE_MIN)."""
        if self._rare is None:
            self._rare = self._build_index()
        return self._rare.get(j, [])

    def _build_index(self) -> dict[int, list[int]]:
        def tokens(prep: _Prep) -> list[tuple[str, int]]:
            seen: dict[str, int] = {}
            out = []
            for w in prep.words:
                seen[w] = n = seen.get(w, 0) + 1
                out.append((w, n))  # repeated words as distinct tokens: multiset overlap
            return out

        old_tokens = {i: tokens(self.old[i]) for i in self._free_old}
        new_tokens = {j: tokens(self.new[j]) for j in self._free_new}
        freq: Counter[tuple[str, int]] = Counter()
        for toks in (*old_tokens.values(), *new_tokens.values()):
            freq.update(toks)
        share = MOVE_MIN / (2 - MOVE_MIN)

        def prefix(toks: list[tuple[str, int]]) -> list[tuple[str, int]]:
            # Indel >= t implies a Dice overlap >= t, so two blocks that similar share one
            # of the rarest |x| - ceil(t|x|/(2-t)) + 1 tokens of each (prefix filtering).
            keep = len(toks) - math.ceil(share * len(toks)) + 1
            return sorted(toks, key=lambda t: (freq[t], t))[: max(keep, 1)]

        postings: dict[tuple[str, int], list[int]] = defaultdict(list)
        for i, toks in old_tokens.items():
            for tok in prefix(toks):
                postings[tok].append(i)
        found: dict[int, list[int]] = {}
        for j, toks in new_tokens.items():
            hits: Counter[int] = Counter()
            for tok in prefix(toks):
                posting = postings.get(tok)
                # A "rare" token shared by very many blocks says little and costs much.
                if posting and len(posting) <= MAX_POSTING:
                    hits.update(posting)
            if hits:
                found[j] = [i for i, _ in hits.most_common(MAX_CANDIDATES)]
        return found

    # -- steps -------------------------------------------------------------------

    def pair(self, i: int, j: int, reason: str, score: float) -> None:
        self.old_for[j] = i
        self.new_for[i] = j
        self.reason[j] = reason
        self.score[j] = score

    def unpair(self, j: int) -> None:
        i = self.old_for.pop(j)
        del self.new_for[i]
        self.reason.pop(j, None)
        self.score.pop(j, None)

    def run(self) -> Alignment:
        matcher = SequenceMatcher(None, _unique_keys(self.old), _unique_keys(self.new), autojunk=False)
        runs = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    self.pair(i, j, "equal", self._equal_score(i, j))
            elif tag == "replace":
                runs.append((i1, i2, j1, j2))
        # Only blocks outside equal runs can pair otherwise: index just those.
        self._free_old = [i for i in range(len(self.old)) if i not in self.new_for]
        self._free_new = [j for j in range(len(self.new)) if j not in self.old_for]
        for i1, i2, j1, j2 in runs:
            self._pair_run(i1, i2, j1, j2)
        self._splits()
        self._merges()
        self._moves()
        return self._result()

    def _equal_score(self, i: int, j: int) -> float:
        if self.old[i].plain == self.new[j].plain:
            return 1.0
        return fuzz.ratio(self.old[i].plain, self.new[j].plain) / 100

    def _pair_run(self, i1: int, i2: int, j1: int, j2: int) -> None:
        a, b = i2 - i1, j2 - j1
        pairs: set[tuple[int, int]] = set()
        if a * b <= FULL_RUN_PAIRS:
            pairs = {(i, j) for i in range(i1, i2) for j in range(j1, j2)}
        else:
            for j in range(j1, j2):
                centre = i1 + (j - j1) * a // b
                for i in range(max(i1, centre - BAND), min(i2, centre + BAND + 1)):
                    pairs.add((i, j))
                pairs.update((i, j) for i in self.candidates(j) if i1 <= i < i2)
        scored = []
        for i, j in pairs:
            score = self.sim(i, j)
            if score >= PAIR_MIN:
                scored.append((i, j, score))
        for i, j, score in _best_chain(scored):
            self.pair(i, j, "similar", score)

    def _splits(self) -> None:
        """A new block right next to the part of a paragraph that kept its uid may be the rest."""
        for j in range(len(self.new)):
            if j in self.old_for:
                continue
            before = self.old_for.get(j - 1)
            if before is not None and self._split_gain(before, j - 1, j - 1, j):
                self.reason[j - 1] = "split"
                self.score[j - 1] = self._joined_new_score(before, j - 1, j)
                self._settled_new.add(j)
                continue
            after = self.old_for.get(j + 1)
            if after is not None and self._split_gain(after, j + 1, j, j + 1):
                score = self._joined_new_score(after, j, j + 1)
                self.unpair(j + 1)
                self.pair(after, j, "split", score)  # the first part keeps the uid
                self._settled_new.add(j + 1)

    def _split_gain(self, i: int, kept: int, first: int, second: int) -> bool:
        # Joining the neighbour raises an Indel ratio r only if more than r/2 of its
        # words continue the old text in order: the rest of a split paragraph does,
        # a new paragraph written next to an edited one does not.
        if self.old[i].key == self.new[kept].key:
            return False
        return self._joined_new_score(i, first, second) > self.sim(i, kept) + SPLIT_GAIN

    def _joined_new_score(self, i: int, first: int, second: int) -> float:
        return _similarity(self.old[i], _join(self.new[first], self.new[second]))

    def _merges(self) -> None:
        """An old block removed right next to one that kept its place may have been merged."""
        for i in range(len(self.old)):
            if i in self.new_for:
                continue
            after = self.new_for.get(i + 1)
            if after is not None and self._merge_gain(i + 1, i, i + 1, after):
                score = self._joined_old_score(i, i + 1, after)
                self.unpair(after)
                self.pair(i, after, "merge", score)  # the first paragraph keeps its uid
                self._settled_old.add(i + 1)
                continue
            before = self.new_for.get(i - 1)
            if before is not None and self._merge_gain(i - 1, i - 1, i, before):
                self.reason[before] = "merge"
                self.score[before] = self._joined_old_score(i - 1, i, before)
                self._settled_old.add(i)

    def _merge_gain(self, kept: int, first: int, second: int, j: int) -> bool:
        if self.old[kept].key == self.new[j].key:
            return False
        return self._joined_old_score(first, second, j) > self.sim(kept, j) + SPLIT_GAIN

    def _joined_old_score(self, first: int, second: int, j: int) -> float:
        return _similarity(_join(self.old[first], self.old[second]), self.new[j])

    def _moves(self) -> None:
        free_old = [i for i in self._free_old if i not in self.new_for and i not in self._settled_old]
        if not free_old:
            return
        by_key: dict[str, list[int]] = defaultdict(list)
        for i in free_old:
            by_key[self.old[i].key].append(i)
        loose: list[int] = []
        for j in range(len(self.new)):
            if j in self.old_for or j in self._settled_new:
                continue
            same = by_key.get(self.new[j].key)
            if same:
                i = same.pop(0)
                self.pair(i, j, "move", self._equal_score(i, j))
            else:
                loose.append(j)
        found = []
        for j in loose:
            for i in self.candidates(j):
                if i not in self.new_for and i not in self._settled_old:
                    score = self.sim(i, j)
                    if score >= MOVE_MIN:
                        found.append((-score, j, i))
        for neg, j, i in sorted(found):
            if j not in self.old_for and i not in self.new_for:
                self.pair(i, j, "move", -neg)

    def _result(self) -> Alignment:
        matches = []
        for j, block in enumerate(self.new_blocks):
            i = self.old_for.get(j)
            if i is None:
                matches.append(Match(j, None, "new", 0.0, None, "new"))
                continue
            old = self.old_blocks[i]
            same = (old.kind, old.level, old.text) == (block.kind, block.level, block.text)
            reason = self.reason[j]
            if reason == "move":
                status = "moved" if same else "moved+edited"
            else:
                status = "unchanged" if same else "edited"
            score = 1.0 if same else round(self.score[j], 4)
            matches.append(Match(j, old.uid, status, score, i, reason))
        removed = [b.uid for i, b in enumerate(self.old_blocks) if i not in self.new_for]
        return Alignment(matches, removed)


def _similarity(a: _Prep, b: _Prep) -> float:
    score = Indel.normalized_similarity(a.chars, b.chars) if a.chars or b.chars else 0.0
    if min(len(a.words), len(b.words)) <= SHORT_WORDS:
        score = max(score, fuzz.ratio(a.key, b.key) / 100)
    return score


def _join(a: _Prep, b: _Prep) -> _Prep:
    return _Prep(f"{a.plain} {b.plain}", f"{a.key} {b.key}", a.words + b.words, a.chars + b.chars)


def _unique_keys(preps: list[_Prep]) -> list[str]:
    """Keys for SequenceMatcher, with very frequent ones told apart so its work stays bounded.

    A frequent text ("Ja.") is keyed with the text before it, which survives edits
    elsewhere; only if that is still frequent are the occurrences numbered.
    """
    counts = Counter(p.key for p in preps)
    keys = [
        f"{p.key}\x00{preps[k - 1].key if k else ''}" if counts[p.key] > MAX_DUPLICATES else p.key
        for k, p in enumerate(preps)
    ]
    counts = Counter(keys)
    seen: Counter[str] = Counter()
    for k, key in enumerate(keys):
        if counts[key] > MAX_DUPLICATES:
            seen[key] += 1
            keys[k] = f"{key}\x00{seen[key]}"
    return keys


def _best_chain(pairs: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The chain of pairs increasing in both indices with the greatest total score."""
    if not pairs:
        return []
    pairs.sort(key=lambda p: (p[0], -p[1]))
    base = min(p[1] for p in pairs)
    size = max(p[1] for p in pairs) - base + 2
    tree_val = [0.0] * (size + 1)
    tree_idx = [-1] * (size + 1)
    prev = [-1] * len(pairs)
    total = [0.0] * len(pairs)
    for k, (_, j, score) in enumerate(pairs):
        pos = j - base + 1
        # Best chain ending at a column left of j (Fenwick prefix maximum).
        best, best_k, x = 0.0, -1, pos - 1
        while x > 0:
            if tree_val[x] > best:
                best, best_k = tree_val[x], tree_idx[x]
            x -= x & -x
        value = best + score
        prev[k], total[k] = best_k, value
        x = pos
        while x <= size:
            if value > tree_val[x]:
                tree_val[x], tree_idx[x] = value, k
            x += x & -x
    k = max(range(len(pairs)), key=total.__getitem__)
    chain = []
    while k != -1:
        chain.append(pairs[k])
        k = prev[k]
    return chain[::-1]


def align(old: Sequence[OldBlockLike], new: Sequence[BlockLike]) -> Alignment:
    """Pair each new block with the old block whose uid it keeps (see the module notes)."""
    return _Aligner(old, new).run()
