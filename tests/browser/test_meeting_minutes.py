"""Minutes that carry forward in Chromium at 1366 and 390 px, with axe on every new page: a host
writes the minutes of a meeting's agenda item, records an action point for a member and publishes;
the series' next meeting shows it open; the member finds it on their profile and marks it done. The
XSS corpus stays inert on the minutes, the next meeting and the profile."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import Role, User
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import minutes, operations
from app.meetings.models import AgendaItem, Meeting
from tests.browser.conftest import sign_in
from tests.browser.xss import assert_inert, payloads
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/s25-minutes-shots")
WIDTHS = (1366, 390)


@pytest.fixture
def people(factory):
    factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")
    factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")


def _two_meetings(app, width: int) -> tuple[int, int]:
    """A network series with a meeting that took place (one agenda item) and the next one."""
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        series = operations.create_series(
            title=f"Digitala workshoppar {width}",
            description="",
            visibility=Visibility.NETWORK,
            organisers=[],
            actor=host,
        )
        meetings = []
        for title, starts_at in (
            ("Workshop om licenser", datetime(2020, 9, 1, 8, tzinfo=UTC)),
            ("Workshop om öppna data", datetime(2099, 3, 3, 9, tzinfo=UTC)),
        ):
            meetings.append(
                operations.create_meeting(
                    document=None,
                    title=title,
                    starts_at=starts_at,
                    agenda="",
                    version=None,
                    base_version=None,
                    host=host,
                    series=series,
                )
            )
        db.session.add(AgendaItem(meeting_id=meetings[0].id, position=0, title="Licenser för data"))
        db.session.commit()
        return meetings[0].id, meetings[1].id


def _shot(page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", WIDTHS)
def test_minutes_with_an_action_point_carry_to_the_next_meeting(app, page, people, axe_check, width):
    page.set_viewport_size({"width": width, "height": 900})
    first, following = _two_meetings(app, width)

    sign_in(page, "hanna@example.org", PASSWORD)
    page.goto(f"/meetings/{first}")
    page.get_by_role("link", name="Skriv minnesanteckningar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Skriv minnesanteckningar")
    axe_check(page, "the minutes' editing page")
    page.get_by_label("Licenser för data").fill("Vi gick igenom **CC BY 4.0** och CC0.")
    page.get_by_role("button", name="Spara minnesanteckningarna").click()
    expect(page.get_by_text("Minnesanteckningarna är sparade.")).to_be_visible()
    page.get_by_label("Dagordningspunkt").last.select_option(label="Licenser för data")
    page.get_by_label("Vad ska göras").fill("Skicka ut förslaget till nätverket")
    page.get_by_label("Vem: en medlem (e-postadress eller namn)").fill("maja@example.org")
    page.get_by_label("Klart senast (frivilligt)").fill("2020-09-10")
    page.get_by_role("button", name="För in åtgärdspunkten").click()
    expect(page.get_by_text("Åtgärdspunkten är införd.")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "edit", width)
    page.get_by_role("button", name="Publicera minnesanteckningarna").click()
    expect(page.get_by_text("Minnesanteckningarna är publicerade.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Minnesanteckningar: Workshop om licenser")
    expect(page.locator("strong", has_text="CC BY 4.0")).to_be_visible()
    expect(page.get_by_text("Skicka ut förslaget till nätverket")).to_be_visible()
    axe_check(page, "the minutes")
    _no_sideways_scroll(page)
    _shot(page, "minutes", width)
    page.get_by_role("button", name="Logga ut").click()

    sign_in(page, "maja@example.org", PASSWORD)
    page.goto(f"/meetings/{following}")
    carried = page.get_by_role("region", name="Öppna åtgärdspunkter från tidigare möten")
    expect(carried).to_contain_text("Skicka ut förslaget till nätverket")
    expect(carried).to_contain_text("Vem: Maja Medlem")
    expect(carried).to_contain_text("Försenad")
    axe_check(page, "the next meeting")
    _no_sideways_scroll(page)
    _shot(page, "next-meeting", width)

    page.goto("/profile")
    mine = page.get_by_role("region", name="Mina åtgärdspunkter")
    expect(mine).to_contain_text("Skicka ut förslaget till nätverket")
    axe_check(page, "the profile")
    _shot(page, "profile", width)
    mine.get_by_role("button", name="Markera som klar").click()
    expect(page.get_by_text("Åtgärdspunkten är markerad som klar.")).to_be_visible()
    expect(page.get_by_role("region", name="Mina åtgärdspunkter")).to_contain_text(
        "Du har inga öppna åtgärdspunkter från möten."
    )
    page.goto(f"/meetings/{following}")
    expect(page.get_by_text("Skicka ut förslaget till nätverket")).to_have_count(0)


def test_the_corpus_stays_inert_in_the_minutes(app, page, people):
    first, following = _two_meetings(app, 0)
    corpus = payloads()
    with app.app_context():
        meeting = db.session.get(Meeting, first)
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        item = meeting.agenda_items[0]
        item.title = corpus[0][:300]
        minutes.save_text(
            meeting,
            minutes.token_of(meeting),
            "\n\n".join(corpus[:60]),
            {item.id: "\n\n".join(corpus[60:120])},
            host,
        )
        for i, payload in enumerate(corpus[:40]):
            minutes.add_decision(meeting, item.id if i % 2 else None, payload[:2000], host)
            minutes.add_action(
                meeting, item.id, payload[:2000], "maja@example.org" if i % 2 else "", payload[:200], "", host
            )
            minutes.add_attendee(meeting, "", payload[:200], payload[-200:], host)
        minutes.publish(meeting, host)
        db.session.commit()
    sign_in(page, "maja@example.org", PASSWORD)
    for path in (f"/meetings/{first}/minutes", f"/meetings/{following}", "/profile"):
        assert_inert(page, path)
    page.get_by_role("button", name="Logga ut").click()
    sign_in(page, "hanna@example.org", PASSWORD)
    assert_inert(page, f"/meetings/{first}/minutes/edit")
