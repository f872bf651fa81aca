"""Signing up for meetings (issue 25, point 2): members in one click, guests confirmed by e-mail,
capacity with a waiting list, the e-mails (with the .ics), the reminder, the video link, the
hosts' list and CSV, purging guests' data, and the bad input.

Run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from itsdangerous import TimestampSigner

from app.accounts.models import Role, User
from app.database import utcnow
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import operations, signup
from app.meetings.models import Meeting, MeetingSeries, Registration, RegistrationMail
from app.notifications.delivery import send_immediate
from tests.browser.xss import payloads
from tests.conftest import Client
from tests.test_security import limited_app  # noqa: F401  (a fixture: rate limits on)

VIDEO = "https://meet.example/hemlig-lank"
FUTURE = datetime(2100, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def host(factory):
    return factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")


@pytest.fixture
def member(factory):
    return factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")


def _meeting(app, capacity=None, starts_at=FUTURE, **fields) -> int:
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        series = operations.create_series(
            title="Digitala workshoppar",
            description="",
            visibility=fields.pop("visibility", Visibility.PUBLIC),
            organisers=[],
            actor=host,
        )
        meeting = operations.create_meeting(
            document=None,
            title=fields.pop("title", "Workshop om licenser"),
            agenda="1. Välkommen",
            version=None,
            base_version=None,
            host=host,
            series=series,
            starts_at=starts_at,
            capacity=capacity,
            video_url=VIDEO,
            **fields,
        )
        db.session.commit()
        return meeting.id


def _registrations(app, meeting_id: int) -> list[tuple]:
    with app.app_context():
        return [
            tuple(r)
            for r in db.session.execute(
                sa.select(
                    Registration.user_id,
                    Registration.email,
                    Registration.confirmed_at.is_not(None),
                    Registration.waiting,
                )
                .where(Registration.meeting_id == meeting_id)
                .order_by(Registration.id)
            )
        ]


def _send(app) -> None:
    with app.app_context():
        signup.send_due()


def _links(message) -> list[str]:
    body = message.get_body(("plain",)).get_content()
    return re.findall(r"https?://[^/\s]+(/signup/\S+)", body)


def _guest(client, meeting_id, email="gustav@example.org", name="Gustav Gäst", organisation="Kommunen"):
    return client.post(
        f"/meetings/{meeting_id}/signup", {"name": name, "email": email, "organisation": organisation}
    )


def _confirm(client, link: str):
    assert client.get(link).status_code == 200
    return client.post(link)


# ---------------------------------------------------------------------------------- members


def test_a_member_signs_up_in_one_click_sees_the_video_link_and_gets_the_calendar(
    app, client, host, member, outbox
):
    meeting_id = _meeting(app)
    client.login("maja@example.org")
    page = client.get(f"/meetings/{meeting_id}").text
    assert VIDEO not in page  # not signed up: no link
    assert "Videolänken visas för dem som anmält sig" in page
    response = client.post(f"/meetings/{meeting_id}/signup")
    assert response.status_code == 302
    page = client.get(f"/meetings/{meeting_id}").text
    assert "Du är anmäld" in page and f'href="{VIDEO}"' in page
    assert "1 anmäld." in page
    _send(app)
    (message,) = outbox
    assert message["To"] == "maja@example.org"
    assert message["Subject"] == "Du är anmäld till Workshop om licenser"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    (event,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Workshop om licenser"
    assert VIDEO in message.get_body(("plain",)).get_content()
    # Sending again sends nothing more.
    _send(app)
    assert len(outbox) == 1


def test_signing_up_twice_is_one_registration(app, client, host, member):
    meeting_id = _meeting(app)
    client.login("maja@example.org")
    client.post(f"/meetings/{meeting_id}/signup")
    response = client.post(f"/meetings/{meeting_id}/signup", follow_redirects=True)
    assert "Du var redan anmäld" in response.text
    assert len(_registrations(app, meeting_id)) == 1


def test_a_lost_race_is_caught_by_the_unique_constraint(app, host, member):
    meeting_id = _meeting(app)
    with app.app_context():
        user = db.session.get(User, member.id)
        meeting = db.session.get(Meeting, meeting_id)
        # The other request's row, inserted after this one looked (as under a race).
        db.session.add(Registration(meeting_id=meeting_id, user_id=user.id, confirmed_at=utcnow()))
        db.session.flush()
        original = signup.find_for_user
        looks = []

        def first_sees_nobody(m, u):
            looks.append(1)
            return None if len(looks) == 1 else original(m, u)

        signup.find_for_user = first_sees_nobody  # this request looked before the other inserted
        try:
            registration, created = signup.sign_up_member(meeting, user)
        finally:
            signup.find_for_user = original
        assert created is False and registration.user_id == user.id
        db.session.commit()
    assert len(_registrations(app, meeting_id)) == 1


def test_a_member_cancels_and_the_video_link_goes(app, client, host, member):
    meeting_id = _meeting(app)
    client.login("maja@example.org")
    client.post(f"/meetings/{meeting_id}/signup")
    response = client.post(f"/meetings/{meeting_id}/signup/cancel", follow_redirects=True)
    assert "Din anmälan är återkallad" in response.text
    assert VIDEO not in response.text
    assert _registrations(app, meeting_id) == []
    # Signing up again works (SQLite may give the new row the old id: its e-mails went with it).
    response = client.post(f"/meetings/{meeting_id}/signup", follow_redirects=True)
    assert response.status_code == 200 and "Du är anmäld" in response.text
    with app.app_context():
        assert db.session.scalars(sa.select(RegistrationMail.kind)).all() == ["confirmed"]


def test_hosts_and_editors_see_the_video_link_without_signing_up(app, client, host, factory):
    factory.user(email="erik@example.org", roles=(Role.EDITOR,), organisation="PRV")
    meeting_id = _meeting(app)
    for email in ("hanna@example.org", "erik@example.org"):
        client.login(email)
        assert f'href="{VIDEO}"' in client.get(f"/meetings/{meeting_id}").text
        client.logout()
    assert VIDEO not in client.get(f"/meetings/{meeting_id}").text


# ---------------------------------------------------------------------------------- guests


def test_a_guest_counts_only_once_the_address_is_confirmed(app, client, host, outbox):
    meeting_id = _meeting(app)
    response = _guest(client, meeting_id)
    assert response.status_code == 302
    assert "0 anmälda." in client.get(f"/meetings/{meeting_id}").text
    assert _registrations(app, meeting_id) == [(None, "gustav@example.org", False, False)]
    _send(app)
    (message,) = outbox
    assert message["To"] == "gustav@example.org"
    assert not list(message.iter_attachments())
    assert VIDEO not in message.get_body(("plain",)).get_content()  # not before confirming
    (confirm_link,) = _links(message)
    response = _confirm(client, confirm_link)
    assert response.status_code == 302
    assert _registrations(app, meeting_id) == [(None, "gustav@example.org", True, False)]
    page = client.get(f"/meetings/{meeting_id}").text
    assert "1 anmäld." in page
    # This browser confirmed: the page says so instead of showing the form again.
    assert "Du är anmäld." in page and "bekräftelsemejlet" in page and 'name="email"' not in page
    assert 'name="email"' in Client(app.test_client()).get(f"/meetings/{meeting_id}").text
    # Confirming again changes nothing.
    assert client.post(confirm_link).status_code == 302
    _send(app)
    confirmation = outbox[1]
    assert VIDEO in confirmation.get_body(("plain",)).get_content()
    assert [a.get_content_type() for a in confirmation.iter_attachments()] == ["text/calendar"]
    (cancel_link,) = _links(confirmation)
    assert cancel_link.startswith("/signup/cancel/")
    assert client.get(cancel_link).status_code == 200
    assert client.post(cancel_link).status_code == 302
    assert _registrations(app, meeting_id) == []
    # The link of a cancelled sign-up says so.
    gone = client.get(cancel_link)
    assert gone.status_code == 410 and "Anmälan finns inte längre" in gone.text


def test_a_guest_signing_up_twice_is_one_registration_and_one_mail(app, client, host, outbox):
    meeting_id = _meeting(app)
    _guest(client, meeting_id)
    response = _guest(client, meeting_id, email="GUSTAV@example.org ")
    assert response.status_code == 302
    assert len(_registrations(app, meeting_id)) == 1
    _send(app)
    assert len(outbox) == 1


def test_a_guest_gets_the_e_mails_in_the_language_they_signed_up_in(app, client, host, outbox):
    meeting_id = _meeting(app)
    assert client.post("/language", {"language": "en"}).status_code == 302
    _guest(client, meeting_id)
    Client(app.test_client()).post(
        f"/meetings/{meeting_id}/signup", {"name": "Sara", "email": "sara@example.org", "organisation": "K"}
    )
    _send(app)
    subjects = {message["To"]: message["Subject"] for message in outbox}
    assert subjects["gustav@example.org"].startswith("Confirm your sign-up for")
    assert subjects["sara@example.org"].startswith("Bekräfta din anmälan")
    (confirm_link,) = _links(next(m for m in outbox if m["To"] == "gustav@example.org"))
    _confirm(client, confirm_link)
    _send(app)
    assert outbox[-1]["Subject"].startswith("You are signed up for")


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("inte-en-adress", "Ange en giltig e-postadress"),
        ("a@b", "Ange en giltig e-postadress"),
        ("anna@exempel.se<script>", "Ange en giltig e-postadress"),
        ("", "Ange din e-postadress"),
    ],
)
def test_a_guest_with_an_invalid_address_is_refused_with_the_reason(
    app, client, host, email, message, outbox
):
    meeting_id = _meeting(app)
    response = _guest(client, meeting_id, email=email)
    assert response.status_code == 400
    assert message in response.text
    assert _registrations(app, meeting_id) == []
    _send(app)
    assert outbox == []


def test_a_guest_must_give_name_and_organisation(app, client, host):
    meeting_id = _meeting(app)
    response = _guest(client, meeting_id, name="", organisation="")
    assert response.status_code == 400
    assert "Ange ditt namn" in response.text and "Ange din organisation" in response.text
    assert _registrations(app, meeting_id) == []


def test_forged_and_expired_links_are_refused_with_a_clear_page(app, client, host, outbox, monkeypatch):
    meeting_id = _meeting(app)
    _guest(client, meeting_id)
    _send(app)
    (confirm_link,) = _links(outbox[0])
    forged = confirm_link[:-3] + ("AAA" if not confirm_link.endswith("AAA") else "BBB")
    for link in (forged, "/signup/confirm/nonsense", "/signup/cancel/nonsense"):
        response = client.get(link)
        assert response.status_code == 410 and "Länken fungerar inte" in response.text
        assert client.post(link).status_code == 410
    # A confirm token is not a cancel token.
    token = confirm_link.rsplit("/", 1)[1]
    assert client.post(f"/signup/cancel/{token}").status_code == 410
    # Two days later the confirm link has expired (a token made three days ago).
    with app.app_context(), app.test_request_context():
        registration = db.session.scalar(sa.select(Registration))
        three_days_ago = int((utcnow() - timedelta(days=3)).timestamp())
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: three_days_ago)
            expired = signup.token(registration, "confirm")
    response = client.get(f"/signup/confirm/{expired}")
    assert response.status_code == 410 and "Länken har gått ut" in response.text
    assert _registrations(app, meeting_id)[0][2] is False


# ---------------------------------------------------------------------------------- capacity


def test_over_capacity_is_the_waiting_list_said_so_and_a_cancellation_moves_the_first_up(
    app, client, host, member, factory, outbox, make_client
):
    factory.user(email="bo@example.org", name="Bo", organisation="Kommun B")
    factory.user(email="cia@example.org", name="Cia", organisation="Kommun C")
    meeting_id = _meeting(app, capacity=1)
    clients = {}
    for email in ("maja@example.org", "bo@example.org", "cia@example.org"):
        clients[email] = make_client()
        clients[email].login(email)
        response = clients[email].post(f"/meetings/{meeting_id}/signup", follow_redirects=True)
    assert "Mötet är fullt: du står på väntelistan" in response.text
    assert [r[3] for r in _registrations(app, meeting_id)] == [False, True, True]
    page = clients["bo@example.org"].get(f"/meetings/{meeting_id}").text
    assert VIDEO not in page and "Du står på väntelistan" in page
    assert "1 av 1 platser upptagna" in page and "2 på väntelistan" in page
    _send(app)
    outbox.clear()
    clients["maja@example.org"].post(f"/meetings/{meeting_id}/signup/cancel")
    # Bo, the first waiting, moved up; Cia still waits.
    assert [r[3] for r in _registrations(app, meeting_id)] == [False, True]
    assert f'href="{VIDEO}"' in clients["bo@example.org"].get(f"/meetings/{meeting_id}").text
    _send(app)
    (message,) = outbox
    assert message["To"] == "bo@example.org" and "En plats har blivit ledig" in message["Subject"]
    assert [a.get_content_type() for a in message.iter_attachments()] == ["text/calendar"]


def test_raising_the_capacity_moves_the_waiting_up(app, client, host, member, factory):
    factory.user(email="bo@example.org", name="Bo", organisation="Kommun B")
    meeting_id = _meeting(app, capacity=1)
    for email in ("maja@example.org", "bo@example.org"):
        other = Client(app.test_client())
        other.login(email)
        other.post(f"/meetings/{meeting_id}/signup")
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        host_user = db.session.get(User, host.id)
        operations.update_meeting(
            meeting,
            document=None,
            title=meeting.title,
            starts_at=meeting.starts_at,
            agenda=meeting.agenda,
            version=None,
            base_version=None,
            actor=host_user,
            capacity=5,
        )
        db.session.commit()
    assert [r[3] for r in _registrations(app, meeting_id)] == [False, False]


def test_the_capacity_field_refuses_nonsense(app, client, host):
    meeting_id = _meeting(app)
    client.login("hanna@example.org")
    page = client.get(f"/meetings/{meeting_id}/edit").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {
        "csrf_token": token,
        "title": "Workshop",
        "date": "2100-01-05",
        "time": "10:00",
        "capacity": "-3",
        "series": "",
        "document": "",
    }
    response = client.post(f"/meetings/{meeting_id}/edit", data)
    assert response.status_code == 400 and "Ange antalet platser" in response.text


# ---------------------------------------------------------------------------------- closed


def test_sign_up_after_the_start_or_for_a_cancelled_meeting_is_refused_with_the_reason(
    app, client, host, member
):
    started = _meeting(app, starts_at=utcnow() - timedelta(minutes=5), title="Pågående")
    over = _meeting(app, starts_at=utcnow() - timedelta(days=2), title="Förbi")
    cancelled = _meeting(app, title="Inställd")
    with app.app_context():
        operations.cancel_meeting(db.session.get(Meeting, cancelled), db.session.get(User, host.id))
        db.session.commit()
    refused = ((started, "Mötet har börjat"), (over, "Mötet har ägt rum"), (cancelled, "Mötet är inställt"))
    for meeting_id, reason in refused:
        assert reason in client.get(f"/meetings/{meeting_id}").text
        response = _guest(client, meeting_id)
        assert response.status_code == 400 and reason in response.text
    client.login("maja@example.org")
    for meeting_id, reason in refused:
        response = client.post(f"/meetings/{meeting_id}/signup", follow_redirects=True)
        assert reason in response.text
        assert _registrations(app, meeting_id) == []


def test_confirming_after_the_meeting_was_cancelled_is_refused(app, client, host, outbox):
    meeting_id = _meeting(app)
    _guest(client, meeting_id)
    _send(app)
    (link,) = _links(outbox[0])
    with app.app_context():
        operations.cancel_meeting(db.session.get(Meeting, meeting_id), db.session.get(User, host.id))
        db.session.commit()
    response = client.post(link)
    assert response.status_code == 409 and "Mötet är inställt" in response.text
    assert _registrations(app, meeting_id)[0][2] is False


# ---------------------------------------------------------------------------------- reminders


def test_the_reminder_comes_the_day_before_once_through_the_mail_run(app, client, host, member, outbox):
    starts = utcnow() + timedelta(days=3)
    meeting_id = _meeting(app, starts_at=starts)
    client.login("maja@example.org")
    client.post(f"/meetings/{meeting_id}/signup")
    with app.app_context():
        send_immediate(now=starts - timedelta(days=2))
    assert [m["Subject"] for m in outbox] == ["Du är anmäld till Workshop om licenser"]
    with app.app_context():
        send_immediate(now=starts - timedelta(hours=20))
        send_immediate(now=starts - timedelta(hours=19))
        kinds = db.session.scalars(sa.select(RegistrationMail.kind).order_by(RegistrationMail.id)).all()
    assert kinds == ["confirmed", "reminder"]
    assert [m["Subject"] for m in outbox][1:] == ["Påminnelse: Workshop om licenser är i morgon"]


def test_cancelling_the_meeting_tells_everyone_signed_up_and_taking_it_back_tells_them_again(
    app, client, host, member, factory, outbox, make_client
):
    factory.user(email="bo@example.org", name="Bo", organisation="Kommun B")
    meeting_id = _meeting(app, capacity=1)
    for email in ("maja@example.org", "bo@example.org"):  # Maja has the place, Bo waits
        other = make_client()
        other.login(email)
        other.post(f"/meetings/{meeting_id}/signup")
    _guest(client, meeting_id, email="okand@example.org")  # never confirmed: not told
    _send(app)
    outbox.clear()
    client.login("hanna@example.org")
    confirm = client.get(f"/meetings/{meeting_id}/cancel").text
    assert "De 2 som är anmälda (väntelistan medräknad) får e-post om att mötet är inställt." in confirm
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm).group(1)
    client.post(f"/meetings/{meeting_id}/cancel", data={"csrf_token": csrf})
    _send(app)
    assert sorted(m["To"] for m in outbox) == ["bo@example.org", "maja@example.org"]
    assert {m["Subject"] for m in outbox} == {"Inställt: Workshop om licenser"}
    body = outbox[0].get_body(("plain",)).get_content()
    assert "har ställts in" in body and VIDEO not in body
    (attachment,) = outbox[0].iter_attachments()
    event = next(iter(Calendar.from_ical(attachment.get_content()).walk("VEVENT")))
    assert str(event["STATUS"]) == "CANCELLED"
    # Taken back: the same two are told it is on again (Maja with her place, Bo still waiting).
    outbox.clear()
    client.post(f"/meetings/{meeting_id}/reinstate", data={"csrf_token": csrf})
    _send(app)
    told = {m["To"]: m.get_body(("plain",)).get_content() for m in outbox}
    assert set(told) == {"bo@example.org", "maja@example.org"}
    assert "du har kvar din plats" in told["maja@example.org"] and VIDEO in told["maja@example.org"]
    assert "står kvar på väntelistan" in told["bo@example.org"] and VIDEO not in told["bo@example.org"]
    # Cancelled again: told again, once each however often the mail run comes.
    outbox.clear()
    client.post(f"/meetings/{meeting_id}/cancel", data={"csrf_token": csrf})
    _send(app)
    _send(app)
    assert sorted(m["To"] for m in outbox) == ["bo@example.org", "maja@example.org"]


def test_a_cancellation_taken_back_before_the_mail_run_tells_no_one(app, client, host, member, outbox):
    meeting_id = _meeting(app)
    client.login("maja@example.org")
    client.post(f"/meetings/{meeting_id}/signup")
    _send(app)
    outbox.clear()
    client.logout()
    client.login("hanna@example.org")
    csrf = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(f"/meetings/{meeting_id}/cancel").text
    ).group(1)
    client.post(f"/meetings/{meeting_id}/cancel", data={"csrf_token": csrf})
    client.post(f"/meetings/{meeting_id}/reinstate", data={"csrf_token": csrf})
    _send(app)
    assert outbox == []


# ---------------------------------------------------------------------------------- hosts


def test_hosts_see_the_participants_and_export_them_formula_safe(app, client, host, member, outbox, factory):
    meeting_id = _meeting(app, capacity=2)
    other = Client(app.test_client())
    other.login("maja@example.org")
    other.post(f"/meetings/{meeting_id}/signup")
    for name, email in (('=HYPERLINK("http://x")', "a@example.org"), ("+Bo", "b@example.org")):
        _guest(client, meeting_id, name=name, email=email, organisation="@SUM(A1)")
    _send(app)
    for message in outbox[1:]:
        _confirm(client, _links(message)[0])
    client.login("maja@example.org")
    assert client.get(f"/meetings/{meeting_id}/participants").status_code == 403
    assert client.get(f"/meetings/{meeting_id}/participants.csv").status_code == 403
    client.logout()
    client.login("hanna@example.org")
    page = client.get(f"/meetings/{meeting_id}/participants").text
    placed, waiting = page.split('id="waiting-heading"')
    assert "Maja Medlem" in placed and "Samtrafiken" in placed and "HYPERLINK" in placed
    assert "+Bo" in waiting
    response = client.get(f"/meetings/{meeting_id}/participants.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Namn", "Organisation", "E-postadress"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert '\'=HYPERLINK("http://x")' in cells and "'+Bo" in cells and "'@SUM(A1)" in cells


def test_hostile_guest_fields_are_inert_on_the_pages_and_in_the_csv(app, client, host, outbox):
    meeting_id = _meeting(app)
    corpus = payloads()[:60]
    for i, text in enumerate(corpus):
        response = _guest(
            client, meeting_id, name=text[:200], email=f"g{i}@example.org", organisation=text[:200]
        )
        assert response.status_code in (302, 400)
    # And one hostile address: refused with the reason, never a 500.
    response = _guest(client, meeting_id, email=corpus[0][:254])
    assert response.status_code == 400
    _send(app)
    for message in outbox:
        _confirm(client, _links(message)[0])
    client.login("hanna@example.org")
    page = (
        client.get(f"/meetings/{meeting_id}/participants").text + client.get(f"/meetings/{meeting_id}").text
    )
    assert "<script>alert" not in page.lower()
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", page, re.I)
    assert 'href="javascript' not in page.lower()
    data = client.get(f"/meetings/{meeting_id}/participants.csv").data.decode("utf-8-sig")
    assert not any(
        cell.startswith(("=", "+", "-", "@")) for row in csv.reader(io.StringIO(data)) for cell in row
    )


# ---------------------------------------------------------------------------------- purge and API


def test_flask_purge_removes_guests_personal_data_after_the_configured_days(
    app, client, host, member, outbox
):
    meeting_id = _meeting(app, starts_at=utcnow() + timedelta(hours=2))
    _guest(client, meeting_id)
    other = Client(app.test_client())
    other.login("maja@example.org")
    other.post(f"/meetings/{meeting_id}/signup")
    _send(app)
    _confirm(client, _links(outbox[0])[0])
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at = utcnow() - timedelta(days=91)
        db.session.commit()
    runner = app.test_cli_runner()
    app.config["GUEST_DATA_DAYS"] = 100
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "0 mötesgästers personuppgifter" in result.output
    app.config["GUEST_DATA_DAYS"] = 90
    try:
        result = runner.invoke(args=["purge"])
    finally:
        app.config["GUEST_DATA_DAYS"] = 90
    assert result.exit_code == 0 and "1 mötesgästs personuppgifter" in result.output
    with app.app_context():
        rows = db.session.scalars(sa.select(Registration).order_by(Registration.id)).all()
        guest, member_row = rows
        assert (guest.name, guest.email, guest.organisation) == ("", None, "")
        assert guest.purged_at is not None and guest.confirmed_at is not None  # still counted
        assert member_row.user_id == member.id
    assert "gustav" not in client.get(f"/meetings/{meeting_id}").text


def test_the_api_gives_counts_not_names(app, client, host, member):
    meeting_id = _meeting(app, capacity=10)
    other = Client(app.test_client())
    other.login("maja@example.org")
    other.post(f"/meetings/{meeting_id}/signup")
    _guest(client, meeting_id)
    data = client.get(f"/api/v1/meetings/{meeting_id}").get_json()
    assert data["signups"] == {"signed_up": 1, "waiting": 0, "capacity": 10}
    text = client.get(f"/api/v1/meetings/{meeting_id}").text + client.get("/api/v1/meetings").text
    assert "Maja" not in text and "gustav" not in text and VIDEO not in text


def test_the_meeting_page_takes_a_constant_number_of_queries(app, client, host, count_queries):
    meeting_id = _meeting(app, capacity=3)
    client.get(f"/meetings/{meeting_id}")
    with count_queries() as few:
        client.get(f"/meetings/{meeting_id}")
    with app.app_context():
        for i in range(40):
            db.session.add(
                Registration(
                    meeting_id=meeting_id,
                    email=f"x{i}@example.org",
                    name="X",
                    confirmed_at=utcnow(),
                    waiting=i >= 3,
                )
            )
        db.session.commit()
    with count_queries() as many:
        page = client.get(f"/meetings/{meeting_id}").text
    assert "3 av 3 platser upptagna" in page and "37 på väntelistan" in page
    assert len(many) == len(few)


def test_guest_sign_ups_are_rate_limited(limited_app):  # noqa: F811
    with limited_app.app_context():
        from app.accounts.models import Organisation

        organisation = Organisation(name="DIGG")
        user = User(email="h@example.org", name="H", organisation=organisation)
        series = MeetingSeries(title="S")
        db.session.add_all([user, series])
        db.session.flush()
        meeting = Meeting(series=series, title="M", starts_at=FUTURE, agenda="", host_id=user.id)
        db.session.add(meeting)
        db.session.commit()
        meeting_id = meeting.id
    guest = Client(limited_app.test_client())
    statuses = [_guest(guest, meeting_id, email=f"g{i}@example.org").status_code for i in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429
    with limited_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 5
