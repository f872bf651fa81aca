"""Issue 23, point 3, in Chromium: one name per status on every page that shows one.

The same open comment and a decided one are followed through the reading page's cards, the
editors' dashboard, the decision form, the publish page and "Mina synpunkter", in Swedish and in
English, at 1366 and 390 px, with axe on each page. The names are read from the one place,
:func:`app.review.labels.status_labels`; tests/review/test_status_names.py checks the files
(pack, outcome report, API, e-mail) over HTTP.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.accounts.models import Role, User
from app.documents.models import Document
from app.drafting.operations import start_draft
from app.extensions import db
from app.review.labels import status_labels
from app.review.models import Comment, CommentStatus
from app.review.operations import decide
from tests.conftest import PASSWORD, add_comment
from tests.review.test_status_names import OTHER_NAMES, V1, V2

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)
SHOTS = Path("/tmp/shots/s23-rest")


@pytest.fixture
def world(app, factory):
    """Version 2 open with Maja's open comment #1 and her accepted comment #2; a draft of version 3."""
    editor = factory.user(
        email="erik@prv.example", name="Erik Redaktör", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV"
    )
    maja = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    doc = factory.document(slug="sn", title="Statusnamn", versions=[V1, V2], editor=editor)
    with app.app_context():
        opened = add_comment(doc, "a", maja, body="Vad menas med ändrat?")
        accepted = add_comment(doc, "b", maja, body="Skriv ut förkortningen.")
        decide(
            db.session.get(Comment, accepted),
            status=CommentStatus.ACCEPTED,
            response="Vi skriver ut den.",
            editor=db.session.get(User, editor.id),
        )
        start_draft(db.session.get(Document, doc.id), db.session.get(User, editor.id))
        db.session.commit()
        comments = {c.id: c.number for c in db.session.query(Comment)}
    return {"open": (opened, comments[opened]), "accepted": (accepted, comments[accepted])}


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert page.locator("form[action='/logout']").count() == 1


def _no_other_names(text: str, where: str) -> None:
    # As the HTTP test does (case matters: the dashboard's filter "Ännu inte beslutade" names a
    # filter, not a status).
    found = [name for name in OTHER_NAMES if name in text]
    assert not found, f"{where} names a status {found}"


def _visit(page, path: str, axe_check, where: str, width: int, language: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", f"status-{where}-{language}-{width}".lower())
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    axe_check(page, f"{where} at {width} px in {language}")
    _no_other_names(page.locator("main").inner_text(), where)


@pytest.mark.parametrize("language", ["sv-SE", "en-GB"])
def test_an_open_and_a_decided_comment_have_one_status_name_on_every_page(
    browser, live_server, world, axe_check, language
):
    names = status_labels(language[:2])
    opened, accepted = names["open"], names["accepted"]
    (open_id, open_n), (accepted_id, accepted_n) = world["open"], world["accepted"]
    member = browser.new_context(locale=language, base_url=live_server)
    editor = browser.new_context(locale=language, base_url=live_server)
    pages = []
    for context, email in ((member, "maja@example.org"), (editor, "erik@prv.example")):
        context.set_default_timeout(15_000)
        page = context.new_page()
        _sign_in(page, email)
        pages.append(page)
    as_member, as_editor = pages

    for width in WIDTHS:
        # The reading page: a decided card names its decision (badge and response); an open
        # card carries no status badge at all, so it cannot show another name.
        _visit(as_member, "/d/sn", axe_check, "reading page", width, language)
        card = as_member.locator(f"article#c-{accepted_n}")
        assert card.locator(".status").inner_text().strip() == accepted
        assert f"({accepted})" in card.locator(".response-label").inner_text()
        assert as_member.locator(f"article#c-{open_n} .status").count() == 0

        # "Mina synpunkter": each comment's status, and the counts that filter by it.
        _visit(as_member, "/d/sn/mine", axe_check, "my comments", width, language)
        assert as_member.locator(f"#c-{open_n} .status").inner_text().strip() == opened
        assert as_member.locator(f"#c-{accepted_n} .status").inner_text().strip() == accepted
        assert f"({accepted})" in as_member.locator(f"#c-{accepted_n} .response-label").inner_text()
        counts = as_member.locator(".outcome-counts .badge").all_inner_texts()
        assert sorted(c.strip() for c in counts) == sorted([opened, accepted])

        # The dashboard: each card's badge, and the count of each status above the cards.
        _visit(as_editor, "/d/sn/v/2/review", axe_check, "dashboard", width, language)
        for number, name in ((open_n, opened), (accepted_n, accepted)):
            badge = as_editor.locator(f"#c-{number} .comment-head .status")
            assert badge.inner_text().strip() == name, number
        counted = {t.strip() for t in as_editor.locator(".status-counts .status").all_inner_texts()}
        assert {opened, accepted} <= counted

        # The decision form: the chosen status is the comment's, by the same name, and the
        # heading's badge says it too.
        for comment_id, number, name in ((open_id, open_n, opened), (accepted_id, accepted_n, accepted)):
            _visit(as_editor, f"/d/sn/review/c/{comment_id}", axe_check, "decision form", width, language)
            checked = as_editor.locator("input[name=status]:checked")
            label = as_editor.locator(f"label[for='{checked.get_attribute('id')}']")
            assert label.inner_text().strip() == name, number
            assert as_editor.locator(f"#c-{number}-head .status").inner_text().strip() == name

        # The publish page: the open comment on version 2 is "open" there too (in a sentence,
        # so in lower case), and the decided one is not counted.
        _visit(as_editor, "/d/sn/draft/publish", axe_check, "publish page", width, language)
        note = as_editor.locator(".version-note").inner_text()
        assert re.search(rf"\b1\b.*\b{re.escape(opened.lower())}\b", note), note
        assert accepted.lower() not in note.lower()

    member.close()
    editor.close()
