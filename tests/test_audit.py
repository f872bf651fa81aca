"""The audit log (issue 7, point 11): recorded, readable by admins, and never changed or deleted."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.audit import AuditEvent, AuditLogIsAppendOnly, record
from app.extensions import db
from tests.conftest import add_comment
from tests.test_permissions import MATRIX, _client_for, world  # noqa: F401  (world is a fixture)

APP = Path(__file__).resolve().parents[1] / "app"


# ---- append-only -----------------------------------------------------------------------------


@pytest.fixture
def one_event(app):
    with app.app_context():
        event = record(None, "test.event", None, value=1)
        db.session.commit()
        return event.id


def test_an_event_cannot_be_changed(app, one_event):
    with app.app_context():
        event = db.session.get(AuditEvent, one_event)
        event.action = "test.forged"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(AuditEvent, one_event).action == "test.event"


def test_an_event_cannot_be_deleted(app, one_event):
    with app.app_context():
        db.session.delete(db.session.get(AuditEvent, one_event))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(AuditEvent, one_event) is not None


@pytest.mark.parametrize(
    "statement",
    [
        lambda: sa.update(AuditEvent).values(action="x"),
        lambda: sa.delete(AuditEvent),
        lambda: sa.update(AuditEvent.__table__).values(action="x"),
        lambda: sa.delete(AuditEvent.__table__).where(AuditEvent.__table__.c.id > 0),
    ],
)
def test_bulk_updates_and_deletes_are_refused(app, one_event, statement):
    with app.app_context():
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(statement())
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


def test_no_module_of_the_app_updates_or_deletes_audit_rows():
    offenders = []
    pattern = re.compile(r"(update|delete)\s*\(\s*AuditEvent|(UPDATE|DELETE FROM)\s+\"?audit_event", re.I)
    for path in APP.rglob("*.py"):
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(APP)))
    assert offenders == []


def _snapshot(app) -> dict[int, tuple]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent)).all()
        return {e.id: (e.at, e.actor_id, e.action, e.object_type, e.object_id, e.data) for e in rows}


def test_no_route_changes_or_removes_recorded_events(app, make_client, world):  # noqa: F811
    """Every state-changing route of the matrix, as every signed-in role: the log only grows."""
    users, values = world
    before = _snapshot(app)
    assert before, "the world records events (organisations, users, an invitation)"
    cases = [
        (endpoint, case)
        for (endpoint, method), cases in MATRIX.items()
        if method != "GET"
        for case in cases
        if endpoint not in ("accounts.logout",)
    ]
    for actor in ("member_a", "editor", "host", "admin"):
        client = _client_for(make_client, users, actor)
        for endpoint, case in cases:
            response = client.post(case.path.format(**values), case.data)
            assert response.status_code != 500, (actor, endpoint)
    after = _snapshot(app)
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(before) <= set(after)


# ---- what is recorded ------------------------------------------------------------------------


def _events(app, action) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def test_role_change_invitation_and_moderation_are_recorded_with_before_and_after(app, client, factory):
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN, Role.EDITOR), organisation="DIGG")
    member = factory.user(email="maja@example.org", organisation="Samtrafiken")
    document = factory.document(slug="d")
    with app.app_context():
        comment_id = add_comment(document, "p2", member)
    client.login(admin.email)
    form = {"organisation": str(member.organisation_id), "roles": ["member", "host"], "active": "y"}
    assert client.post(f"/admin/users/{member.id}", form).status_code == 302
    (change,) = _events(app, "user.update")
    assert change.actor_id == admin.id and change.object_id == member.id
    assert change.data["before"]["roles"] == ["member"]
    assert change.data["after"]["roles"] == ["host", "member"]

    invite = {"email": "ny@example.org", "name": "Nina Ny", "organisation": str(member.organisation_id)}
    assert client.post("/admin/invitations", {**invite, "roles": ["member"]}).status_code == 200
    (invitation,) = _events(app, "invitation.create")
    assert invitation.actor_id == admin.id and invitation.data["roles"] == "member"

    assert client.post(f"/comments/{comment_id}/hide", {"reason": "Spam"}).status_code == 302
    (hidden,) = _events(app, "comment.hide")
    assert hidden.data["after"] == {"hidden": True, "reason": "Spam"}


# ---- the viewer ------------------------------------------------------------------------------


@pytest.fixture
def logged(app, factory):
    """An admin, a member, and events spread over three days."""
    admin = factory.user(email="admin@example.org", name="Alva Admin", roles=(Role.ADMIN,))
    member = factory.user(email="maja@example.org", name="Maja Medlem")
    with app.app_context():
        # Noon UTC: the same calendar day in Swedish time.
        days = [datetime(2020, 9, d, 12, tzinfo=UTC) for d in (1, 2, 3)]
        for i in range(120):
            event = record(db.session.get(User, admin.id), "bulk.event", None, n=i)
            event.at = days[0] + timedelta(seconds=i)
        for day in days:
            event = record(db.session.get(User, member.id), "comment.hide", None, reason="<b>x</b>")
            event.object_type = "comment"
            event.at = day
        system = record(None, "user.create", None, roles=["member"])
        system.at = days[2]
        db.session.commit()
    return admin, member


def test_admin_reads_the_log_newest_first_paginated(client, logged):
    admin, _member = logged
    client.login(admin.email)
    page = client.get("/admin/audit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<tr>") == 1 + 50  # header + one page
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html  # data is escaped
    table = html[html.index("<tbody>") :]
    assert table.index("user.create") < table.index("bulk.event")  # newest first
    last = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert last.count("<tr>") == 1 + (120 + 3 + 1 - 100)
    assert client.get("/admin/audit?page=99999999999999999999").status_code == 200


def _rows(client, query: str) -> int:
    response = client.get("/admin/audit?" + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return (
        response.get_data(as_text=True).count("<tr>") - 1
        if "<table" in response.get_data(as_text=True)
        else 0
    )


def test_filters_by_action_actor_object_type_and_dates(client, logged):
    admin, member = logged
    client.login(admin.email)
    assert _rows(client, "action=comment.hide") == 3
    assert _rows(client, f"actor={member.id}") == 3
    assert _rows(client, "actor=system&action=user.create") >= 1
    assert _rows(client, "object_type=comment") == 3
    assert _rows(client, "action=comment.hide&date_from=2020-09-02&date_to=2020-09-02") == 1
    assert _rows(client, "action=comment.hide&date_from=2020-09-02") == 2
    assert _rows(client, "action=comment.hide&date_to=2020-09-01") == 1


@pytest.mark.parametrize(
    "query",
    [
        "action=no.such",
        "actor=abc",
        "actor=999999",
        "date_from=2020-02-31",
        "date_from=2020-09-03&date_to=2020-09-01",
    ],
)
def test_bad_filters_are_reported_not_crashed(client, logged, query):
    admin, _member = logged
    client.login(admin.email)
    response = client.get("/admin/audit?" + query)
    assert response.status_code == 400
    assert "error-summary" in response.get_data(as_text=True)


def test_the_viewer_is_read_only_and_for_admins(client, make_client, logged):
    admin, member = logged
    other = make_client()
    other.login(member.email)
    assert other.get("/admin/audit").status_code == 403
    client.login(admin.email)
    assert client.post("/admin/audit").status_code == 405
    html = client.get("/admin/audit").get_data(as_text=True)
    main = html[html.index('<main id="main"') :]
    assert 'method="post"' not in main.lower()
