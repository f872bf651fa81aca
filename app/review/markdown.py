"""The small Markdown subset of comments: paragraphs, emphasis, links and lists, sanitised."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# Raw HTML is off at the parser, and nh3 cleans the output as a second, independent wall.
_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    ["emphasis", "link", "list", "newline", "paragraph", "autolink", "escape", "backticks"]
)
_md.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://", "mailto:"))

CLEANER = nh3.Cleaner(
    tags={"p", "em", "strong", "a", "ul", "ol", "li", "br", "code"},
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="nofollow noopener noreferrer",
    strip_comments=True,
)


def render(source: str) -> str:
    """Markdown → sanitised HTML, done once when a comment is stored."""
    return CLEANER.clean(_md.render(source or "")).strip()


def sanitize(html: str) -> str:
    """Clean HTML that claims to be rendered comment HTML (idempotent)."""
    return CLEANER.clean(html or "")
