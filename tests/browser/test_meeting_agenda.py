"""A meeting's agenda typed one item per line keeps its lines on the web page, in the reader's locale."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import Role
from app.documents.models import Document
from app.extensions import db

pytestmark = pytest.mark.browser


def test_agenda_lines_and_swedish_time(page, app, factory):
    from app.accounts.models import User
    from app.meetings.operations import create_meeting

    doc = factory.document(slug="vl")
    host = factory.user(email="hanna@example.org", roles=(Role.HOST, Role.MEMBER))
    with app.app_context():
        document = db.session.get(Document, doc.id)
        meeting = create_meeting(
            document=document,
            title="Nätverksträff",
            starts_at=datetime(2026, 12, 20, 12, 0, tzinfo=UTC),
            agenda="Välkommen\nGenomgång av utkastet\nFrågor",
            version=document.current_version,
            base_version=None,
            host=db.session.get(User, host.id),
        )
        db.session.commit()
        meeting_id = meeting.id
    page.goto(f"/meetings/{meeting_id}")
    agenda = page.locator(".agenda")
    assert agenda.inner_text().strip().split("\n") == ["Välkommen", "Genomgång av utkastet", "Frågor"]
    # The meeting shows its start and its end (two hours unless the host says otherwise).
    assert "13:00–15:00 svensk tid" in page.locator("main").inner_text()


# ---------------------------------------------------------------- the agenda as items (issue 25, point 4)

SHOTS = Path("/tmp/s25-agenda-shots")


def _meeting_to_plan(app, width: int) -> int:
    from app.accounts.models import User
    from app.documents.models import Visibility
    from app.meetings.operations import create_meeting, create_series

    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        series = create_series(
            title=f"Digitala workshoppar {width}",
            description="",
            visibility=Visibility.NETWORK,
            organisers=[],
            actor=host,
        )
        meeting = create_meeting(
            document=None,
            title=f"Workshop om licenser {width}",
            # 25 October 2020, the day summer time ends: 10:00 Swedish time is 09:00 UTC.
            starts_at=datetime(2020, 10, 25, 9, 0, tzinfo=UTC),
            agenda="",
            agenda_published=False,
            version=None,
            base_version=None,
            host=host,
            series=series,
        )
        db.session.commit()
        return meeting.id


def _fill_item(page, title: str, start: str = "", duration: str = "", presenter: str = "") -> None:
    form = page.locator("form", has=page.get_by_role("button", name="Lägg till punkten"))
    form.get_by_label("Rubrik").fill(title)
    if start:
        form.get_by_label("Starttid (svensk tid, på mötesdagen)").fill(start)
    if duration:
        form.get_by_label("Eller längd i minuter").fill(duration)
    form.get_by_label("Föredragande").fill(presenter)


def test_a_host_builds_and_publishes_the_agenda_and_a_member_sees_it(page, app, factory, axe_check):
    from tests.browser.conftest import sign_in
    from tests.conftest import PASSWORD
    from tests.meetings.pdfs import PDF

    factory.user(
        email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST, Role.MEMBER), organisation="DIGG"
    )
    factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    SHOTS.mkdir(parents=True, exist_ok=True)
    slides = SHOTS / "Bilder om licenser.pdf"
    slides.write_bytes(PDF)
    for width in (1366, 390):
        meeting_id = _meeting_to_plan(app, width)
        page.set_viewport_size({"width": width, "height": 900})
        page.context.clear_cookies()
        sign_in(page, "hanna@example.org", PASSWORD)
        page.goto(f"/meetings/{meeting_id}")
        page.get_by_role("link", name="Ändra dagordningens punkter").click()
        axe_check(page, f"an empty agenda at {width}px")

        # Without a title: refused with the reason; nothing is added.
        page.get_by_role("button", name="Lägg till punkten").click()
        expect(page.locator(".error-summary")).to_contain_text("Ge punkten en rubrik.")
        axe_check(page, f"a refused item at {width}px")

        _fill_item(page, "Genomgång av licenserna", start="10:15", presenter="Eva Redaktör, PRV")
        page.get_by_label("Eller ladda upp bilder (PDF, högst 20 MB)").set_input_files(str(slides))
        page.get_by_role("button", name="Lägg till punkten").click()
        expect(page.locator(".flash")).to_contain_text("Punkten har lagts till i dagordningen.")
        _fill_item(page, "Välkommen", start="10:00", duration="15", presenter="Hanna Värd")
        page.get_by_role("button", name="Lägg till punkten").click()
        # The welcome goes first: moved up without JavaScript, a plain form post.
        page.get_by_role("button", name="Flytta uppåt").first.click()
        expect(page.locator(".flash")).to_contain_text("Punkten har flyttats.")
        titles = page.locator(".agenda-items--edit strong").all_inner_texts()
        assert titles == ["Välkommen", "Genomgång av licenserna"]
        page.get_by_role("button", name="Publicera dagordningen").click()
        expect(page.locator(".flash")).to_contain_text("Dagordningen har publicerats.")
        axe_check(page, f"the host's agenda at {width}px")
        page.screenshot(path=str(SHOTS / f"host-agenda-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.context.clear_cookies()
        sign_in(page, "maja@example.org", PASSWORD)
        page.goto(f"/meetings/{meeting_id}")
        items = page.locator(".agenda-items > li")
        expect(items).to_have_count(2)
        expect(items.nth(0)).to_contain_text("10:00–10:15")
        expect(items.nth(0)).to_contain_text("Välkommen – Hanna Värd")
        expect(items.nth(1)).to_contain_text("10:15–12:00")
        expect(items.nth(1)).to_contain_text("Genomgång av licenserna – Eva Redaktör, PRV")
        link = items.nth(1).get_by_role("link", name="Bilder om licenser.pdf")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "Bilder om licenser.pdf"
        assert Path(download.value.path()).read_bytes() == PDF
        axe_check(page, f"a member's meeting page with its agenda at {width}px")
        page.screenshot(path=str(SHOTS / f"member-meeting-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_hostile_agenda_items_are_inert(page, app, factory):
    from app.meetings.models import AgendaItem, Meeting
    from tests.browser.conftest import sign_in
    from tests.browser.xss import assert_inert, payloads
    from tests.conftest import PASSWORD

    factory.user(
        email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST, Role.MEMBER), organisation="DIGG"
    )
    meeting_id = _meeting_to_plan(app, 0)
    with app.app_context():
        for position, text in enumerate(payloads()[:100]):
            db.session.add(
                AgendaItem(
                    meeting_id=meeting_id,
                    position=position,
                    title=text[:300],
                    presenter=text[:200],
                    description=text,
                    duration_minutes=5,
                )
            )
        db.session.get(Meeting, meeting_id).agenda_published = True
        db.session.commit()
    sign_in(page, "hanna@example.org", PASSWORD)
    assert_inert(page, f"/meetings/{meeting_id}")
    assert_inert(page, f"/meetings/{meeting_id}/agenda")
    assert page.locator(".agenda-items--edit > li").count() == 100
