"""Word-level and version-level diff (app.worddiff, app.compare.diff), without an app or a database."""

from __future__ import annotations

import enum
import random
import unicodedata
from types import SimpleNamespace

import pytest

from app.compare.diff import (
    BlockChange,
    ChangeStatus,
    changed_only,
    diff_table,
    diff_versions,
    render_change_html,
    render_change_side_by_side,
    render_table_html,
    split_replaced,
)
from app.richtext import Segment, plain
from app.worddiff import has_changes, render_ops_html, render_side_by_side, word_ops

_WORDS = (
    "och att det som en på är för med till av inte myndigheten förslaget åtgärder översyn "
    "ändring tjänster förvaltningen säkerhet öppna data regeringen remissen utredningen "
    "bedömning ansvar kommuner företag tillgång skyddet förordningen särskilt möjligt år"
)
VOCABULARY = _WORDS.split()


def text_of(ops, tags):
    """The plain text of the ops with the given tags, in order."""
    return "".join(run.text for tag, runs in ops if tag in tags for run in runs)


def stretches(ops):
    """(tag, plain text) of every op."""
    return [(tag, "".join(run.text for run in runs)) for tag, runs in ops]


def assert_reconstructs(old_html, new_html, ops):
    """Equal + deleted text is the old text; equal + inserted text is the new text."""
    assert text_of(ops, ("equal", "delete")) == unicodedata.normalize("NFC", plain(old_html))
    assert text_of(ops, ("equal", "insert")) == unicodedata.normalize("NFC", plain(new_html))


# --------------------------------------------------------------------------- word ops


def test_swedish_word_is_replaced_whole():
    old = "Myndigheten föreslår en översyn av förordningen."
    new = "Myndigheten föreslår en ändring av förordningen."
    assert stretches(word_ops(old, new)) == [
        ("equal", "Myndigheten föreslår en "),
        ("delete", "översyn"),
        ("insert", "ändring"),
        ("equal", " av förordningen."),
    ]


def test_changed_ending_of_word_with_å_ä_ö_shows_whole_words():
    ops = word_ops("Efter händelsen på året", "Efter händelserna på åren")
    assert stretches(ops) == [
        ("equal", "Efter "),
        ("delete", "händelsen"),
        ("insert", "händelserna"),
        ("equal", " på "),
        ("delete", "året"),
        ("insert", "åren"),
    ]


def test_decomposed_å_equals_composed_å():
    decomposed = unicodedata.normalize("NFD", "Återrapportering för året")
    assert decomposed != "Återrapportering för året"
    ops = word_ops(decomposed, "Återrapportering för året")
    assert not has_changes(ops)


def test_punctuation_changes_are_their_own_tokens():
    ops = word_ops("Kommuner, regioner och företag.", "Kommuner; regioner och företag!")
    assert stretches(ops) == [
        ("equal", "Kommuner"),
        ("delete", ","),
        ("insert", ";"),
        ("equal", " regioner och företag"),
        ("delete", "."),
        ("insert", "!"),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Det är bra , tycker vi .", "Det är bra, tycker vi."),
        ("Det  är\u00a0bra", "Det är bra"),
        ("  Det är bra\n", "Det är bra"),
        ("<strong>Det</strong> är", "<strong>Det </strong>är"),
    ],
)
def test_whitespace_only_differences_give_no_change(old, new):
    ops = word_ops(old, new)
    assert not has_changes(ops)
    assert text_of(ops, ("equal",)) == plain(new)


def test_one_changed_word_in_300_gives_exactly_one_delete_and_one_insert():
    rng = random.Random(7)
    # A small vocabulary repeats words often, which is where an aligner can go astray.
    words = [rng.choice(VOCABULARY) for _ in range(300)]
    old = " ".join(words) + "."
    for position in (0, 1, 57, 150, 298, 299):
        changed = list(words)
        changed[position] = "tillsynsmyndigheten"
        new = " ".join(changed) + "."
        ops = word_ops(old, new)
        tags = [tag for tag, _ in ops if tag != "equal"]
        assert tags == ["delete", "insert"], position
        changes = [text for tag, text in stretches(ops) if tag != "equal"]
        assert changes == [words[position], "tillsynsmyndigheten"]
        assert_reconstructs(old, new, ops)


