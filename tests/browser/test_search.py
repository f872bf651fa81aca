"""Search in Chromium (issue 19): from the header field by keyboard, axe-core on the results
page (with results, with a message, at 390 px), a result link to the paragraph, and no JavaScript needed."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from tests.browser.xss import assert_inert, payloads
from tests.conftest import add_comment

pytestmark = pytest.mark.browser

BLOCKS = [
    ("h1", "heading", 1, "Myndigheter och öppna data"),
    ("p1", "paragraph", 1, "Myndigheten ska publicera öppna data under en öppen licens."),
    ("p2", "paragraph", 1, "Upphovsrätten gäller inte allmänna handlingar."),
]


@pytest.fixture
def doc(app, factory):
    editor = factory.user(email="eva@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    member = factory.user(email="maja@example.org", organisation="Samtrafiken")
    document = factory.document(slug="sok", versions=[BLOCKS], editor=editor)
    with app.app_context():
        add_comment(document, "p1", member, body="Vilken myndighet ansvarar för <b>licensen</b>?")
    return document


def _tab_to(page, selector: str, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached by Tab")


def test_search_by_keyboard_from_the_header(page, doc, axe_check):
    page.goto("/")
    _tab_to(page, "#site-search-q")
    page.keyboard.type("myndighet")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search?q=myndighet" in page.url
    assert page.locator("#text-results").is_visible()
    marks = page.locator(".search-hit mark").all_inner_texts()
    assert {"Myndigheter", "Myndigheten"} <= set(marks)
    # The comment's markup is shown as text, never as a tag.
    assert (
        "<b>licensen</b>" in page.locator("#comment-results ~ ol, #comment-results + ol").first.inner_text()
    )
    axe_check(page, "search results")
    # The first result, by keyboard, opens the paragraph in the reading view.
    _tab_to(page, ".search-hit__where a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/d/sok/v/1#b-" in page.url
    assert page.locator(f"#{page.url.split('#')[1]}").count() == 1


def test_messages_and_filters_pass_axe(page, doc, axe_check):
    page.goto("/search?q=och+att")
    assert page.get_by_text("bara mycket vanliga ord").is_visible()
    axe_check(page, "search with a message")
    page.goto("/search")
    axe_check(page, "empty search page")
    main = page.get_by_role("main")
    main.get_by_label("Sök i dokument och synpunkter", exact=True).fill("upphovsrätt")
    main.get_by_label("Träffar").select_option("text")
    with page.expect_navigation():
        main.get_by_role("button", name="Sök", exact=True).click()
    assert "what=text" in page.url
    assert page.locator(".search-hit").count() == 1 and page.locator("#comment-results").count() == 0


def test_narrow_screen_and_no_javascript(browser, live_server, doc, axe_check):
    context = browser.new_context(
        locale="sv-SE",
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        page.goto("/search?q=licens")
        assert page.locator(".search-hit").count() >= 1
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390 px"
    finally:
        context.close()
    context = browser.new_context(
        locale="sv-SE", base_url=live_server, viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        page.goto("/search?q=licens")
        axe_check(page, "search results at 390 px")
    finally:
        context.close()


def test_xss_corpus_in_queries_and_in_indexed_text_renders_inert(page, app, doc):
    lines = payloads()
    with app.app_context():
        author = db.session.scalar(sa.select(User).where(User.email == "maja@example.org"))
        add_comment(doc, "p2", author, body="xsskorpus\n\n" + "\n\n".join(lines))
    assert_inert(page, "/search?q=xsskorpus")
    assert page.locator(".search-hit mark", has_text="xsskorpus").count() == 1
    for line in lines[:: max(1, len(lines) // 25)]:
        assert_inert(page, "/search?q=" + quote(line, safe=""))


COMPOUND_BLOCKS = [
    ("stamp", "paragraph", 1, "Handlingen bär två hemligstämplar från myndigheten."),
    ("terms", "paragraph", 1, "Licensvillkoren gäller allt vidareutnyttjande."),
    ("other", "paragraph", 1, "Avgifter anges i beslutet."),
]


@pytest.mark.parametrize("width", [1366, 390])
def test_a_compound_finds_its_forms_and_a_part_finds_the_compound(page, factory, axe_check, width):
    """Issue 23, point 8, as a reader meets it: the header's field, by keyboard, at both widths."""
    from app.search import compounds
    from tests.search.test_compounds import IN_CI

    if compounds.dictionary() is None:
        if IN_CI:
            pytest.fail("CI=true but the Swedish Hunspell dictionary is missing: .ci/run must install it")
        pytest.skip("the Swedish Hunspell dictionary (hunspell-sv, libhunspell) is not installed")
    factory.document(slug="sammansatt", versions=[COMPOUND_BLOCKS])
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    for query, found in (("hemligstämpel", "hemligstämplar"), ("villkor", "Licensvillkoren")):
        page.goto("/")
        _tab_to(page, "#site-search-q")
        page.keyboard.type(query)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        hits = page.locator("#text-results ~ ol .search-hit, #text-results + ol .search-hit")
        assert hits.count() == 1, f"{query}: {hits.all_inner_texts()}"
        assert found in hits.first.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        axe_check(page, f"search for {query} at {width} px")
