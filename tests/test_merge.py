"""The three-way merge of a suggestion (app.merge), without an app: properties over random
paragraphs and edits (hypothesis), and the cases an editor meets."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.merge import ALREADY, CLEAN, CONFLICT, DRAFT, PROPOSAL, Unresolved, merge
from app.richtext import plain, sanitize_inline, segments
from app.worddiff import SPACE_KEY, render_ops_html, tokenize, word_ops

# The base's words, and the words edits bring in (none of them in the base).
_BASE = (
    "allt publicerat material ska tydligt ange vilken licens det har myndigheter bör välja för sitt "
    "öppna data gäller även bilder filmer ljud texter kartor register förvaltningen ansvar kommuner "
    "regioner företag tillgång skyddet förordningen särskilt möjligt år översyn ändring tjänster "
    "digitala säkerhet regeringen remissen utredningen bedömning behov uppdrag enskilda informationen "
    "personuppgifter lagstiftning tillämpningen samverkan området därför också nödvändigt väsentligt"
)
_NEW = (
    "måste alltid tydligare licensen källan upphovsperson namnge återanvända villkor fritt "
    "kostnadsfritt maskinläsbart länk hänvisning överlåtelse ändamål"
)
BASE_WORDS, NEW_WORDS = _BASE.split(), _NEW.split()
MARKS = ("", "", "", ",", ".")


@dataclass(frozen=True)
class Item:
    """A word with its formatting and the punctuation after it."""

    word: str
    bold: bool = False
    italic: bool = False
    mark: str = ""

    def html(self) -> str:
        text = html.escape(self.word)
        if self.italic:
            text = f"<em>{text}</em>"
        if self.bold:
            text = f"<strong>{text}</strong>"
        return text + self.mark


def render(items: list[Item]) -> str:
    return sanitize_inline(" ".join(item.html() for item in items))


def keys(rich: str) -> list[str]:
    return tokenize(segments(rich))[1]


def words(rich: str) -> set[str]:
    return {k for k in keys(rich) if k != SPACE_KEY}


def new_item(draw) -> Item:
    return Item(
        draw(st.sampled_from(NEW_WORDS)),
        bold=draw(st.booleans()),
        italic=draw(st.integers(0, 4)) == 0,
        mark=draw(st.sampled_from(MARKS)),
    )


@st.composite
def paragraphs(draw, min_size=3, max_size=30):
    """Distinct Swedish words, a few bold or italic, commas and full stops between them."""
    chosen = draw(st.lists(st.sampled_from(BASE_WORDS), min_size=min_size, max_size=max_size, unique=True))
    items = []
    for word in chosen:
        items.append(
            Item(
                word,
                bold=draw(st.integers(0, 5)) == 0,
                italic=draw(st.integers(0, 7)) == 0,
                mark=draw(st.sampled_from(MARKS)),
            )
        )
    return items


@st.composite
def edits(draw, size: int, positions: list[float]):
    """Edits at the given positions of a paragraph of *size* items: a whole number i is item i
    (replaced, deleted or its formatting changed), i + 0.5 the point after item i (an insertion)."""
    out = {}
    for position in positions:
        if position != int(position):
            out[position] = ("insert", [new_item(draw) for _ in range(draw(st.integers(1, 3)))])
            continue
        kind = draw(st.sampled_from(("replace", "delete", "format")))
        if kind == "replace":
            out[position] = ("replace", [new_item(draw) for _ in range(draw(st.integers(1, 2)))])
        else:
            out[position] = (kind, None)
    return out


def apply_edits(items: list[Item], changes: dict) -> list[Item]:
    out: list[Item] = []
    if -0.5 in changes:
        out.extend(changes[-0.5][1])
    for i, item in enumerate(items):
        kind, new = changes.get(i, (None, None))
        if kind == "replace":
            out.extend(new)
        elif kind == "format":
            out.append(replace(item, bold=not item.bold))
        elif kind != "delete":
            out.append(item)
        if i + 0.5 in changes:
            out.extend(changes[i + 0.5][1])
    return out


@st.composite
def separate_edits(draw):
    """A paragraph, and edits on both sides with at least two untouched words between any
    proposal edit and any draft edit (edits of one side may sit side by side)."""
    base = draw(paragraphs(min_size=6))
    size = len(base)
    spots = [i / 2 - 0.5 for i in range(2 * size + 1)]  # -0.5, 0, 0.5, ..., size - 0.5
    ours = draw(st.lists(st.sampled_from(spots), min_size=1, max_size=4, unique=True))
    free = [s for s in spots if all(abs(s - o) >= 3 for o in ours)]
    if not free:
        free = [spots[-1]] if abs(spots[-1] - max(ours)) >= 3 else []
    theirs = draw(st.lists(st.sampled_from(free), max_size=4, unique=True)) if free else []
    proposal_edits = draw(edits(size, ours))
    draft_edits = draw(edits(size, theirs))
    return base, proposal_edits, draft_edits


# --------------------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None)
@given(separate_edits())
def test_separate_edits_merge_into_both_sides_edits(case):
    base_items, proposal_edits, draft_edits = case
    base = render(base_items)
    proposal = render(apply_edits(base_items, proposal_edits))
    current = render(apply_edits(base_items, draft_edits))
    expected = render(apply_edits(base_items, {**proposal_edits, **draft_edits}))
    m = merge(base, proposal, current)
    assert m.clean, [(c.number, c.state) for c in m.changes]
    taken, choices = m.everything
    assert keys(m.result(taken, choices)) == keys(expected)
    # The preview's ops read as the current text turned into the result.
    ops = m.ops(taken, choices)
    assert "".join(r.text for tag, runs in ops if tag != "insert" for r in runs) == plain(current)
    assert "".join(r.text for tag, runs in ops if tag != "delete" for r in runs) == plain(
        m.result(taken, choices)
    )


@st.composite
def any_edits(draw):
    """A paragraph (words may repeat) and edits of each side anywhere, overlapping or not."""
    chosen = draw(st.lists(st.sampled_from(BASE_WORDS[:12]), min_size=0, max_size=20))
    base = [Item(w, bold=draw(st.booleans()), mark=draw(st.sampled_from(MARKS))) for w in chosen]
    spots = [i / 2 - 0.5 for i in range(2 * len(base) + 1)]
    ours = draw(st.lists(st.sampled_from(spots), max_size=5, unique=True))
    theirs = draw(st.lists(st.sampled_from(spots), max_size=5, unique=True))
    return base, draw(edits(len(base), ours)), draw(edits(len(base), theirs))


@settings(max_examples=300, deadline=None)
@given(any_edits(), st.data())
def test_the_result_never_holds_a_word_that_is_in_none_of_the_three_texts(case, data):
    base_items, proposal_edits, draft_edits = case
    base = render(base_items)
    proposal = render(apply_edits(base_items, proposal_edits))
    current = render(apply_edits(base_items, draft_edits))
    m = merge(base, proposal, current)
    taken = data.draw(st.lists(st.sampled_from([c.number for c in m.changes] or [0]), unique=True))
    choices = {c.number: data.draw(st.sampled_from((DRAFT, PROPOSAL))) for c in m.conflicts}
    result = m.result(taken, choices)
    assert words(result) <= words(base) | words(proposal) | words(current)
    # Every word of the result is whole: no word of it is a piece of a longer one.
    assert all(token in words(base) | words(proposal) | words(current) for token in words(result))
    # Taking nothing (and keeping the draft's text in every conflict) changes nothing.
    keep = dict.fromkeys(choices, DRAFT)
    assert m.result([], keep) == current
    assert m.taken_and_left([], keep)[0] == []


@settings(max_examples=150, deadline=None)
@given(any_edits())
def test_a_proposal_equal_to_its_base_changes_nothing(case):
    base_items, _ours, draft_edits = case
    base = render(base_items)
    current = render(apply_edits(base_items, draft_edits))
    m = merge(base, base, current)
    assert m.changes == [] and m.conflicts == []
    assert m.result() == current


@settings(max_examples=150, deadline=None)
@given(any_edits())
def test_a_draft_unchanged_since_the_base_takes_the_whole_proposal(case):
    base_items, proposal_edits, _theirs = case
    base = render(base_items)
    proposal = render(apply_edits(base_items, proposal_edits))
    m = merge(base, proposal, base)
    assert m.clean and all(c.state == CLEAN for c in m.changes)
    taken, choices = m.everything
    assert keys(m.result(taken, choices)) == keys(proposal)


# --------------------------------------------------------------------------- examples

BASE = "Allt publicerat material ska tydligt ange vilken licens det har. Det gäller även bilder."


def test_the_issues_half_word_cannot_be_spliced():
    # The member's selection ended inside "tydligt": the proposal is the whole paragraph, and the
    # merge works in whole words, so "bör tydligt angedligt ange" cannot come out.
    proposal = "Allt publicerat material bör tydligt ange vilken licens det har. Det gäller även bilder."
    m = merge(BASE, proposal, BASE)
    assert [(plain_of(c.old), plain_of(c.new)) for c in m.changes] == [("ska", "bör")]
    assert m.result(*m.everything) == proposal
    # A proposal that itself ends in half a word replaces whole words with whole words.
    cut = merge(BASE, "Allt publicerat material bör ty", BASE)
    result = cut.result(*cut.everything)
    assert result == "Allt publicerat material bör ty"
    assert "angedligt" not in result and "tydligt" not in result


def plain_of(tokens) -> str:
    return "".join(text for text, _marks in tokens)


def test_a_change_in_another_sentence_goes_in_cleanly_and_each_change_can_be_left():
    proposal = "Allt publicerat material bör tydligt ange vilken licens det har. Det gäller även filmer."
    current = "Allt publicerat material ska tydligt ange vilken licens det har. Det gäller också bilder."
    m = merge(BASE, proposal, current)
    assert [(c.number, c.state) for c in m.changes] == [(1, CLEAN), (2, CLEAN)]
    assert (
        m.result([1, 2])
        == "Allt publicerat material bör tydligt ange vilken licens det har. Det gäller också filmer."
    )
    assert (
        m.result([1])
        == "Allt publicerat material bör tydligt ange vilken licens det har. Det gäller också bilder."
    )
    assert (
        m.result([2])
        == "Allt publicerat material ska tydligt ange vilken licens det har. Det gäller också filmer."
    )
    assert m.result([]) == current
    assert m.taken_and_left([1], {}) == ([1], [2])
    assert str(render_ops_html(m.ops([1]))) == (
        "Allt publicerat material <del>ska</del><ins>bör</ins> tydligt ange vilken licens det har. "
        "Det gäller också bilder."
    )
    # Each change on its own, with a few words of the draft's text around it.
    assert str(render_ops_html(m.change_ops(m.changes[1]))) == (
        "har. Det gäller också <del>bilder</del><ins>filmer</ins>."
    )


def test_a_change_the_draft_already_made_is_not_offered_again():
    proposal = "Allt publicerat material bör tydligt ange vilken licens det har. Det gäller även filmer."
    current = "Allt publicerat material bör tydligt ange vilken licens det har. Det gäller även bilder."
    m = merge(BASE, proposal, current)
    assert [(c.number, c.state) for c in m.changes] == [(1, ALREADY), (2, CLEAN)]
    assert [c.number for c in m.takeable] == [2]
    assert m.result([2]) == proposal
    assert m.taken_and_left([2], {}) == ([2], [])


def test_overlapping_edits_are_a_conflict_that_needs_a_choice():
    proposal = "Allt publicerat material bör tydligt ange vilken licens det har. Det gäller även filmer."
    current = "Allt publicerat material måste tydligt ange vilken licens det har. Det gäller även bilder."
    m = merge(BASE, proposal, current)
    assert [(c.number, c.state, c.conflict) for c in m.changes] == [(1, CONFLICT, 1), (2, CLEAN, None)]
    (conflict,) = m.conflicts
    assert (plain_of(conflict.base), plain_of(conflict.draft), plain_of(conflict.proposal)) == (
        "ska",
        "måste",
        "bör",
    )
    with pytest.raises(Unresolved) as refused:
        m.result([2])
    assert refused.value.numbers == [1]
    assert m.result([2], {1: DRAFT}) == (
        "Allt publicerat material måste tydligt ange vilken licens det har. Det gäller även filmer."
    )
    assert m.result([2], {1: PROPOSAL}) == proposal
    assert m.taken_and_left([2], {1: DRAFT}) == ([2], [1])
    assert m.taken_and_left([], {1: PROPOSAL}) == ([1], [2])


def test_a_change_touching_a_draft_edit_conflicts_and_two_insertions_at_one_point_too():
    # The draft added words right after "bilder": changing "bilder" touches that edit.
    m = merge(BASE, BASE.replace("bilder", "filmer"), BASE.replace("bilder.", "bilder och ljud."))
    assert [c.state for c in m.changes] == [CONFLICT]
    assert plain_of(m.conflicts[0].draft) == "bilder och ljud"
    assert m.result([], {1: PROPOSAL}).endswith("även filmer.")
    # Different words inserted at one point conflict; the same words are already there.
    base = "Data publiceras med CC0."
    assert (
        merge(base, "Data publiceras alltid med CC0.", "Data publiceras fritt med CC0.").changes[0].state
        == CONFLICT
    )
    assert (
        merge(base, "Data publiceras alltid med CC0.", "Data publiceras alltid med CC0.").changes[0].state
        == ALREADY
    )


def test_formatting_is_part_of_a_word_and_survives_the_merge():
    base = "Myndigheter bör välja <em>CC BY 4.0</em> för sitt material."
    proposal = "Myndigheter <strong>ska</strong> välja <em>CC BY 4.0</em> för sitt material."
    current = 'Myndigheter bör välja <em>CC BY 4.0</em> för allt sitt <a href="https://prv.se">material</a>.'
    m = merge(base, proposal, current)
    assert [c.state for c in m.changes] == [CLEAN]
    assert m.result([1]) == (
        'Myndigheter <strong>ska</strong> välja <em>CC BY 4.0</em> för allt sitt <a href="https://prv.se">material</a>.'
    )
    # Bolding a word is a change of that word.
    bolded = merge(base, base.replace("välja", "<strong>välja</strong>"), base)
    assert [(plain_of(c.old), plain_of(c.new)) for c in bolded.changes] == [("välja", "välja")]


def test_the_preview_parts_hold_every_way_each_stretch_can_go():
    proposal = "Allt publicerat material bör tydligt ange vilken licens det har. Det gäller även filmer."
    current = "Allt publicerat material måste tydligt ange vilken licens det har. Det gäller även bilder."
    m = merge(BASE, proposal, current)
    parts = m.parts([2], {})
    assert [(p.kind, p.number, p.active) for p in parts] == [
        ("text", None, "text"),
        ("conflict", 1, "open"),
        ("text", None, "text"),
        ("change", 2, "taken"),
        ("text", None, "text"),
    ]
    conflict = parts[1].options
    assert str(render_ops_html(conflict[PROPOSAL])) == "<del>måste</del><ins>bör</ins>"
    assert str(render_ops_html(conflict[DRAFT])) == "måste"
    assert str(render_ops_html(parts[3].options["left"])) == "bilder"
    # The parts, each as chosen, read as the ops of the result.
    chosen = m.parts([2], {1: PROPOSAL})
    flat = "".join(str(render_ops_html(p.options[p.active])) for p in chosen)
    assert flat == str(render_ops_html(m.ops([2], {1: PROPOSAL})))


def test_empty_texts_and_a_paragraph_emptied_by_either_side():
    assert merge("", "", "").result() == ""
    assert merge("", "Ny text.", "").result(*merge("", "Ny text.", "").everything) == "Ny text."
    m = merge(BASE, "", BASE)
    assert m.result(*m.everything) == ""
    emptied = merge(BASE, BASE.replace("ska", "bör"), "")
    assert [c.state for c in emptied.changes] == [CONFLICT]
    assert emptied.result([], {1: DRAFT}) == ""


@settings(max_examples=100, deadline=None)
@given(any_edits())
def test_the_merges_own_diffs_are_the_word_diffs_every_page_shows(case):
    base_items, proposal_edits, draft_edits = case
    base = render(base_items)
    proposal = render(apply_edits(base_items, proposal_edits))
    current = render(apply_edits(base_items, draft_edits))
    m = merge(base, proposal, current)
    assert plain_ops(m.proposal_ops()) == plain_ops(word_ops(base, proposal))
    assert plain_ops(m.draft_ops()) == plain_ops(word_ops(base, current))


def plain_ops(ops):
    return [(tag, "".join(run.text for run in runs), [run.marks() for run in runs]) for tag, runs in ops]


def test_a_space_become_a_hyphen_is_taken_as_whole_words_never_a_struck_space():
    # Follow-up to issue 22: the preview and the list of changes struck a lone space.
    m = merge(
        "Ansök via en e tjänst för alla.",
        "Ansök via en e-tjänst för alla.",
        "Ansök via en e tjänst för några.",
    )
    assert [(c.number, c.state) for c in m.changes] == [(1, CLEAN)]
    assert str(render_ops_html(m.change_ops(m.changes[0]))) == (
        "Ansök via en <del>e tjänst</del><ins>e-tjänst</ins> för några."
    )
    flat = "".join(str(render_ops_html(p.options[p.active])) for p in m.parts([1]))
    assert (
        flat
        == str(render_ops_html(m.ops([1])))
        == "Ansök via en <del>e tjänst</del><ins>e-tjänst</ins> för några."
    )
    assert m.result([1]) == "Ansök via en e-tjänst för några."
