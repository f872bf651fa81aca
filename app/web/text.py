"""Text made for places other than a web page: file names and printed Markdown."""

from __future__ import annotations

import re
import unicodedata


def ascii_slug(text: str, keep_dots: bool = False) -> str:
    """*text* as a lower-case ASCII file-name part: "Spårade ändringar" → "sparade-andringar"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9.]+" if keep_dots else r"[^a-z0-9]+", "-", folded)
    # No leading dot (a hidden file, or ".."), no dots running into the separators.
    return re.sub(r"-?\.+-?", ".", slug).strip("-.")


_MD_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_MD_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?!\w)")


def markdown_text(value: str) -> str:
    """Markdown typed in a form (an agenda, a comment) as a printed file shows it.

    The lines stay as typed; on paper a link reads "text (url)" and the marks of
    ``*emphasis*`` and ``**bold**`` would only be noise, so they are taken out.
    """
    lines = []
    for line in value.splitlines():
        line = _MD_LINK.sub(r"\1 (\2)", line)
        line = _MD_EMPHASIS.sub(r"\2", line)
        lines.append(line)
    return "\n".join(lines)
