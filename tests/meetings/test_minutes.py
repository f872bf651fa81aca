"""Minutes that carry forward (issue 25, point 5), through HTTP: a host writes minutes per agenda
item (or for the meeting as a whole), ticks who attended, records decisions and action points and
publishes; the published minutes are seen as the series is, in the API as counts; the open action
points show on the series' next meeting and on their owner's profile until marked done or dropped.
And the bad input: before the meeting, a cancelled meeting, unknown or foreign ids, bad dates, two
saves at once, hostile text, someone without the right.

Run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.database import utcnow
from app.documents.models import Document, Visibility
from app.extensions import db
from app.meetings import minutes, operations, signup
from app.meetings.models import (
    ActionPoint,
    ActionStatus,
    AgendaItem,
    Attendance,
    Meeting,
    MeetingSeries,
    MinutesDecision,
    Registration,
)

PAST = datetime(2020, 9, 1, 8, tzinfo=UTC)
NEXT = datetime(2020, 9, 15, 8, tzinfo=UTC)
FUTURE = datetime(2100, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def host(factory):
    return factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")


@pytest.fixture
def member(factory):
    return factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")


@pytest.fixture
def other(factory):
    return factory.user(email="olle@example.org", name="Olle Annan", organisation="Kommunen")


def make_series(app, visibility=Visibility.PUBLIC, title="Digitala workshoppar") -> int:
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        series = operations.create_series(
            title=title, description="", visibility=visibility, organisers=[], actor=host
        )
        db.session.commit()
        return series.id


def make_meeting(
    app, series_id, starts_at=PAST, title="Workshop om licenser", items=(), document_id=None
) -> int:
    """A meeting of the series, with agenda items made straight through the model."""
    with app.app_context():
        document = db.session.get(Document, document_id) if document_id else None
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        meeting = operations.create_meeting(
            document=document,
            title=title,
            agenda="",
            version=document.current_version if document is not None else None,
            base_version=None,
            host=host,
            series=db.session.get(MeetingSeries, series_id),
            starts_at=starts_at,
        )
        for position, item_title in enumerate(items):
            db.session.add(AgendaItem(meeting_id=meeting.id, position=position, title=item_title))
        db.session.commit()
        return meeting.id


def item_ids(app, meeting_id) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AgendaItem.id)
                .where(AgendaItem.meeting_id == meeting_id)
                .order_by(AgendaItem.position)
            )
        )


def token(client, meeting_id) -> str:
    page = client.get(f"/meetings/{meeting_id}/minutes/edit").text
    return re.search(r'name="token" value="(\d+)"', page).group(1)


def add_action(client, meeting_id, **fields):
    data = {"what": "Skicka ut förslaget", "owner": "maja@example.org", "due_on": "2020-09-10"}
    data.update(fields)
    return client.post(f"/meetings/{meeting_id}/minutes/actions", data)


def publish(client, meeting_id):
    return client.post(f"/meetings/{meeting_id}/minutes/publish")


def counts(app, meeting_id) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(
                sa.select(sa.func.count()).select_from(model).where(model.meeting_id == meeting_id)
            )
            for model in (MinutesDecision, ActionPoint, Attendance)
        )


# --------------------------------------------------------------------------- the journey


def test_a_host_writes_minutes_per_item_and_publishes_them(app, client, host, member):
    series_id = make_series(app)
    meeting_id = make_meeting(app, series_id, items=("Välkommen", "Licenser för data"))
    first, second = item_ids(app, meeting_id)
    client.login("hanna@example.org")
    page = client.get(f"/meetings/{meeting_id}")
    assert "Skriv minnesanteckningar" in page.text
    edit = client.get(f"/meetings/{meeting_id}/minutes/edit")
    assert edit.status_code == 200 and "Licenser för data" in edit.text
    response = client.post(
        f"/meetings/{meeting_id}/minutes/text",
        {
            "token": token(client, meeting_id),
            f"item-{first}": "Alla hälsades **välkomna**.",
            f"item-{second}": "- CC BY 4.0\n- CC0",
        },
    )
    assert response.status_code == 302
    assert (
        client.post(
            f"/meetings/{meeting_id}/minutes/decisions",
            {"agenda_item": str(second), "text": "Vi rekommenderar CC BY 4.0."},
        ).status_code
        == 302
    )
    assert add_action(client, meeting_id, agenda_item=str(second)).status_code == 302
    assert (
        add_action(
            client, meeting_id, what="Boka lokal", owner="", owner_name="Kalle Extern", due_on=""
        ).status_code
        == 302
    )
    # Not published yet: a draft for hosts only.
    client.logout()
    assert client.get(f"/meetings/{meeting_id}/minutes").status_code == 404
    assert client.get(f"/meetings/{meeting_id}/minutes.docx").status_code == 404
    client.login("maja@example.org")
    assert client.get(f"/meetings/{meeting_id}/minutes").status_code == 404
    assert "Läs minnesanteckningarna" not in client.get(f"/meetings/{meeting_id}").text
    client.logout()
    client.login("hanna@example.org")
    assert publish(client, meeting_id).status_code == 302
    client.logout()
    page = client.get(f"/meetings/{meeting_id}/minutes")
    assert page.status_code == 200
    text = page.text
    assert "Alla hälsades <strong>välkomna</strong>." in text
    assert "<li>CC BY 4.0</li>" in text
    assert "Vi rekommenderar CC BY 4.0." in text
    assert "Skicka ut förslaget" in text and "Vem: Maja Medlem" in text and "Kalle Extern" in text
    assert "Publicerade" in text and "uppdaterade" not in text
    # Visitors see how many attended, not who.
    assert "0 deltog." in text
    assert "Läs minnesanteckningarna" in client.get(f"/meetings/{meeting_id}").text
    docx = client.get(f"/meetings/{meeting_id}/minutes.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    assert "attachment" in docx.headers["Content-Disposition"]


def test_a_meeting_without_items_has_general_minutes(app, client, host):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    edit = client.get(f"/meetings/{meeting_id}/minutes/edit").text
    assert 'name="general"' in edit and "Mötets minnesanteckningar" in edit
    client.post(
        f"/meetings/{meeting_id}/minutes/text",
        {"token": token(client, meeting_id), "general": "Vi *pratade*."},
    )
    client.post(f"/meetings/{meeting_id}/minutes/decisions", {"text": "Nästa möte i oktober."})
    publish(client, meeting_id)
    text = client.get(f"/meetings/{meeting_id}/minutes").text
    assert "Vi <em>pratade</em>." in text and "Nästa möte i oktober." in text


def test_corrections_after_publishing_show_as_updated_and_unpublishing_hides(app, client, host):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    publish(client, meeting_id)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.minutes_published_at = meeting.minutes_updated_at = datetime(2020, 9, 2, 8, tzinfo=UTC)
        db.session.commit()
    client.post(
        f"/meetings/{meeting_id}/minutes/text", {"token": token(client, meeting_id), "general": "Rättat."}
    )
    text = client.get(f"/meetings/{meeting_id}/minutes").text
    assert "Rättat." in text and "uppdaterade" in text
    assert "uppdaterade" in client.get(f"/meetings/{meeting_id}").text
    assert publish(client, meeting_id).status_code == 302  # already published: said so, nothing changes
    assert client.post(f"/meetings/{meeting_id}/minutes/unpublish").status_code == 302
    client.logout()
    assert client.get(f"/meetings/{meeting_id}/minutes").status_code == 404


# --------------------------------------------------------------------------- who attended


def test_the_host_ticks_who_attended_from_the_sign_ups_and_adds_others(
    app, client, host, member, other, factory
):
    meeting_id = make_meeting(app, make_series(app), starts_at=FUTURE)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        reg_member, _ = signup.sign_up_member(meeting, db.session.get(User, member.id))
        guest, _ = signup.sign_up_guest(
            meeting, name="Gun Gäst", email="gun@example.org", organisation="Byrån"
        )
        signup.confirm_guest(guest)
        unconfirmed, _ = signup.sign_up_guest(
            meeting, name="Ulf Obekräftad", email="ulf@example.org", organisation=""
        )
        meeting.starts_at = PAST
        db.session.commit()
        ids = reg_member.id, guest.id, unconfirmed.id
    client.login("hanna@example.org")
    edit = client.get(f"/meetings/{meeting_id}/minutes/edit").text
    assert "Maja Medlem" in edit and "Gun Gäst" in edit and "Ulf Obekräftad" not in edit
    # An unconfirmed guest cannot be ticked: refused, nothing saved.
    refused = client.post(
        f"/meetings/{meeting_id}/minutes/attendance",
        {"token": token(client, meeting_id), "attended": [str(ids[0]), str(ids[2])]},
    )
    assert refused.status_code == 400 and "Kryssa för personer i listan" in refused.text
    assert counts(app, meeting_id)[2] == 0
    saved = client.post(
        f"/meetings/{meeting_id}/minutes/attendance",
        {"token": token(client, meeting_id), "attended": [str(ids[0]), str(ids[1])]},
    )
    assert saved.status_code == 302 and counts(app, meeting_id)[2] == 2
    # Others: a member by e-mail, a free name; the same member twice is refused.
    assert (
        client.post(f"/meetings/{meeting_id}/minutes/attendees", {"member": "olle@example.org"}).status_code
        == 302
    )
    twice = client.post(f"/meetings/{meeting_id}/minutes/attendees", {"member": "Olle Annan"})
    assert twice.status_code == 400 and "finns redan i listan" in twice.text
    again = client.post(f"/meetings/{meeting_id}/minutes/attendees", {"member": "maja@example.org"})
    assert again.status_code == 400
    assert (
        client.post(
            f"/meetings/{meeting_id}/minutes/attendees", {"name": "Pia Pressen", "organisation": "Tidningen"}
        ).status_code
        == 302
    )
    unknown = client.post(f"/meetings/{meeting_id}/minutes/attendees", {"member": "nobody@example.org"})
    assert unknown.status_code == 400 and "Ingen enskild medlem" in unknown.text
    empty = client.post(f"/meetings/{meeting_id}/minutes/attendees", {})
    assert empty.status_code == 400
    assert counts(app, meeting_id)[2] == 4
    # Unticking keeps those added by hand.
    client.post(
        f"/meetings/{meeting_id}/minutes/attendance",
        {"token": token(client, meeting_id), "attended": [str(ids[1])]},
    )
    assert counts(app, meeting_id)[2] == 3
    publish(client, meeting_id)
    page = client.get(f"/meetings/{meeting_id}/minutes").text
    assert "3 deltog." in page and "Gun Gäst, Byrån" in page and "Pia Pressen, Tidningen" in page
    # The API counts; it never names a guest.
    data = client.get(f"/api/v1/meetings/{meeting_id}").get_json()
    assert data["minutes"]["attendance"] == 3
    assert "Gun Gäst" not in str(data) and "Pia Pressen" not in str(data)
    # The member's own data download lists the meetings they attended and their action points.
    client.logout()
    client.login("olle@example.org")
    mine = client.get("/profile/data").get_json()
    assert [m["meeting_id"] for m in mine["meetings_attended"]] == [meeting_id]
    assert mine["meeting_action_points"] == []
    client.logout()
    client.login("hanna@example.org")
    # A guest's personal data purged after the meeting: gone from the minutes too.
    with app.app_context():
        db.session.get(Registration, ids[1]).name = ""
        db.session.commit()
    assert "Gun Gäst" not in client.get(f"/meetings/{meeting_id}/minutes").text
    from tests.meetings.test_docx_writer import part

    word = "".join(
        part(client.get(f"/meetings/{meeting_id}/minutes.docx").data, "word/document.xml").itertext()
    )
    assert "Gun Gäst" not in word and "(borttagen)" in word and "Pia Pressen" in word
    # Removing one added by hand.
    with app.app_context():
        row_id = db.session.scalar(sa.select(Attendance.id).where(Attendance.name == "Pia Pressen"))
    assert client.post(f"/meetings/{meeting_id}/minutes/attendees/{row_id}/remove").status_code == 302
    assert counts(app, meeting_id)[2] == 2


# --------------------------------------------------------------------------- two saves at once


def test_two_saves_at_once_lose_nothing(app, make_client, host, factory):
    factory.user(email="hugo@example.org", name="Hugo Värd", roles=(Role.HOST,), organisation="PRV")
    meeting_id = make_meeting(app, make_series(app), items=("Licenser",))
    (item,) = item_ids(app, meeting_id)
    first, second = make_client(), make_client()
    first.login("hanna@example.org")
    second.login("hugo@example.org")
    shared = token(first, meeting_id)
    assert token(second, meeting_id) == shared
    assert (
        first.post(
            f"/meetings/{meeting_id}/minutes/text", {"token": shared, f"item-{item}": "Hannas text."}
        ).status_code
        == 302
    )
    late = second.post(
        f"/meetings/{meeting_id}/minutes/text", {"token": shared, f"item-{item}": "Hugos text."}
    )
    assert late.status_code == 409
    assert "Någon annan sparade minnesanteckningarna" in late.text
    # Hugo's text is still in the form, Hanna's is shown as saved; Hanna's is what is stored.
    assert "Hugos text." in late.text and "Hannas text." in late.text
    with app.app_context():
        assert db.session.get(AgendaItem, item).minutes == "Hannas text."
    # With the token of the 409 page, Hugo's save goes through.
    fresh = re.search(r'name="token" value="(\d+)"', late.text).group(1)
    assert (
        second.post(
            f"/meetings/{meeting_id}/minutes/text", {"token": fresh, f"item-{item}": "Båda."}
        ).status_code
        == 302
    )
    # The attendance form carries the token too; a broken token is refused, not a 500.
    assert second.post(f"/meetings/{meeting_id}/minutes/attendance", {"token": shared}).status_code == 409
    assert second.post(f"/meetings/{meeting_id}/minutes/text", {"token": "x' OR 1=1"}).status_code == 400
    assert second.post(f"/meetings/{meeting_id}/minutes/text", {"token": "9" * 19}).status_code == 400
    assert second.post(f"/meetings/{meeting_id}/minutes/text", {"token": "1"}).status_code == 409


def test_the_conditional_update_lets_one_of_two_writers_win(app, host):
    meeting_id = make_meeting(app, make_series(app))
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        actor = db.session.get(User, host.id)
        old = minutes.token_of(meeting)
        minutes.save_text(meeting, old, "Först.", {}, actor)
        db.session.commit()
        with pytest.raises(minutes.StaleMinutes):
            minutes.save_text(meeting, old, "Sen.", {}, actor)
        db.session.rollback()
        assert db.session.get(Meeting, meeting_id).minutes == "Först."


# --------------------------------------------------------------------------- who may


def test_only_hosts_write_and_only_after_the_start(app, client, host, member):
    series_id = make_series(app)
    past = make_meeting(app, series_id)
    future = make_meeting(app, series_id, starts_at=FUTURE, title="Senare")
    routes = [
        ("post", "/minutes/text", {"token": "0", "general": "x"}),
        ("post", "/minutes/attendance", {"token": "0"}),
        ("post", "/minutes/attendees", {"name": "x"}),
        ("post", "/minutes/attendees/1/remove", {}),
        ("post", "/minutes/decisions", {"text": "x"}),
        ("post", "/minutes/decisions/1/remove", {}),
        ("post", "/minutes/actions", {"what": "x", "owner_name": "x"}),
        ("post", "/minutes/actions/1/remove", {}),
        ("post", "/minutes/publish", {}),
        ("post", "/minutes/unpublish", {}),
        ("get", "/minutes/edit", None),
    ]
    # Visitors are asked to sign in; members are refused.
    for method, path, data in routes:
        url = f"/meetings/{past}{path}"
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    client.login("maja@example.org")
    for method, path, data in routes:
        url = f"/meetings/{past}{path}"
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, url
    client.logout()
    client.login("hanna@example.org")
    # Before the meeting: the page says so and every change is refused.
    edit = client.get(f"/meetings/{future}/minutes/edit")
    assert edit.status_code == 200 and "när mötet har börjat" in edit.text and 'name="token"' not in edit.text
    assert "Skriv minnesanteckningar" not in client.get(f"/meetings/{future}").text
    for method, path, data in routes[:-1]:
        if method == "post" and "unpublish" not in path:
            response = client.post(f"/meetings/{future}{path}", data)
            assert response.status_code == 400, path
    # A cancelled meeting has no minutes.
    with app.app_context():
        db.session.get(Meeting, past).cancelled_at = utcnow()
        db.session.commit()
    response = client.post(f"/meetings/{past}/minutes/decisions", {"text": "x"})
    assert response.status_code == 400 and "ställdes in" in response.text
    assert counts(app, past) == (0, 0, 0) and counts(app, future) == (0, 0, 0)
    # Unknown meetings: 404, never a 500.
    for path in ("/minutes", "/minutes.docx", "/minutes/edit"):
        assert client.get(f"/meetings/999999{path}").status_code == 404
        assert client.get(f"/meetings/99999999999999{path}").status_code == 404
    assert client.post("/meetings/999999/minutes/publish").status_code == 404


def test_every_form_needs_its_csrf_token(app, client, host):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    for path in ("text", "attendance", "attendees", "decisions", "actions", "publish", "unpublish"):
        response = client.post(
            f"/meetings/{meeting_id}/minutes/{path}", {"text": "x", "token": "0"}, csrf=False
        )
        assert response.status_code == 400, path
    assert counts(app, meeting_id) == (0, 0, 0)


def test_bad_input_is_refused_with_the_reason_and_changes_nothing(app, client, host, member):
    series_id = make_series(app)
    meeting_id = make_meeting(app, series_id, items=("Punkt",))
    other_meeting = make_meeting(app, series_id, title="Annat möte", items=("Främmande punkt",))
    (own_item,) = item_ids(app, meeting_id)
    (foreign_item,) = item_ids(app, other_meeting)
    client.login("hanna@example.org")
    cases = [
        ({"due_on": "2020-13-45"}, "ÅÅÅÅ-MM-DD"),
        ({"due_on": "imorgon"}, "ÅÅÅÅ-MM-DD"),
        ({"due_on": "9999-01-01"}, "ÅÅÅÅ-MM-DD"),
        ({"agenda_item": str(foreign_item)}, "Välj en punkt på det här mötets dagordning"),
        ({"agenda_item": "abc"}, "Välj en punkt"),
        ({"agenda_item": "99999999999999999999"}, "Välj en punkt"),
        ({"what": "   "}, "Skriv vad som ska göras"),
        ({"what": "x" * 2001}, "Högst 2000 tecken"),
        ({"owner": "nobody@example.org"}, "Ingen enskild medlem"),
        ({"owner": "", "owner_name": ""}, "Ange vem som gör det"),
    ]
    for fields, reason in cases:
        response = add_action(client, meeting_id, **fields)
        assert response.status_code == 400, fields
        assert reason in response.text, fields
    # What was typed is kept in the form.
    kept = add_action(client, meeting_id, what="Behåll mig", due_on="2020-02-30")
    assert "Behåll mig" in kept.text
    response = client.post(
        f"/meetings/{meeting_id}/minutes/decisions", {"agenda_item": str(foreign_item), "text": "x"}
    )
    assert response.status_code == 400
    assert client.post(f"/meetings/{meeting_id}/minutes/decisions", {"text": ""}).status_code == 400
    # Text for another meeting's item, or an item id that is no number.
    tok = token(client, meeting_id)
    assert (
        client.post(
            f"/meetings/{meeting_id}/minutes/text", {"token": tok, f"item-{foreign_item}": "x"}
        ).status_code
        == 400
    )
    assert (
        client.post(f"/meetings/{meeting_id}/minutes/text", {"token": tok, "item-abc": "x"}).status_code
        == 400
    )
    assert (
        client.post(
            f"/meetings/{meeting_id}/minutes/text", {"token": tok, f"item-{own_item}": "x" * 20_001}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/meetings/{meeting_id}/minutes/attendance", {"token": tok, "attended": ["x"]}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/meetings/{meeting_id}/minutes/attendance", {"token": tok, "attended": ["123456"]}
        ).status_code
        == 400
    )
    assert counts(app, meeting_id) == (0, 0, 0)
    with app.app_context():
        assert db.session.get(AgendaItem, own_item).minutes == ""
    # Removing another meeting's decision or action point is refused.
    add_action(client, other_meeting)
    client.post(f"/meetings/{other_meeting}/minutes/decisions", {"text": "Främmande beslut"})
    with app.app_context():
        action_id = db.session.scalar(
            sa.select(ActionPoint.id).where(ActionPoint.meeting_id == other_meeting)
        )
        decision_id = db.session.scalar(
            sa.select(MinutesDecision.id).where(MinutesDecision.meeting_id == other_meeting)
        )
    assert client.post(f"/meetings/{meeting_id}/minutes/actions/{action_id}/remove").status_code == 400
    assert client.post(f"/meetings/{meeting_id}/minutes/decisions/{decision_id}/remove").status_code == 400
    assert client.post(f"/meetings/{meeting_id}/minutes/attendees/99999999999/remove").status_code == 400
    assert counts(app, other_meeting)[:2] == (1, 1)
    # Action status: unknown id, bad status.
    assert client.post("/actions/999999/status", {"status": "done"}).status_code == 404
    assert client.post(f"/actions/{action_id}/status", {"status": "finished"}).status_code == 400
    with app.app_context():
        assert db.session.get(ActionPoint, action_id).status is ActionStatus.OPEN


# --------------------------------------------------------------------------- visibility


def test_a_network_series_minutes_never_reach_visitors_or_the_api(app, client, host, member):
    series_id = make_series(app, visibility=Visibility.NETWORK)
    meeting_id = make_meeting(app, series_id)
    client.login("hanna@example.org")
    client.post(
        f"/meetings/{meeting_id}/minutes/text", {"token": token(client, meeting_id), "general": "Hemligt."}
    )
    add_action(client, meeting_id)
    publish(client, meeting_id)
    client.logout()
    for path in ("/minutes", "/minutes.docx"):
        response = client.get(f"/meetings/{meeting_id}{path}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert "Hemligt" not in response.text
    api = client.get(f"/api/v1/meetings/{meeting_id}")
    assert api.status_code in (401, 403, 404) and "Hemligt" not in api.text
    assert "Skicka ut förslaget" not in client.get("/api/v1/meetings").text
    for feed in (f"/series/{series_id}.ics", f"/series/{series_id}.atom"):
        response = client.get(feed)
        assert "Hemligt" not in response.text and "Skicka ut" not in response.text
    assert client.post("/actions/1/status", {"status": "done"}).status_code == 302  # sign in first
    client.login("maja@example.org")
    assert "Hemligt." in client.get(f"/meetings/{meeting_id}/minutes").text
    assert client.get(f"/meetings/{meeting_id}/minutes.docx").status_code == 200


def test_the_api_has_published_minutes_only(app, client, host, member):
    series_id = make_series(app)
    meeting_id = make_meeting(app, series_id, items=("Licenser",))
    (item,) = item_ids(app, meeting_id)
    client.login("hanna@example.org")
    client.post(
        f"/meetings/{meeting_id}/minutes/text",
        {"token": token(client, meeting_id), f"item-{item}": "Utkast."},
    )
    client.post(f"/meetings/{meeting_id}/minutes/decisions", {"agenda_item": str(item), "text": "Beslutat."})
    add_action(client, meeting_id, agenda_item=str(item))
    assert client.get(f"/api/v1/meetings/{meeting_id}").get_json()["minutes"] is None
    publish(client, meeting_id)
    client.logout()
    data = client.get(f"/api/v1/meetings/{meeting_id}").get_json()["minutes"]
    assert data["items"] == [{"id": item, "title": "Licenser", "minutes_html": "<p>Utkast.</p>"}]
    assert data["decisions"] == [{"text": "Beslutat.", "agenda_item": {"id": item, "title": "Licenser"}}]
    (action,) = data["action_points"]
    assert action["what"] == "Skicka ut förslaget" and action["owner"] == "Maja Medlem"
    assert action["due_on"] == "2020-09-10" and action["status"] == "open" and action["overdue"] is True
    assert data["attendance"] == 0 and data["links"]["docx"].endswith(f"/meetings/{meeting_id}/minutes.docx")
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "Minutes" in spec["components"]["schemas"]
    assert "minutes" in spec["components"]["schemas"]["Meeting"]["properties"]


# --------------------------------------------------------------------------- carried forward


def test_open_action_points_carry_to_the_next_meeting_and_the_owners_profile(
    app, client, host, member, other
):
    series_id = make_series(app)
    first = make_meeting(app, series_id, title="Första workshoppen")
    following = make_meeting(app, series_id, starts_at=FUTURE, title="Nästa workshop")
    client.login("hanna@example.org")
    add_action(client, first, due_on="2020-09-10")
    add_action(client, first, what="Läsa utkastet", owner="olle@example.org", due_on="2099-01-01")
    # A draft's action points show to hosts only.
    assert "Skicka ut förslaget" in client.get(f"/meetings/{following}").text
    client.logout()
    assert "Skicka ut förslaget" not in client.get(f"/meetings/{following}").text
    client.login("hanna@example.org")
    publish(client, first)
    client.logout()
    page = client.get(f"/meetings/{following}").text
    assert "Öppna åtgärdspunkter från tidigare möten" in page
    assert "Skicka ut förslaget" in page and "Läsa utkastet" in page
    assert page.count("Försenad") == 1  # only the one due in 2020
    assert "Första workshoppen" in page
    assert "Markera som klar" not in page  # visitors cannot mark
    # Not on the earlier meeting itself.
    assert "Öppna åtgärdspunkter från tidigare möten" not in client.get(f"/meetings/{first}").text
    # The owner sees theirs on the profile, and only theirs.
    client.login("maja@example.org")
    profile = client.get("/profile").text
    assert (
        "Mina åtgärdspunkter" in profile
        and "Skicka ut förslaget" in profile
        and "Läsa utkastet" not in profile
    )
    with app.app_context():
        mine = db.session.scalar(sa.select(ActionPoint.id).where(ActionPoint.owner_id == member.id))
        theirs = db.session.scalar(sa.select(ActionPoint.id).where(ActionPoint.owner_id == other.id))
    # Someone else's action point: refused.
    assert client.post(f"/actions/{theirs}/status", {"status": "done"}).status_code == 403
    done = client.post(f"/actions/{mine}/status", {"status": "done", "next": "/profile"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/profile")
    assert "Skicka ut förslaget" not in client.get("/profile").text
    assert "Skicka ut förslaget" not in client.get(f"/meetings/{following}").text
    # The minutes still list it, as done; an open redirect is not followed.
    assert "Klar" in client.get(f"/meetings/{first}/minutes").text
    back = client.post(f"/actions/{mine}/status", {"status": "open", "next": "https://evil.example/"})
    assert back.status_code == 302 and "evil" not in back.headers["Location"]
    client.logout()
    # A host may mark anyone's, here from the next meeting's page, and comes back to it.
    client.login("hanna@example.org")
    dropped = client.post(
        f"/actions/{theirs}/status", {"status": "dropped", "next": f"/meetings/{following}"}
    )
    assert dropped.status_code == 302 and dropped.headers["Location"].endswith(f"/meetings/{following}")
    for evil in ("//evil.example/meetings/1", "/meetings/1/../../admin", "/profile\n"):
        response = client.post(f"/actions/{theirs}/status", {"status": "dropped", "next": evil})
        assert response.headers["Location"].endswith(f"/meetings/{first}/minutes")
    with app.app_context():
        assert db.session.get(ActionPoint, theirs).status is ActionStatus.DROPPED


def test_the_pack_cover_lists_the_open_action_points(app, client, host, member, factory):
    from tests.meetings.test_docx_writer import part

    document = factory.document()
    series_id = make_series(app)
    first = make_meeting(app, series_id, title="Första workshoppen")
    following = make_meeting(app, series_id, starts_at=FUTURE, title="Nästa", document_id=document.id)
    client.login("hanna@example.org")
    add_action(client, first, what="Skicka <ut> & förslaget")
    publish(client, first)
    with app.app_context():
        pack = operations.build_pack(db.session.get(Meeting, following))
        assert pack.open_actions_heading == "Öppna åtgärdspunkter från tidigare möten"
        (line,) = pack.open_actions
        assert "Skicka <ut> & förslaget" in line and "Maja Medlem" in line and "försenad" in line
        from app.meetings.pack import write_pack
        from tests.meetings.ooxml import schema_problems

        data = write_pack(pack)
        assert schema_problems(data) == []
        assert "Skicka <ut> & förslaget" in "".join(part(data, "word/document.xml").itertext())


# --------------------------------------------------------------------------- speed


def _many_actions(app, meeting_id, n: int) -> None:
    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.email == "maja@example.org"))
        for i in range(n):
            db.session.add(
                ActionPoint(
                    meeting_id=meeting_id,
                    what=f"Åtgärd {i}",
                    owner_id=owner.id if i % 2 else None,
                    owner_name="" if i % 2 else f"Namn {i}",
                    due_on=date(2020, 9, 1) + timedelta(days=i),
                )
            )
            db.session.add(MinutesDecision(meeting_id=meeting_id, text=f"Beslut {i}", position=i))
            db.session.add(Attendance(meeting_id=meeting_id, name=f"Deltagare {i}", organisation="Org"))
        meeting = db.session.get(Meeting, meeting_id)
        meeting.minutes_published_at = meeting.minutes_updated_at = utcnow()
        db.session.commit()


def test_the_minutes_and_the_next_meeting_take_a_constant_number_of_queries(
    app, client, host, member, count_queries
):
    series_id = make_series(app)
    results = []
    for n in (2, 40):
        first = make_meeting(app, series_id, starts_at=PAST + timedelta(days=n), items=("A", "B"))
        following = make_meeting(app, series_id, starts_at=NEXT + timedelta(days=n + 100), title=f"Nästa {n}")
        _many_actions(app, first, n)
        client.login("maja@example.org")
        row = []
        for path in (f"/meetings/{first}/minutes", f"/meetings/{following}", "/profile"):
            with count_queries() as statements:
                assert client.get(path).status_code == 200
            row.append(len(statements))
        client.logout()
        client.login("hanna@example.org")
        with count_queries() as statements:
            assert client.get(f"/meetings/{first}/minutes/edit").status_code == 200
        row.append(len(statements))
        client.logout()
        results.append(row)
    assert results[0] == results[1], results
