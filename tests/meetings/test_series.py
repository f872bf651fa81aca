"""Meeting series (issue 25, points 1 and 6): the series page, meetings without a draft, speakers,
the video link, an agenda published later, cancelling, the forms, and the calendars and feeds.

Every .ics is parsed back with the `icalendar` package and checked field by field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from lxml import etree

from app.accounts.models import Organisation, Role, User
from app.audit import AuditEvent
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import operations
from app.meetings.models import Meeting, MeetingSeries
from app.meetings.operations import SpeakerDetails
from app.timeutil import STOCKHOLM, to_utc
from tests.browser.xss import payloads

ATOM = "{http://www.w3.org/2005/Atom}"
VIDEO = "https://meet.example/hemlig-lank"


@pytest.fixture
def host(factory):
    return factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")


@pytest.fixture
def member(factory):
    return factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")


def _series(app, host_email="hanna@example.org", visibility=Visibility.PUBLIC, meetings=(), **fields) -> int:
    """A series with *meetings* (dicts of create_meeting's keywords); returns its id."""
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == host_email))
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "DIGG"))
        series = operations.create_series(
            title=fields.get("title", "Digitala workshoppar hösten 2020"),
            description=fields.get("description", "Fem träffar om öppna licenser."),
            visibility=visibility,
            organisers=[organisation],
            actor=host,
        )
        for details in meetings:
            operations.create_meeting(
                **{
                    "document": None,
                    "title": "Workshop",
                    "agenda": "1. Välkommen",
                    "version": None,
                    "base_version": None,
                    "host": host,
                    "series": series,
                    **details,
                }
            )
        db.session.commit()
        return series.id


def _at(day: str, hour: int = 10) -> datetime:
    return to_utc(date.fromisoformat(day), time(hour, 0))


def _meeting_ids(app, series_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Meeting.id).where(Meeting.series_id == series_id).order_by(Meeting.starts_at)
            )
        )


def _events(data: bytes) -> tuple[Calendar, list]:
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


AROUND_DST = [
    # 20 October 2020 is summer time (UTC+2), 27 October winter time (UTC+1): the change was on the 25th.
    {
        "title": "Workshop 20 oktober",
        "subject": "Öppna data, licenser; och avtal",
        "description": "Rad ett\nRad två, med komma; och semikolon \\ och bakstreck",
        "starts_at": _at("2020-10-20"),
        "place": "Digitalt",
        "video_url": VIDEO,
        "speakers": [SpeakerDetails("Erik Redaktör", "Jurist", "PRV")],
    },
    {
        "title": "Workshop 27 oktober",
        "subject": "Efter omställningen",
        "starts_at": _at("2020-10-27"),
        "duration_minutes": 90,
        "agenda_published": False,
    },
]


