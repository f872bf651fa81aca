"""Meetings as iCalendar (RFC 5545) and a series as an Atom feed.

The `icalendar` package writes the files: it escapes text (commas, semicolons, backslashes, line
breaks) and folds long lines at 75 octets without splitting a UTF-8 character. Times are written
in Swedish time with TZID=Europe/Stockholm and the zone's VTIMEZONE (the EU rule since 1996: summer
time from the last Sunday of March to the last Sunday of October), so a meeting at 10:00 stays at
10:00 across a change of summer time whatever the calendar's own zone.

Every meeting keeps one UID for its life; its SEQUENCE is raised by every change (operations), so
calendars replace the event they hold; a cancelled meeting stays in the feed as STATUS:CANCELLED.
The video link is never written here: the files and feeds are public for a public series.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from lxml import etree

from app import fragments
from app.meetings.agenda import item_ends
from app.meetings.models import Meeting, MeetingSeries
from app.timeutil import STOCKHOLM

PRODID = "-//Remiss//Meetings//SV"
TZID = "Europe/Stockholm"
ATOM = "http://www.w3.org/2005/Atom"


def meeting_uid(meeting: Meeting) -> str:
    """The event's UID: the meeting's id and the moment it was created, never changed."""
    return f"{meeting.created_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-meeting-{meeting.id}@remiss"


def _stockholm() -> Timezone:
    zone = Timezone()
    zone.add("tzid", TZID)
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))
    summer.add("tzoffsetfrom", STOCKHOLM.utcoffset(datetime(2020, 1, 1)))
    summer.add("tzoffsetto", STOCKHOLM.utcoffset(datetime(2020, 7, 1)))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))
    winter.add("tzoffsetfrom", STOCKHOLM.utcoffset(datetime(2020, 7, 1)))
    winter.add("tzoffsetto", STOCKHOLM.utcoffset(datetime(2020, 1, 1)))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def describe(meeting: Meeting, agenda_later: str, speakers_label: str, items=None) -> str:
    """The event's description: subject, description, speakers, and the agenda if published: its
    items (*items*, read beforehand for many meetings, else the meeting's) and its text."""
    parts = [p for p in (meeting.subject, meeting.description) if p]
    if meeting.speakers:
        parts.append(
            speakers_label
            + "\n"
            + "\n".join(
                ", ".join(x for x in (s.name, s.title, s.organisation) if x) for s in meeting.speakers
            )
        )
    if not meeting.agenda_published:
        parts.append(agenda_later)
    else:
        lines = agenda_lines(meeting, items)
        if lines:
            parts.append("\n".join(lines))
        if meeting.agenda:
            parts.append(meeting.agenda)
        if not lines and not meeting.agenda:
            parts.append(agenda_later)
    return "\n\n".join(parts)


def agenda_lines(meeting: Meeting, items=None) -> list[str]:
    """The agenda's items (*items*, else the meeting's) as lines: "13:00–13:30 Title (presenter)"
    in Swedish time, or "30 min Title (presenter)"."""
    items = list(meeting.agenda_items if items is None else items)
    ends = item_ends(items, meeting)
    lines = []
    for item in items:
        when = ""
        if item.starts_at is not None:
            when = f"{_local(item.starts_at):%H:%M}"
            if ends.get(item.id) is not None:
                when += f"–{_local(ends[item.id]):%H:%M}"
        elif item.duration_minutes:
            when = f"{item.duration_minutes} min"
        text = f"{when} {item.title}" if when else item.title
        lines.append(f"{text} ({item.presenter})" if item.presenter else text)
    return lines


def meeting_event(meeting: Meeting, url: str, description: str) -> Event:
    """One meeting as a VEVENT."""
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", (meeting.updated_at or meeting.created_at).astimezone(UTC))
    event.add("created", meeting.created_at.astimezone(UTC))
    event.add("last-modified", (meeting.updated_at or meeting.created_at).astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("dtstart", _local(meeting.starts_at))
    event.add("dtend", _local(meeting.ends_at))
    event.add("summary", f"{meeting.title}: {meeting.subject}" if meeting.subject else meeting.title)
    event.add("description", description)
    if meeting.place:
        event.add("location", meeting.place)
    event.add("url", url)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def _event_key(meeting: Meeting, url: str, description: str) -> tuple:
    """Everything a meeting's VEVENT is written from, so a cached event is never stale."""
    return (
        meeting.id,
        meeting.sequence,
        meeting.created_at,
        meeting.updated_at,
        meeting.title,
        meeting.subject,
        meeting.starts_at,
        meeting.duration_minutes,
        meeting.place,
        meeting.cancelled_at,
        url,
        description,
    )


def calendar_bytes(
    meetings: Sequence[Meeting],
    *,
    name: str,
    url_of: Callable[[Meeting], str],
    description_of: Callable[[Meeting], str],
) -> bytes:
    """A VCALENDAR of *meetings* with the Stockholm VTIMEZONE, as bytes (CRLF, folded).

    Each VEVENT is written once per process and kept (app.fragments "ics-events") under a key of
    every value it is written from: writing one with the package takes about 0.4 ms."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(_stockholm())
    head = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    events = fragments.cache("ics-events")
    parts = [head[: -len(end)]]
    for meeting in meetings:
        url, description = url_of(meeting), description_of(meeting)
        parts.append(
            events.get(
                _event_key(meeting, url, description),
                lambda m=meeting, u=url, d=description: meeting_event(m, u, d).to_ical(),
            )
        )
    parts.append(end)
    return b"".join(parts)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def atom_bytes(
    series: MeetingSeries,
    meetings: Sequence[Meeting],
    *,
    feed_url: str,
    page_url: str,
    url_of: Callable[[Meeting], str],
    title_of: Callable[[Meeting], str],
    summary_of: Callable[[Meeting], str],
) -> bytes:
    """The series as an Atom feed (RFC 4287): one entry per meeting, text escaped by lxml."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})

    def sub(parent, tag, text=None, **attrs):
        element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", **attrs)
        if text is not None:
            element.text = text
        return element

    updated = max([series.created_at] + [m.updated_at or m.created_at for m in meetings])
    sub(feed, "id", f"tag:remiss,{series.created_at:%Y-%m-%d}:series-{series.id}")
    sub(feed, "title", series.title)
    if series.description:
        sub(feed, "subtitle", series.description)
    sub(feed, "updated", _iso(updated))
    sub(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    sub(feed, "link", rel="alternate", href=page_url, type="text/html")
    author = sub(feed, "author")
    sub(author, "name", ", ".join(o.name for o in series.organisers) or "Remiss")
    for meeting in meetings:
        entry = sub(feed, "entry")
        sub(entry, "id", f"tag:remiss,{meeting.created_at:%Y-%m-%d}:meeting-{meeting.id}")
        sub(entry, "title", title_of(meeting))
        sub(entry, "updated", _iso(meeting.updated_at or meeting.created_at))
        sub(entry, "published", _iso(meeting.created_at))
        sub(entry, "link", rel="alternate", href=url_of(meeting), type="text/html")
        sub(entry, "summary", summary_of(meeting), type="text")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")
