"""The editor's journey in Chromium: decide, apply a suggestion, edit the draft, publish, compare; axe on each page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.documents.models import Document, VersionState
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentStatus
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, add_comment

pytestmark = pytest.mark.browser


@pytest.fixture
def setting(app, factory):
    editor = factory.user(
        email="erik@prv.example", name="Erik Redaktör", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV"
    )
    member = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    doc = factory.document(
        slug="oppna-licenser",
        title="Öppna licenser",
        editor=editor,
        versions=[
            [
                ("h", "heading", 1, "Inledning"),
                ("p", "paragraph", 1, "Myndigheter bör välja en öppen licens."),
                ("q", "paragraph", 1, "Data publiceras med CC0."),
            ]
        ],
    )
    with app.app_context():
        suggestion = add_comment(
            doc,
            "p",
            member,
            body="Var tydligare.",
            kind=CommentKind.SUGGESTION,
            suggestion="Myndigheter ska välja CC BY 4.0.",
        )
        question = add_comment(doc, "q", member, body="Gäller det även register?")
    return editor, doc, suggestion, question


def test_editor_decides_applies_edits_publishes_and_compares(page, app, setting, axe_check):
    editor, _doc, suggestion, question = setting
    sign_in(page, editor.email, PASSWORD)

    # The dashboard, reached from the reading view.
    page.goto("/d/oppna-licenser")
    page.get_by_role("link", name="Genomgång av synpunkter").click()
    page.get_by_role("heading", level=1, name="Genomgång av synpunkter").wait_for()
    assert "Var tydligare." in page.content()
    axe_check(page, "the review dashboard")

    # Start the next draft, then apply the suggestion from the dashboard.
    page.get_by_role("link", name="Starta nästa utkast").first.click()
    page.get_by_label("Beteckning på den nya versionen").fill("Utkast 2")
    page.get_by_role("button", name="Starta nästa utkast").click()
    page.get_by_role("heading", level=1, name="Arbetsutkast: Öppna licenser").wait_for()
    axe_check(page, "the draft editor")
    page.goto("/d/oppna-licenser/v/1/review")
    with app.app_context():
        number = db.session.get(Comment, suggestion).number
    # In place: the card turns accepted and its response, written next, has the focus.
    page.get_by_role("button", name=f"För in förslaget i #{number} i utkastet").click()
    card = page.locator(f"#c-{number}[data-status='accepted']")
    card.wait_for()
    assert "finns nu i arbetsutkastet" in card.locator(".card-notice").inner_text()
    axe_check(page, "the dashboard after applying a suggestion")
    response = card.get_by_label("Svar till den som lämnade synpunkten")
    assert response.evaluate("field => field === document.activeElement")
    response.fill("Infört i utkast 2.")
    card.get_by_role("button", name=re.compile("^Spara beslutet")).click()
    page.locator("#triage-status", has_text=f"Beslutet om synpunkt #{number} har sparats.").wait_for(
        state="attached"
    )

    # Edit a block of the draft by keyboard, with its comment beside it.
    page.get_by_role("link", name="Arbetsutkast (version Utkast 2)").click()
    page.get_by_role("heading", level=1, name="Arbetsutkast: Öppna licenser").wait_for()
    page.get_by_role("link", name="Redigera block 1 st. 2").click()
    page.get_by_role("heading", level=1, name="Redigera block 1 st. 2").wait_for()
    assert "Gäller det även register?" in page.locator(".edit-comments").inner_text()
    axe_check(page, "the block editor")
    text = page.get_by_label("Text", exact=True)
    text.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Data publiceras med **CC0** eller CC BY.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="Arbetsutkast: Öppna licenser").wait_for()
    assert "Block 1 st. 2 sparat." in page.locator(".flashes").inner_text()

    # Decide on the question: "rejected" without a reason is refused, with one it is saved.
    with app.app_context():
        q_number = db.session.get(Comment, question).number
    page.get_by_role("link", name="Genomgång av synpunkter på version Utkast 1").click()
    page.get_by_role("link", name=f"Öppna beslutssidan för #{q_number}").click()
    page.get_by_label("Ej beaktad").check()
    page.get_by_role("button", name="Spara beslutet").click()
    page.locator(".error-summary").wait_for()
    axe_check(page, "the decision form with an error")
    page.get_by_label("Svar till den som lämnade synpunkten").fill("Register omfattas av annan vägledning.")
    page.get_by_role("button", name="Spara beslutet").click()
    page.get_by_role("heading", level=1, name="Genomgång av synpunkter").wait_for()

    page.get_by_role("link", name="Arbetsutkast (version Utkast 2)").click()
    page.get_by_role("heading", level=1, name="Arbetsutkast: Öppna licenser").wait_for()

    # Publish: the summary is required.
    page.get_by_role("link", name="Publicera …").click()
    page.get_by_role("button", name="Publicera").click()
    page.locator(".error-summary").wait_for()
    axe_check(page, "the publish form with an error")
    page.get_by_label("Sammanfattning av ändringarna").fill("Förslag från nätverket infört.")
    page.get_by_role("button", name="Publicera").click()
    page.wait_for_url("**/d/oppna-licenser/v/2")
    assert "Version Utkast 2 är publicerad" in page.locator(".flashes").inner_text()

    # Compare: the new wording is marked, the decided comment stands beside its block.
    page.get_by_role("link", name="Ändringar sedan föregående version").click()
    page.locator(".compare-counts").wait_for()
    assert page.locator("ins", has_text="ska").count() >= 1
    assert page.locator(".change-comments", has_text=f"#{number}").count() == 1
    axe_check(page, "the compare view")

    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == "oppna-licenser"))
        assert [v.state for v in document.versions] == [VersionState.CLOSED, VersionState.OPEN]
        assert db.session.get(Comment, suggestion).status is CommentStatus.ACCEPTED
        assert db.session.get(Comment, question).status is CommentStatus.REJECTED


def test_every_draft_page_passes_axe(page, app, setting, axe_check, make_client):
    editor, doc, suggestion, _question = setting
    sign_in(page, editor.email, PASSWORD)
    page.goto("/d/oppna-licenser/draft")
    axe_check(page, "the start-a-draft page")
    page.get_by_role("button", name="Starta nästa utkast").click()
    page.get_by_role("heading", level=1, name="Arbetsutkast: Öppna licenser").wait_for()
    uid = doc.block_uids["p"]
    for path, label in [
        (f"/d/oppna-licenser/draft/insert?after={uid}", "the insert form"),
        (f"/d/oppna-licenser/draft/b/{uid}/split", "the split form"),
        (f"/d/oppna-licenser/draft/b/{uid}/merge", "the merge confirmation"),
        (f"/d/oppna-licenser/draft/b/{uid}/remove", "the delete confirmation"),
    ]:
        page.goto(path)
        axe_check(page, label)

    # The suggestion's decision page, open in a second tab before the paragraph changes (below).
    with app.app_context():
        number = db.session.get(Comment, suggestion).number
    decision_tab = page.context.new_page()
    decision_tab.goto(f"/d/oppna-licenser/review/c/{suggestion}?v=1")
    decision_tab.get_by_role("button", name="För in ändringsförslaget i utkastet").wait_for()

    # A stale save: another editor saves the block first; the 409 page shows both texts.
    page.goto(f"/d/oppna-licenser/draft/b/{uid}")
    other = make_client()
    other.login(editor.email)
    other.post(
        f"/d/oppna-licenser/draft/b/{uid}",
        {"kind": "paragraph", "level": "1", "text": "Den andras text.", "base_revision": "1"},
    )
    page.get_by_label("Text", exact=True).fill("Min egen text.")
    page.get_by_role("button", name="Spara blocket").click()
    page.locator("#conflict").wait_for()
    assert "Den andras text." in page.locator(".their-text").inner_text()
    assert page.get_by_label("Text", exact=True).input_value() == "Min egen text."
    axe_check(page, "the stale-edit conflict page")

    # The suggestion conflicts with the other editor's text: on the dashboard the card says so and
    # offers the conflict view instead of a button that would fail ...
    page.goto("/d/oppna-licenser/v/1/review")
    card = page.locator(f"#c-{number}")
    assert card.get_by_role("button", name=re.compile("^För in förslaget")).count() == 0
    assert "Utkastet har ändrats på samma ställe som förslaget." in card.inner_text()
    assert card.get_by_role("link", name=f"Lös konflikten för #{number}").is_visible()
    axe_check(page, "the dashboard with a suggestion in conflict")
    # ... and so does the decision page, which shows the change as a word diff.
    card.get_by_role("link", name=f"Öppna beslutssidan för #{number}").click()
    page.get_by_role("link", name="Lös konflikten").wait_for()
    assert page.get_by_role("button", name="För in ändringsförslaget i utkastet").count() == 0
    axe_check(page, "the decision page of a suggestion in conflict")
    # The tab opened before the change still has the button: pressing it now shows the conflict
    # view with the three texts, and nothing is changed.
    decision_tab.get_by_role("button", name="För in ändringsförslaget i utkastet").click()
    decision_tab.get_by_role("heading", level=1, name=f"Lös konflikten: förslaget i #{number}").wait_for()
    assert "Den andras text" in decision_tab.content()
    axe_check(decision_tab, "the conflict view")
    with app.app_context():
        assert db.session.get(Comment, suggestion).status is CommentStatus.OPEN


def test_member_follows_their_comments_and_refusals_pass_axe(page, app, setting, axe_check):
    editor, doc, suggestion, _question = setting
    with app.app_context():
        member_email = db.session.get(Comment, suggestion).author.email
    sign_in(page, member_email, PASSWORD)
    page.goto("/d/oppna-licenser")
    page.get_by_role("link", name="Vad hände med mina synpunkter").click()
    page.get_by_role("heading", level=1, name="Mina synpunkter").wait_for()
    assert "Var tydligare." in page.content()
    axe_check(page, "my comments")
    page.context.clear_cookies()
    sign_in(page, editor.email, PASSWORD)
    page.goto("/d/oppna-licenser/draft")
    page.get_by_role("button", name="Starta nästa utkast").click()
    page.get_by_role("heading", level=1, name="Arbetsutkast: Öppna licenser").wait_for()
    # The last block has nothing after it to merge with: a refusal page, in words.
    last = doc.block_uids["q"]
    page.goto(f"/d/oppna-licenser/draft/b/{last}/merge")
    page.get_by_role("heading", level=1, name="Det gick inte att göra").wait_for()
    axe_check(page, "a refused draft action")
