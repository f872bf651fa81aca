"""Words as the search index sees them: one tokenizer, one stemmer and one stop list for both databases.

PostgreSQL's ``swedish`` text-search configuration is the Snowball Swedish stemmer with Snowball's
Swedish stop list; on SQLite, FTS5 has no Swedish stemmer, so the same Snowball algorithm
(PyStemmer, libstemmer_c) is applied here, to the text when it is indexed and to the query. Both
databases read the text through :func:`words` first, so they split it into the same words: what
is left to each is only the stemming (the same algorithm) and the ranking (which differs; see
``app/search/README.md``).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from pathlib import Path

import Stemmer

# Letters and digits (any script); everything else separates words. No underscore: "_" is the
# placeholder the SQLite index writes for a stop word (see index_terms), so no word is ever "_".
WORD = re.compile(r"[^\W_]+")
# A longer "word" is noise (a pasted hash or URL); PostgreSQL would refuse one over 2,047 bytes.
MAX_WORD = 100
STOP_PLACEHOLDER = "_"
# Snowball's Swedish stop list, the one PostgreSQL's swedish configuration uses (its
# tsearch_data/swedish.stop, BSD licence), so a stop word is dropped on both databases alike.
STOP_WORDS = frozenset(
    line.strip() for line in (Path(__file__).with_name("swedish.stop")).read_text("utf-8").splitlines()
) - {""}

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


def is_stop(word: str) -> bool:
    return word in STOP_WORDS


def index_terms(text: str) -> str:
    """The SQLite index's text: stems, with a placeholder where a stop word stood.

    The placeholder keeps positions as PostgreSQL does (a stop word is dropped but still
    counts), so the phrase "rätt till data" finds "rätt och data" on both and "rätt data" on neither.
    """
    return " ".join(STOP_PLACEHOLDER if is_stop(w) else key(w) for w in words(text))


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
