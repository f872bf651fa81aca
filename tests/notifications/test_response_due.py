"""Response reminders (issue 17) are a kind of their own: their own setting, unsubscribe link and
place in the digest, apart from comment-deadline reminders."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Document
from app.extensions import db
from app.notifications import delivery, operations
from app.notifications.models import DEFAULT_FREQUENCIES, Frequency, NotificationKind, OutboxState
from app.responses.reminders import enqueue_response_reminders
from tests.notifications.conftest import outbox

RESPONSE_TEXT = "Remissvaret från Samtrafiken på ”Öppna licenser” (Utkast 1) ska vara inne"
DEADLINE_TEXT = "Synpunkter på ”Öppna licenser” (Utkast 1) kan lämnas till"
LABEL_SV = "Remissvar som min organisation ännu inte lämnat, en vecka och två dagar före sista dagen"
DEFAULTS = {kind.value: frequency.value for kind, frequency in DEFAULT_FREQUENCIES.items()}


@pytest.fixture
def due(app, doc, people):
    """Maja may answer for Samtrafiken and follows the document, whose comments close in *days*."""

    def make(days: float = 1):
        with app.app_context():
            maja = db.session.get(User, people["maja"].id)
            maja.may_answer = True
            document = db.session.get(Document, doc.id)
            operations.follow_document(maja, document)
            document.current_version.deadline = utcnow() + timedelta(days=days)
            db.session.commit()
            return document.current_version.deadline

    return make


def _preferences(app, person) -> dict:
    with app.app_context():
        return operations.preferences_of(db.session.get(User, person.id))


def _save(client, **choices):
    """The profile's e-mail settings form as a browser sends it: the defaults, with *choices*."""
    return client.post("/profile/notifications", {**DEFAULTS, **choices})


def _bodies(smtp) -> str:
    return "\n".join(message.get_content() for message in smtp.sent)


def _send_everything(app) -> None:
    with app.app_context():
        delivery.send_immediate()
        delivery.send_digests()