def test_rewritten_sentence_is_one_stretch_not_word_confetti():
    ops = word_ops(
        "Myndigheten ska redovisa uppdraget senast i juni.",
        "Regeringen bör återrapportera arbetet före juli.",
    )
    assert stretches(ops) == [
        ("delete", "Myndigheten ska redovisa uppdraget senast i juni"),
        ("insert", "Regeringen bör återrapportera arbetet före juli"),
        ("equal", "."),
    ]


def test_random_edits_reconstruct_both_texts():
    rng = random.Random(11)
    for _ in range(40):
        words = [rng.choice(VOCABULARY) for _ in range(rng.randint(5, 60))]
        old = " ".join(words)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(words))
            words[i : i + rng.randint(0, 2)] = [rng.choice(VOCABULARY)] * rng.randint(0, 2)
        new = " ".join(f"<em>{w}</em>" if rng.random() < 0.1 else w for w in words)
        assert_reconstructs(old, new, word_ops(old, new))


def test_bolding_a_word_is_a_delete_and_an_insert():
    ops = word_ops("Det är en viktig fråga.", "Det är en <strong>viktig</strong> fråga.")
    assert ops == [
        ("equal", [Segment("Det är en ")]),
        ("delete", [Segment("viktig")]),
        ("insert", [Segment("viktig", bold=True)]),
        ("equal", [Segment(" fråga.")]),
    ]


def test_identical_and_empty_texts():
    assert word_ops("", "") == []
    assert word_ops("Samma <em>text</em>", "Samma <em>text</em>") == [
        ("equal", [Segment("Samma "), Segment("text", italic=True)])
    ]
    assert stretches(word_ops("", "Ny text")) == [("insert", "Ny text")]
    assert stretches(word_ops("Gammal text", "")) == [("delete", "Gammal text")]


# --------------------------------------------------------------------------- rendering


def test_rendering_keeps_formatting_and_links():
    old = 'Läs <a href="https://prv.se/a">vägledningen</a> och <em>förslaget</em> noga.'
    new = 'Läs <a href="https://prv.se/a">vägledningen</a> och <strong>förslaget</strong> nu.'
    html = render_ops_html(word_ops(old, new))
    assert html == (
        'Läs <a href="https://prv.se/a">vägledningen</a> och '
        # Two changed words with only a space between them read as one change.
        "<del><em>förslaget</em> noga</del><ins><strong>förslaget</strong> nu</ins>."
    )


def test_every_token_is_escaped_in_text_and_href():
    # Stored text is escaped HTML; plain() of it is "<script>alert(1)</script> & co".
    old = "Före &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    new = "Efter &lt;script&gt;alert(2)&lt;/script&gt; &amp; co"
    html = str(render_ops_html(word_ops(old, new)))
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "&amp; co" in html

    hostile = '"><script>alert(1)</script>'
    ops = [
        ("equal", [Segment("a", href="https://x.se/?q=1&r=" + hostile)]),
        ("insert", [Segment("<b>b</b>", bold=True)]),
    ]
    inline = str(render_ops_html(ops))
    assert inline == (
        '<a href="https://x.se/?q=1&amp;r=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">a</a>'
        "<ins><strong>&lt;b&gt;b&lt;/b&gt;</strong></ins>"
    )
    old_side, new_side = render_side_by_side(ops)
    assert "<script" not in old_side + new_side
    assert "&lt;b&gt;" in new_side


def test_side_by_side_shows_deletions_left_and_insertions_right():
    ops = word_ops("Kommunen ska svara senast i maj.", "Kommunen bör svara senast i juni.")
    old_side, new_side = render_side_by_side(ops)
    assert old_side == "Kommunen <del>ska</del> svara senast i <del>maj</del>."
    assert new_side == "Kommunen <ins>bör</ins> svara senast i <ins>juni</ins>."


# --------------------------------------------------------------------------- tables


def test_table_with_same_shape_is_diffed_cell_by_cell():
    old = "Ärende\tHandläggare\nPatent\tÅsa\nVarumärke\tÖrjan"
    new = "Ärende\tHandläggare\nPatent\tÄnnie\nVarumärke\tÖrjan"
    cells = diff_table(old, new)
    assert cells is not None
    assert [[has_changes(ops) for ops in row] for row in cells] == [
        [False, False],
        [False, True],
        [False, False],
    ]
    assert stretches(cells[1][1]) == [("delete", "Åsa"), ("insert", "Ännie")]
    html = render_table_html(cells)
    assert "<tr><td>Patent</td><td><del>Åsa</del><ins>Ännie</ins></td></tr>" in html


