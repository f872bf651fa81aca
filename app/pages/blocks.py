"""The reading page's blocks as HTML, each block rendered once and then served from the cache.

A block's head (text with its quotes highlighted, reference, counts, links, the opening of
its comments section) depends only on what its key names: the language, the version (whose
text never changes once published), the highlighted ranges, the counts, whether it has
threads below it, whether the reader may comment and, with suggestions shown in the text,
the suggestions inside it. A new comment therefore re-renders one block, not 500. Drafts
change, so they are never cached. The threads come from the review.rendering.ThreadRenderer,
which caches each thread the same way. Used by the reading page (app.pages.reading).
"""

from __future__ import annotations

from flask import get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup

from app import fragments
from app.richtext import highlight


def render_blocks(
    document,
    version,
    blocks,
    threads,
    thread_html,
    *,
    refs: dict[str, str],
    ranges: dict[str, tuple],
    can_comment: bool,
    version_url: str,
    comment_url_pattern: str,
    show_url_pattern: str,
    suggest_url_pattern: str = "",
    answered=None,
    inline=None,
) -> Markup:
    """All of *blocks* with their threads (or, on a busy version, links to them), in order.

    *answered*, when given, is called with a block's uid and returns what to show after its
    threads (the comments this version answered there), or an empty string. *inline*, when
    given, is called with a block's uid and returns what to show inside the block after its
    text (its open suggestions as redlines), or an empty string; it is part of the block's key.
    """
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
        show_url_pattern,
        suggest_url_pattern,
    )
    parts: list[str] = []
    for b in blocks:
        marks = ranges.get(b.uid, ())
        views = threads.by_block.get(b.uid)
        count = threads.open_counts.get(b.uid, 0)
        collapsed = threads.collapsed.get(b.uid, 0)
        extra = inline(b.uid) if inline is not None else ""

        def make(
            b=b, marks=marks, count=count, has_threads=bool(views), collapsed=collapsed, extra=extra
        ) -> Markup:
            text = highlight(b.text, list(marks)) if marks else b.text
            return macro(
                b,
                text,
                refs[b.uid],
                count,
                can_comment,
                version_url,
                comment_url_pattern.replace("__uid__", b.uid),
                has_threads,
                collapsed,
                show_url_pattern.replace("__uid__", b.uid),
                suggest_url_pattern.replace("__uid__", b.uid),
                extra,
            )

        if version.is_published:
            parts.append(cache.get((page, b.uid, marks, count, bool(views), collapsed, extra), make))
        else:
            parts.append(make())
        if views:
            parts.extend(thread_html(view) for view in views)
            parts.append("</section>")
        if answered is not None:
            parts.append(answered(b.uid))
        parts.append("</li>" if b.list_tag else "</div>")
    if blocks and blocks[-1].list_tag:
        parts.append(f"</{blocks[-1].list_tag}>")
    return Markup("".join(parts))  # noqa: S704  (escaped by the templates that made each part)
