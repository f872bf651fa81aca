"""Words as the search index sees them: one tokenizer, one stemmer, one stop list and one
dictionary for both databases.

PostgreSQL's ``swedish`` text-search configuration is the Snowball Swedish stemmer with Snowball's
Swedish stop list; on SQLite, FTS5 has no Swedish stemmer, so the same Snowball algorithm
(PyStemmer, libstemmer_c) is applied here, to the text when it is indexed and to the query. Both
databases read the text through :func:`words` first, so they split it into the same words: what
is left to each is only the stemming (the same algorithm) and the ranking (which differs; see
``app/search/README.md``).

Beyond the stems, the Swedish Hunspell dictionary (:mod:`app.search.compounds`) gives each word
the keys of its lemmas and, for a compound, of its parts (:func:`extra_keys`), kept in the index's
``parts`` column; a query word asks for its own key and its lemmas' keys (:func:`query_keys`) in
``terms`` and ``parts``. These keys are worked out here, in Python, for both databases, so both
match the same rows. Without the dictionary there are none: Snowball alone.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

import Stemmer

from app.search import compounds
from app.search.stopwords import STOP_WORDS, is_stop  # noqa: F401  (STOP_WORDS: read from here too)

# Letters and digits (any script); everything else separates words. No underscore: "_" is the
# placeholder the SQLite index writes for a stop word (see index_terms), so no word is ever "_".
WORD = re.compile(r"[^\W_]+")
# A longer "word" is noise (a pasted hash or URL); PostgreSQL would refuse one over 2,047 bytes.
MAX_WORD = 100
STOP_PLACEHOLDER = "_"

_stemmer = Stemmer.Stemmer("swedish")
_TAG = re.compile(r"<(/?)([a-zA-Z0-9]+)[^>]*>")
_BLOCK_TAGS = {"p", "li", "br", "tr", "td", "th", "div", "blockquote", "ul", "ol", "h1", "h2", "h3", "pre"}


def words(text: str) -> list[str]:
    """The words of *text*, lower-cased and NFC-normalised (å stays å, not a + ring)."""
    normal = unicodedata.normalize("NFC", text or "").lower()
    return [w for w in WORD.findall(normal) if len(w) <= MAX_WORD]


@functools.lru_cache(maxsize=65536)
def key(word: str) -> str:
    """What one (lower-case) word is indexed as: its Snowball stem, or itself if it holds a digit.

    PostgreSQL's parser calls a word with digits a ``numword`` and gives it to the ``simple``
    dictionary (lower-cased, not stemmed): "cc0" stays "cc0" on both databases.
    """
    if any(c.isdigit() for c in word):
        return word
    return _stemmer.stemWord(word)


@functools.lru_cache(maxsize=65536)
def query_keys(word: str) -> tuple[str, ...]:
    """What one query word asks for: its key first, then the keys of its lemmas ("hemligstämplar":
    hemligstämpl, then hemligstämpel and hemligstämpla's). Not its parts: "licensvillkor" asks
    for the compound, not for every "villkor"."""
    own = key(word)
    lemmas, _parts = compounds.analyse(word)
    more = {key(lemma) for lemma in lemmas} - {own}
    return (own, *sorted(k for k in more if not is_stop(k)))


@functools.lru_cache(maxsize=65536)
def extra_keys(word: str) -> frozenset[str]:
    """The keys one word of the text adds to the index besides its own: its lemmas' and its
    parts' ("licensvillkoren": licensvillkor, lic, villkor). None for a stop word."""
    if is_stop(word):
        return frozenset()
    lemmas, parts = compounds.analyse(word)
    found = {key(x) for x in lemmas | parts} - {key(word)}
    return frozenset(k for k in found if not is_stop(k))


@functools.lru_cache(maxsize=65536)
def word_keys(word: str) -> frozenset[str]:
    """Every key a word of the text is found by (for marking it in a snippet)."""
    return extra_keys(word) | {key(word)}


def index_terms(text: str) -> str:
    """The SQLite index's text: stems, with a placeholder where a stop word stood.

    The placeholder keeps positions as PostgreSQL does (a stop word is dropped but still
    counts), so the phrase "rätt till data" finds "rätt och data" on both and "rätt data" on neither.
    """
    return " ".join(STOP_PLACEHOLDER if is_stop(w) else key(w) for w in words(text))


def use_dictionary(hunspell) -> None:
    """Use *hunspell* (None: none, Snowball alone) from now on, forgetting every cached key; for tests."""
    compounds.use(hunspell)
    query_keys.cache_clear()
    extra_keys.cache_clear()
    word_keys.cache_clear()


def index_parts(text: str) -> str:
    """Both databases' ``parts`` column: the extra keys of the text's words, each once."""
    seen: dict[str, None] = {}
    for w in words(text):
        for k in sorted(extra_keys(w)):
            seen.setdefault(k)
    return " ".join(seen)


def plain_words(text: str) -> str:
    """PostgreSQL's index text: the same words, unstemmed (its swedish configuration stems them)."""
    return " ".join(words(text))


def html_to_text(value: str | None) -> str:
    """Readable plain text of sanitised HTML (comment bodies, responses, block text)."""
    if not value:
        return ""

    def tag(match: re.Match) -> str:
        return " " if match.group(2).lower() in _BLOCK_TAGS else ""

    text = html.unescape(_TAG.sub(tag, value))
    return re.sub(r"\s+", " ", text).strip()
