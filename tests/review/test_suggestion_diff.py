"""A suggestion reads as a word-level redline of the whole paragraph against the text it was made on."""

from __future__ import annotations

from types import SimpleNamespace

from app.review.labels import suggestion_diff

BASE = "Allt publicerat material ska tydligt ange vilken <strong>licens</strong> som gäller."


def _suggestion(proposal, base=BASE, quote=None):
    return SimpleNamespace(suggestion=proposal, block_text=base, quote_exact=quote, quote_start=None)


def test_several_changes_in_one_paragraph_are_struck_and_underlined_where_they_stand():
    proposal = (
        "Allt material som publiceras ska tydligt ange vilken <strong>licens</strong> som gäller för det."
    )
    html = str(suggestion_diff(_suggestion(proposal)))
    assert html == (
        "Allt <del>publicerat </del>material <ins>som publiceras </ins>ska tydligt ange vilken "
        "<strong>licens</strong> som gäller<ins> för det</ins>."
    )


def test_the_quote_only_points_the_diff_is_against_the_whole_text_it_was_made_on():
    # The member quoted "ska tydligt" but changed a word outside it too.
    proposal = "Allt publicerat material bör ange vilken <strong>licens</strong> som gäller i dag."
    html = str(suggestion_diff(_suggestion(proposal, quote="ska tydligt"), "Något helt annat."))
    assert "<del>ska tydligt </del><ins>bör </ins>" in html
    assert "<ins> i dag</ins>" in html
    assert "Något" not in html  # the paragraph as it stands now is not the base


def test_hostile_markup_in_a_proposal_is_inert():
    proposal = 'Allt <img src=x onerror="alert(1)">publicerat <script>alert(2)</script>material'
    html = str(suggestion_diff(_suggestion(proposal)))
    assert "<img" not in html and "<script" not in html and "onerror" not in html


def test_without_a_text_of_its_own_the_paragraph_as_it_stands_is_the_base():
    html = str(suggestion_diff(_suggestion("Ny text.", base=None), "Gammal text."))
    assert html == "<del>Gammal</del><ins>Ny</ins> text."
    assert str(suggestion_diff(_suggestion("<em>Ny</em> text.", base=None))) == "<em>Ny</em> text."
    assert str(suggestion_diff(_suggestion(None))) == ""
