"""Signing up for a meeting in Chromium at 1366 and 390 px, by keyboard only, with axe on every page:
a member signs up in one click; a guest signs up and confirms through the e-mail's link; a full
meeting puts the next person on the waiting list, and a cancellation moves them up (e-mailed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import Role, User
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import operations, signup
from tests.browser.conftest import sign_in, tab_to
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/s25-signup")
VIDEO = "https://meet.example/oppna-licenser"
WIDTHS = (1366, 390)
LINK = re.compile(r"https?://[^/\s]+(/signup/\S+)")


@pytest.fixture
def people(factory):
    factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")
    factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    factory.user(email="bo@example.org", name="Bo Berg", organisation="Kommun B")


def _meeting(app, title: str, capacity: int | None = None) -> int:
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        series = operations.create_series(
            title="Digitala workshoppar",
            description="",
            visibility=Visibility.PUBLIC,
            organisers=[],
            actor=host,
        )
        meeting = operations.create_meeting(
            document=None,
            title=title,
            subject="Öppna licenser i praktiken",
            starts_at=datetime(2099, 3, 3, 9, tzinfo=UTC),
            agenda="1. Välkommen",
            version=None,
            base_version=None,
            host=host,
            series=series,
            video_url=VIDEO,
            capacity=capacity,
        )
        db.session.commit()
        return meeting.id


def _send(app) -> None:
    with app.app_context():
        signup.send_due()


def _press(page, name: str) -> None:
    """Tab to the button called *name* and press Enter: keyboard only."""
    button = page.get_by_role("button", name=name)
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _fits(page, width: int, label: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{label} scrolls sideways"


def test_a_member_signs_up_by_keyboard_and_sees_the_video_link(page, app, people, axe_check, outbox):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "maja@example.org", PASSWORD)
    for width in WIDTHS:
        meeting_id = _meeting(app, f"Workshop {width}")
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/meetings/{meeting_id}")
        expect(page.get_by_text("Videolänken visas för dem som anmält sig till mötet.")).to_be_visible()
        assert page.locator(f'a[href="{VIDEO}"]').count() == 0
        axe_check(page, f"a meeting to sign up for at {width}px")
        _press(page, "Anmäl dig")
        expect(page.get_by_text("Du är anmäld.", exact=True)).to_be_visible()
        expect(page.locator(f'a[href="{VIDEO}"]')).to_be_visible()
        axe_check(page, f"signed up at {width}px")
        page.screenshot(path=str(SHOTS / f"member-signed-up-{width}.png"), full_page=True)
        _fits(page, width, "the meeting page")
    _send(app)
    assert [m["To"] for m in outbox] == ["maja@example.org", "maja@example.org"]


def test_a_guest_signs_up_and_confirms_through_the_email_link(
    page, app, people, axe_check, outbox, live_server
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        meeting_id = _meeting(app, f"Workshop {width}")
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/meetings/{meeting_id}")
        axe_check(page, f"the guest form at {width}px")
        # A wrong address first: refused with the reason.
        tab_to(page, page.get_by_label("Namn"))
        page.keyboard.type("Gustav Gäst")
        page.keyboard.press("Tab")
        page.keyboard.type("gustav-at-example.org")
        page.keyboard.press("Tab")
        page.keyboard.type("Kommunen")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator(".field-error")).to_contain_text("Ange en giltig e-postadress")
        axe_check(page, f"the guest form with an error at {width}px")
        page.screenshot(path=str(SHOTS / f"guest-error-{width}.png"), full_page=True)
        email = page.get_by_label("E-postadress")
        tab_to(page, email)
        email.fill("")
        page.keyboard.type(f"gustav{width}@example.org")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.get_by_text("Nästan klart")).to_be_visible()
        expect(page.get_by_text("0 anmälda.")).to_be_visible()  # not counted until confirmed
        axe_check(page, f"a guest's sign-up waiting for the address at {width}px")

        outbox.clear()
        _send(app)
        (message,) = outbox
        path = LINK.search(message.get_body(("plain",)).get_content()).group(1)
        page.goto(live_server + path)
        expect(page.get_by_role("heading", level=1, name="Bekräfta din anmälan")).to_be_visible()
        axe_check(page, f"the confirm page at {width}px")
        _press(page, "Bekräfta min e-postadress")
        expect(page.get_by_text("Din adress är bekräftad: du är anmäld.")).to_be_visible()
        expect(page.get_by_text("1 anmäld.")).to_be_visible()
        page.screenshot(path=str(SHOTS / f"guest-confirmed-{width}.png"), full_page=True)
        _fits(page, width, "the meeting page after confirming")
        # The confirmation carries the meeting for the calendar and a cancel link.
        _send(app)
        confirmation = outbox[-1]
        assert [a.get_content_type() for a in confirmation.iter_attachments()] == ["text/calendar"]
        assert "/signup/cancel/" in confirmation.get_body(("plain",)).get_content()

    page.goto("/signup/confirm/forged-token")
    expect(page.get_by_role("heading", level=1, name="Länken fungerar inte")).to_be_visible()
    axe_check(page, "a forged link")


def test_capacity_fills_and_a_cancellation_moves_the_first_waiting_up(
    page, browser, app, people, axe_check, outbox, live_server
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    meeting_id = _meeting(app, "Liten workshop", capacity=1)
    sign_in(page, "maja@example.org", PASSWORD)
    page.goto(f"/meetings/{meeting_id}")
    _press(page, "Anmäl dig")
    expect(page.get_by_text("1 av 1 platser upptagna.")).to_be_visible()

    other = browser.new_context(locale="sv-SE", base_url=live_server).new_page()
    try:
        for width in WIDTHS:
            other.set_viewport_size({"width": width, "height": 900})
            if width == WIDTHS[0]:
                sign_in(other, "bo@example.org", PASSWORD)
                other.goto(f"/meetings/{meeting_id}")
                expect(
                    other.get_by_text("Mötet är fullt: anmäler du dig hamnar du på väntelistan.")
                ).to_be_visible()
                _press(other, "Anmäl dig")
                expect(other.get_by_text("Mötet är fullt: du står på väntelistan.")).to_be_visible()
            else:
                other.goto(f"/meetings/{meeting_id}")
            expect(other.get_by_text("Du står på väntelistan.", exact=False).first).to_be_visible()
            assert other.locator(f'a[href="{VIDEO}"]').count() == 0
            axe_check(other, f"on the waiting list at {width}px")
            other.screenshot(path=str(SHOTS / f"waiting-{width}.png"), full_page=True)
            _fits(other, width, "the waiting list page")
        _send(app)
        outbox.clear()

        _press(page, "Återkalla min anmälan")
        expect(page.get_by_text("Din anmälan är återkallad.")).to_be_visible()
        other.goto(f"/meetings/{meeting_id}")
        expect(other.get_by_text("Du är anmäld.", exact=True)).to_be_visible()
        expect(other.locator(f'a[href="{VIDEO}"]')).to_be_visible()
        _send(app)
        (message,) = outbox
        assert message["To"] == "bo@example.org"
        assert message["Subject"].startswith("En plats har blivit ledig")

        # The host sees the list, with organisations, and can download it.
        sign_in(page, "hanna@example.org", PASSWORD)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"/meetings/{meeting_id}/participants")
            expect(page.get_by_role("cell", name="Kommun B")).to_be_visible()
            axe_check(page, f"the participants at {width}px")
            page.screenshot(path=str(SHOTS / f"participants-{width}.png"), full_page=True)
            _fits(page, width, "the participants page")
    finally:
        other.context.close()
