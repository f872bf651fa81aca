"""Responses and the outcome report in Chromium: by keyboard only, axe-core, hostile text inert."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Document
from app.extensions import db
from app.responses.models import Position, Response, ResponseState
from tests.browser.conftest import sign_in, tab_to
from tests.browser.xss import ACTIVE_CONTENT, payloads
from tests.conftest import PASSWORD, add_comment
from tests.responses.conftest import store_hostile_responses

pytestmark = pytest.mark.browser


@pytest.fixture
def consultation(app, factory):
    blocks = [
        ("h1", "heading", 1, "Inledning"),
        ("p1", "paragraph", 1, "Myndigheter skapar mycket material."),
        ("h2", "heading", 1, "Licenser"),
        ("p2", "paragraph", 1, "CC BY 4.0 passar text."),
    ]
    editor = factory.user(email="red@example.org", organisation="PRV")
    answerer = factory.user(email="anna@example.org", organisation="Kommun A", name="Anna Svarare")
    document = factory.document(slug="remiss", versions=[blocks], editor=editor)
    with app.app_context():
        db.session.get(User, answerer.id).may_answer = True
        db.session.get(Document, document.id).versions[0].deadline = utcnow() + timedelta(days=5)
        db.session.commit()
        add_comment(document, "p2", answerer, version_number=1, body="Bra formulering.")
    return answerer


def test_response_form_by_keyboard_and_the_outcome_page(page, app, consultation, axe_check):
    sign_in(page, consultation.email, PASSWORD)
    page.goto("/d/remiss/v/1")
    link = page.get_by_role("link", name="Remissvar från Kommun A")
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    write = page.get_by_role("link", name="Skriv remissvaret")
    tab_to(page, write)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Remissvar från Kommun A", level=1).is_visible()
    axe_check(page, "the response form")

    position = page.get_by_role("group", name="Övergripande ställningstagande")
    first = position.get_by_label("Tillstyrker", exact=True)
    tab_to(page, first)
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # to "Tillstyrker med synpunkter"
    assert position.get_by_label("Tillstyrker med synpunkter").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Vi tillstyrker med *synpunkter* om licenser.")
    for text in ("KS 2020/77", "Anna Chef", "kommundirektör", "Kalle Handläggare"):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    section = page.get_by_label("2 Licenser")
    tab_to(page, section)
    section.select_option("opposes")  # a native select: the keyboard changes it the same way
    submit = page.get_by_role("button", name="Lämna remissvaret")
    tab_to(page, submit)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The summary to confirm: nothing is submitted yet.
    assert page.get_by_role("heading", name="Bekräfta remissvaret från Kommun A", level=1).is_visible()
    with app.app_context():
        assert db.session.query(Response).one().state is ResponseState.DRAFT
    confirm = page.get_by_role("button", name="Bekräfta och lämna in remissvaret")
    tab_to(page, confirm)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Remissvaret från Kommun A är inlämnat.").is_visible()
    axe_check(page, "the organisation's response")
    with app.app_context():
        response = db.session.query(Response).one()
        assert (response.state, response.position, response.reference) == (
            ResponseState.SUBMITTED,
            Position.SUPPORTS_WITH_COMMENTS,
            "KS 2020/77",
        )
        assert [s.position for s in response.sections] == [Position.OPPOSES]

    page.goto("/d/remiss/v/1/outcome")
    assert page.get_by_role("heading", name="Remissens utfall", level=1).is_visible()
    assert page.get_by_text("1 av 1 remissinstanser har svarat.").is_visible()
    assert page.get_by_role("heading", name="Vad som hände med varje synpunkt").is_visible()
    axe_check(page, "the outcome page")
    docx = page.get_by_role("link", name="Ladda ner som Word (remissammanställning)")
    tab_to(page, docx)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith("remissammanstallning.docx")


def test_hostile_text_in_every_field_is_inert_in_the_browser(page, app, factory, consultation, axe_check):
    corpus = payloads()
    with app.app_context():
        version = db.session.query(Document).filter_by(slug="remiss").one().versions[0]
        store_hostile_responses(version.id, corpus)
    page.goto("/d/remiss/v/1/outcome")
    page.wait_for_load_state("load")
    assert page.evaluate(ACTIVE_CONTENT) == []
    assert page.dialogs == []
    assert page.get_by_text(corpus[0]).first.is_visible()  # shown as text


def test_the_editors_table_passes_axe(page, app, factory, consultation, axe_check):
    from app.accounts.models import Role

    editor = factory.user(email="eva@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    sign_in(page, editor.email, PASSWORD)
    page.goto("/d/remiss/v/1")
    link = page.get_by_role("link", name="Remissvar från organisationerna")
    tab_to(page, link)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("row", name="Kommun A Inget svar – –").is_visible()
    axe_check(page, "the editors' table of responses")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_summary_to_confirm_and_whom_to_ask(page, app, factory, consultation, axe_check, width):
    """'Lämna remissvaret' shows the summary; a member who may not submit is told whom to ask."""
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
    folder = Path("/tmp/shots/i23-responses")
    folder.mkdir(parents=True, exist_ok=True)
    kalle = factory.user(email="kalle@example.org", organisation="Kommun A", name="Kalle Kollega")
    organisation_id = consultation.organisation_id
    edit = f"/d/remiss/v/1/responses/{organisation_id}/edit"
    sign_in(page, kalle.email, PASSWORD)
    page.goto(edit)
    assert page.get_by_text(
        "Du kan inte lämna in remissvaret själv. Be Anna Svarare att lämna in det."
    ).is_visible()
    assert page.get_by_role("button", name="Lämna remissvaret").count() == 0
    page.get_by_label("Tillstyrker", exact=True).check()
    page.get_by_label("Beslutat av (namn)").fill("Anna Chef")
    page.get_by_label("Ert diarienummer").fill("KS 2020/77")
    with page.expect_navigation():
        page.get_by_role("button", name="Spara utkastet").click()
    axe_check(page, f"the response form of a member who may not submit at {width} px")
    page.screenshot(path=str(folder / f"response-ask-{width}.png"), full_page=True)
    page.context.clear_cookies()

    sign_in(page, consultation.email, PASSWORD)
    page.goto(edit)
    assert page.get_by_text("Får lämna in remissvaret för Kommun A: Anna Svarare.").is_visible()
    button = page.get_by_role("button", name="Lämna remissvaret")
    tab_to(page, button, limit=120)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.get_by_role("region", name="Remissvaret som lämnas in")
    for shown in ("Tillstyrker", "KS 2020/77", "Anna Chef"):
        assert summary.get_by_text(shown, exact=True).first.is_visible(), shown
    axe_check(page, f"the summary to confirm at {width} px")
    page.screenshot(path=str(folder / f"response-confirm-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not overflow, "the summary is wider than the screen"
    confirm = page.get_by_role("button", name="Bekräfta och lämna in remissvaret")
    tab_to(page, confirm)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Remissvaret från Kommun A är inlämnat.").is_visible()
    with app.app_context():
        response = db.session.query(Response).one()
        assert (response.state, response.reference) == (ResponseState.SUBMITTED, "KS 2020/77")