def test_series_feed_is_icalendar_in_swedish_time_across_the_dst_change(app, client, host):
    series_id = _series(app, meetings=AROUND_DST)
    response = client.get(f"/series/{series_id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    data = response.data
    # RFC 5545: CRLF line ends, no line longer than 75 octets.
    assert b"\r\n" in data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    calendar, events = _events(data)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Digitala workshoppar hösten 2020"
    zones = list(calendar.walk("VTIMEZONE"))
    assert [str(z["TZID"]) for z in zones] == ["Europe/Stockholm"]
    assert {c.name for c in zones[0].subcomponents} == {"DAYLIGHT", "STANDARD"}
    assert len(events) == 2
    before, after = events
    for event, utc_hour in ((before, 8), (after, 9)):
        start = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "Europe/Stockholm"
        assert (start.hour, start.minute) == (10, 0)  # the same local time both weeks
        assert start.astimezone(UTC).hour == utc_hour
        assert event["DTEND"].params["TZID"] == "Europe/Stockholm"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert int(event["SEQUENCE"]) == 0
    assert before.decoded("DTEND").astimezone(STOCKHOLM).time() == time(12, 0)
    assert after.decoded("DTEND").astimezone(STOCKHOLM).time() == time(11, 30)
    assert str(before["SUMMARY"]) == "Workshop 20 oktober: Öppna data, licenser; och avtal"
    description = str(before["DESCRIPTION"])
    assert "Rad ett\nRad två, med komma; och semikolon \\ och bakstreck" in description
    assert "Erik Redaktör, Jurist, PRV" in description
    assert str(before["LOCATION"]) == "Digitalt"
    # Escaped per RFC 5545 in the raw file.
    assert b"licenser\\; och avtal" in data and b"Rad ett\\nRad tv" in data
    assert "Agenda publiceras senare" in str(after["DESCRIPTION"])
    ids = _meeting_ids(app, series_id)
    assert str(before["URL"]).endswith(f"/meetings/{ids[0]}")
    assert str(before["UID"]) != str(after["UID"])
    # The video link is never in the calendar files.
    assert VIDEO.encode() not in data


def test_an_update_keeps_the_uid_and_raises_the_sequence_and_a_cancelled_meeting_stays_cancelled(
    app, client, host
):
    series_id = _series(app, meetings=AROUND_DST)
    first_id = _meeting_ids(app, series_id)[0]
    uid = str(_events(client.get(f"/meetings/{first_id}.ics").data)[1][0]["UID"])
    with app.app_context():
        meeting = db.session.get(Meeting, first_id)
        operations.update_meeting(
            meeting,
            document=None,
            title="Workshop 20 oktober (ny tid)",
            starts_at=_at("2020-10-20", 13),
            agenda="",
            version=None,
            base_version=None,
            actor=meeting.host,
        )
        db.session.commit()
    event = _events(client.get(f"/meetings/{first_id}.ics").data)[1][0]
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").time() == time(13, 0)

    client.login("hanna@example.org")
    page = client.get(f"/meetings/{first_id}/cancel")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(f"/meetings/{first_id}/cancel", data={"csrf_token": csrf})
    assert response.status_code == 302
    client.logout()
    feed = _events(client.get(f"/series/{series_id}.ics").data)[1]
    cancelled = next(e for e in feed if str(e["UID"]) == uid)
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 2
    with app.app_context():
        assert db.session.get(Meeting, first_id) is not None  # never deleted
    assert "Inställt" in client.get(f"/meetings/{first_id}").text


def test_cancelling_needs_a_host_and_the_csrf_token(app, client, host, member):
    series_id = _series(app, meetings=AROUND_DST[:1])
    meeting_id = _meeting_ids(app, series_id)[0]
    assert client.post(f"/meetings/{meeting_id}/cancel").status_code in (302, 401)
    client.login("maja@example.org")
    assert client.post(f"/meetings/{meeting_id}/cancel").status_code == 403
    client.logout()
    client.login("hanna@example.org")
    assert client.post(f"/meetings/{meeting_id}/cancel", csrf=False).status_code == 400
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).cancelled_at is None


def test_cancelling_asks_first_and_can_be_taken_back(app, client, host, member):
    series_id = _series(app, meetings=AROUND_DST[:1])
    meeting_id = _meeting_ids(app, series_id)[0]
    uid = str(_events(client.get(f"/meetings/{meeting_id}.ics").data)[1][0]["UID"])
    client.login("maja@example.org")
    assert client.get(f"/meetings/{meeting_id}/cancel").status_code == 403
    assert client.post(f"/meetings/{meeting_id}/reinstate").status_code == 403
    client.logout()
    client.login("hanna@example.org")
    # The meeting page's control asks first; asking changes nothing.
    page = client.get(f"/meetings/{meeting_id}")
    assert f'href="/meetings/{meeting_id}/cancel"' in page.text
    confirm = client.get(f"/meetings/{meeting_id}/cancel")
    assert confirm.status_code == 200
    assert "kalendrar som prenumererar" in confirm.text and "Behåll mötet" in confirm.text
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).cancelled_at is None
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm.text).group(1)
    assert client.post(f"/meetings/{meeting_id}/cancel", data={"csrf_token": csrf}).status_code == 302
    # Taken back: on again, with a higher SEQUENCE so subscribed calendars replace the cancelled event.
    assert "Ångra inställningen" in client.get(f"/meetings/{meeting_id}").text
    assert client.post(f"/meetings/{meeting_id}/reinstate", csrf=False).status_code == 400
    response = client.post(f"/meetings/{meeting_id}/reinstate", data={"csrf_token": csrf})
    assert response.status_code == 302
    assert "Mötet blir av igen" in client.get(f"/meetings/{meeting_id}").text
    # A second time there is nothing to take back, and it says so.
    client.post(f"/meetings/{meeting_id}/reinstate", data={"csrf_token": csrf})
    assert "Mötet är inte inställt." in client.get(f"/meetings/{meeting_id}").text
    client.logout()
    event = next(e for e in _events(client.get(f"/series/{series_id}.ics").data)[1] if str(e["UID"]) == uid)
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 2
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.object_id == meeting_id).order_by(AuditEvent.id)
        ).all()
        assert [a for a in actions if a.startswith("meeting.")][-2:] == ["meeting.cancel", "meeting.reinstate"]


