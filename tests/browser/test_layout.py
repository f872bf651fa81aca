"""Every page type, signed in as each role, at 1366 and 390 px: nothing too wide, nothing dead.

Fails on sideways scrolling, a visible element carrying ``hidden``, two visible controls whose
boxes overlap, and any axe-core violation. A full-page screenshot of each page goes into
test-results/layout/ for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import AXE_TAGS
from tests.browser.pages import ACCOUNTS, PAGE_TYPES, PASSWORD, ROLES, build_world

pytestmark = pytest.mark.browser

VIEWPORTS = {"wide": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Swedish, the default, at both widths; English (longer words in places) where space is tightest.
LANGUAGES = {"sv-SE": ("wide", "phone"), "en-GB": ("phone",)}
MAX_SHOT_HEIGHT = 8000
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "layout"

# Runs in the page: what is wrong with the layout, as a list of sentences.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .filter((el) => !el.closest(".visually-hidden, .skip-link"))
      .slice(0, 3)
      .map((el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ")[0] : ""));
    problems.push(`scrolls sideways: ${doc.scrollWidth} > ${window.innerWidth} (${wide.join(", ")})`);
  }
  const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
    && el.getClientRects().length > 0;
  for (const el of document.querySelectorAll("[hidden]")) {
    if (shown(el)) problems.push(`visible although hidden: ${el.outerHTML.slice(0, 80)}`);
  }
  const name = (el) => `${el.tagName.toLowerCase()} "${(el.textContent || el.value || el.name || "").trim().slice(0, 30)}"`;
  const controls = [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")]
    .filter((el) => shown(el) && !el.closest(".visually-hidden, .skip-link"));
  // A sticky or fixed bar (the dashboard's bulk bar) floats over the text by design and moves
  // with scrolling: it is compared only with the controls inside such bars, not with the page.
  const floating = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const position = getComputedStyle(e).position;
      if (position === "sticky" || position === "fixed") return true;
    }
    return false;
  };
  const boxes = controls.map((el) => [el, [...el.getClientRects()].filter((r) => r.width > 2 && r.height > 2)]);
  const floats = new Map(controls.map((el) => [el, floating(el)]));
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 2
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 2;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i];
      const [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a) || floats.get(a) !== floats.get(b)) continue;
      if (ra.some((x) => rb.some((y) => overlap(x, y)))) {
        problems.push(`controls overlap: ${name(a)} and ${name(b)}`);
      }
    }
  }
  return problems;
}
"""


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "signed-out")
def test_every_page_fits_every_width_with_nothing_dead(browser, live_server, app, world, role, language):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale=language, base_url=live_server, viewport=VIEWPORTS["wide"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if role:
        page.goto("/login")
        page.fill("input[name=email]", ACCOUNTS[role])
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        assert page.locator("form[action='/logout']").count() == 1, f"{role} could not sign in"
    problems: list[str] = []
    for page_type in (p for p in PAGE_TYPES if p.role == role):
        path = page_type.path.format(**world)
        for width_name in LANGUAGES[language]:
            viewport = VIEWPORTS[width_name]
            page.set_viewport_size(viewport)
            response = page.goto(path)
            assert response.status == page_type.status, f"{path} as {role}: HTTP {response.status}"
            where = f"{role or 'signed-out'} {page_type.label} {path} at {viewport['width']} px in {language}"
            stem = re.sub(
                r"[^a-z0-9-]+",
                "-",
                f"{role or 'signed-out'}-{page_type.label}-{width_name}-{language.lower()}",
            )
            # The whole page, up to a height image viewers still open.
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
            clip = {"x": 0, "y": 0, "width": viewport["width"], "height": height}
            page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"), full_page=True, clip=clip)
            problems += [f"{where}: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            problems += [
                f"{where}: axe {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                for v in results.response["violations"]
            ]
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not problems, "\n".join(problems)
