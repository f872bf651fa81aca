"""Swedish word forms and compounds from a Hunspell dictionary: what Snowball cannot know.

Snowball stems by rule: "hemligstämpel" and "hemligstämplar" get different stems, and a compound
such as "licensvillkoren" shares no stem with "villkor". Debian's hunspell-sv (the LibreOffice
dictionary) knows both: the lemma of a word form (``st:``) and how a compound it accepts splits
(``pa:``). It is read with libhunspell (the C library LibreOffice and Firefox use, here through
ctypes: no compiled binding to build), once per process, on first use.

:func:`analyse` gives, for one lower-case word, its **lemmas** (the dictionary forms of the word
itself: "hemligstämplar" -> hemligstämpla, hemligstämpel) and its **parts** (the lemmas of the
parts of a compound, and of the compound's tail: "standardlicensvillkor" -> standard, licens,
villkor, licensvillkor). :mod:`app.search.text` turns them into Snowball keys for the index and
the query, on both databases alike.

Precision:

* a part under :data:`MIN_PART` letters is not a part ("del" of "delalika");
* a compound the dictionary knows whole ("personuppgift", "hemligstämpel") is split only where the
  dictionary's compound flags allow it (COMPOUNDBEGIN, COMPOUNDEND, the linking-s suffixes):
  "lagförslag" is not lagför + slag, "handling" not hand + ling; a stop word begins no compound
  ("för|ordning").

Without the dictionary (or libhunspell) :func:`dictionary` is None and every word is its own
lemma with no parts: search is Snowball alone, as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from app.search.stopwords import is_stop

log = logging.getLogger(__name__)

# The dictionary's files without their suffix (.aff, .dic); REMISS_SEARCH_DICTIONARY overrides it,
# and an empty value turns the dictionary off.
DEFAULT_DICTIONARY = "/usr/share/hunspell/sv_SE"
MIN_PART = 4
# Words the dictionary knows whole are split only from this length on ("personuppgift", 13).
MIN_SPLIT = 8
MAX_ANALYSED = 60
NO_ANALYSIS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


class Hunspell:
    """A dictionary loaded by libhunspell. Calls are serialised: a handle is not thread-safe."""

    def __init__(self, base: str):
        aff, dic = Path(base + ".aff"), Path(base + ".dic")
        if not (aff.is_file() and dic.is_file()):
            raise OSError(f"no Hunspell dictionary at {base}.aff/.dic")
        name = ctypes.util.find_library("hunspell-1.7") or ctypes.util.find_library("hunspell")
        if name is None:
            raise OSError("libhunspell is not installed")
        lib = ctypes.CDLL(name)
        lib.Hunspell_create.restype = ctypes.c_void_p
        lib.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.Hunspell_destroy.argtypes = [ctypes.c_void_p]
        lib.Hunspell_get_dic_encoding.restype = ctypes.c_char_p
        lib.Hunspell_get_dic_encoding.argtypes = [ctypes.c_void_p]
        lib.Hunspell_analyze.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
            ctypes.c_char_p,
        ]
        lib.Hunspell_free_list.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
            ctypes.c_int,
        ]
        self._lib = lib
        self._handle = lib.Hunspell_create(os.fsencode(aff), os.fsencode(dic))
        if not self._handle:
            raise OSError(f"libhunspell could not load {base}")
        self.encoding = (lib.Hunspell_get_dic_encoding(self._handle) or b"UTF-8").decode("ascii")
        self._lock = threading.Lock()
        self.begins, self.ends, self.linked = _compound_flags(aff, dic, self.encoding)

    def analyze(self, word: str) -> list[str]:
        """Hunspell's morphological analyses of *word* ([] if it does not know it)."""
        try:
            encoded = word.encode(self.encoding)
        except UnicodeEncodeError:
            return []
        found = ctypes.POINTER(ctypes.c_char_p)()
        with self._lock:
            count = self._lib.Hunspell_analyze(self._handle, ctypes.byref(found), encoded)
            try:
                return [found[i].decode(self.encoding, "replace") for i in range(count)]
            finally:
                self._lib.Hunspell_free_list(self._handle, ctypes.byref(found), count)