def test_the_series_page_lists_upcoming_and_past_meetings_and_hides_the_video_link(app, client, host, member):
    series_id = _series(
        app,
        meetings=[
            *AROUND_DST,
            {"title": "Framtida träff", "starts_at": datetime(2100, 1, 5, 9, tzinfo=UTC), "video_url": VIDEO},
        ],
    )
    page = client.get(f"/series/{series_id}").text
    upcoming, past = page.split('id="past-heading"')
    assert "Framtida träff" in upcoming and "Workshop 20 oktober" not in upcoming
    assert "Workshop 27 oktober" in past and "Workshop 20 oktober" in past
    assert past.index("Workshop 27 oktober") < past.index("Workshop 20 oktober")  # latest first
    assert "10:00–12:00" in past
    assert "DIGG" in page and "Erik Redaktör (PRV)" in page
    assert f'href="/series/{series_id}.ics"' in page or f"/series/{series_id}.ics" in page
    first, second, _future = _meeting_ids(app, series_id)
    visitor_view = client.get(f"/meetings/{first}").text
    assert VIDEO not in visitor_view
    assert "Videolänken visas för dem som anmält sig" in visitor_view
    assert "Agenda publiceras senare" in client.get(f"/meetings/{second}").text
    assert "presenterar inget utkast" in visitor_view
    # A member sees the link once signed up (tests/meetings/test_signup.py has the rest).
    future = _meeting_ids(app, series_id)[2]
    client.login("maja@example.org")
    assert VIDEO not in client.get(f"/meetings/{future}").text
    client.post(f"/meetings/{future}/signup")
    assert f'href="{VIDEO}"' in client.get(f"/meetings/{future}").text


def test_a_network_series_never_reaches_visitors_the_feeds_or_the_api(app, client, host, member):
    series_id = _series(app, visibility=Visibility.NETWORK, title="Intern serie", meetings=AROUND_DST)
    meeting_id = _meeting_ids(app, series_id)[0]
    assert client.get(f"/series/{series_id}").status_code == 302  # sign in
    assert client.get(f"/meetings/{meeting_id}").status_code == 302
    for path in (f"/series/{series_id}.ics", f"/series/{series_id}.atom", f"/meetings/{meeting_id}.ics"):
        assert client.get(path).status_code == 404, path
    assert "Intern serie" not in client.get("/meetings").text
    assert "Workshop 20 oktober" not in client.get("/meetings").text
    listing = client.get("/api/v1/meetings").get_json()
    assert all(m["series"]["id"] != series_id for m in listing["items"])
    assert client.get(f"/api/v1/meetings/{meeting_id}").status_code == 401  # a token would help
    client.login("maja@example.org")
    assert client.get(f"/series/{series_id}").status_code == 200
    assert client.get(f"/series/{series_id}.ics").status_code == 200
    assert "Intern serie" in client.get("/meetings").text


def test_meetings_in_the_api_with_series_speakers_and_no_video_link(app, client, host):
    series_id = _series(app, meetings=AROUND_DST)
    listing = client.get("/api/v1/meetings").get_json()
    first, second = listing["items"]
    assert first["series"] == {"id": series_id, "title": "Digitala workshoppar hösten 2020"}
    assert first["document"] is None and first["version"] is None
    assert first["speakers"] == [{"name": "Erik Redaktör", "title": "Jurist", "organisation": "PRV"}]
    assert first["starts_at"] == "2020-10-20T08:00:00Z" and first["ends_at"] == "2020-10-20T10:00:00Z"
    assert second["agenda_published"] is False and second["agenda"] == ""
    assert VIDEO not in str(listing)


def test_the_atom_feed_has_one_entry_per_meeting(app, client, host):
    series_id = _series(app, meetings=AROUND_DST)
    response = client.get(f"/series/{series_id}.atom")
    assert response.mimetype == "application/atom+xml"
    feed = etree.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == "Digitala workshoppar hösten 2020"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title").split(" (")[0] for e in entries] == [
        "Workshop 20 oktober: Öppna data, licenser; och avtal",
        "Workshop 27 oktober: Efter omställningen",
    ]
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == 2
    assert VIDEO not in response.text


