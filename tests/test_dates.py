"""Dates and times in the reader's locale (sv, en-GB, en-US), always in Swedish time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.documents.models import Document
from app.extensions import db

# 16:00 UTC in December is 17:00 in Stockholm.
DEADLINE = datetime(2026, 12, 20, 16, 0, tzinfo=UTC)


@pytest.fixture
def doc(app, factory):
    document = factory.document(slug="vl")
    with app.app_context():
        version = db.session.scalar(sa.select(Document).where(Document.slug == "vl")).current_version
        version.published_at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        version.deadline = DEADLINE
        db.session.commit()
    return document


def _page(client, path: str, accept: str) -> str:
    return client.get(path, headers={"Accept-Language": accept}).get_data(as_text=True)


def test_en_gb_browser_gets_british_dates_in_swedish_time(client, doc):
    html = _page(client, "/d/vl", "en-GB,en;q=0.9")
    assert "comments until 20 Dec 2026, 17:00 Swedish time" in html
    assert "12/20/26" not in html and "20/12/2026" not in html
    listing = _page(client, "/", "en-GB,en;q=0.9")
    assert "published 2 Nov 2026 · comments until 20 Dec 2026, 17:00 Swedish time" in listing


def test_en_us_browser_gets_american_dates(client, doc):
    html = _page(client, "/d/vl", "en-US,en;q=0.9")
    assert "comments until Dec 20, 2026, 5:00\u202fPM Swedish time" in html


def test_swedish_dates_by_default_and_a_space_before_each_separator(client, doc):
    listing = _page(client, "/", "sv-SE,sv;q=0.9")
    assert "publicerad 2 nov. 2026 · synpunkter till 20 dec. 2026 17:00 svensk tid" in listing
    assert "2026·" not in listing


@pytest.mark.parametrize("locale_name", ["sv_SE", "en_GB", "en_US", "de_DE", "fi_FI"])
def test_the_fast_page_format_matches_babel(locale_name):
    # Pages write a moment as they write a day (the medium date) with the time to the minute.
    from zoneinfo import ZoneInfo

    from babel import Locale, dates

    from app.i18n import _page_datetime_parts

    parts = _page_datetime_parts(locale_name)
    assert parts is not None
    stockholm = ZoneInfo("Europe/Stockholm")
    for moment in (
        datetime(2026, 1, 5, 0, 7, tzinfo=stockholm),
        datetime(2026, 12, 20, 12, 30, tzinfo=stockholm),
        datetime(2027, 6, 9, 17, 59, tzinfo=stockholm),
    ):
        fast = "".join(p if isinstance(p, str) else p(moment) for p in parts)
        locale = Locale.parse(locale_name)
        day = dates.format_date(moment, "medium", locale=locale)
        time = dates.format_time(moment, "short", tzinfo=stockholm, locale=locale)
        assert fast == str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)


def test_comment_times_follow_the_reader(client, app, factory):
    from tests.conftest import add_comment

    document = factory.document(slug="vl")
    author = factory.user(email="maja@example.org")
    with app.app_context():
        comment_id = add_comment(document, "p2", author, body="En synpunkt.")
        from app.review.models import Comment

        db.session.get(Comment, comment_id).created_at = DEADLINE
        db.session.commit()
    assert "20 Dec 2026, 17:00" in _page(client, "/d/vl", "en-GB,en;q=0.9")
    assert "Dec 20, 2026, 5:00\u202fPM" in _page(client, "/d/vl", "en-US")
    assert "20 dec. 2026 17:00" in _page(client, "/d/vl", "sv-SE")
