"""Topics from the network in Chromium at 1366 and 390 px, by keyboard only, with axe on every page:
a member proposes a topic, another supports it, the host takes it into a meeting, and the
meeting's page lists it under "Från nätverket"; a host closes one with a reason; the XSS corpus
stays inert in topics and reasons."""

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
from app.meetings import operations
from app.meetings.models import Topic, TopicStatus
from tests.browser.conftest import sign_in, tab_to
from tests.browser.xss import assert_inert, payloads
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/s25-topics")
WIDTHS = (1366, 390)


@pytest.fixture
def people(factory):
    factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")
    factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    factory.user(email="bo@example.org", name="Bo Berg", organisation="Kommun B")


def _series_with_meeting(app, width: int) -> tuple[int, int]:
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        series = operations.create_series(
            title=f"Digitala workshoppar {width}",
            description="",
            visibility=Visibility.NETWORK,
            organisers=[],
            actor=host,
        )
        meeting = operations.create_meeting(
            document=None,
            title=f"Workshop {width}",
            starts_at=datetime(2099, 3, 3, 9, tzinfo=UTC),
            agenda="",
            version=None,
            base_version=None,
            host=host,
            series=series,
        )
        db.session.commit()
        return series.id, meeting.id


def _press(page, locator) -> None:
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _as(page, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email, PASSWORD)


def _fits(page, width: int, label: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{label} scrolls sideways"


def test_propose_support_and_take_into_a_meeting_by_keyboard(page, app, people, axe_check):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        series_id, meeting_id = _series_with_meeting(app, width)
        page.set_viewport_size({"width": width, "height": 900})
        title = f"Öppna API:er {width}"

        _as(page, "maja@example.org")
        page.goto(f"/series/{series_id}")
        axe_check(page, f"a series without topics at {width}px")
        # An empty title first: refused with the reason.
        _press(page, page.get_by_role("button", name="Föreslå ämnet"))
        expect(page.locator(".field-error")).to_contain_text("Ge ämnet en rubrik.")
        axe_check(page, f"a refused proposal at {width}px")
        tab_to(page, page.get_by_label("Ämne", exact=True))
        page.keyboard.type(title)
        page.keyboard.press("Tab")
        page.keyboard.type("Hur delar vi trafikdata?")
        _press(page, page.get_by_role("button", name="Föreslå ämnet"))
        expect(page.get_by_role("heading", name=title)).to_be_visible()
        axe_check(page, f"a proposed topic at {width}px")
        page.screenshot(path=str(SHOTS / f"proposed-{width}.png"), full_page=True)

        _as(page, "bo@example.org")
        page.goto(f"/series/{series_id}")
        _press(page, page.get_by_role("button", name="Stöd", exact=True))
        expect(page.get_by_text("1 stödjer ämnet.")).to_be_visible()
        expect(page.get_by_role("button", name="Ta tillbaka mitt stöd")).to_be_visible()
        axe_check(page, f"a supported topic at {width}px")
        page.screenshot(path=str(SHOTS / f"supported-{width}.png"), full_page=True)

        _as(page, "hanna@example.org")
        page.goto(f"/series/{series_id}")
        axe_check(page, f"the host's series page at {width}px")
        page.screenshot(path=str(SHOTS / f"host-{width}.png"), full_page=True)
        _fits(page, width, "the series page")
        _press(page, page.get_by_role("button", name="Ta upp på mötet"))
        link = page.get_by_role("link", name=f"Workshop {width}").last
        expect(page.get_by_text("Tas upp på")).to_be_visible()
        _press(page, link)
        assert page.url.endswith(f"/meetings/{meeting_id}")
        section = page.locator("section", has=page.get_by_role("heading", name="Från nätverket"))
        expect(section.get_by_role("link", name=title)).to_be_visible()
        axe_check(page, f"a meeting with a topic from the network at {width}px")
        page.screenshot(path=str(SHOTS / f"meeting-{width}.png"), full_page=True)
        _fits(page, width, "the meeting page")


def test_the_host_closes_with_a_reason_by_keyboard(page, app, people, axe_check):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        series_id, _meeting_id = _series_with_meeting(app, width)
        with app.app_context():
            maja = db.session.scalar(sa.select(User.id).where(User.email == "maja@example.org"))
            db.session.add(Topic(series_id=series_id, proposer_id=maja, title=f"Utanför ämnet {width}"))
            db.session.commit()
        page.set_viewport_size({"width": width, "height": 900})
        _as(page, "hanna@example.org")
        page.goto(f"/series/{series_id}")
        _press(page, page.get_by_role("link", name=re.compile(rf"Stäng med ett skäl\s*:\s*Utanför ämnet {width}")))
        axe_check(page, f"closing a topic at {width}px")
        _press(page, page.get_by_role("button", name="Stäng ämnet"))
        expect(page.locator(".field-error")).to_contain_text("Ange skälet till att ämnet stängs.")
        axe_check(page, f"closing without a reason at {width}px")
        tab_to(page, page.get_by_label("Skäl till att ämnet stängs"))
        page.keyboard.type("Hör hemma i en annan serie.")
        _press(page, page.get_by_role("button", name="Stäng ämnet"))
        expect(page.get_by_text("Hör hemma i en annan serie.")).to_be_visible()
        axe_check(page, f"a closed topic at {width}px")
        page.screenshot(path=str(SHOTS / f"closed-{width}.png"), full_page=True)
        _fits(page, width, "the series page with a closed topic")


def test_the_xss_corpus_is_inert_in_topics_and_reasons(page, app, people):
    series_id, meeting_id = _series_with_meeting(app, 0)
    corpus = payloads()
    with app.app_context():
        maja = db.session.scalar(sa.select(User.id).where(User.email == "maja@example.org"))
        for i, text in enumerate(corpus):
            topic = Topic(series_id=series_id, proposer_id=maja, title=text[:200], description=text)
            if i % 3 == 1:
                topic.status, topic.meeting_id = TopicStatus.TAKEN, meeting_id
            elif i % 3 == 2:
                topic.status, topic.reason = TopicStatus.CLOSED, text
            db.session.add(topic)
        db.session.commit()
    _as(page, "hanna@example.org")
    assert_inert(page, f"/series/{series_id}")
    assert_inert(page, f"/meetings/{meeting_id}")