def test_table_with_new_shape_is_shown_whole_block():
    old = "Ärende\tHandläggare\nPatent\tÅsa"
    new = "Ärende\tHandläggare\tEnhet\nPatent\tÅsa\tJuridik"
    assert diff_table(old, new) is None
    result = diff_versions(
        [{"uid": "t", "kind": "table", "level": 1, "text": old}],
        [{"uid": "t", "kind": "table", "level": 1, "text": new}],
    )
    (change,) = result.changes
    assert change.status == "modified"
    assert change.replaced
    html = str(render_change_html(change))
    # The old table, every cell deleted, then the new one, every cell inserted.
    assert html.index("<td><del>Åsa</del></td>") < html.index("<td><ins>Juridik</ins></td>")
    assert html.count("<table") == 2
    removed, added = split_replaced(change)
    assert (removed.status, added.status) == ("removed", "added")
    assert removed.cells[1][1] == [("delete", [Segment("Åsa")])]
    assert added.cells[0][2] == [("insert", [Segment("Enhet")])]


def test_table_blocks_from_models_with_enum_kinds():
    class Kind(enum.Enum):
        TABLE = "table"

    old = SimpleNamespace(uid="t", kind=Kind.TABLE, level=1, text="a\tb")
    new = SimpleNamespace(uid="t", kind=Kind.TABLE, level=1, text="a\tc")
    (change,) = diff_versions([old], [new]).changes
    assert change.status == "modified"
    assert change.cells is not None
    assert change.ops == []
    old_side, new_side = render_change_side_by_side(change)
    assert "<td><del>b</del></td>" in old_side
    assert "<td><ins>c</ins></td>" in new_side


# --------------------------------------------------------------------------- versions


def block(uid, text, kind="paragraph", level=1):
    """A block as the API or a test gives it."""
    return {"uid": uid, "kind": kind, "level": level, "text": text}


def statuses(result):
    return [(c.uid, str(c.status), c.moved) for c in result.changes]


def test_version_diff_classifies_and_orders_blocks():
    old = [
        block("a", "Inledning"),
        block("b", "Förslaget gäller kommuner."),
        block("c", "Detta stycke tas bort."),
        block("d", "Avslutning"),
    ]
    new = [
        block("a", "Inledning"),
        block("b", "Förslaget gäller regioner."),
        block("e", "Ett nytt stycke."),
        block("d", "Avslutning"),
    ]
    result = diff_versions(old, new)
    assert statuses(result) == [
        ("a", "unchanged", False),
        ("b", "modified", False),
        ("c", "removed", False),
        ("e", "added", False),
        ("d", "unchanged", False),
    ]
    assert result.counts == {"added": 1, "removed": 1, "modified": 1, "moved": 0, "unchanged": 2}
    modified, removed, added = result.changes[1:4]
    assert stretches(modified.ops) == [
        ("equal", "Förslaget gäller "),
        ("delete", "kommuner"),
        ("insert", "regioner"),
        ("equal", "."),
    ]
    assert (modified.old_index, modified.new_index) == (1, 1)
    assert (removed.old_index, removed.new_index, removed.new) == (2, None, None)
    assert (added.old_index, added.new_index, added.old) == (None, 2, None)
    assert stretches(removed.ops) == [("delete", "Detta stycke tas bort.")]
    assert stretches(added.ops) == [("insert", "Ett nytt stycke.")]
    assert render_change_side_by_side(added) == ("", "<ins>Ett nytt stycke.</ins>")
    assert [c.uid for c in changed_only(result)] == ["b", "c", "e"]


def test_one_moved_block_among_50_is_the_only_move():
    old = [block(f"p{i}", f"Stycke nummer {i}.") for i in range(50)]
    for source, target in ((5, 40), (40, 5), (0, 49), (49, 0), (20, 21)):
        new = list(old)
        new.insert(target, new.pop(source))
        result = diff_versions(old, new)
        moved = [c for c in result.changes if c.moved]
        assert len(moved) == 1, (source, target)
        assert result.counts["moved"] == 1
        assert result.counts["unchanged"] == 49
        assert moved[0].status == "moved"
        assert [c.uid for c in result.changes] == [b["uid"] for b in new]
    # A plain swap of neighbours is one move, either of the two.
    assert moved[0].uid in {"p20", "p21"}