def _compound_flags(aff: Path, dic: Path, encoding: str) -> tuple[frozenset, frozenset, frozenset]:
    """From the dictionary's own files: the words that may begin a compound, the words that may end
    one, and the words with a suffix that makes a first element of them ("upphov" + s). libhunspell
    applies these to words it does not know whole; :func:`_split_known` applies them to words it
    does."""
    begin = end = permit = None
    suffixes: dict[str, str] = {}
    for line in aff.read_text(encoding, "replace").splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] in ("COMPOUNDBEGIN", "COMPOUNDEND", "COMPOUNDPERMITFLAG"):
            flag = fields[1]
            if fields[0] == "COMPOUNDBEGIN":
                begin = flag
            elif fields[0] == "COMPOUNDEND":
                end = flag
            else:
                permit = flag
        elif len(fields) >= 4 and fields[0] == "SFX" and "/" in fields[3]:
            suffixes.setdefault(fields[1], "")
            suffixes[fields[1]] += fields[3].split("/", 1)[1]
    linking = frozenset(f for f, continuation in suffixes.items() if permit and permit in continuation)
    begins, ends, linked = set(), set(), set()
    for line in dic.read_text(encoding, "replace").splitlines()[1:]:
        word, _slash, flags = line.partition("/")
        flags = flags.split()[0] if flags.strip() else ""
        if begin and begin in flags:
            begins.add(word)
        if end and end in flags:
            ends.add(word)
        if linking.intersection(flags):
            linked.add(word)
    return frozenset(begins), frozenset(ends), frozenset(linked)


_loaded: list[Hunspell | None] = []


def dictionary() -> Hunspell | None:
    """The Swedish dictionary, loaded on first use; None where it (or libhunspell) is missing."""
    if not _loaded:
        base = os.environ.get("REMISS_SEARCH_DICTIONARY", DEFAULT_DICTIONARY)
        loaded = None
        if base:
            try:
                loaded = Hunspell(base)
            except OSError as error:
                log.warning("search: %s; Snowball stemming only (install hunspell-sv)", error)
        _loaded.append(loaded)
    return _loaded[0]


def use(hunspell: Hunspell | None) -> None:
    """Use *hunspell* from now on (None: no dictionary); for tests. Forgets what was worked out."""
    _loaded[:] = [hunspell]
    analyse.cache_clear()
    _lexical.cache_clear()


@dataclass(frozen=True)
class _Reading:
    """One analysis: the lemmas of a simple word (and the suffix flags that made it), or the
    pieces of a compound."""

    stems: list[str]
    flags: list[str]
    pieces: list[tuple[str, list[str]]]


def _readings(hunspell: Hunspell, word: str) -> list[_Reading]:
    readings = []
    for analysis in hunspell.analyze(word):
        stems: list[str] = []
        flags: list[str] = []
        pieces: list[tuple[str, list[str]]] = []
        for field in analysis.split():
            if field.startswith("pa:"):
                pieces.append((field[3:], []))
            elif field.startswith("st:"):
                (pieces[-1][1] if pieces else stems).append(field[3:])
            elif field.startswith("fl:") and not pieces:
                flags.append(field[3:])
        readings.append(_Reading(stems, flags, pieces))
    return readings


@functools.lru_cache(maxsize=65536)
def _lexical(word: str) -> frozenset[str]:
    """The lemmas of *word* if the dictionary knows it as one word (not as a compound it builds)."""
    hunspell = dictionary()
    if hunspell is None or not word:
        return frozenset()
    readings = _readings(hunspell, word)
    if not readings or any(r.pieces for r in readings):
        return frozenset()
    return frozenset(s for r in readings for s in (r.stems or [word]))


