"""Sanitising is a fixed point (issue 7, point 7): cleaning clean output again changes nothing.

Every line of the XSS corpus goes through each path that stores user text: the comment
Markdown renderer and its cleaner, the inline rich text of blocks (editor, import,
suggestions), the editor's markup and tables.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.documents.models import BlockKind
from app.drafting.markup import block_from_markup, block_to_markup, from_markup, to_markup
from app.review import markdown
from app.richtext import sanitize_inline, table_rows, table_text
from tests.browser.xss import payloads as corpus


class _Active(HTMLParser):
    """Collects what would be active in a browser: scripts, event handlers, script URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style", "img", "svg", "base", "meta", "link"):
            self.found.append(tag)
        for name, value in attrs:
            url = "".join((value or "").split()).lower()
            if name.startswith("on") or url.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"{tag} {name}")


def active(html: str) -> list[str]:
    parser = _Active()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.fixture(scope="module")
def payloads() -> list[str]:
    return corpus()


def test_comment_html_is_a_fixed_point_of_the_cleaner(payloads):
    for payload in payloads:
        once = markdown.render(payload)
        assert markdown.sanitize(once) == once, payload
        assert active(once) == [], payload


def test_inline_rich_text_is_a_fixed_point(payloads):
    for payload in payloads:
        once = sanitize_inline(payload)
        assert sanitize_inline(once) == once, payload
        assert active(once) == [], payload


def test_editor_markup_and_tables_are_fixed_points(payloads):
    for payload in payloads:
        stored = from_markup(payload)
        assert from_markup(to_markup(stored)) == from_markup(to_markup(from_markup(to_markup(stored)))), (
            payload
        )
        assert sanitize_inline(stored) == stored, payload
        table = block_from_markup(BlockKind.TABLE, f"{payload} | x\nx | {payload}")
        assert table_text(table_rows(table)) == table, payload
        assert block_from_markup(BlockKind.TABLE, block_to_markup(BlockKind.TABLE, table)) == table, payload
