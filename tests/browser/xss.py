"""The stored-XSS corpus and the check that a rendered page holds nothing active (issue 7, point 7).

Every text a user can enter is run with the whole of ../shared/testdata/xss/IntrudersXSS.txt
by the browser tests; they share the corpus and this check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# shared/ stands beside the repository (in CI: beside the fresh clone).
XSS = next(
    (
        base / "testdata" / "xss" / "IntrudersXSS.txt"
        for base in (ROOT.parent / "shared", Path("/work/shared"))
        if (base / "testdata" / "xss" / "IntrudersXSS.txt").exists()
    ),
    ROOT.parent / "shared" / "testdata" / "xss" / "IntrudersXSS.txt",
)

ACTIVE_CONTENT = """() => {
    const bad = [];
    for (const s of document.querySelectorAll('script')) {
        if (!new URL(s.src || 'inline:', location.href).pathname.startsWith('/static/js/')
            || new URL(s.src || 'inline:', location.href).origin !== location.origin) {
            bad.push('script:' + s.outerHTML.slice(0, 80));
        }
    }
    for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase();
            const value = attr.value.replace(/\\s/g, '').toLowerCase();
            if (name.startsWith('on')) bad.push('attr:' + el.tagName + ' ' + name);
            if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc'].includes(name)
                && (value.startsWith('javascript:') || value.startsWith('data:text/html')
                    || value.startsWith('vbscript:'))) {
                bad.push('url:' + el.tagName + ' ' + attr.value.slice(0, 60));
            }
        }
    }
    // The overview's own chart is the one inline SVG the app draws.
    for (const tag of ['iframe', 'object', 'embed', 'img', 'svg:not(.bar-chart)', 'video', 'audio', 'base',
                       'meta[http-equiv]', 'link[rel=import]', 'style', 'form form']) {
        for (const el of document.querySelectorAll('main ' + tag)) bad.push('tag:' + el.outerHTML.slice(0, 80));
    }
    return bad;
}"""


def payloads() -> list[str]:
    """Every non-blank line of the corpus; the test fails (never skips) when it is missing."""
    if not XSS.exists():
        pytest.fail(f"the XSS corpus is missing at {XSS}")
    lines = [line for line in XSS.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    assert len(lines) > 100
    return lines


def assert_inert(page, path: str, open_details: bool = False) -> None:
    """Load *path* (opening every <details> if asked) and check that nothing of the corpus came alive."""
    page.goto(path)
    page.wait_for_load_state("load")
    if open_details:
        for details in page.locator("details").all():
            details.locator("summary").click()
    page.wait_for_timeout(200)
    assert page.dialogs == [], f"a dialog fired on {path}: {page.dialogs[:3]}"
    report = page.evaluate(ACTIVE_CONTENT)
    assert report == [], f"active content on {path}: {report[:10]}"
