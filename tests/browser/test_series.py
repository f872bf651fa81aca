"""A meeting series in Chromium at 1366 and 390 px: the series page and a meeting page pass axe; the
video link is for those signed up and hosts; a host starts a series through the form."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import Organisation, Role, User
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import operations
from app.meetings.models import Meeting, MeetingSeries
from app.meetings.operations import SpeakerDetails
from app.timeutil import to_utc
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/s25-series")
VIDEO = "https://meet.example/oppna-licenser"
WIDTHS = (1366, 390)


@pytest.fixture
def series_id(app, factory):
    factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")
    factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        digg = db.session.scalar(sa.select(Organisation).where(Organisation.name == "DIGG"))
        series = operations.create_series(
            title="Nätverket för öppna licenser: digitala workshoppar hösten 2020",
            description="Fem digitala träffar, klockan 10–12. Hjälp oss forma serien med ämnen du vill diskutera.",
            visibility=Visibility.PUBLIC,
            organisers=[digg],
            actor=host,
        )
        for day, subject, published in (
            ("2020-10-20", "Öppna data i kollektivtrafiken", True),
            ("2020-10-27", "Licenser i kommunerna", False),
            ("2099-03-03", "Forskningsdata och upphovsrätt", False),
        ):
            operations.create_meeting(
                document=None,
                title=f"Workshop {day}",
                subject=subject,
                description="Vi diskuterar erfarenheter och utmaningar.",
                starts_at=to_utc(date.fromisoformat(day), time(10, 0)),
                agenda="1. Välkommen\n2. Diskussion",
                agenda_published=published,
                version=None,
                base_version=None,
                host=host,
                series=series,
                place="Digitalt möte",
                video_url=VIDEO,
                speakers=[
                    SpeakerDetails("Maja Medlem", "Dataansvarig", "Samtrafiken"),
                    SpeakerDetails("Erik Redaktör", "Jurist", "PRV"),
                ],
            )
        db.session.commit()
        return series.id


def _first_meeting(app, series_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(Meeting.id).where(Meeting.series_id == series_id).order_by(Meeting.starts_at)
        )


def test_the_series_and_a_meeting_at_both_widths_pass_axe(page, app, series_id, axe_check):
    SHOTS.mkdir(parents=True, exist_ok=True)
    meeting_id = _first_meeting(app, series_id)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/series/{series_id}")
        assert page.get_by_role("heading", name="Kommande möten").is_visible()
        assert page.get_by_role("link", name="Prenumerera i din kalender (iCalendar)").is_visible()
        axe_check(page, f"the series page at {width}px")
        page.screenshot(path=str(SHOTS / f"series-{width}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the series page scrolls sideways at {width}px"

        page.goto(f"/meetings/{meeting_id}")
        assert page.get_by_text("Videolänken visas för dem som anmält sig till mötet.").is_visible()
        assert page.locator(f'a[href="{VIDEO}"]').count() == 0
        axe_check(page, f"a meeting page at {width}px")
        page.screenshot(path=str(SHOTS / f"meeting-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(f"/meetings/{meeting_id + 1}")
    assert page.get_by_text("Agenda publiceras senare").is_visible()

    # Signed in but not signed up: still no link (tests/browser/test_signup.py signs up); a host sees it.
    sign_in(page, "maja@example.org", PASSWORD)
    page.goto(f"/meetings/{meeting_id}")
    assert page.locator(f'a[href="{VIDEO}"]').count() == 0
    sign_in(page, "hanna@example.org", PASSWORD)
    page.goto(f"/meetings/{meeting_id}")
    assert page.locator(f'a[href="{VIDEO}"]').is_visible()


def test_a_host_starts_a_series_with_the_form(page, app, series_id, axe_check):
    sign_in(page, "hanna@example.org", PASSWORD)
    page.goto("/meetings")
    page.get_by_role("link", name="Starta en serie").click()
    page.wait_for_url("**/series/new")
    page.get_by_role("button", name="Spara serien").click()
    assert page.get_by_text("Ge serien en rubrik.").first.is_visible()
    axe_check(page, "the series form with an error")
    page.get_by_label("Rubrik").fill("Vårens workshoppar")
    page.get_by_label("DIGG").check()
    page.get_by_label("Nätverket: bara inloggade medlemmar").check()
    page.get_by_role("button", name="Spara serien").click()
    page.wait_for_url("**/series/*")
    assert page.get_by_role("heading", name="Vårens workshoppar").is_visible()
    with app.app_context():
        series = db.session.scalar(
            sa.select(MeetingSeries).where(MeetingSeries.title == "Vårens workshoppar")
        )
        assert series.visibility is Visibility.NETWORK and [o.name for o in series.organisers] == ["DIGG"]


def test_a_host_sees_the_cancel_button_and_the_draft_agenda_and_cancels(page, app, series_id, axe_check):
    meeting_id = _first_meeting(app, series_id)
    sign_in(page, "hanna@example.org", PASSWORD)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/meetings/{meeting_id + 1}")
        assert page.get_by_text("Agenda publiceras senare").is_visible()
        assert page.get_by_text("Utkast till dagordning, syns bara för värdar:").is_visible()
        axe_check(page, f"a meeting page for a host at {width}px")
        page.screenshot(path=str(SHOTS / f"meeting-host-{width}.png"), full_page=True)
    # The page's control asks first: a page saying what cancelling does, by keyboard.
    page.get_by_role("link", name="Ställ in mötet").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/meetings/{meeting_id + 1}/cancel")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ställa in")
    axe_check(page, "the confirmation of a cancellation")
    with app.app_context():
        assert db.session.get(Meeting, meeting_id + 1).cancelled_at is None
    page.get_by_role("button", name="Ställ in mötet").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Det här mötet har ställts in.").is_visible()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Inställt:")
    axe_check(page, "a cancelled meeting")
    with app.app_context():
        assert db.session.get(Meeting, meeting_id + 1).cancelled_at is not None
    # And taken back.
    page.get_by_role("button", name="Ångra inställningen").click()
    page.wait_for_load_state("load")
    assert not page.get_by_text("Det här mötet har ställts in.").is_visible()
    with app.app_context():
        db.session.expire_all()
        assert db.session.get(Meeting, meeting_id + 1).cancelled_at is None
