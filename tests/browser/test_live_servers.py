"""Live across two app servers in Chromium (issue 27): a comment posted through server B appears
within 2 s on a member's reading page and on an editor's dashboard served by server A, at 1366 and
390 px. On PostgreSQL (TEST_DATABASE_URL) the news travels by LISTEN/NOTIFY; on SQLite the two
servers share one file and each polls the events table.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import sign_in
from tests.live.test_servers import database_url, servers  # noqa: F401  (module fixtures)
from tests.test_several_servers import DEMO_PASSWORD, SLUG, Browser

pytestmark = pytest.mark.browser

SIZES = {"wide": (1366, 900), "narrow": (390, 844)}


def _page(browser, server, size):
    context = browser.new_context(
        locale="sv-SE", base_url=server.base, viewport={"width": size[0], "height": size[1]}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    return context, page


def _streaming(page) -> None:
    """Wait until the page's event stream is open (its first event came)."""
    page.wait_for_function("() => window.remissLive && window.remissLive.last !== null", timeout=10_000)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_comment_posted_on_one_server_appears_on_the_other(browser, servers, size):  # noqa: F811
    a, b = servers
    poster = Browser(f"127.0.0.{41 if size == 'wide' else 42}")
    poster.sign_in(b, "member@demo.example")
    number, uid = re.search(
        rf"/d/{SLUG}/v/(\d+)/b/([^/\"]+)/comment", poster.get(b, f"/d/{SLUG}").text
    ).groups()

    reader_context, reader = _page(browser, a, SIZES[size])
    editor_context, editor = _page(browser, a, SIZES[size])
    try:
        sign_in(reader, "member2@demo.example", DEMO_PASSWORD)
        reader.goto(f"/d/{SLUG}")
        sign_in(editor, "editor@demo.example", DEMO_PASSWORD)
        editor.goto(f"/d/{SLUG}/v/{number}/review")
        _streaming(reader)
        _streaming(editor)
        open_before = int(editor.locator("[data-count='open']").inner_text())

        body = f"Via server B, {size}, {time.time():.0f}"
        sent = time.monotonic()
        response = poster.post(b, f"/d/{SLUG}/v/{number}/b/{uid}/comment", {"kind": "comment", "body": body})
        assert response.status_code == 302, response.text[:500]
        reader.locator(f".block[data-uid='{uid}'] .block-comments", has_text=body).wait_for(timeout=2_000)
        editor.locator("#live-board-new").wait_for(timeout=2_000)
        assert time.monotonic() - sent < 2.5
        assert int(editor.locator("[data-count='open']").inner_text()) == open_before + 1
        assert not reader.js_errors and not editor.js_errors
    finally:
        reader_context.close()
        editor_context.close()
