"""Time in Remiss: stored in UTC, entered and shown in Swedish time.

The network meets in Sweden, so every date and time a person types or reads is Swedish time
(Europe/Stockholm, summer time included); the database, the API and the files keep UTC.
This is the one place that names the zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def to_utc(day: date, at: time) -> datetime:
    """A date and time of day entered in Swedish time, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=STOCKHOLM).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """A moment in Swedish time (a naive one is taken as UTC), as forms and pages show it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM)
