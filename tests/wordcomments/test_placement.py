"""The pure parts: telling the pack's tracked changes from the reviewer's, and the suggestion's span."""

from __future__ import annotations

from app.richtext import sanitize_inline
from app.wordcomments.placement import proposal, reviewer_texts, split_changes, suggestion_span
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


def test_a_reviewers_changes_give_the_whole_paragraph_as_they_left_it():
    # Anna made two changes, Bo one; the pack inserted "nya ". Anna's paragraph has her two
    # changes, the pack's insertion as the version has it, and not Bo's change.
    pieces = [
        Piece("Välj ", SAME),
        Piece("gärna ", INSERTED, "anna1"),
        Piece("en ", SAME),
        Piece("nya ", INSERTED, "pack"),
        Piece("licens", SAME),
        Piece(" i dag", INSERTED, "bo"),
        Piece(" som passar", SAME),
        Piece(" alla", DELETED, "anna2"),
        Piece(".", SAME),
    ]
    reviewer = split_changes(pieces, "Välj en nya licens som passar alla.")
    assert reviewer == {"anna1", "anna2", "bo"}
    version, anna, start, end = reviewer_texts(pieces, reviewer, {"anna1", "anna2"})
    assert (version, anna) == ("Välj en nya licens som passar alla.", "Välj gärna en nya licens som passar.")
    assert (start, end) == (5, 34)
    assert reviewer_texts(pieces, reviewer, {"bo"})[1] == "Välj en nya licens i dag som passar alla."


def test_the_proposal_keeps_the_versions_formatting_on_the_words_that_stay():
    version = (
        'Välj <strong>en öppen</strong> licens, se <a href="https://example.org/">vår <em>guide</em></a>.'
    )
    assert proposal(version, "Välj gärna en öppen licens, se vår nya guide.") == sanitize_inline(
        'Välj gärna <strong>en öppen</strong> licens, se <a href="https://example.org/">vår nya <em>guide</em></a>.'
    )
    # A rewritten word takes the formatting of the word it replaces.
    assert proposal(version, "Välj en fri licens, se vår guide.") == sanitize_inline(
        'Välj <strong>en fri</strong> licens, se <a href="https://example.org/">vår <em>guide</em></a>.'
    )
    # Words typed where two formattings meet take neither.
    assert proposal("<em>A</em> <strong>B</strong>", "A och B") == "<em>A</em> och <strong>B</strong>"


def test_the_proposal_is_sanitised_text_whatever_the_reviewer_typed():
    assert proposal("Välj en licens.", 'Välj <script>alert(1)</script> en & "licens".') == (
        'Välj &lt;script&gt;alert(1)&lt;/script&gt; en &amp; "licens".'
    )
