"""E-mails write times as pages do, in the recipient's language, and say which clock (issue 23).

Pages write "7 dec. 2026 04:29" / "7 Dec 2026, 04:29"; e-mails wrote "2026-12-07 04:29 svensk tid".
Every time in an e-mail now reads as on a page, in the recipient's language, with the zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask_babel import force_locale

from app import mail
from app.accounts.models import Invitation, User
from app.documents.models import Document
from app.extensions import db
from app.i18n import mail_datetime
from app.notifications import delivery, operations
from app.notifications.password_reset import queue_reset, reset_message

DEADLINE = datetime(2027, 1, 15, 10, 5, tzinfo=UTC)  # 11:05 in Stockholm (winter time)
SWEDISH = "15 jan. 2027 11:05 svensk tid"
ENGLISH = "15 Jan 2027, 11:05 Swedish time"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bodies(smtp) -> dict[str, list[str]]:
    bodies: dict[str, list[str]] = {}
    for message in smtp.sent:
        bodies.setdefault(message["To"], []).append(message.get_content())
    return bodies


def test_deadline_reminders_write_the_time_in_each_recipients_format(app, doc, people, smtp):
    # Maja reads Swedish, Mats English; both in one run, so one's format cannot leak to the other.
    with app.app_context():
        document = db.session.get(Document, doc.id)
        for who in ("maja", "mats"):
            operations.follow_document(db.session.get(User, people[who].id), document)
        document.current_version.deadline = DEADLINE
        db.session.commit()
        now = DEADLINE - timedelta(days=1)
        delivery.send_immediate(now=now)
        delivery.send_digests(now=now)
    bodies = _bodies(smtp)
    swedish, english = bodies["maja@example.org"], bodies["mats@example.org"]
    # The comment deadline (digest) and the organisation's formal response (at once).
    assert len(swedish) == 2 and len(english) == 2, bodies
    for body in swedish:
        assert SWEDISH in body, body
    for body in english:
        assert ENGLISH in body, body
    for body in swedish + english:
        assert not ISO_DATE.search(body.split("\n-- \n")[0]), body


def test_a_password_reset_says_until_when_as_a_page_would(app, factory):
    factory.user(email="maja@example.org", name="Maja Medlem")
    factory.user(email="mats@example.org", name="Mats Member", language="en")
    with app.app_context():
        for email, language, expected in (
            ("maja@example.org", "sv", "15 jan. 2027 12:05 svensk tid"),
            ("mats@example.org", "en", "15 Jan 2027, 12:05 Swedish time"),
        ):
            notification = queue_reset(email)
            notification.created_at = DEADLINE  # valid for an hour
            with app.test_request_context("/"), force_locale(language):
                body = reset_message(notification).get_content()
            assert expected in body, body
            assert not ISO_DATE.search(body), body
        db.session.rollback()


def test_an_invitation_says_until_when_in_swedish(app, monkeypatch):
    sent = []
    monkeypatch.setattr(mail, "send", lambda to, subject, body: sent.append(body) or True)
    invitation = Invitation(email="ny@example.org", name="Nils Ny", expires_at=DEADLINE)
    # Sent from an administrator's page in English: the invitation is still Swedish throughout.
    with app.test_request_context("/", headers={"Accept-Language": "en-US"}), force_locale("en"):
        mail.send_invitation(invitation, "https://remiss.example.org/invite/x")
    assert f"{SWEDISH}." in sent[0], sent[0]
    assert not ISO_DATE.search(sent[0])


def test_the_readers_browser_does_not_choose_an_emails_format(app):
    # An e-mail written during someone's request (an administrator in the US) is for its
    # recipient: the language's home format, not the requester's "1/15/27, 11:05 AM".
    with app.test_request_context("/", headers={"Accept-Language": "en-US"}), force_locale("en"):
        assert mail_datetime(DEADLINE) == ENGLISH
    with app.app_context(), force_locale("sv"):
        assert mail_datetime(DEADLINE) == SWEDISH
        assert mail_datetime(None) == ""
