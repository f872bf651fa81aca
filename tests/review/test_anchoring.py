"""Placing comments on later versions (pure logic, no app)."""

from app.review.anchoring import anchor, find_once


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


def test_find_once_needs_exactly_one_occurrence():
    assert find_once("a b a", "b") == 2
    assert find_once("a b a", "a") is None
    assert find_once("a b a", "c") is None
    assert find_once("abc", "") is None


def test_unchanged_block_keeps_quote_position():
    a = place(quote_exact="text", quote_start=7)
    assert (a.carried, a.outdated, a.removed, a.quote_start, a.quote_changed) == (
        True,
        False,
        False,
        7,
        False,
    )


def test_comment_on_current_version_is_not_carried():
    a = place(made_on_current=True)
    assert not a.carried and not a.outdated


def test_changed_block_is_outdated_and_quote_found_again_only_if_unique():
    moved = place(quote_exact="text", quote_start=7, current={"u1": "Ny inledning, gammal text här."})
    assert moved.outdated and moved.quote_start == len("Ny inledning, gammal ") and not moved.quote_changed
    twice = place(quote_exact="text", quote_start=7, current={"u1": "text och text"})
    assert twice.outdated and twice.quote_start is None and twice.quote_changed
    gone = place(quote_exact="text", quote_start=7, current={"u1": "Helt annat."})
    assert gone.quote_changed


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
