"""What a card's or preview's "Apply" form posts, read from the page the editor saw.

A test that applies a suggestion posts what the editor was shown: the revision of the draft's
paragraph, the comment's row version and the changes taken, as the page wrote them.
"""

from __future__ import annotations

import html
import re

INPUT = re.compile(r"<input\b[^>]*>")
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_fields(page: str, form_class: str) -> dict[str, list[str]]:
    """The fields of the first ``<form class="... form_class ...">`` of *page*, as posted (no token)."""
    match = re.search(rf'<form[^>]*class="[^"]*\b{form_class}\b[^"]*"[^>]*>(.*?)</form>', page, re.S)
    assert match, f"no {form_class} form"
    fields: dict[str, list[str]] = {}
    for tag in INPUT.findall(match.group(1)):
        attrs = {k: html.unescape(v) for k, v in ATTR.findall(tag)}
        if attrs.get("name") in (None, "csrf_token"):
            continue
        if attrs.get("type") in ("checkbox", "radio") and "checked" not in tag:
            continue
        fields.setdefault(attrs["name"], []).append(attrs.get("value", ""))
    return fields


def card_form(client, comment_number: int, dashboard: str = "/d/vl/v/2/review") -> dict[str, list[str]]:
    """What the "Apply suggestion" button of card #*comment_number* posts."""
    page = client.get(dashboard).text
    start = page.index(f'id="c-{comment_number}"')
    card = page[start : page.index("</li>", start)]
    return form_fields(card, "apply-form")
