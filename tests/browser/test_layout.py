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


# Runs in the page: for every block of the text, each of its margin's controls (the number,
# "Kommentera", the count) and the distance from it to its own block's text and to the nearest
# other block's text. A control belongs to the block it is nearest to; a reader sees it so.
CONTROL_DISTANCES = """
() => {
  const gap = (a, b) => {
    const dx = Math.max(0, a.left - b.right, b.left - a.right);
    const dy = Math.max(0, a.top - b.bottom, b.top - a.bottom);
    return Math.hypot(dx, dy);
  };
  const blocks = [...document.querySelectorAll(".doc-text .block")];
  const bodies = blocks.map((b) => b.querySelector(":scope > .block-body").getBoundingClientRect());
  const rows = [];
  blocks.forEach((block, i) => {
    for (const control of block.querySelectorAll(":scope > .block-margin a")) {
      const box = control.getBoundingClientRect();
      if (!box.width || !box.height) continue;
      let other = Infinity;
      let otherId = null;
      bodies.forEach((body, j) => {
        if (j === i) return;
        const d = gap(box, body);
        if (d < other) { other = d; otherId = blocks[j].id; }
      });
      rows.push({
        block: block.id,
        control: control.textContent.trim(),
        own: gap(box, bodies[i]),
        other,
        otherId,
      });
    }
  });
  return rows;
}
"""
SHOTS = Path("/tmp/shots/i23-phone")


@pytest.mark.parametrize("width_name", ["phone", "wide"])
def test_each_blocks_number_and_control_are_nearest_their_own_block(browser, live_server, world, width_name):
    # Issue 23: at 390 px "7.1 st. 1 Kommentera" sat under its paragraph, touching the next one,
    # and read as the label of the paragraph below. Every block of the demo, as a member sees it.
    viewport = VIEWPORTS[width_name]
    context = browser.new_context(locale="sv-SE", base_url=live_server, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", ACCOUNTS["member"])
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.goto(f"/d/{world['slug']}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reading-{viewport['width']}.png"), full_page=False)
    top = page.evaluate("document.querySelector('.doc-text').getBoundingClientRect().top + window.scrollY")
    clip = {"x": 0, "y": top, "width": viewport["width"], "height": 1400}
    page.screenshot(path=str(SHOTS / f"reading-text-{viewport['width']}.png"), full_page=True, clip=clip)
    rows = page.evaluate(CONTROL_DISTANCES)
    context.close()
    blocks = {r["block"] for r in rows}
    assert len(blocks) > 20 and any(r["control"] == "Kommentera" for r in rows)
    # Nearer its own text than any other block's, by a clear margin (not a pixel or two).
    wrong = [
        f"{r['block']} {r['control']!r}: {r['own']:.0f} px from its text, {r['other']:.0f} px from {r['otherId']}"
        for r in rows
        if not r["own"] + 8 <= r["other"]
    ]
    assert not wrong, f"{len(wrong)} of {len(rows)} controls at {viewport['width']} px:\n" + "\n".join(
        wrong[:20]
    )


# Runs in the page: for every heading of the text, where its number is seen. The number is the
# heading's first word; every visible text of the block (its margin and its text, not its
# comments) that holds that number as a word is one place it shows.
HEADING_NUMBERS = """
() => {
  const seen = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
    && !el.closest(".visually-hidden");
  return [...document.querySelectorAll(".doc-text .block--heading")].map((block) => {
    const heading = block.querySelector(":scope > .block-body :is(h2, h3, h4)");
    const number = heading.textContent.trim().split(/\\s+/)[0];
    const word = new RegExp(`(^|\\\\s)${number.replace(/\\./g, "\\\\.")}($|\\\\s)`);
    const places = [];
    for (const part of block.querySelectorAll(":scope > .block-margin, :scope > .block-body")) {
      const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (word.test(node.textContent) && seen(node.parentElement)) places.push(node.parentElement);
      }
    }
    const link = block.querySelector(`a[href$="#${block.id}"]`);
    return {
      block: block.id,
      number,
      places: places.length,
      inHeading: places.every((el) => heading.contains(el)),
      size: places.length ? parseFloat(getComputedStyle(places[0]).fontSize) : 0,
      headingSize: parseFloat(getComputedStyle(heading).fontSize),
      permalink: Boolean(link && link.checkVisibility()),
    };
  });
}
"""