def test_hostile_text_is_inert_on_the_pages_and_escaped_in_the_calendar(app, client, host):
    corpus = payloads()
    chunks = [corpus[i : i + 40] for i in range(0, len(corpus), 40)][:8]
    meetings = [
        {
            "title": chunk[0][:300],
            "subject": chunk[1][:300],
            "description": "\n".join(chunk)[:5000],
            "place": chunk[2][:500],
            "starts_at": _at("2020-09-01"),
            "speakers": [SpeakerDetails(line[:200], chunk[3][:200], chunk[4][:200]) for line in chunk[5:10]],
        }
        for chunk in chunks
    ]
    series_id = _series(app, meetings=meetings, title=corpus[0][:300], description="\n".join(corpus[:50]))
    page = client.get(f"/series/{series_id}").text
    for meeting_id in _meeting_ids(app, series_id)[:3]:
        page += client.get(f"/meetings/{meeting_id}").text
    # Nothing of the corpus came through as markup: no script element or event handler of ours.
    assert "<script>alert" not in page.lower()
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", page, re.I)
    assert 'href="javascript' not in page.lower() and 'src="javascript' not in page.lower()
    data = client.get(f"/series/{series_id}.ics").data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    _calendar, events = _events(data)
    by_title = {str(e["SUMMARY"]) for e in events}
    for details in meetings:
        expected = f"{details['title']}: {details['subject']}" if details["subject"] else details["title"]
        assert expected in by_title
    for event, details in zip(events, meetings, strict=True):
        assert details["description"] in str(event["DESCRIPTION"])
        assert str(event["LOCATION"]) == details["place"]
    atom = etree.fromstring(client.get(f"/series/{series_id}.atom").data)
    assert atom.findtext(f"{ATOM}title") == corpus[0][:300]


def test_the_series_page_takes_a_constant_number_of_queries(app, client, host, count_queries):
    few = _series(app, meetings=AROUND_DST)
    many = _series(
        app,
        title="Många",
        meetings=[
            {
                "title": f"Träff {i}",
                "starts_at": _at(f"2020-11-{i:02d}"),
                "speakers": [SpeakerDetails(f"T{i}")],
            }
            for i in range(1, 25)
        ],
    )
    counts = []
    for series_id in (few, many):
        client.get(f"/series/{series_id}")
        with count_queries() as statements:
            assert client.get(f"/series/{series_id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 8, counts


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).text).group(1)


def test_a_host_starts_a_series_and_plans_a_meeting_without_a_draft(app, client, host):
    client.login("hanna@example.org")
    with app.app_context():
        digg = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "DIGG"))
    response = client.post(
        "/series/new",
        data={
            "csrf_token": _csrf(client, "/series/new"),
            "title": "Höstens workshoppar",
            "description": "Fem träffar.",
            "organisers": [str(digg)],
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        series = db.session.scalar(
            sa.select(MeetingSeries).where(MeetingSeries.title == "Höstens workshoppar")
        )
        assert [o.name for o in series.organisers] == ["DIGG"]
        series_id = series.id
    response = client.post(
        "/meetings/new",
        data={
            "csrf_token": _csrf(client, f"/meetings/new?series={series_id}"),
            "series": str(series_id),
            "title": "Workshop 1 september",
            "subject": "Uppstart",
            "description": "Vi börjar.",
            "date": "2020-09-01",
            "time": "10:00",
            "duration": "120",
            "place": "Digitalt",
            "video_url": VIDEO,
            "speakers": "Erik Redaktör; Jurist; PRV\nElin Redaktör; ; DIGG",
            "agenda": "",
            "agenda_later": "y",
            "document": "",
            "version": "",
            "base_version": "",
        },
    )
    assert response.status_code == 302, response.text
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting).where(Meeting.title == "Workshop 1 september"))
        assert meeting.series_id == series_id and meeting.document is None
        assert meeting.starts_at == datetime(2020, 9, 1, 8, 0, tzinfo=UTC)
        assert [(s.name, s.title, s.organisation) for s in meeting.speakers] == [
            ("Erik Redaktör", "Jurist", "PRV"),
            ("Elin Redaktör", "", "DIGG"),
        ]
        assert meeting.agenda_published is False and meeting.video_url == VIDEO
        meeting_id = meeting.id
    form = client.get(f"/meetings/{meeting_id}/edit").text
    assert "Erik Redaktör; Jurist; PRV" in form and 'value="10:00"' in form


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration": "abc"}, "Ange en längd från 5 till 1440 minuter."),
        ({"duration": "0"}, "Ange en längd från 5 till 1440 minuter."),
        ({"video_url": "javascript:alert(1)"}, "Ange videolänken som en webbadress"),
        ({"speakers": "; Jurist; PRV"}, "Skriv en talare per rad"),
        ({"speakers": "a;b;c;d"}, "Skriv en talare per rad"),
        ({"speakers": "x" * 201}, "högst 200 tecken vardera"),
        ({"speakers": "\n".join(f"T{i}" for i in range(21))}, "Högst 20 talare."),
        ({"series": "999999"}, "Välj en serie."),
        ({"series": ""}, "Välj en serie för ett möte som inte presenterar något utkast."),
        ({"date": "1 sept"}, "Skriv datumet som år-månad-dag"),
    ],
)
def test_bad_meeting_input_is_refused_with_a_message_and_nothing_stored(app, client, host, changes, message):
    series_id = _series(app)
    client.login("hanna@example.org")
    data = {
        "csrf_token": _csrf(client, "/meetings/new"),
        "series": str(series_id),
        "title": "Workshop",
        "date": "2020-09-01",
        "time": "10:00",
        "duration": "120",
        "document": "",
        "version": "",
        "base_version": "",
        **changes,
    }
    response = client.post("/meetings/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "Ge serien en rubrik."),
        ({"visibility": "secret"}, "Välj vem som får se serien."),
        ({"organisers": ["999999"]}, "Välj arrangörer i listan."),
        ({"title": "x" * 301}, "Högst 300 tecken."),
    ],
)
def test_bad_series_input_is_refused(app, client, host, changes, message):
    client.login("hanna@example.org")
    data = {"csrf_token": _csrf(client, "/series/new"), "title": "Serie", "visibility": "public", **changes}
    response = client.post("/series/new", data=data)
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MeetingSeries.id))) == 0