def _checked(html: str, name: str) -> str:
    """The value of the checked radio button named *name*."""
    [value] = [
        re.search(r'value="(\w+)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="{name}"' in tag and "checked" in tag
    ]
    return value


@pytest.mark.parametrize("queued_before", [False, True], ids=["then-queued", "queued-already"])
@pytest.mark.parametrize(
    ("turned_off", "kept", "stopped", "stopped_kind"),
    [
        ("deadline", RESPONSE_TEXT, DEADLINE_TEXT, NotificationKind.DEADLINE),
        ("response_due", DEADLINE_TEXT, RESPONSE_TEXT, NotificationKind.RESPONSE_DUE),
    ],
    ids=["comment-deadlines-off", "response-reminders-off"],
)
def test_turning_one_reminder_off_keeps_the_other(
    app, client, due, people, smtp, queued_before, turned_off, kept, stopped, stopped_kind
):
    due()
    if queued_before:
        with app.app_context():
            assert operations.enqueue_deadline_reminders() == 1
            assert enqueue_response_reminders() == 1
            db.session.commit()
    client.login(people["maja"].email)
    assert _save(client, **{turned_off: "none"}).status_code == 302
    _send_everything(app)
    assert len(smtp.sent) == 1
    assert kept in _bodies(smtp) and stopped not in _bodies(smtp)
    with app.app_context():
        assert [row.state for row in outbox() if row.kind is not stopped_kind] == [OutboxState.SENT]
        # Queued before the change, it is skipped when sent; after it, never queued.
        assert [row.state for row in outbox(kind=stopped_kind)] == (
            [OutboxState.SKIPPED] if queued_before else []
        )


def test_by_default_response_reminders_come_at_once_and_comment_deadlines_in_the_digest(app, due, smtp):
    due()
    with app.app_context():
        assert delivery.send_immediate().sent == 1
        [reminder] = outbox(kind=NotificationKind.RESPONSE_DUE)
        assert (reminder.delivery, reminder.state) == (Frequency.IMMEDIATE, OutboxState.SENT)
        assert delivery.send_digests().sent == 1
    response_reminder, digest = smtp.sent
    assert RESPONSE_TEXT in response_reminder.get_content()
    # The footer names the setting that sent it.
    assert f"({LABEL_SV}: direkt)" in " ".join(response_reminder.get_content().split())
    assert DEADLINE_TEXT in digest.get_content() and RESPONSE_TEXT not in digest.get_content()


def test_the_settings_page_shows_and_saves_response_reminders(app, client, make_client, people):
    client.login(people["maja"].email)
    html = client.get("/profile").get_data(as_text=True)
    assert f'<legend id="response_due">{LABEL_SV}</legend>' in html
    assert _checked(html, "response_due") == "immediate" and _checked(html, "deadline") == "digest"
    assert _save(client, response_due="digest").status_code == 302
    html = client.get("/profile").get_data(as_text=True)
    assert _checked(html, "response_due") == "digest" and _checked(html, "deadline") == "digest"
    assert _preferences(app, people["maja"])[NotificationKind.RESPONSE_DUE] is Frequency.DIGEST
    assert _preferences(app, people["maja"])[NotificationKind.DEADLINE] is Frequency.DIGEST

    mats = make_client()
    mats.login(people["mats"].email)
    html = mats.get("/profile").get_data(as_text=True)
    assert "formal response (remissvar) not yet submitted, a week and two days before the deadline" in html


@pytest.mark.parametrize("value", ["weekly", "", None])
def test_a_bad_response_setting_is_refused_and_changes_nothing(app, client, people, value):
    client.login(people["maja"].email)
    data = {**DEFAULTS, "deadline": "none", "response_due": value}
    if value is None:
        del data["response_due"]
    response = client.post("/profile/notifications", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "error-summary" in html and 'href="#response_due"' in html and 'href="#deadline"' not in html
    assert _preferences(app, people["maja"]) == DEFAULT_FREQUENCIES


def test_the_unsubscribe_link_in_a_response_reminder_stops_only_those(app, make_client, due, people, smtp):
    deadline = due(days=6)
    with app.app_context():
        assert delivery.send_immediate().sent == 1  # the reminder a week before
    [message] = smtp.sent
    assert RESPONSE_TEXT in message.get_content()
    path = urlsplit(message["List-Unsubscribe"].strip("<>")).path
    assert path in message.get_content()  # the link in the text is the same

    visitor = make_client()  # a mail program's request: no session, no CSRF token
    page = visitor.get(path).get_data(as_text=True)
    assert f"<li>{LABEL_SV}</li>" in page
    assert _preferences(app, people["maja"])[NotificationKind.RESPONSE_DUE] is Frequency.IMMEDIATE
    done = visitor.post(path, {"List-Unsubscribe": "One-Click"}, csrf=False)
    assert done.status_code == 200 and LABEL_SV in done.get_data(as_text=True)
    preferences = _preferences(app, people["maja"])
    assert preferences[NotificationKind.RESPONSE_DUE] is Frequency.NONE
    assert preferences[NotificationKind.DEADLINE] is Frequency.DIGEST

    # Two days before, comments close soon (in the digest), but no second response reminder is queued.
    with app.app_context():
        assert delivery.send_immediate(now=deadline - timedelta(days=1)).sent == 0
        assert len(outbox(kind=NotificationKind.RESPONSE_DUE)) == 1
        assert len(outbox(kind=NotificationKind.DEADLINE)) == 1


def test_response_reminders_in_the_digest_and_its_unsubscribe_link(app, client, due, people, smtp):
    due()
    client.login(people["maja"].email)
    assert _save(client, response_due="digest").status_code == 302
    with app.app_context():
        assert delivery.send_immediate().sent == 0
        assert delivery.send_digests().sent == 2
    [digest] = smtp.sent
    assert digest["Subject"] == "Remiss: 2 nyheter"
    assert RESPONSE_TEXT in digest.get_content() and DEADLINE_TEXT in digest.get_content()
    path = urlsplit(digest["List-Unsubscribe"].strip("<>")).path
    page = client.get(path).get_data(as_text=True)
    assert f"<li>{LABEL_SV}</li>" in page
    client.post(path, csrf=False)
    preferences = _preferences(app, people["maja"])
    assert preferences[NotificationKind.RESPONSE_DUE] is Frequency.NONE
    assert preferences[NotificationKind.DEADLINE] is Frequency.NONE
    assert preferences[NotificationKind.REPLY] is Frequency.IMMEDIATE
