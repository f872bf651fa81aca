"""Issue 23, point 4, in Chromium: a member's reply reaches the meeting.

A member replies to a comment on the reading page; an editor decides; the host creates the
meeting pack and downloads it through the browser. The pack's Word comments hold the reply as a
reply of the comment's thread, before the editors' decision, with the replier's initials; the
compilation's CSV and JSON downloaded from the same page hold it too. At 1366 and 390 px, axe
on every page visited. tests/meetings/test_pack_threads.py checks the writer itself.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.accounts.models import Role, User
from app.documents.models import Document
from app.extensions import db
from app.meetings.operations import create_meeting
from app.review.models import Comment, CommentStatus
from app.review.operations import decide
from tests.conftest import PASSWORD, add_comment
from tests.meetings.ooxml import schema_problems
from tests.meetings.test_pack_threads import _thread

pytestmark = pytest.mark.browser

V1 = [("h", "heading", 1, "Inledning"), ("a", "paragraph", 1, "Myndigheter skapar material.")]
V2 = [("h", "heading", 1, "Inledning"), ("a", "paragraph", 1, "Myndigheter skapar mycket material.")]
REPLY = "Håller med, och det gäller även kommunerna."
SHOTS = Path("/tmp/shots/s23-rest")


@pytest.fixture(autouse=True)
def _empty_exports(app):
    shutil.rmtree(app.config["EXPORTS_DIR"], ignore_errors=True)
    yield
    shutil.rmtree(app.config["EXPORTS_DIR"], ignore_errors=True)


@pytest.fixture
def world(app, factory):
    editor = factory.user(
        email="erik@prv.example", name="Erik Redaktör", roles=(Role.EDITOR, Role.HOST), organisation="PRV"
    )
    factory.user(email="olle@example.org", name="Olle Öst", organisation="Lunds kommun")
    maja = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    doc = factory.document(slug="svar", title="Svar i tråden", versions=[V1, V2], editor=editor)
    with app.app_context():
        comment_id = add_comment(doc, "a", maja, body="Vilket material avses?")
        number = db.session.get(Comment, comment_id).number
    return {"doc": doc, "comment_id": comment_id, "number": number, "editor": editor}


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert page.locator("form[action='/logout']").count() == 1


def _download(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    return Path(info.value.path()).read_bytes()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_members_reply_reaches_the_packs_word_thread_csv_and_json(
    browser, live_server, app, world, axe_check, width
):
    viewport = {"width": width, "height": 900}
    number = world["number"]

    # A member replies in the browser, on the reading page.
    member = browser.new_context(locale="sv-SE", base_url=live_server, viewport=viewport)
    member.set_default_timeout(15_000)
    page = member.new_page()
    _sign_in(page, "olle@example.org")
    page.goto("/d/svar")
    card = page.locator(f"article#c-{number}")
    card.locator(".reply-box summary").click()
    card.get_by_label("Ditt svar").fill(REPLY)
    axe_check(page, f"the reading page with the reply box at {width} px")
    card.get_by_role("button", name="Skicka svar").click()
    card.locator(".replies .reply").wait_for()
    assert REPLY in card.locator(".replies").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reply-posted-{width}.png"), full_page=True)
    axe_check(page, f"the reading page with the reply at {width} px")
    member.close()

    # The editors decide after the reply; the host has planned a meeting presenting version 2.
    with app.app_context():
        assert db.session.query(Comment).filter(Comment.parent_id == world["comment_id"]).count() == 1
        decide(
            db.session.get(Comment, world["comment_id"]),
            status=CommentStatus.ACCEPTED,
            response="Vi förtydligar.",
            editor=db.session.get(User, world["editor"].id),
        )
        document = db.session.get(Document, world["doc"].id)
        meeting = create_meeting(
            document=document,
            title="Nätverksträff",
            starts_at=datetime(2026, 12, 10, 12, tzinfo=UTC),
            agenda="",
            version=document.versions[1],
            base_version=document.versions[0],
            host=db.session.get(User, world["editor"].id),
        )
        db.session.commit()
        meeting_id = meeting.id

    # The host creates the pack and downloads its files through the browser.
    host = browser.new_context(locale="sv-SE", base_url=live_server, viewport=viewport, accept_downloads=True)
    host.set_default_timeout(30_000)
    page = host.new_page()
    _sign_in(page, "erik@prv.example")
    page.goto(f"/meetings/{meeting_id}")
    axe_check(page, f"the meeting page at {width} px")
    page.get_by_role("button", name="Skapa mötesunderlaget").click()
    page.get_by_role("button", name="Skapa mötesunderlaget igen").wait_for()
    page.screenshot(path=str(SHOTS / f"reply-meeting-{width}.png"), full_page=True)
    axe_check(page, f"the meeting page with the pack's files at {width} px")
    tracked = _download(page, "Word-fil med spårade ändringar och kommentarer")
    table = _download(page, "Sammanställning av synpunkter för Excel (CSV)")
    data = _download(page, "Sammanställning av synpunkter (JSON)")
    host.close()

    # Word: the comment, then the member's reply threaded on it, then the decision, last.
    thread = _thread(tracked, number)
    assert [row[0] for row in thread] == [
        "Maja Medlem (Samtrafiken)",
        "Olle Öst (Lunds kommun)",
        "Erik Redaktör (PRV)",
    ], thread
    assert [row[1] for row in thread] == ["MM", "OÖ", "ER"]
    assert REPLY in thread[1][2]
    assert thread[2][2].startswith("Beslut: Beaktad")
    assert thread[1][3] and thread[1][3] == thread[2][3], "the reply and the decision thread on the comment"
    assert schema_problems(tracked) == []

    # CSV and JSON: the reply, with its author and organisation.
    rows = list(csv.reader(io.StringIO(table.decode("utf-8-sig"))))
    column = rows[0].index("Svar i tråden")
    row = next(r for r in rows[1:] if r[0] == str(number))
    assert row[column].startswith("Olle Öst (Lunds kommun), ") and row[column].endswith(f": {REPLY}")
    comment = next(c for c in json.loads(data)["comments"] if c["number"] == number)
    assert [(r["author"], r["organisation"], r["body"]) for r in comment["replies"]] == [
        ("Olle Öst", "Lunds kommun", REPLY)
    ]