def test_moved_and_edited_block_has_both_flags():
    old = [block(f"p{i}", f"Stycke nummer {i}.") for i in range(10)]
    new = list(old)
    new.insert(8, {**new.pop(2), "text": "Stycke nummer två, omskrivet."})
    result = diff_versions(old, new)
    (change,) = changed_only(result)
    assert (change.uid, change.status, change.moved) == ("p2", ChangeStatus.MODIFIED, True)
    assert has_changes(change.ops)
    assert result.counts == {"added": 0, "removed": 0, "modified": 1, "moved": 1, "unchanged": 9}


def test_removed_blocks_stay_where_they_stood():
    old = [block(u, u) for u in ("r0", "a", "r1", "r2", "b", "m", "r3", "c")]
    # r0 was first; r1 and r2 follow a in their old order; r3 followed m, which moved
    # to the front, so r3 is placed after b, the block before it that kept its place.
    new = [block(u, u) for u in ("m", "a", "x", "b", "c")]
    result = diff_versions(old, new)
    assert statuses(result) == [
        ("r0", "removed", False),
        ("m", "moved", True),
        ("a", "unchanged", False),
        ("r1", "removed", False),
        ("r2", "removed", False),
        ("x", "added", False),
        ("b", "unchanged", False),
        ("r3", "removed", False),
        ("c", "unchanged", False),
    ]


def test_whitespace_only_and_kind_changes():
    old = [block("a", "Det är bra , tycker vi."), block("h", "Bakgrund", "heading", 2)]
    new = [block("a", "Det är bra, tycker vi."), block("h", "Bakgrund", "heading", 3)]
    result = diff_versions(old, new)
    assert statuses(result) == [("a", "unchanged", False), ("h", "modified", False)]
    # The heading's level changed, its words did not.
    assert not has_changes(result.changes[1].ops)


def test_objects_and_dicts_both_work_and_duplicates_are_refused():
    old = [SimpleNamespace(uid="a", kind="paragraph", level=1, text="Hej")]
    new = [block("a", "Hej då")]
    (change,) = diff_versions(old, new).changes
    assert isinstance(change, BlockChange)
    assert render_change_html(change) == "Hej<ins> då</ins>"
    with pytest.raises(ValueError, match="duplicate"):
        diff_versions([block("a", "x"), block("a", "y")], [])


# --------------------------------------------------------------------------- never a struck space


def struck_or_inserted_space(ops):
    """The ops that change nothing but whitespace (a lone struck or inserted space)."""
    return [(tag, text) for tag, text in stretches(ops) if tag != "equal" and text.isspace()]


@pytest.mark.parametrize(
    ("old", "new", "redline"),
    [
        # The space before "och" is kept; the phrase is inserted before it, not instead of it.
        (
            "Vi tar hänsyn till behov och resurser.",
            "Vi tar hänsyn till behov, om tillgänglighet och resurser.",
            "Vi tar hänsyn till behov<ins>, om tillgänglighet</ins> och resurser.",
        ),
        (
            "Kommunen ska tillgänglighet, särskilt",
            "Kommunen ska. Bör c tillgänglighet",
            "Kommunen ska<ins>. Bör c</ins> tillgänglighet<del>, särskilt</del>",
        ),
        # Words deleted with the space between them and the next word.
        ("Kommunen b, c om säkerhet", "om d tillgänglighet b om,", None),
        # A space replaced by a hyphen: the words around it are struck and inserted whole.
        (
            "en e tjänst för alla",
            "en e-tjänst för alla",
            "en <del>e tjänst</del><ins>e-tjänst</ins> för alla",
        ),
    ],
)
def test_a_redline_never_strikes_or_inserts_a_lone_space(old, new, redline):
    ops = word_ops(old, new)
    assert not struck_or_inserted_space(ops), str(render_ops_html(ops))
    assert_reconstructs(old, new, ops)
    if redline:
        assert str(render_ops_html(ops)) == redline


def test_random_rewrites_never_strike_a_lone_space():
    rng = random.Random(5)
    words = ["a", "b", "c", "d", "om", "tillgänglighet", ",", ".", "ska", "vi"]
    for _ in range(3000):
        old, new = (
            " ".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
            .replace(" ,", ",")
            .replace(" .", ".")
            for _ in range(2)
        )
        ops = word_ops(old, new)
        assert not struck_or_inserted_space(ops), (old, new, str(render_ops_html(ops)))
        assert_reconstructs(old, new, ops)
