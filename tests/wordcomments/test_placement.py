"""The pure parts: telling the pack's tracked changes from the reviewer's, and the suggestion's span."""

from __future__ import annotations

from app.wordcomments.placement import split_changes, suggestion_span
from app.wordcomments.reader import DELETED, INSERTED, SAME, Piece


def test_pack_changes_are_those_that_give_the_version_text():
    # The pack inserted "väldigt " (the version's text); the reviewer deleted "mycket".
    pieces = [
        Piece("Vi skapar ", SAME),
        Piece("väldigt ", INSERTED, "pack"),
        Piece("mycket", DELETED, "rev"),
        Piece(" material.", SAME),
    ]
    assert split_changes(pieces, "Vi skapar väldigt mycket material.") == {"rev"}


def test_a_clean_copy_has_only_reviewer_changes():
    pieces = [Piece("Välj en licens", SAME), Piece(" gärna", INSERTED, "a"), Piece(".", SAME)]
    assert split_changes(pieces, "Välj en licens.") == {"a"}
    assert suggestion_span(pieces, {"a"}, {"a"}) == (8, "licens", "licens gärna")


def test_the_pack_deletion_of_base_text_is_not_the_reviewers():
    pieces = [Piece("Gammal", DELETED, "pack"), Piece("Ny", INSERTED, "pack2"), Piece(" text.", SAME)]
    assert split_changes(pieces, "Ny text.") == set()


def test_untracked_edits_cannot_be_split():
    pieces = [Piece("Helt annan text", SAME), Piece(" här", INSERTED, "a")]
    assert split_changes(pieces, "Välj en licens.") is None


def test_whitespace_differences_are_tolerated():
    pieces = [Piece("Välj  en\u00a0licens", SAME), Piece(" nu", INSERTED, "a"), Piece(".", SAME)]
    assert split_changes(pieces, "Välj en licens.") == {"a"}


def test_two_reviewers_get_a_suggestion_each_with_only_their_own_change():
    pieces = [
        Piece("Ett ", SAME),
        Piece("två ", DELETED, "anna"),
        Piece("tre fyra", SAME),
        Piece(" fem", INSERTED, "bo"),
        Piece(".", SAME),
    ]
    reviewer = split_changes(pieces, "Ett två tre fyra.")
    assert reviewer == {"anna", "bo"}
    assert suggestion_span(pieces, reviewer, {"anna"}) == (0, "Ett två ", "Ett ")
    assert suggestion_span(pieces, reviewer, {"bo"}) == (12, "fyra", "fyra fem")
