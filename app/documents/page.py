"""The reading page's blocks as HTML, each rendered once and then served from the cache.

A block's head (text with its quotes highlighted, reference, counts, links) depends only on
what its key names: the language, the version (whose text never changes once published),
the highlighted ranges, the open-comment count and whether the reader may comment. A new
comment therefore re-renders one block, not 500. Drafts change, so they are never cached.
"""

from __future__ import annotations

from flask import get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup

from app import fragments
from app.documents.richtext import highlight


def block_heads(
    document,
    version,
    blocks,
    refs: dict[str, str],
    ranges: dict[str, tuple],
    open_counts: dict[str, int],
    can_comment: bool,
    version_url: str,
    comment_url_pattern: str,
) -> list[Markup]:
    """One head per block of *blocks*, in order."""
    macro = get_template_attribute("documents/_block_head.html", "block_head")
    cache = fragments.cache("blocks")
    locale = get_locale()
    page = (
        locale.language if locale else "sv",
        document.slug,
        version.id,
        version.number,
        version.published_at,
        can_comment,
    )
    heads = []
    for b in blocks:
        marks = ranges.get(b.uid, ())
        count = open_counts.get(b.uid, 0)

        def make(b=b, marks=marks, count=count) -> Markup:
            text = highlight(b.text, list(marks)) if marks else b.text
            return macro(
                b,
                text,
                refs[b.uid],
                count,
                can_comment,
                version_url,
                comment_url_pattern.replace("__uid__", b.uid),
            )

        if version.is_published:
            heads.append(cache.get((page, b.uid, marks, count), make))
        else:
            heads.append(make())
    return heads
