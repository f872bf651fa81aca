"""Administration: organisations, invitations, roles and deactivation."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import Invitation, Organisation, Role, User
from app.audit import AuditEvent
from app.extensions import db


def _admin(client, factory):
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    client.login(admin.email)
    return admin


def test_admin_adds_an_organisation_once(client, factory, app):
    _admin(client, factory)
    assert client.post("/admin/organisations", {"name": "  Alingsås   kommun "}).status_code == 302
    again = client.post("/admin/organisations", {"name": "Alingsås kommun"})
    assert again.status_code == 400
    assert "Organisationen finns redan." in again.get_data(as_text=True)
    with app.app_context():
        names = db.session.scalars(sa.select(Organisation.name)).all()
        assert names.count("Alingsås kommun") == 1


def _invite(client, org_id, email="ny@example.org", roles=("member",)):
    response = client.post(
        "/admin/invitations",
        {"email": email, "name": "Nina Ny", "organisation": str(org_id), "roles": list(roles)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    link = re.search(r'value="(http://localhost/invitation/[^"]+)"', response.get_data(as_text=True))
    return link.group(1).replace("http://localhost", "")


def test_invitation_is_single_use_and_gives_the_chosen_roles(client, make_client, factory, app):
    _admin(client, factory)
    org = factory.organisation("Samtrafiken")
    path = _invite(client, org.id, roles=("member", "host"))
    newcomer = make_client()
    assert newcomer.get(path).status_code == 200
    too_short = newcomer.post(path, {"password": "short", "confirm": "short"})
    assert too_short.status_code == 400
    response = newcomer.post(path, {"password": "a good long password", "confirm": "a good long password"})
    assert response.status_code == 302
    assert "Nina Ny" in newcomer.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ny@example.org"))
        assert user.roles == {Role.MEMBER, Role.HOST}
        assert user.organisation.name == "Samtrafiken"
    reuse = make_client().get(path)
    assert reuse.status_code == 410
    assert "redan använts" in reuse.get_data(as_text=True)


def test_expired_invitation_says_so(client, make_client, factory, app):
    _admin(client, factory)
    org = factory.organisation("SKR")
    path = _invite(client, org.id)
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        invitation.expires_at = invitation.expires_at - timedelta(days=8)
        db.session.commit()
    response = make_client().post(
        path, {"password": "a good long password", "confirm": "a good long password"}
    )
    assert response.status_code == 410
    assert "gått ut" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "ny@example.org")) is None


def test_unknown_invitation_token_is_404(client):
    assert client.get("/invitation/not-a-real-token").status_code == 404


def test_invitation_for_existing_email_is_refused(client, factory):
    _admin(client, factory)
    org = factory.organisation("SKR")
    factory.user(email="taken@example.org")
    response = client.post(
        "/admin/invitations",
        {"email": "taken@example.org", "name": "X", "organisation": str(org.id), "roles": ["member"]},
    )
    assert response.status_code == 400
    assert "finns redan en användare" in response.get_data(as_text=True)


def test_admin_changes_roles_and_deactivates_ending_sessions(client, make_client, factory, app):
    _admin(client, factory)
    member = factory.user(email="m@example.org", name="Maja Medlem")
    session = make_client()
    session.login("m@example.org")
    response = client.post(
        f"/admin/users/{member.id}",
        {"organisation": str(member.organisation_id), "roles": ["member", "editor"]},  # active unchecked
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user.roles == {Role.MEMBER, Role.EDITOR}
        assert not user.active
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.update"))
        assert event.data["before"]["roles"] == ["member"]
        assert event.data["after"]["active"] is False
    assert session.get("/profile").status_code == 302
    assert session.login("m@example.org").status_code == 200  # refused


def test_admin_cannot_lock_themselves_out(client, factory, app):
    admin = _admin(client, factory)
    response = client.post(
        f"/admin/users/{admin.id}",
        {"organisation": str(admin.organisation_id), "roles": ["member"], "active": "y"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert Role.ADMIN in db.session.get(User, admin.id).roles