@pytest.mark.parametrize("role", [None, "member"], ids=["signed-out", "member"])
@pytest.mark.parametrize("width_name", ["phone", "wide"])
def test_a_headings_number_shows_once_in_the_heading(browser, live_server, world, width_name, role):
    # Follow-up to issue 23: the number stood in the heading's margin line ("1  Kommentera") and
    # again in the heading ("1 Om vägledningen"), read twice aloud and seen twice on a phone.
    from axe_playwright_python.sync_playwright import Axe

    viewport = VIEWPORTS[width_name]
    context = browser.new_context(locale="sv-SE", base_url=live_server, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if role:
        page.goto("/login")
        page.fill("input[name=email]", ACCOUNTS[role])
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
    page.goto(f"/d/{world['slug']}")
    shots = Path("/tmp/shots/s23-rest")
    shots.mkdir(parents=True, exist_ok=True)
    top = page.evaluate("document.querySelector('.doc-text').getBoundingClientRect().top + window.scrollY")
    clip = {"x": 0, "y": top, "width": viewport["width"], "height": 1000}
    page.screenshot(
        path=str(shots / f"headings-{role or 'signed-out'}-{viewport['width']}.png"),
        full_page=True,
        clip=clip,
    )
    rows = page.evaluate(HEADING_NUMBERS)
    violations = (
        Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}).response["violations"]
    )
    context.close()
    assert len(rows) > 5
    twice = [f"{r['block']} {r['number']}: shown {r['places']} times" for r in rows if r["places"] != 1]
    assert not twice, "\n".join(twice)
    # Shown in the heading itself, as large as the heading, and still a permanent link.
    assert all(r["inHeading"] and r["size"] >= r["headingSize"] - 0.5 for r in rows), rows
    assert all(r["permalink"] for r in rows), [r["block"] for r in rows if not r["permalink"]]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_a_comment_on_a_heading_puts_its_count_first_in_the_margin(page, factory):
    # The heading's margin has no number of its own now: the page's script puts the new
    # count where the number stood, before "Kommentera" (it looked for the number and failed).
    from tests.browser.conftest import sign_in
    from tests.conftest import PASSWORD

    doc = factory.document(
        slug="rubrik",
        versions=[[("h", "heading", 1, "Öppna licenser"), ("p", "paragraph", 1, "Ett stycke.")]],
    )
    user = factory.user(email="maja@example.org")
    sign_in(page, user.email, PASSWORD)
    page.goto("/d/rubrik")
    page.get_by_role("link", name="Kommentera 1", exact=True).click()
    page.get_by_label("Din synpunkt").fill("Rubriken kunde vara tydligare.")
    page.get_by_role("button", name="Skicka synpunkt").click()
    page.locator("#c-1").wait_for()
    margin = page.locator(f"#b-{doc.block_uids['h']} > .block-margin > a")
    texts = margin.all_inner_texts()
    assert texts[0].startswith("1") and texts[1:] == ["Kommentera", "Föreslå ändring"], texts
    assert page.js_errors == []


# Runs in the page: for every heading of the editors' working draft, how many times its number
# is seen in the block (its head line and its text), and whether each place is in the heading.
DRAFT_HEADING_NUMBERS = """
() => {
  const seen = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
    && !el.closest(".visually-hidden");
  return [...document.querySelectorAll(".draft-blocks .draft-block.block--heading")].map((block) => {
    const heading = block.querySelector(":scope > .block-body :is(h2, h3, h4)");
    const number = heading.textContent.trim().split(/\\s+/)[0];
    const word = new RegExp(`(^|\\\\s)${number.replace(/\\./g, "\\\\.")}($|\\\\s)`);
    const places = [];
    for (const part of block.querySelectorAll(":scope > .draft-block-head, :scope > .block-body")) {
      const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // The kind's hint ("Rubrik · nivå 1") names the heading's level, not its number.
        if (node.parentElement.closest(".hint")) continue;
        if (word.test(node.textContent) && seen(node.parentElement)) places.push(node.parentElement);
      }
    }
    const head = block.querySelector(":scope > .draft-block-head").getBoundingClientRect();
    return {
      block: block.id,
      number,
      places: places.length,
      inHeading: places.every((el) => heading.contains(el)),
      headFits: head.right <= window.innerWidth + 1,
    };
  });
}
"""


@pytest.mark.parametrize("width_name", ["phone", "wide"])
def test_a_headings_number_shows_once_on_the_working_draft(browser, live_server, world, width_name):
    # Follow-up to issue 22: the editors' draft showed a heading's number in the block's head line
    # ("1  Rubrik · nivå 1") and again in the heading ("1 Om vägledningen"), as the reading page did.
    from axe_playwright_python.sync_playwright import Axe

    viewport = VIEWPORTS[width_name]
    context = browser.new_context(locale="sv-SE", base_url=live_server, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", ACCOUNTS["editor"])
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.goto(f"/d/{world['slug']}/draft")
    shots = Path("/tmp/shots/s22-polish")
    shots.mkdir(parents=True, exist_ok=True)
    top = page.evaluate(
        "document.querySelector('.draft-blocks').getBoundingClientRect().top + window.scrollY"
    )
    page.screenshot(
        path=str(shots / f"draft-headings-{viewport['width']}.png"),
        full_page=True,
        clip={"x": 0, "y": top, "width": viewport["width"], "height": 1000},
    )
    rows = page.evaluate(DRAFT_HEADING_NUMBERS)
    violations = (
        Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}).response["violations"]
    )
    context.close()
    assert len(rows) > 5
    twice = [f"{r['block']} {r['number']}: shown {r['places']} times" for r in rows if r["places"] != 1]
    assert not twice, "\n".join(twice)
    assert all(r["inHeading"] and r["headFits"] for r in rows), rows
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
