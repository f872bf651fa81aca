"""Undelivered mail for administrators: what was given up and why, and sending it again."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import Role
from app.audit import AuditEvent
from app.database import utcnow
from app.extensions import db
from app.notifications import delivery
from app.notifications.models import OutboxState
from app.review.models import Comment
from tests.conftest import add_comment
from tests.notifications.conftest import outbox


def _give_up_one_reply(app, doc, people, smtp) -> int:
    """A reply to Maja whose message fails every attempt; returns the outbox row's id."""
    smtp.failing = True
    with app.app_context():
        parent = add_comment(doc, "p1", people["maja"])
        add_comment(doc, "p1", people["mats"], parent=db.session.get(Comment, parent))
        now = utcnow()
        for _attempt in range(len(delivery.RETRY_DELAYS) + 1):
            delivery.send_immediate(now=now)
            now = outbox()[0].next_attempt_at + timedelta(seconds=1)
        [row] = outbox()
        assert row.state is OutboxState.FAILED
        return row.id


def test_admins_see_given_up_mail_with_its_error_and_send_it_again(app, client, factory, doc, people, smtp):
    message_id = _give_up_one_reply(app, doc, people, smtp)
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    client.login(admin.email)
    html = client.get("/admin/mail").get_data(as_text=True)
    assert "<h1>E-post som inte kom fram</h1>" in html
    assert "maja@example.org" in html and "SMTPServerDisconnected" in html
    assert f'action="/admin/mail/{message_id}/retry"' in html

    smtp.failing = False
    response = client.post(f"/admin/mail/{message_id}/retry")
    assert response.status_code == 302 and response.location.endswith("/admin/mail")
    with app.app_context():
        [row] = outbox()
        assert row.state is OutboxState.PENDING and row.attempts == 0
        [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "notification.retry"))
        assert event.actor_id == admin.id and event.object_id == message_id
        assert event.data["before"]["state"] == "failed"
        # The next cron run sends it.
        assert delivery.send_immediate().sent == 1
        assert outbox()[0].state is OutboxState.SENT
    assert [m["To"] for m in smtp.sent] == ["maja@example.org"]
    # A message that is not given up is left alone.
    response = client.post(f"/admin/mail/{message_id}/retry")
    assert response.status_code == 302
    with app.app_context():
        assert outbox()[0].state is OutboxState.SENT
    assert client.post("/admin/mail/999999/retry").status_code == 404


def test_send_all_again_and_the_waiting_list(app, client, factory, doc, people, smtp):
    _give_up_one_reply(app, doc, people, smtp)
    with app.app_context():
        # A second reply, failed once and waiting for its next attempt.
        parent = add_comment(doc, "p2", people["maja"])
        add_comment(doc, "p2", people["editor"], parent=db.session.get(Comment, parent))
        delivery.send_immediate()
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    client.login(admin.email)
    html = client.get("/admin/mail").get_data(as_text=True)
    assert html.count("SMTPServerDisconnected") == 2
    response = client.post("/admin/mail/retry")
    assert response.status_code == 302
    with app.app_context():
        states = sorted(row.state.value for row in outbox())
        assert states == ["pending", "pending"]
        assert [row.attempts for row in outbox()] == [0, 1]  # only the given-up one starts afresh


def test_only_admins_and_never_without_a_token(app, client, factory, doc, people, smtp):
    message_id = _give_up_one_reply(app, doc, people, smtp)
    client.login(people["editor"].email)
    assert client.get("/admin/mail").status_code == 403
    assert client.post(f"/admin/mail/{message_id}/retry").status_code == 403
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    client.logout()
    client.login(admin.email)
    assert client.post(f"/admin/mail/{message_id}/retry", csrf=False).status_code == 400
    with app.app_context():
        assert outbox()[0].state is OutboxState.FAILED