def _as_first(hunspell: Hunspell, prefix: str) -> frozenset[str]:
    """The lemmas of *prefix* as the first element of a compound, by the dictionary's flags: a
    word that may begin one ("person"), or one in its linking form ("upphov|s")."""
    found = {s for s in _lexical(prefix) if s == prefix and s in hunspell.begins}
    if prefix.endswith("s") and prefix[:-1] in hunspell.linked:
        found.add(prefix[:-1])
    return frozenset(found)


def _as_last(hunspell: Hunspell, tail: str) -> frozenset[str]:
    """The lemmas of *tail* as the last element of a compound (a word that may end one)."""
    lemmas = _lexical(tail)
    return frozenset(s for s in lemmas if s in hunspell.ends)


def _first_element(prefix: str) -> frozenset[str]:
    """The lemmas of the first element of a compound: a word, or a word with a linking s."""
    found = _lexical(prefix)
    if not found and prefix.endswith("s"):
        found = _lexical(prefix[:-1])
    return found


def _long_enough(word: str) -> bool:
    return len(word) >= MIN_PART


@functools.lru_cache(maxsize=65536)
def analyse(word: str) -> tuple[frozenset[str], frozenset[str]]:
    """(lemmas, parts) of one lower-case word; both empty if the dictionary does not know it."""
    hunspell = dictionary()
    if hunspell is None or len(word) > MAX_ANALYSED or any(c.isdigit() for c in word):
        return NO_ANALYSIS
    lemmas: set[str] = set()
    parts: set[str] = set()
    for reading in _readings(hunspell, word):
        if not reading.pieces:
            lemmas.update(reading.stems or [word])
            continue
        # A compound: line its pieces up with the word. Hunspell names no piece for a first
        # element in its linking form ("informations|säkerhets|klassning" -> pa:klassning only):
        # what lies between the named pieces is looked up on its own.
        pieces: list[tuple[int, str, frozenset[str]]] = []
        position = 0
        for surface, stems in reading.pieces:
            start = word.find(surface, position)
            if start < 0:
                pieces = []
                break
            if start > position:
                gap = word[position:start]
                pieces.append((position, gap, _first_element(gap) or analyse(gap)[0]))
            pieces.append((start, surface, frozenset(stems or [surface])))
            position = start + len(surface)
        if not pieces:
            continue
        if position < len(word):
            tail = word[position:]
            pieces.append((position, tail, analyse(tail)[0] or frozenset([tail])))
        last_start, _surface, last_lemmas = pieces[-1]
        lemmas.update(word[:last_start] + lemma for lemma in last_lemmas)
        for index, (start, surface, piece_lemmas) in enumerate(pieces):
            # The piece itself, what it is built of, and the compound's tail from it on
            # ("licensvillkor" of "standardlicensvillkor").
            for lemma in piece_lemmas or {surface}:
                parts.add(lemma)
                parts.update(analyse(lemma)[1])
            if 0 < index < len(pieces) - 1:
                parts.update(word[start:last_start] + lemma for lemma in last_lemmas)
    if not parts:
        for lemma in sorted(lemmas):
            parts.update(_split_known(lemma))
    parts = {p for p in parts if _long_enough(p) and not is_stop(p)} - lemmas - {word}
    return frozenset(lemmas), frozenset(parts)


def _split_known(lemma: str) -> set[str]:
    """Parts of a compound the dictionary knows whole ("personuppgift", "hemligstämpel"): split
    where the dictionary's flags would allow it, a first element of at least four letters (not a
    stop word) and the longest last element of at least four that may end a compound."""
    hunspell = dictionary()
    if hunspell is None or len(lemma) < MIN_SPLIT:
        return set()
    for cut in range(MIN_PART, len(lemma) - MIN_PART + 1):
        prefix, tail = lemma[:cut], lemma[cut:]
        if is_stop(prefix):
            continue
        last = _as_last(hunspell, tail)
        if not last:
            continue
        first = _as_first(hunspell, prefix)
        if first:
            found = set(first) | set(last)
            for lemma_of_tail in last:
                found.update(analyse(lemma_of_tail)[1])
            return found
    return set()
