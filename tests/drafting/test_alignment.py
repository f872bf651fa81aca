"""Aligning an imported draft with the previous version: who keeps which uid."""

from __future__ import annotations

import random

import pytest

from app.drafting import alignment
from app.drafting.alignment import CONFIRM, PAIR_MIN, OldBlock, align
from app.drafting.docx_reader import ImportedBlock

P = [
    "Myndigheter ska publicera sina data under öppna licenser när det är möjligt och lämpligt.",
    "Upphovsrätten gäller även för material som en myndighet tar fram inom sitt uppdrag.",
    "Den som återanvänder materialet ska ange källan på ett tydligt sätt enligt licensen.",
    "Vägledningen gäller för statliga myndigheter, kommuner och regioner i hela landet.",
    "Frågor om vägledningen besvaras av DIGG och PRV gemensamt via den gemensamma brevlådan.",
]


def old_version() -> list[OldBlock]:
    return [OldBlock("h", "heading", 1, "Syfte")] + [
        OldBlock(f"p{i}", "paragraph", 1, text) for i, text in enumerate(P)
    ]


def new(*texts: str, kind: str = "paragraph") -> list[ImportedBlock]:
    return [ImportedBlock(kind, 1, t) for t in texts]


def heading(text: str = "Syfte") -> ImportedBlock:
    return ImportedBlock("heading", 1, text)


def uids_used_once(result) -> None:
    kept = [u for u in result.uids if u is not None]
    assert len(kept) == len(set(kept))
    assert not set(kept) & set(result.removed)


def test_unchanged_document_keeps_every_uid():
    result = align(old_version(), [heading(), *new(*P)])
    assert result.uids == ["h", "p0", "p1", "p2", "p3", "p4"]
    assert set(result.statuses) == {"unchanged"}
    assert result.removed == []
    assert result.low_confidence == []
    assert result.counts == {
        "unchanged": 6,
        "edited": 0,
        "moved": 0,
        "moved+edited": 0,
        "new": 0,
        "removed": 0,
    }


def test_edited_paragraph_and_heading_keep_their_uids():
    edited = P[1].replace("även", "också").replace("uppdrag", "offentliga uppdrag")
    result = align(old_version(), [heading("Syftet"), *new(P[0], edited, *P[2:])])
    assert result.uids == ["h", "p0", "p1", "p2", "p3", "p4"]
    assert result.statuses == ["edited", "unchanged", "edited", *["unchanged"] * 3]
    assert result.matches[2].score >= CONFIRM
    assert result.low_confidence == []


def test_formatting_or_kind_changes_are_edits_not_unchanged():
    blocks = [heading(), *new(*P)]
    blocks[1] = ImportedBlock("paragraph", 1, P[0].replace("öppna", "<strong>öppna</strong>"))
    blocks[2] = ImportedBlock("bullet", 1, P[1])
    result = align(old_version(), blocks)
    assert result.uids == ["h", "p0", "p1", "p2", "p3", "p4"]
    assert result.statuses[1:3] == ["edited", "edited"]


def test_inserted_paragraph_is_new_and_deleted_one_removed():
    inserted = "En helt ny mening om licensval som inte fanns i förra versionen alls."
    result = align(old_version(), [heading(), *new(P[0], inserted, P[1], P[3], P[4])])
    assert result.uids == ["h", "p0", None, "p1", "p3", "p4"]
    assert result.statuses[2] == "new"
    assert result.removed == ["p2"]
    assert result.counts["new"] == 1 and result.counts["removed"] == 1


def test_replacing_a_paragraph_with_unrelated_text_is_not_an_edit():
    other = "Helt annan text om något som inte har med saken att göra i detta utkast."
    result = align(old_version(), [heading(), *new(P[0], other, *P[2:])])
    assert result.uids == ["h", "p0", None, "p2", "p3", "p4"]
    assert result.removed == ["p1"]


def test_moved_paragraphs_keep_their_uids():
    moved_edited = P[0].replace("publicera", "alltid publicera")
    result = align(old_version(), [heading(), *new(P[1], P[2], P[4], P[3], moved_edited)])
    assert result.uids == ["h", "p1", "p2", "p4", "p3", "p0"]
    by_uid = {m.uid: m for m in result.matches}
    assert by_uid["p0"].status == "moved+edited"
    assert {by_uid["p3"].status, by_uid["p4"].status} == {"moved", "unchanged"}
    assert result.removed == []


