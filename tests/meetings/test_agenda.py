"""The agenda as items (issue 25, point 4): hosts add, change, move and remove items with a start
time or a duration, a presenter and one link; the meeting page, the calendar and the API show them
once the agenda is published; removing never loses what the minutes rely on; every refusal.

Run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import icalendar
import lxml.html
import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.documents.models import Document, Visibility
from app.extensions import db
from app.meetings import operations
from app.meetings.models import (
    ActionPoint,
    AgendaItem,
    Meeting,
    MeetingSeries,
    MinutesDecision,
    Topic,
)
from tests.browser.xss import payloads

# Tuesday 5 January 2100, 10:00 Swedish time (winter: UTC+1).
FUTURE = datetime(2100, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def host(factory):
    return factory.user(
        email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST, Role.MEMBER), organisation="DIGG"
    )


@pytest.fixture
def member(factory):
    return factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")


def make_series(app, visibility=Visibility.PUBLIC, title="Digitala workshoppar") -> int:
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        series = operations.create_series(
            title=title, description="", visibility=visibility, organisers=[], actor=host
        )
        db.session.commit()
        return series.id


def make_meeting(
    app, series_id=None, starts_at=FUTURE, document_id=None, agenda="", published=True, duration=120
) -> int:
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        document = db.session.get(Document, document_id) if document_id else None
        meeting = operations.create_meeting(
            document=document,
            title="Workshop om licenser",
            agenda=agenda,
            agenda_published=published,
            version=document.current_version if document else None,
            base_version=None,
            host=host,
            series=db.session.get(MeetingSeries, series_id) if series_id else None,
            starts_at=starts_at,
            duration_minutes=duration,
        )
        db.session.commit()
        return meeting.id


def add(client, meeting_id, **fields):
    data = {"title": "Punkt", "start": "", "duration": "", "presenter": "", "description": "", "link": ""}
    data.update(fields)
    return client.post(f"/meetings/{meeting_id}/agenda", data)


def items(app, meeting_id) -> list[AgendaItem]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def agenda_text(html: str) -> str:
    found = re.search(r'<ol class="agenda-items">(.*?)</ol>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


def test_a_host_builds_the_agenda_and_everyone_sees_it_in_order(app, client, make_client, host):
    series_id = make_series(app)
    meeting_id = make_meeting(app, series_id, agenda="Ta med frågor")
    client.login("hanna@example.org")
    assert client.get(f"/meetings/{meeting_id}/agenda").status_code == 200
    response = add(
        client, meeting_id, title="Välkommen", start="10:00", duration="15", presenter="Hanna Värd"
    )
    assert response.status_code == 302
    assert (
        add(client, meeting_id, title="Licenser i praktiken", start="10:15", presenter="Eva, PRV").status_code
        == 302
    )
    assert (
        add(client, meeting_id, title="Frågor", duration="30", description="Öppen diskussion").status_code
        == 302
    )
    rows = items(app, meeting_id)
    assert [i.title for i in rows] == ["Välkommen", "Licenser i praktiken", "Frågor"]
    # Stored in UTC: 10:00 Swedish winter time is 09:00 UTC.
    assert rows[0].starts_at == datetime(2100, 1, 5, 9, 0, tzinfo=UTC)
    assert rows[2].starts_at is None and rows[2].duration_minutes == 30

    visitor = make_client()
    page = visitor.get(f"/meetings/{meeting_id}").text
    text = agenda_text(page)
    assert "10:00 – 10:15 Välkommen – Hanna Värd" in text
    # Without a duration an item ends when the next one starts; the last timed item could end
    # at the meeting's end, but here the next item has no start: only the start is shown.
    assert "10:15 Licenser i praktiken – Eva, PRV" in text
    assert "30 min Frågor" in text and "Öppen diskussion" in text
    assert text.index("Välkommen") < text.index("Licenser") < text.index("Frågor")
    # The free-text agenda stays, below the items as notes.
    assert "Ta med frågor" in page.split('<ol class="agenda-items">')[1]


def test_the_last_timed_item_ends_with_the_meeting(app, client, host):
    meeting_id = make_meeting(app, make_series(app), duration=90)
    client.login("hanna@example.org")
    add(client, meeting_id, title="Enda punkten", start="10:30")
    assert "10:30 – 11:30 Enda punkten" in agenda_text(client.get(f"/meetings/{meeting_id}").text)


def test_times_across_the_change_of_summer_time(app, client, host):
    """25 October 2020: the clocks go back at 03:00. A meeting that starts just after midnight
    (22:30 UTC the day before) has its items on its own Swedish day, at their Swedish times."""
    series_id = make_series(app)
    late = make_meeting(app, series_id, starts_at=datetime(2020, 10, 24, 22, 30, tzinfo=UTC))  # 00:30 CEST
    client.login("hanna@example.org")
    assert add(client, late, title="Före", start="01:00").status_code == 302
    assert add(client, late, title="Efter", start="10:00").status_code == 302
    assert add(client, late, title="Dubbeltimmen", start="02:30").status_code == 302
    first, second, twice = items(app, late)
    assert first.starts_at == datetime(2020, 10, 24, 23, 0, tzinfo=UTC)  # 01:00 CEST
    assert second.starts_at == datetime(2020, 10, 25, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert twice.starts_at == datetime(2020, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30
    page = client.get(f"/meetings/{late}").text
    assert "10:00" in agenda_text(page) and "01:00" in agenda_text(page)
    # Changed later, the time is shown back as typed.
    edit = client.get(f"/meetings/{late}/agenda/{second.id}/edit").text
    assert 'value="10:00"' in edit

    # In spring the hour 02:00-03:00 does not exist: refused, nothing stored.
    spring = make_meeting(app, series_id, starts_at=datetime(2020, 3, 29, 8, 0, tzinfo=UTC))
    response = add(client, spring, title="Saknad tid", start="02:30")
    assert response.status_code == 400
    assert "finns inte" in response.text
    assert items(app, spring) == []


def test_links_to_a_version_a_topic_and_only_the_meetings_own(app, client, host, factory):
    document = factory.document(slug="vl", versions=[[("paragraph", 1, "Ett")], [("paragraph", 1, "Två")]])
    series_id = make_series(app)
    meeting_id = make_meeting(app, series_id, document_id=document.id)
    other_series = make_series(app, title="Annan serie")
    with app.app_context():
        version = db.session.get(Document, document.id).current_version
        mine = Topic(series_id=series_id, proposer_id=host.id, title="Öppna API:er")
        theirs = Topic(series_id=other_series, proposer_id=host.id, title="Någon annans")
        db.session.add_all([mine, theirs])
        db.session.commit()
        version_id, version_number, mine_id, theirs_id = version.id, version.number, mine.id, theirs.id
    client.login("hanna@example.org")
    assert add(client, meeting_id, title="Utkastet", link=f"version:{version_id}").status_code == 302
    assert add(client, meeting_id, title="Från nätverket", link=f"topic:{mine_id}").status_code == 302
    page = client.get(f"/meetings/{meeting_id}").text
    assert f'href="/d/vl/v/{version_number}"' in page
    assert f'href="/series/{series_id}#topic-{mine_id}"' in page
    # Another series' topic, an unknown kind, junk: refused with a message, nothing added.
    for link in (f"topic:{theirs_id}", "version:999999", "attachment:1", "evil:1", "topic:x", "topic:"):
        response = add(client, meeting_id, title="Fel länk", link=link)
        assert response.status_code == 400, link
        assert "Välj en länk i listan" in response.text
    assert len(items(app, meeting_id)) == 2


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Ge punkten en rubrik"),
        ({"title": "x" * 301}, "Högst 300 tecken"),
        ({"presenter": "x" * 201}, "Högst 200 tecken"),
        ({"start": "25:00"}, "timmar och minuter"),
        ({"start": "kl tio"}, "timmar och minuter"),
        ({"duration": "-5"}, "hela minuter"),
        ({"duration": "0"}, "hela minuter"),
        ({"duration": "99999999999999999999"}, "hela minuter"),
        ({"duration": "1,5"}, "hela minuter"),
        ({"description": "x" * 5001}, "Högst 5000 tecken"),
    ],
)
def test_bad_input_is_refused_with_a_message(app, client, host, fields, message):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    response = add(client, meeting_id, **fields)
    assert response.status_code == 400
    assert message in response.text
    assert items(app, meeting_id) == []


def test_change_move_and_remove(app, client, host):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    for title in ("Ett", "Två", "Tre"):
        add(client, meeting_id, title=title)
    one, two, three = items(app, meeting_id)
    base = f"/meetings/{meeting_id}/agenda"
    response = client.post(
        f"{base}/{two.id}/edit",
        {
            "title": "Två, ändrad",
            "start": "",
            "duration": "20",
            "presenter": "Olle",
            "description": "",
            "link": "",
        },
    )
    assert response.status_code == 302
    assert client.post(f"{base}/{three.id}/move", {"direction": "up"}).status_code == 302
    assert [i.title for i in items(app, meeting_id)] == ["Ett", "Tre", "Två, ändrad"]
    assert client.post(f"{base}/{one.id}/move", {"direction": "down"}).status_code == 302
    assert [i.title for i in items(app, meeting_id)] == ["Tre", "Ett", "Två, ändrad"]
    # Already first: nothing changes, and the host is told.
    response = client.post(f"{base}/{three.id}/move", {"direction": "up"}, follow_redirects=True)
    assert "redan först eller sist" in response.text
    assert client.post(f"{base}/{three.id}/move", {"direction": "sideways"}).status_code == 400
    assert client.post(f"{base}/{one.id}/remove").status_code == 302
    assert [(i.title, i.position) for i in items(app, meeting_id)] == [("Tre", 0), ("Två, ändrad", 1)]
    # Each change raises the event's SEQUENCE, so calendars replace the copy they hold.
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).sequence >= 5


@pytest.mark.parametrize("kind", ["notes", "decision", "action"])
def test_an_item_the_minutes_rely_on_is_not_removed(app, client, host, kind):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    add(client, meeting_id, title="Beslutspunkt")
    (item,) = items(app, meeting_id)
    with app.app_context():
        if kind == "notes":
            db.session.get(AgendaItem, item.id).minutes = "Vi diskuterade."
        elif kind == "decision":
            db.session.add(MinutesDecision(meeting_id=meeting_id, agenda_item_id=item.id, text="Beslut."))
        else:
            db.session.add(ActionPoint(meeting_id=meeting_id, agenda_item_id=item.id, what="Skriv."))
        db.session.commit()
    response = client.post(f"/meetings/{meeting_id}/agenda/{item.id}/remove", follow_redirects=True)
    assert response.status_code == 200
    assert "kan inte tas bort" in response.text
    assert len(items(app, meeting_id)) == 1


def test_who_may_change_the_agenda(app, client, make_client, host, member, factory):
    series_id = make_series(app)
    meeting_id = make_meeting(app, series_id)
    client.login("hanna@example.org")
    add(client, meeting_id, title="Punkt")
    (item,) = items(app, meeting_id)
    other_meeting = make_meeting(app, make_series(app, title="Annan serie"))
    base = f"/meetings/{meeting_id}/agenda"
    posts = [
        (base, {"title": "Ny"}),
        (f"{base}/{item.id}/edit", {"title": "Ändrad"}),
        (f"{base}/{item.id}/move", {"direction": "down"}),
        (f"{base}/{item.id}/remove", {}),
        (f"{base}/publish", {"publish": "0"}),
    ]
    visitor = make_client()
    signed_in = make_client()
    signed_in.login("maja@example.org")
    for path, data in posts:
        assert visitor.post(path, data).status_code == 302  # to sign in
        assert signed_in.post(path, data).status_code == 403
    assert visitor.get(base).status_code == 302
    assert signed_in.get(base).status_code == 403
    # A host working on another meeting cannot reach this meeting's item through it.
    for path in (
        f"/meetings/{other_meeting}/agenda/{item.id}/edit",
        f"/meetings/{other_meeting}/agenda/{item.id}/move",
        f"/meetings/{other_meeting}/agenda/{item.id}/remove",
    ):
        response = client.post(path, {"direction": "down", "title": "Kapad"})
        assert response.status_code == 404, path
    # No CSRF token: refused, nothing changed.
    assert client.post(base, {"title": "Utan token"}, csrf=False).status_code == 400
    assert client.post(f"{base}/{item.id}/remove", csrf=False).status_code == 400
    assert [i.title for i in items(app, meeting_id)] == ["Punkt"]


def test_an_agenda_published_later_is_seen_by_hosts_only(app, client, make_client, host, member):
    meeting_id = make_meeting(app, make_series(app), agenda="Utkast till dagordning", published=False)
    client.login("hanna@example.org")
    add(client, meeting_id, title="Hemlig punkt", start="10:00", presenter="Hanna")
    host_page = client.get(f"/meetings/{meeting_id}").text
    assert "Hemlig punkt" in host_page and "Agenda publiceras senare" in host_page
    others = [make_client(), make_client()]
    others[1].login("maja@example.org")
    for other in others:
        page = other.get(f"/meetings/{meeting_id}").text
        assert "Agenda publiceras senare" in page
        assert "Hemlig punkt" not in page
        ics = other.get(f"/meetings/{meeting_id}.ics").data.decode()
        assert "Hemlig punkt" not in ics
        data = other.get(f"/api/v1/meetings/{meeting_id}").get_json()
        assert data["agenda_items"] == [] and data["agenda_published"] is False
    # Published: everyone sees the items, in the page, the calendar and the API.
    assert client.post(f"/meetings/{meeting_id}/agenda/publish", {"publish": "1"}).status_code == 302
    for other in others:
        assert "Hemlig punkt" in other.get(f"/meetings/{meeting_id}").text
        event = icalendar.Calendar.from_ical(other.get(f"/meetings/{meeting_id}.ics").data).walk("VEVENT")[0]
        assert "10:00–12:00 Hemlig punkt (Hanna)" in str(event["DESCRIPTION"])
        assert "Utkast till dagordning" in str(event["DESCRIPTION"])
        (item,) = other.get(f"/api/v1/meetings/{meeting_id}").get_json()["agenda_items"]
        assert item["title"] == "Hemlig punkt" and item["starts_at"] == "2100-01-05T09:00:00Z"
        assert item["presenter"] == "Hanna" and item["position"] == 1 and item["link"] is None


def test_the_series_feed_lists_the_items(app, client, make_client, host):
    series_id = make_series(app)
    meeting_id = make_meeting(app, series_id)
    client.login("hanna@example.org")
    add(client, meeting_id, title="Inledning", duration="15")
    feed = icalendar.Calendar.from_ical(make_client().get(f"/series/{series_id}.ics").data)
    (event,) = feed.walk("VEVENT")
    assert "15 min Inledning" in str(event["DESCRIPTION"])


def test_hostile_text_is_inert_on_the_page_and_escaped_in_the_calendar(app, client, make_client, host):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    corpus = [p for p in payloads() if p.strip()][:40]
    for text in corpus:
        response = add(client, meeting_id, title=text[:300], presenter=text[:200], description=text[:5000])
        assert response.status_code in (302, 400), text
    page = make_client().get(f"/meetings/{meeting_id}").text
    (agenda,) = lxml.html.fromstring(page).xpath('//ol[@class="agenda-items"]')
    # Only the list's own markup: no element or attribute from the corpus came through.
    assert {e.tag for e in agenda.iter()} <= {"ol", "li", "p", "span", "strong", "time", "a"}
    assert not [a for e in agenda.iter() for a in e.attrib if a.lower().startswith("on")]
    stored = items(app, meeting_id)
    assert stored, "the corpus should give some items"
    event = icalendar.Calendar.from_ical(make_client().get(f"/meetings/{meeting_id}.ics").data).walk(
        "VEVENT"
    )[0]
    description = str(event["DESCRIPTION"])
    for item in stored:
        assert item.title in description


def test_the_meeting_page_takes_a_constant_number_of_queries(
    app, client, make_client, host, member, factory, count_queries
):
    from tests.meetings.pdfs import PDF

    document = factory.document(slug="vl")
    series_id = make_series(app)
    few = make_meeting(app, series_id, document_id=document.id)
    many = make_meeting(app, series_id, document_id=document.id)
    with app.app_context():
        version_id = db.session.get(Document, document.id).current_version.id
        topic = Topic(series_id=series_id, proposer_id=host.id, title="Ämne")
        db.session.add(topic)
        db.session.commit()
        topic_id = topic.id
    client.login("hanna@example.org")
    add(client, few, title="En", link=f"version:{version_id}")
    for n in range(12):
        link = [f"version:{version_id}", f"topic:{topic_id}", ""][n % 3]
        add(client, many, title=f"Punkt {n}", start=f"{10 + n // 6}:{(n % 6) * 10:02d}", link=link)
    import io

    client.post(
        f"/meetings/{many}/agenda",
        {"title": "Bilder", "link": "", "slides": (io.BytesIO(PDF), "bilder.pdf")},
        content_type="multipart/form-data",
    )
    assert len(items(app, many)) == 13
    reader = make_client()
    reader.login("maja@example.org")
    for who in (client, reader):
        counts = []
        for meeting_id in (few, many):
            who.get(f"/meetings/{meeting_id}")
            with count_queries() as statements:
                assert who.get(f"/meetings/{meeting_id}").status_code == 200
            counts.append(len(statements))
        assert counts[0] == counts[1], counts
