"""Personal data (issue 7, point 13): download one's own data; pseudonymise a deactivated account."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.accounts import operations
from app.accounts.models import Invitation, Role, User
from app.audit import AuditEvent
from app.database import utcnow
from app.extensions import db
from app.review.models import Comment, CommentStatus, Endorsement
from tests.conftest import add_comment


@pytest.fixture
def people(app, factory):
    maja = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    olle = factory.user(email="olle@example.org", name="Olle Annan", organisation="SKR")
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    document = factory.document(slug="d")
    with app.app_context():
        mine = add_comment(document, "p2", maja, body="Min synpunkt.")
        theirs = add_comment(document, "p3", olle, body="Olles synpunkt.")
        comment = db.session.get(Comment, mine)
        comment.status = CommentStatus.ACCEPTED
        comment.response = "Tack, vi ändrar."
        comment.decided_at = utcnow()
        db.session.add(Endorsement(comment_id=theirs, user_id=maja.id))
        db.session.commit()
    return maja, olle, admin, mine, theirs


def test_a_member_downloads_their_own_data_as_json(app, client, people):
    maja, _olle, _admin, _mine, theirs = people
    client.login(maja.email)
    assert client.post(f"/comments/{theirs}/reply", {"body": "Mitt svar."}).status_code == 302
    response = client.get("/profile/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert (
        response.headers["Content-Disposition"]
        == f"attachment; filename=remiss-personal-data-{maja.id}.json"
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    profile = data["profile"]
    assert profile["name"] == "Maja Medlem" and profile["email"] == "maja@example.org"
    assert profile["organisation"]["name"] == "Samtrafiken"
    assert profile["roles"] == ["member"]
    assert "password" not in json.dumps(data).lower()
    comments = {c["body"]: c for c in data["comments"]}
    assert set(comments) == {"Min synpunkt.", "Mitt svar."}  # nobody else's
    assert comments["Min synpunkt."]["status"] == "accepted"
    assert comments["Min synpunkt."]["response"] == "Tack, vi ändrar."
    assert comments["Min synpunkt."]["type"] == "comment" and comments["Min synpunkt."]["document"] == "d"
    reply = comments["Mitt svar."]
    assert reply["type"] == "reply" and reply["status"] == "open"
    with app.app_context():
        assert reply["reply_to"] == db.session.get(Comment, theirs).number
    (endorsement,) = data["endorsements"]
    assert endorsement["document"] == "d"


def test_the_profile_page_links_to_the_download(client, people):
    maja, *_ = people
    client.login(maja.email)
    assert 'href="/profile/data"' in client.get("/profile").get_data(as_text=True)


def test_visitors_have_no_data_to_download(client):
    response = client.get("/profile/data")
    assert response.status_code == 302 and "/login" in response.location


def test_earlier_wordings_are_part_of_ones_data(client, people):
    maja, _olle, _admin, _mine, _theirs = people
    client.login(maja.email)
    client.post("/d/d/v/1/comment", {"kind": "comment", "body": "Första lydelsen."})
    data = json.loads(client.get("/profile/data").get_data(as_text=True))
    new = next(c for c in data["comments"] if c["body"] == "Första lydelsen.")
    with client.application.app_context():
        comment_id = db.session.scalar(sa.select(Comment.id).where(Comment.body == "Första lydelsen."))
    client.post(f"/comments/{comment_id}/edit", {"kind": "comment", "body": "Andra lydelsen."})
    data = json.loads(client.get("/profile/data").get_data(as_text=True))
    edited = next(c for c in data["comments"] if c["number"] == new["number"])
    assert edited["body"] == "Andra lydelsen."
    assert [w["body"] for w in edited["earlier_wordings"]] == ["Första lydelsen."]


# ---- pseudonymisation ------------------------------------------------------------------------


def _save(client, user, **changes):
    form = {"organisation": str(user.organisation_id), "roles": ["member"], **changes}
    return client.post(f"/admin/users/{user.id}", form)


def test_admin_deactivates_and_pseudonymises_an_account(app, client, make_client, people):
    maja, olle, admin, mine, _theirs = people
    with app.app_context():
        invitation, _token = operations.invite(
            email="maja@example.org",
            name="Maja Medlem",
            organisation=db.session.get(User, maja.id).organisation,
            roles={Role.MEMBER},
            actor=db.session.get(User, admin.id),
        )
        invitation.user_id = maja.id
        db.session.commit()
    session_of_maja = make_client()
    session_of_maja.login(maja.email)
    client.login(admin.email)
    assert _save(client, maja, pseudonymise="y").status_code == 302  # "active" unticked
    with app.app_context():
        user = db.session.get(User, maja.id)
        assert user.name == f"Tidigare användare {maja.id}"
        assert user.email == f"former-user-{maja.id}@pseudonymised.invalid"
        assert user.pseudonymised and not user.active and user.password_hash is None
        comment = db.session.get(Comment, mine)
        assert comment.body == "Min synpunkt." and comment.organisation.name == "Samtrafiken"
        invitation = db.session.scalar(sa.select(Invitation))
        assert "Maja" not in invitation.name and invitation.email.endswith(".invalid")
        (event,) = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "user.pseudonymise")
        ).all()
        assert event.actor_id == admin.id and event.object_id == maja.id
        logged = json.dumps([e.data for e in db.session.scalars(sa.select(AuditEvent))])
        assert "Maja" not in logged and "maja@example.org" not in logged
    # The open session has ended and the old address no longer signs in.
    assert session_of_maja.get("/profile").status_code == 302
    assert make_client().login("maja@example.org").status_code == 200
    reader = make_client()
    reader.login(olle.email)  # signed in: names are shown with comments
    page = reader.get("/d/d").get_data(as_text=True)
    assert "Maja Medlem" not in page
    assert f"Tidigare användare {maja.id}" in page and "Samtrafiken" in page
    assert "pseudonymised.invalid" not in client.get("/d/d").get_data(as_text=True)


def test_an_active_account_is_not_pseudonymised(app, client, people):
    maja, _olle, admin, _mine, _theirs = people
    client.login(admin.email)
    response = _save(client, maja, active="y", pseudonymise="y")
    assert response.status_code == 400
    with app.app_context():
        user = db.session.get(User, maja.id)
        assert user.name == "Maja Medlem" and user.active and not user.pseudonymised


def test_deactivating_without_pseudonymising_keeps_the_name(app, client, people):
    maja, _olle, admin, _mine, _theirs = people
    client.login(admin.email)
    assert _save(client, maja).status_code == 302
    with app.app_context():
        user = db.session.get(User, maja.id)
        assert user.name == "Maja Medlem" and not user.active and not user.pseudonymised


def test_pseudonymising_twice_changes_nothing_more(app, people):
    maja, _olle, admin, _mine, _theirs = people
    with app.app_context():
        user, actor = db.session.get(User, maja.id), db.session.get(User, admin.id)
        user.active = False
        with app.test_request_context():
            operations.pseudonymise_user(user, actor)
            operations.pseudonymise_user(user, actor)
        db.session.commit()
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.pseudonymise")
        )
        assert count == 1


def test_follows_settings_and_queued_mail_are_part_of_ones_data_and_go_with_pseudonymising(
    app, client, people
):
    from app.notifications.models import Follow, Notification, OutboxState

    maja, olle, admin, mine, _theirs = people
    client.login(olle.email)
    # Olle replies to Maja: Maja is told (queued); commenting made Maja follow the document.
    assert client.post(f"/comments/{mine}/reply", {"body": "Ett svar till Maja."}).status_code == 302
    client.logout()
    client.login(maja.email)
    data = json.loads(client.get("/profile/data").get_data(as_text=True))
    assert [f["document"] for f in data["following"]] == ["d"]
    assert [(n["kind"], n["state"]) for n in data["notifications"]] == [("reply", "pending")]
    assert "notification_settings" in data
    with app.app_context():
        user, actor = db.session.get(User, maja.id), db.session.get(User, admin.id)
        user.active = False
        with app.test_request_context():
            operations.pseudonymise_user(user, actor)
        db.session.commit()
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(Follow).where(Follow.user_id == maja.id))
            == 0
        )
        states = db.session.scalars(
            sa.select(Notification.state).where(Notification.user_id == maja.id)
        ).all()
        assert states == [OutboxState.SKIPPED]