def test_a_split_paragraph_keeps_its_uid_on_the_first_part():
    first, second = "Upphovsrätten gäller även för material", "som en myndighet tar fram."
    rest = P[1].split(" ", 2)[2]
    for parts in [
        (first, second),
        ("Upphovsrätten gäller", rest),
        ("Upphovsrätten gäller nu", rest),
    ]:
        result = align(old_version(), [heading(), *new(P[0], *parts, *P[2:])])
        assert result.uids == ["h", "p0", "p1", None, "p2", "p3", "p4"], parts
        assert result.statuses[2:4] == ["edited", "new"]
        assert result.matches[2].reason == "split"
        assert result.removed == []


def test_merged_paragraphs_keep_the_first_uid_and_remove_the_second():
    lightly_edited = P[1].replace("även", "också")
    for merged in [P[1] + " " + P[2], lightly_edited + " " + P[2]]:
        result = align(old_version(), [heading(), *new(P[0], merged, P[3], P[4])])
        assert result.uids == ["h", "p0", "p1", "p3", "p4"], merged
        assert result.matches[2].reason == "merge"
        assert result.removed == ["p2"]


def test_a_new_paragraph_next_to_an_edited_one_is_not_a_split():
    edited = P[1].replace("även", "också")
    extra = "Därtill gäller särskilda regler för kartor och geodata i vissa fall."
    result = align(old_version(), [heading(), *new(P[0], edited, extra, *P[2:])])
    assert result.uids == ["h", "p0", "p1", None, "p2", "p3", "p4"]
    assert result.matches[2].reason == "similar"


def test_a_new_paragraph_reusing_a_few_old_words_does_not_take_the_uid():
    """A split needs the other part to continue the old text, not just share some words."""
    intro = "Upphovsrätten gäller, sa någon en gång i ett helt annat sammanhang"
    rest = P[1].split(" ", 2)[2]
    result = align(old_version(), [heading(), *new(P[0], intro, rest, *P[2:])])
    assert result.uids == ["h", "p0", None, "p1", "p2", "p3", "p4"]
    assert result.matches[3].reason == "similar"


def test_edits_after_a_long_insertion_stay_in_place_not_moves():
    """Far from the diagonal of a big replaced run, rare shared words still pair blocks."""
    rng = random.Random(11)
    texts = synthetic(rng, 400)
    old = [OldBlock(f"u{i}", "paragraph", 1, t) for i, t in enumerate(texts)]
    inserted = synthetic(random.Random(12), 100)
    blocks = new(*inserted, *(edit(rng, t) for t in texts))
    result = align(old, blocks)
    assert result.uids == [None] * 100 + [b.uid for b in old]
    assert result.statuses == ["new"] * 100 + ["edited"] * 400


def test_heavy_rewrites_are_low_confidence_for_the_editor_to_confirm():
    rewritten = "Upphovsrätten gäller för material som myndigheten själv tar fram på eget initiativ."
    result = align(old_version(), [heading(), *new(P[0], rewritten, *P[2:])])
    match = result.matches[2]
    assert match.uid == "p1"
    assert PAIR_MIN <= match.score < CONFIRM
    assert result.low_confidence == [match]


def test_repeated_identical_paragraphs_each_keep_one_uid():
    old = [OldBlock(f"u{i}", "paragraph", 1, "Ja." if i % 2 else f"Fråga {i}?") for i in range(80)]
    blocks = [ImportedBlock(b.kind, b.level, b.text) for b in old]
    del blocks[10:12]  # "Fråga 10?" and one "Ja."
    result = align(old, blocks)
    uids_used_once(result)
    assert result.uids == [b.uid for b in old[:10] + old[12:]]
    assert result.removed == ["u10", "u11"]


def test_empty_sides():
    assert align([], new("A", "B")).statuses == ["new", "new"]
    result = align(old_version(), [])
    assert result.matches == [] and result.removed == ["h", "p0", "p1", "p2", "p3", "p4"]


# --------------------------------------------------------------------------- at scale


