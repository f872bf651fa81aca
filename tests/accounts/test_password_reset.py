"""Forgotten passwords through HTTP: one answer for every address, a single-use hour-long link
sent through the outbox, other sessions ended, an audit event, a rate limit; expired invitations
sent again by an admin."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import Invitation, Role
from app.audit import AuditEvent
from app.database import utcnow
from app.extensions import db
from app.notifications.delivery import send_immediate
from app.notifications.models import Notification, NotificationKind, OutboxState
from tests.conftest import PASSWORD, Client
from tests.notifications.conftest import smtp  # noqa: F401  (the fake SMTP server fixture)
from tests.test_security import limited_app  # noqa: F401  (an app with rate limits on)

NEW_PASSWORD = "a brand new long password"
LINK = re.compile(r"https?://\S+/reset-password/\S+")


def _resets(app) -> list[Notification]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Notification)
                .where(Notification.kind == NotificationKind.PASSWORD_RESET)
                .order_by(Notification.id)
            )
        )


def _ask(client, email: str):
    return client.post("/forgot-password", {"email": email})


def _mailed_link(app, smtp) -> str:  # noqa: F811
    with app.app_context():
        outcome = send_immediate()
    assert outcome.sent == 1
    body = smtp.sent[-1].get_content()
    return LINK.search(body).group(0)


def test_sign_in_page_offers_the_way_back(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in html and "Glömt lösenordet?" in html


def test_known_and_unknown_addresses_get_the_same_answer_in_similar_time(client, app, factory):
    factory.user(email="maja@example.org")
    known = _ask(client, "maja@example.org")
    unknown = _ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    # The CSRF token is signed with the time: two pages a second apart differ there only.
    token = re.compile(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"')
    same = token.sub("", known.get_data(as_text=True).replace("maja@example.org", "X"))
    assert same == token.sub("", unknown.get_data(as_text=True).replace("nobody@example.org", "X"))
    # Only the known address gets a message, queued in the outbox: nothing is sent in the request.
    (row,) = _resets(app)
    assert row.state is OutboxState.PENDING and row.document_id is None
    # Timing: the answer does no hashing and no sending for either, so the two take alike.
    timings = {"maja@example.org": [], "nobody@example.org": []}
    for _ in range(7):
        for email, times in timings.items():
            started = time.perf_counter()
            _ask(client, email)
            times.append(time.perf_counter() - started)
    known_time, unknown_time = (statistics.median(t) for t in timings.values())
    assert abs(known_time - unknown_time) < 0.05, (known_time, unknown_time)


def test_link_from_the_outbox_sets_a_new_password_once_and_ends_other_sessions(
    client,
    make_client,
    app,
    factory,
    smtp,  # noqa: F811
):
    user = factory.user(email="maja@example.org", name="Maja Medlem")
    elsewhere = make_client()
    elsewhere.login(user.email)
    assert elsewhere.get("/profile").status_code == 200
    _ask(client, "Maja@Example.org ")
    link = _mailed_link(app, smtp)
    message = smtp.sent[-1]
    assert message["To"] == "maja@example.org" and "List-Unsubscribe" not in message
    assert "svensk tid" in message.get_content()
    path = link.split("://", 1)[1].partition("/")[2]
    form = client.get(f"/{path}")
    assert form.status_code == 200 and "Välj ett nytt lösenord" in form.get_data(as_text=True)
    short = client.post(f"/{path}", {"password": "short", "confirm": "short"})
    assert short.status_code == 400
    done = client.post(f"/{path}", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/profile").status_code == 200  # signed in here
    assert elsewhere.get("/profile").status_code == 302  # and out everywhere else
    fresh = make_client()
    assert "Fel e-postadress" in fresh.login(user.email, PASSWORD).get_data(as_text=True)
    assert fresh.login(user.email, NEW_PASSWORD).status_code == 302
    # Used once: the link is dead, and cannot set another password.
    again = make_client()
    reused = again.post(f"/{path}", {"password": "yet another password", "confirm": "yet another password"})
    assert reused.status_code == 410 and "fungerar inte längre" in reused.get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "user.password_reset_requested" in actions and "user.password_reset" in actions


def test_an_hour_old_link_is_refused_and_no_longer_sent(client, app, factory, smtp):  # noqa: F811
    factory.user(email="maja@example.org")
    _ask(client, "maja@example.org")
    link = _mailed_link(app, smtp)
    path = "/" + link.split("://", 1)[1].partition("/")[2]
    with app.app_context():
        row = db.session.scalars(sa.select(Notification)).one()
        row.created_at = utcnow() - timedelta(minutes=61)
        db.session.commit()
    refused = client.get(path)
    assert refused.status_code == 410
    # A request that waited in the outbox for over an hour is not sent at all.
    _ask(client, "maja@example.org")
    with app.app_context():
        waiting = db.session.scalars(
            sa.select(Notification).where(Notification.state == OutboxState.PENDING)
        ).one()
        waiting.created_at = utcnow() - timedelta(minutes=61)
        db.session.commit()
        outcome = send_immediate()
    assert outcome.skipped == 1 and outcome.sent == 0


def test_expired_link_says_it_expired(client, app, factory, smtp, monkeypatch):  # noqa: F811
    factory.user(email="maja@example.org")
    _ask(client, "maja@example.org")
    link = _mailed_link(app, smtp)
    path = "/" + link.split("://", 1)[1].partition("/")[2]
    import app.notifications.password_reset as reset

    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(reset, "utcnow", lambda: later)
    refused = client.get(path)
    assert refused.status_code == 410 and "Länken har gått ut" in refused.get_data(as_text=True)


def test_forged_links_and_inactive_accounts_are_refused(client, app, factory):
    user = factory.user(email="maja@example.org")
    _ask(client, "maja@example.org")
    (row,) = _resets(app)
    for token in (f"{row.id}-{'0' * 40}", "x-y", "12345", f"{row.id}"):
        assert client.get(f"/reset-password/{token}").status_code == 410
    inactive = factory.user(email="gone@example.org", active=False)
    _ask(client, inactive.email)
    assert [r.user_id for r in _resets(app)] == [user.id]


def test_links_per_address_are_capped(client, app, factory):
    factory.user(email="maja@example.org")
    for _ in range(5):
        assert _ask(client, "maja@example.org").status_code == 200
    assert len(_resets(app)) == 3  # at most three links an hour per address


def test_asking_is_rate_limited(limited_app):  # noqa: F811
    limited = Client(limited_app.test_client())
    codes = [_ask(limited, f"p{n}@example.org").status_code for n in range(7)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429


def test_admin_sends_an_expired_invitation_again_with_a_new_link(client, app, factory):
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    from app.accounts import operations

    with app.app_context():
        invitation, old_token = operations.invite(
            email="nina@example.org",
            name="Nina Ny",
            organisation=db.session.merge(admin).organisation,
            roles={Role.MEMBER},
            actor=db.session.merge(admin),
        )
        invitation.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
        invitation_id = invitation.id
    client.login(admin.email)
    listing = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/invitations/{invitation_id}/renew" in listing
    renewed = client.post(f"/admin/invitations/{invitation_id}/renew")
    assert renewed.status_code == 200
    new_link = re.search(r'value="(https?://[^"]+/invitation/[^"]+)"', renewed.get_data(as_text=True)).group(
        1
    )
    client.logout()
    assert client.get(f"/invitation/{old_token}").status_code == 404
    assert client.get("/" + new_link.split("://", 1)[1].partition("/")[2]).status_code == 200
    with app.app_context():
        assert db.session.get(Invitation, invitation_id).state() == "valid"
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "invitation.renew"))
    # A valid invitation is not renewed again.
    client.login(admin.email)
    again = client.post(f"/admin/invitations/{invitation_id}/renew", follow_redirects=True)
    assert "Bara en inbjudan som har gått ut" in again.get_data(as_text=True)
