"""The editor's text form of a block: the core's Markdown inline markup, and tables.

Editors type ``**bold**``, ``*italic*`` and ``[text](https://...)`` (:mod:`app.textmarkup`,
in the core because members type the same markup when they suggest a new wording without
JavaScript). A table is one row per line with cells separated by ``|``.
"""

from __future__ import annotations

import re

from app.documents.models import BlockKind
from app.textmarkup import from_markup, table_from_markup, table_to_markup, to_markup

__all__ = ["block_from_markup", "block_to_markup", "from_markup", "split_parts", "to_markup"]


def block_to_markup(kind: BlockKind, value: str) -> str:
    """The text an editor sees for a block; tables one row per line, cells split by ``|``."""
    if kind is BlockKind.TABLE:
        return table_to_markup(value)
    return to_markup(value)


def block_from_markup(kind: BlockKind, text: str) -> str:
    """Stored text for what an editor typed for a block of *kind*."""
    if kind is BlockKind.TABLE:
        return table_from_markup(text)
    return from_markup((text or "").replace("\r\n", "\n"))


def split_parts(text: str) -> list[str]:
    """The parts of a split: the editor's text cut at empty lines."""
    parts = re.split(r"\n[ \t]*\n", (text or "").replace("\r\n", "\n"))
    return [part.strip() for part in parts if part.strip()]