def synthetic(rng: random.Random, count: int) -> list[str]:
    """Prose-like paragraphs: Zipf-distributed pseudo-words, so common words recur."""
    letters = "abcdefghijklmnoprstuvyåäö"
    vocab = ["".join(rng.choices(letters, k=rng.randint(2, 10))) for _ in range(4000)]
    weights = [1 / (rank + 1) for rank in range(len(vocab))]

    def sentence() -> str:
        return " ".join(rng.choices(vocab, weights, k=rng.randint(6, 22))).capitalize() + "."

    return [" ".join(sentence() for _ in range(rng.randint(1, 4))) for _ in range(count)]


def edit(rng: random.Random, text: str) -> str:
    words = text.split()
    for _ in range(max(1, len(words) // 12)):
        words[rng.randrange(len(words))] = "ändrat"
    return " ".join(words)


def test_2000_blocks_with_10_percent_edits_and_10_moves_keep_every_uid():
    rng = random.Random(2024)
    texts = synthetic(rng, 2000)
    old = [OldBlock(f"u{i}", "paragraph", 1, t) for i, t in enumerate(texts)]
    current = [(b.uid, b.text) for b in old]
    edited = set(rng.sample(range(2000), 200))
    current = [(u, edit(rng, t) if i in edited else t) for i, (u, t) in enumerate(current)]
    moved = set()
    for _ in range(10):
        source = rng.randrange(len(current))
        item = current.pop(source)
        current.insert(rng.randrange(len(current)), item)
        moved.add(item[0])
    result = align(old, [ImportedBlock("paragraph", 1, t) for _, t in current])
    assert result.uids == [u for u, _ in current]  # every expected uid, exactly
    assert result.removed == []
    edited_uids = {f"u{i}" for i in edited}
    for match in result.matches:
        if match.uid in moved:
            expected = "moved+edited" if match.uid in edited_uids else "moved"
            # A block moved by one place may as well be the neighbours that moved.
            assert match.status in (expected, "unchanged", "edited")
        elif match.uid in edited_uids:
            assert match.status == "edited"
        else:
            assert match.status == "unchanged"
    assert result.counts["moved"] + result.counts["moved+edited"] >= 8


def test_every_paragraph_edited_stays_bounded_and_right(monkeypatch):
    rng = random.Random(7)
    texts = synthetic(rng, 2000)
    old = [OldBlock(f"u{i}", "paragraph", 1, t) for i, t in enumerate(texts)]
    blocks = [ImportedBlock("paragraph", 1, edit(rng, t)) for t in texts]
    calls = 0
    real = alignment._similarity

    def counting(a, b):
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(alignment, "_similarity", counting)
    result = align(old, blocks)
    assert result.uids == [b.uid for b in old]
    assert set(result.statuses) == {"edited"}
    # O(n) similarity computations, not the 4,000,000 of comparing every pair.
    per_block = 2 * alignment.BAND + 1 + alignment.MAX_CANDIDATES
    assert calls <= 2000 * per_block


@pytest.mark.parametrize("seed", range(5))
def test_random_edit_scripts_never_reuse_a_uid(seed):
    rng = random.Random(seed)
    texts = synthetic(rng, 60)
    kinds = rng.choices(["paragraph", "bullet"], k=len(texts))
    old = [OldBlock(f"u{i}", kind, 1, t) for i, (kind, t) in enumerate(zip(kinds, texts, strict=True))]
    blocks = [ImportedBlock(b.kind, 1, b.text) for b in old]
    for _ in range(25):
        op = rng.choice(["edit", "move", "insert", "delete", "split", "merge"])
        k = rng.randrange(len(blocks) - 1)
        text = blocks[k].text
        if op == "edit":
            blocks[k] = ImportedBlock("paragraph", 1, edit(rng, text))
        elif op == "move":
            blocks.insert(rng.randrange(len(blocks)), blocks.pop(k))
        elif op == "insert":
            blocks.insert(k, ImportedBlock("paragraph", 1, synthetic(rng, 1)[0]))
        elif op == "delete":
            del blocks[k]
        elif op == "split" and " " in text:
            half = len(text) // 2
            blocks[k : k + 1] = new(text[:half], text[half:])
        elif op == "merge":
            blocks[k : k + 2] = new(text + " " + blocks[k + 1].text)
    result = align(old, blocks)
    uids_used_once(result)
    assert len(result.matches) == len(blocks)
    assert set(result.removed) | {u for u in result.uids if u} == {b.uid for b in old}