def test_only_hosts_start_or_edit_a_series(app, client, host, member):
    series_id = _series(app)
    assert client.get("/series/new").status_code in (302, 401)
    client.login("maja@example.org")
    assert client.get("/series/new").status_code == 403
    assert client.post(f"/series/{series_id}/edit", data={"title": "Kapad"}).status_code == 403
    with app.app_context():
        assert db.session.get(MeetingSeries, series_id).title == "Digitala workshoppar hösten 2020"


def test_editing_a_series(app, client, host):
    series_id = _series(app)
    client.login("hanna@example.org")
    path = f"/series/{series_id}/edit"
    form = client.get(path).text
    assert "Digitala workshoppar hösten 2020" in form
    response = client.post(
        path, data={"csrf_token": _csrf(client, path), "title": "Ny rubrik", "visibility": "network"}
    )
    assert response.status_code == 302
    with app.app_context():
        series = db.session.get(MeetingSeries, series_id)
        assert (series.title, series.visibility, series.organisers) == ("Ny rubrik", Visibility.NETWORK, [])


@pytest.mark.parametrize(
    "path", ["/series/999999", "/series/999999.ics", "/series/999999.atom", "/meetings/999999.ics"]
)
def test_missing_series_and_meetings_are_404(client, path):
    assert client.get(path).status_code == 404


def test_a_meeting_without_a_draft_has_no_pack_to_export(app, client, host):
    series_id = _series(app, meetings=AROUND_DST[:1])
    meeting_id = _meeting_ids(app, series_id)[0]
    result = app.test_cli_runner().invoke(args=["export-meeting", str(meeting_id), "--language", "en"])
    assert result.exit_code == 1
    assert "the meeting has no presented version" in result.output
    client.login("hanna@example.org")
    response = client.post(f"/meetings/{meeting_id}/export")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/meetings/{meeting_id}/edit"
    )
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).exports == []


def test_bad_input_is_explained_in_english_too(app, client, host):
    series_id = _series(app)
    client.login("hanna@example.org")
    english = {"Accept-Language": "en"}
    response = client.post(
        "/meetings/new",
        data={
            "series": str(series_id),
            "title": "W",
            "date": "2020-09-01",
            "time": "10:00",
            "duration": "-5",
        },
        headers=english,
    )
    assert response.status_code == 400
    assert "Enter a duration from 5 to 1440 minutes." in response.text
    response = client.post("/series/new", data={"title": "", "visibility": "public"}, headers=english)
    assert response.status_code == 400 and "Give the series a title." in response.text
