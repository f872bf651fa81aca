"""Time comparing two 500-block versions (diff + rendering) against the issue's targets.

Run from the repository root: ``python benchmarks/bench_diff.py``. The versions are
generated from a fixed seed (Swedish-like prose with å ä ö, 60-120 words a paragraph),
so the figures are comparable between runs. A last line times the same work with
stdlib difflib as the aligner, and how often its ops equal the chosen engine's.
"""

from __future__ import annotations

import difflib
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import worddiff
from app.compare.diff import (
    changed_only,
    diff_versions,
    render_change_html,
    render_change_side_by_side,
)

BLOCKS = 500
RUNS = 15
TARGET_10_PERCENT_MS = 80
TARGET_ALL_MS = 400

_VOCABULARY = (
    "och att det som en på är för med till av inte den har de om ett men så vi kan ska "
    "myndigheten förslaget åtgärder översyn ändring tjänster digitala förvaltningen säkerhet "
    "öppna data regeringen remissen utredningen bedömning behov ansvar uppdrag kommuner "
    "regioner enskilda företag informationen tillgång skyddet personuppgifter lagstiftning "
    "förordningen tillämpningen samverkan området därför också särskilt nödvändigt möjligt "
    "väsentligt föreslås bör måste får kräver innebär gäller påverkar förtydligas "
    "patentansökan varumärket ärendet handläggningen återrapportering utvärdering kostnader "
    "finansiering införandet övergången följande nämnda övriga ytterligare år månader"
)
WORDS = _VOCABULARY.split()
LINK = "https://www.prv.se/sv/om-oss/remiss?id=7&del=å"


def sentence(rng: random.Random) -> str:
    """One sentence of Swedish-like words with a comma or two and an occasional mark."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    words[0] = words[0].capitalize()
    for _ in range(rng.randint(0, 2)):
        words[rng.randrange(1, len(words) - 1)] += ","
    if rng.random() < 0.15:
        i = rng.randrange(len(words))
        words[i] = f"<strong>{words[i]}</strong>"
    if rng.random() < 0.05:
        i = rng.randrange(len(words))
        words[i] = f'<a href="{LINK.replace("&", "&amp;")}">{words[i]}</a>'
    return " ".join(words) + "."


def paragraph(rng: random.Random) -> str:
    """A paragraph of 60-120 words."""
    parts: list[str] = []
    while sum(len(p.split()) for p in parts) < rng.randint(60, 120):
        parts.append(sentence(rng))
    return " ".join(parts)


def make_version(rng: random.Random) -> list[dict]:
    """500 blocks: headings every so often, a few list items and tables, mostly paragraphs."""
    blocks: list[dict] = []
    for i in range(BLOCKS):
        roll = rng.random()
        if i % 25 == 0:
            block = {"kind": "heading", "level": 1 + (i // 25) % 2, "text": sentence(rng)[:-1]}
        elif roll < 0.1:
            block = {"kind": "bullet", "level": 1, "text": sentence(rng)}
        elif roll < 0.12:
            rows = [[rng.choice(WORDS) for _ in range(3)] for _ in range(4)]
            block = {"kind": "table", "level": 1, "text": "\n".join("\t".join(r) for r in rows)}
        else:
            block = {"kind": "paragraph", "level": 1, "text": paragraph(rng)}
        block["uid"] = f"b{i:04d}"
        blocks.append(block)
    return blocks


def edit_text(rng: random.Random, text: str) -> str:
    """One to three edits of the kinds editors make: words, phrases, punctuation."""
    if "\t" in text:
        rows = [row.split("\t") for row in text.split("\n")]
        rows[rng.randrange(len(rows))][rng.randrange(3)] = rng.choice(WORDS)
        return "\n".join("\t".join(r) for r in rows)
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(words))
        kind = rng.random()
        if kind < 0.45:
            words[i] = rng.choice(WORDS)
        elif kind < 0.65:
            words[i:i] = [rng.choice(WORDS) for _ in range(rng.randint(2, 6))]
        elif kind < 0.8 and len(words) > 8:
            del words[i : i + rng.randint(1, 4)]
        elif kind < 0.9:
            words[i] = words[i].rstrip(",.") + rng.choice([",", ";", ":"])
        elif "<" not in words[i]:
            words[i] = f"<em>{words[i]}</em>"
    return " ".join(words)


def edited(rng: random.Random, old: list[dict], share: float) -> list[dict]:
    """A new version with *share* of the blocks changed (edits, plus a few adds/removes/moves)."""
    new = [dict(b) for b in old]
    count = round(len(old) * share)
    picks = rng.sample(range(len(old)), count)
    structural = picks[: max(3, count // 10)] if share < 1 else []
    for i in picks:
        if i not in structural:
            new[i]["text"] = edit_text(rng, new[i]["text"])
    removed = {new[i]["uid"] for i in structural[0::3]}
    moved = [new[i] for i in structural[1::3]]
    new = [b for b in new if b["uid"] not in removed and b not in moved]
    for block in moved:
        new.insert(rng.randrange(len(new)), block)
    for k, _ in enumerate(structural[2::3]):
        new.insert(
            rng.randrange(len(new)), {"uid": f"n{k}", "kind": "paragraph", "level": 1, "text": paragraph(rng)}
        )
    return new


def run(old: list[dict], new: list[dict]) -> float:
    """Milliseconds for one diff of the versions plus rendering every changed block."""
    start = time.perf_counter()
    result = diff_versions(old, new)
    for change in changed_only(result):
        render_change_html(change)
        render_change_side_by_side(change)
    return (time.perf_counter() - start) * 1000


def p50(old: list[dict], new: list[dict]) -> float:
    """Median of RUNS timings."""
    run(old, new)  # warm the regex and import caches
    return statistics.median(run(old, new) for _ in range(RUNS))


class _Difflib:
    """difflib's SequenceMatcher in place of rapidfuzz, to compare the two engines."""

    @staticmethod
    def opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
        return difflib.SequenceMatcher(str.isspace, a, b, autojunk=False).get_opcodes()


def main() -> None:
    """Print p50 timings against the targets."""
    rng = random.Random(20260605)
    old = make_version(rng)
    some = edited(rng, old, 0.10)
    every = edited(rng, old, 1.0)

    some_ms, every_ms = p50(old, some), p50(old, every)
    counts = diff_versions(old, some).counts
    print(f"10% changed ({counts}): p50 {some_ms:.1f} ms (target <= {TARGET_10_PERCENT_MS} ms)")
    counts = diff_versions(old, every).counts
    print(
        f"all changed ({counts['modified']} modified): p50 {every_ms:.1f} ms (target <= {TARGET_ALL_MS} ms)"
    )

    fast = [c.ops or c.cells for c in diff_versions(old, every).changes]
    engine = worddiff.Indel
    worddiff.Indel = _Difflib  # type: ignore[assignment]
    try:
        slow_ms = statistics.median(run(old, every) for _ in range(3))
        slow = [c.ops or c.cells for c in diff_versions(old, every).changes]
    finally:
        worddiff.Indel = engine
    same = sum(a == b for a, b in zip(fast, slow, strict=True))
    print(
        f"difflib as aligner instead: all changed p50 {slow_ms:.1f} ms; "
        f"identical ops in {same}/{len(fast)} blocks"
    )


if __name__ == "__main__":
    main()
