"""Human reference numbers for blocks: headings 1, 1.1, 1.1.1 and paragraphs ¶n within them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Ref:
    """Where a block stands: its section number and, for non-headings, its place in it."""

    section: str  # "3.2", or "" before the first heading
    paragraph: int | None  # None for headings

    @property
    def is_heading(self) -> bool:
        return self.paragraph is None


def number_blocks(blocks) -> list[Ref]:
    """Number *blocks* (objects with ``kind`` and ``level``) in document order.

    Headings deeper than the current one start at 1 even when a level is skipped
    (a level-3 heading straight under a level-1 heading becomes 1.0.1 in Word; we
    write 1.1.1 instead, which is what readers say aloud).
    """
    counters = [0, 0, 0]
    section = ""
    paragraph = 0
    refs: list[Ref] = []
    for block in blocks:
        kind = getattr(block.kind, "value", block.kind)
        if kind == "heading":
            level = min(max(int(block.level), 1), 3)
            counters[level - 1] += 1
            for deeper in range(level, 3):
                counters[deeper] = 0
            for shallower in range(level - 1):
                counters[shallower] = counters[shallower] or 1
            section = ".".join(str(n) for n in counters[:level])
            paragraph = 0
            refs.append(Ref(section, None))
        else:
            paragraph += 1
            refs.append(Ref(section, paragraph))
    return refs
