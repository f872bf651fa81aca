"""Placing comments on later versions, and finding their quotes again (pure logic, no app)."""

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.review.anchoring import CONTEXT_CHARS, Selector, anchor, find_once, find_quote, places


def place(**kwargs):
    defaults = {
        "made_on_current": False,
        "block_uid": "u1",
        "text_then": "Gammal text här.",
        "quote_exact": None,
        "quote_start": None,
    }
    defaults.update(kwargs)
    return anchor(
        current_texts=kwargs.pop("current", {"u1": "Gammal text här."}),
        **{k: v for k, v in defaults.items() if k != "current"},
    )


def quoted(text: str, exact: str, occurrence: int = 0) -> Selector:
    """The selector a member's selection of *exact* in *text* stores (as operations.locate_quote)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(exact, start + 1)
    end = start + len(exact)
    return Selector(
        exact, text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS], start
    )


def found(text: str, selector: Selector) -> str | None:
    span = find_quote(text, selector)
    return None if span is None else text[span[0] : span[1]]


PARAGRAPH = (
    "Allt publicerat material ska tydligt ange vilken licens som gäller. "
    "Myndigheten ansvarar för att licensen är förenlig med upphovsrätten och att "
    "tredje parts rättigheter är utredda innan materialet görs tillgängligt."
)


# --------------------------------------------------------------------------- placing a comment


def test_find_once_needs_exactly_one_occurrence():
    assert find_once("a b a", "b") == 2
    assert find_once("a b a", "a") is None
    assert find_once("a b a", "c") is None
    assert find_once("abc", "") is None


def test_unchanged_block_keeps_quote_position():
    a = place(quote_exact="text", quote_start=7)
    assert (a.carried, a.outdated, a.removed, a.quote_start, a.quote_end, a.quote_changed) == (
        True,
        False,
        False,
        7,
        11,
        False,
    )


def test_a_quote_without_a_usable_offset_is_found_in_unchanged_text():
    """Older data: a quote stored without its offset, or a comment without the text it was made on."""
    no_offset = place(quote_exact="text", quote_start=None)
    assert (no_offset.quote_start, no_offset.quote_end, no_offset.quote_changed) == (7, 11, False)
    unknown_then = place(text_then=None, quote_exact="text", quote_start=0)
    assert (unknown_then.quote_start, unknown_then.quote_end) == (7, 11) and not unknown_then.outdated


def test_comment_on_current_version_is_not_carried():
    a = place(made_on_current=True)
    assert not a.carried and not a.outdated


def test_changed_block_is_outdated_and_quote_found_again():
    moved = place(quote_exact="text", quote_start=7, current={"u1": "Ny inledning, gammal text här."})
    start = len("Ny inledning, gammal ")
    assert moved.outdated and (moved.quote_start, moved.quote_end) == (start, start + 4)
    assert not moved.quote_changed
    gone = place(quote_exact="text", quote_start=7, current={"u1": "Helt annat."})
    assert gone.quote_changed and gone.quote_start is None


def test_a_repeated_quote_without_telling_context_is_changed():
    twice = place(quote_exact="text", quote_start=7, current={"u1": "text och text"})
    assert twice.outdated and twice.quote_start is None and twice.quote_changed


def test_the_rest_of_the_document_is_never_searched():
    a = place(quote_exact="text", current={"u1": "Ändrat.", "u2": "Gammal text här."})
    assert a.quote_changed and a.quote_start is None


def test_removed_block_and_general_comment():
    assert place(current={"u2": "x"}).removed
    general = place(block_uid=None)
    assert not general.removed and not general.outdated


def test_formatting_only_change_is_not_outdated():
    a = place(text_then="Gammal <strong>text</strong> här.", current={"u1": "Gammal text här."})
    assert not a.outdated


def test_a_stored_anchor_is_taken_as_it_is():
    """What was worked out at publishing is used, found or not; nothing is matched again."""
    kwargs = {"quote_exact": "text", "quote_start": 7, "current": {"u1": "Ny inledning, gammal text här."}}
    assert (place(stored=(3, 9), **kwargs).quote_start, place(stored=(3, 9), **kwargs).quote_end) == (3, 9)
    lost = place(stored=(None, None), **kwargs)
    assert lost.quote_changed and lost.quote_start is None


# --------------------------------------------------------------------------- finding a quote again


def test_the_exact_quote_still_there_is_found_exactly():
    selector = quoted(PARAGRAPH, "ange vilken licens")
    assert find_quote(PARAGRAPH, selector) == (selector.start, selector.start + len(selector.exact))
    shortened = PARAGRAPH.replace("Allt publicerat", "Allt")
    start = shortened.index("ange vilken licens")
    assert find_quote(shortened, selector) == (start, start + len("ange vilken licens"))


def test_a_quote_moved_within_the_paragraph():
    selector = quoted(PARAGRAPH, "tredje parts rättigheter är utredda")
    moved = (
        "Innan materialet görs tillgängligt ska tredje parts rättigheter är utredda. "
        "Allt publicerat material ska tydligt ange vilken licens som gäller."
    )
    assert found(moved, selector) == "tredje parts rättigheter är utredda"


def test_a_word_changed_inside_the_quote():
    selector = quoted(PARAGRAPH, "ska tydligt ange vilken licens")
    edited = PARAGRAPH.replace("ska tydligt", "bör tydligt")
    assert found(edited, selector) == "bör tydligt ange vilken licens"


def test_a_word_added_inside_the_quote_and_the_context_cut():
    selector = quoted(PARAGRAPH, "ange vilken licens som")
    edited = "Allt publicerat material ska tydligt ange vilken öppen licens som gäller."
    assert found(edited, selector) == "ange vilken öppen licens som"


def test_the_context_edited_on_both_sides():
    selector = quoted(PARAGRAPH, "licensen är förenlig med upphovsrätten")
    edited = PARAGRAPH.replace("ansvarar för att", "ska se till att").replace("och att", "samt att")
    assert found(edited, selector) == "licensen är förenlig med upphovsrätten"


def test_a_word_changed_and_the_context_edited():
    selector = quoted(PARAGRAPH, "licensen är förenlig med upphovsrätten")
    edited = PARAGRAPH.replace("ansvarar för att", "ser till att").replace(
        "licensen är förenlig", "licensen är förenliga"
    )
    assert found(edited, selector) == "licensen är förenliga med upphovsrätten"


def test_a_repeated_phrase_told_apart_by_its_context():
    text = "Licensen ska anges. Myndigheten ska ange licensen i metadata och licensen ska anges i dokumentet."
    second = quoted(text, "licensen", occurrence=1)  # "... metadata och licensen ska anges ..."
    assert second.prefix.endswith("metadata och ")
    # A sentence added at the start: "licensen" now stands three times, none at the old offset.
    edited = "Licensen ska anges tydligt. Myndigheten ska ange licensen i sin metadata och licensen ska anges i dokumentet."
    span = find_quote(edited, second)
    assert span == (edited.index("licensen ska anges i"), edited.index("licensen ska anges i") + 8)
    first = quoted(text, "licensen", occurrence=0)  # "... ska ange licensen i metadata ..."
    span = find_quote(edited, first)
    assert span == (edited.index("licensen i sin"), edited.index("licensen i sin") + 8)


def test_a_deleted_quote_is_not_found():
    selector = quoted(PARAGRAPH, "tredje parts rättigheter är utredda")
    edited = "Allt publicerat material ska tydligt ange vilken licens som gäller."
    assert find_quote(edited, selector) is None


def test_a_near_miss_below_the_threshold_is_changed_not_placed():
    """The licence is no longer spoken of: "tydligt ange vilket" would be a mark on the wrong words."""
    selector = quoted(PARAGRAPH, "tydligt ange vilken licens")
    edited = "Allt publicerat material ska tydligt ange vilket format som används."
    assert find_quote(edited, selector) is None
    # Half of a two-word quote replaced: not enough of it is left to say where it went.
    selector = quoted(PARAGRAPH, "tydligt ange")
    assert find_quote(PARAGRAPH.replace("tydligt ange", "klart ange"), selector) is None


def test_swedish_letters_and_compounds_are_whole_words():
    text = "Översynen av åtgärderna för öppna data påverkar IT-säkerheten i förvaltningen."
    selector = quoted(text, "åtgärderna för öppna data")
    edited = "Översynen av de föreslagna åtgärderna för öppna data påverkar förvaltningen."
    assert found(edited, selector) == "åtgärderna för öppna data"
    inflected = edited.replace("åtgärderna för öppna", "åtgärder för öppna")
    assert found(inflected, selector) == "åtgärder för öppna data"
    # A quoted word that now only stands inside a compound marks the whole compound.
    security = quoted("Säkerheten i förvaltningen är viktig.", "Säkerheten")
    assert found("IT-säkerheten i förvaltningen är viktig.", security) == "IT-säkerheten"


def test_never_half_a_word():
    # An old quote of half a word (as mouse selections once made) is never placed inside one.
    half = quoted(PARAGRAPH, "ska ty")
    assert found(PARAGRAPH.replace("Allt", "Allt nytt"), half) in (None, "ska tydligt")
    word = quoted("Ange licens och källa.", "licens")
    assert found("Ange licensen och källan.", word) == "licensen"


def test_the_anchor_rows_of_a_publish():
    then = "<p>Gammal text här.</p>".removeprefix("<p>").removesuffix("</p>")
    rows = [
        (1, "text", "Gammal ", " här.", 7, then, then),  # unchanged: no row
        (4, "text", "Gammal ", " här.", 7, None, "Helt annat."),  # the text then unknown: no row
        (2, "text", "Gammal ", " här.", 7, then, "Ny inledning, gammal <em>text</em> här."),
        (3, "text", "Gammal ", " här.", 7, then, "Helt annat."),
    ]
    start = len("Ny inledning, gammal ")
    assert places(rows) == [
        {"comment_id": 2, "quote_start": start, "quote_end": start + 4},
        {"comment_id": 3, "quote_start": None, "quote_end": None},
    ]


# --------------------------------------------------------------------------- properties

VOCABULARY = [
    "och",
    "att",
    "det",
    "som",
    "en",
    "på",
    "är",
    "för",
    "med",
    "till",
    "av",
    "inte",
    "ska",
    "kan",
    "myndigheten",
    "förslaget",
    "åtgärder",
    "översyn",
    "ändring",
    "tjänster",
    "öppna",
    "data",
    "licens",
    "licensen",
    "licenser",
    "upphovsrätt",
    "IT-säkerhet",
    "e-förvaltning",
    "källa",
    "verk",
    "avtal",
    "Å",
    "ö",
    "ä",
]
SEPARATORS = [" ", " ", " ", ", ", ". ", " – ", " (", ") "]
_WORD = re.compile(r"\w+(?:-\w+)*")


def _inside_a_word(text: str, position: int) -> bool:
    return any(m.start() < position < m.end() for m in _WORD.finditer(text))


def _join(words: list[str], seps: list[str]) -> str:
    return "".join(w + s for w, s in zip(words, seps, strict=True)).strip()


@st.composite
def edited_quotes(draw):
    """(old text, a quote of whole words in it as stored, the text after random word edits)."""
    n = draw(st.integers(3, 30))
    words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=n, max_size=n))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=n, max_size=n))
    old = _join(words, seps)
    spans = [m.span() for m in _WORD.finditer(old)]
    i = draw(st.integers(0, len(spans) - 1))
    j = draw(st.integers(i, min(len(spans) - 1, i + 6)))
    start, end = spans[i][0], spans[j][1]
    selector = Selector(
        old[start:end], old[max(0, start - CONTEXT_CHARS) : start], old[end : end + CONTEXT_CHARS], start
    )
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(words) - 1))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "delete" and len(words) > 1:
            del words[where], seps[where]
        elif action == "insert":
            words.insert(where, draw(st.sampled_from(VOCABULARY)))
            seps.insert(where, draw(st.sampled_from(SEPARATORS)))
        else:
            words[where] = draw(st.sampled_from(VOCABULARY))
    return old, selector, _join(words, seps)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_quotes())
@example(("Ange licens här.", Selector("licens", "Ange ", " här.", 5), "Ange licensen här."))
@example(
    ("IT-säkerhet och data.", Selector("data", "IT-säkerhet och ", ".", 16), "data och IT-säkerhet data")
)
def test_a_found_quote_covers_whole_words_and_a_single_exact_one_is_taken(case):
    _old, selector, new = case
    span = find_quote(new, selector)
    if span is not None:
        start, end = span
        assert 0 <= start < end <= len(new)
        assert not _inside_a_word(new, start) and not _inside_a_word(new, end), (new, span)
    length = len(selector.exact)
    exact = [
        m.start()  # overlapping occurrences too
        for m in re.finditer(f"(?={re.escape(selector.exact)})", new)
        if not _inside_a_word(new, m.start()) and not _inside_a_word(new, m.start() + length)
    ]
    if len(exact) == 1:
        assert span == (exact[0], exact[0] + length)
