"""The profile's e-mail settings, following a document, and unsubscribing without signing in."""

from __future__ import annotations

import re

from app.accounts.models import User
from app.documents.models import Document
from app.extensions import db
from app.notifications import operations
from app.notifications.models import Follow, Frequency, NotificationKind
from app.notifications.tokens import DIGEST, unsubscribe_token


def _preferences(app, person) -> dict:
    with app.app_context():
        return operations.preferences_of(db.session.get(User, person.id))


def _token(app, person, scope: str) -> str:
    with app.app_context():
        return unsubscribe_token(person.id, scope)


def test_profile_shows_the_settings_with_the_defaults(client, people):
    client.login(people["maja"].email)
    html = client.get("/profile").get_data(as_text=True)
    assert 'id="notifications-heading"' in html
    assert re.search(
        r'name="reply"[^>]*value="immediate"[^>]*checked|checked[^>]*name="reply"[^>]*value="immediate"', html
    )
    assert re.search(
        r'name="deadline"[^>]*value="digest"[^>]*checked|checked[^>]*name="deadline"[^>]*value="digest"', html
    )


def test_saving_the_settings(app, client, people):
    client.login(people["maja"].email)
    settings = {
        "reply": "digest",
        "decision": "none",
        "new_version": "immediate",
        "deadline": "none",
        "response_due": "digest",
        "mention": "none",
    }
    response = client.post("/profile/notifications", settings)
    assert response.status_code == 302 and response.location.endswith("/profile#notifications-heading")
    assert _preferences(app, people["maja"]) == {
        NotificationKind.REPLY: Frequency.DIGEST,
        NotificationKind.DECISION: Frequency.NONE,
        NotificationKind.NEW_VERSION: Frequency.IMMEDIATE,
        NotificationKind.DEADLINE: Frequency.NONE,
        NotificationKind.RESPONSE_DUE: Frequency.DIGEST,
        NotificationKind.MENTION: Frequency.NONE,
    }
    # Saved again: rows are updated, not duplicated.
    client.post("/profile/notifications", {**settings, "reply": "immediate"})
    assert _preferences(app, people["maja"])[NotificationKind.REPLY] is Frequency.IMMEDIATE


def test_bad_settings_are_refused_with_the_profile_page(app, client, people):
    client.login(people["maja"].email)
    response = client.post("/profile/notifications", {"reply": "hourly", "decision": "none"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "error-summary" in html and 'href="#reply"' in html and 'href="#new_version"' in html
    assert _preferences(app, people["maja"])[NotificationKind.DECISION] is Frequency.IMMEDIATE


def test_follow_and_stop_following_from_the_reading_view(app, client, doc, people):
    client.login(people["maja"].email)
    html = client.get("/d/licenser").get_data(as_text=True)
    assert "Följ dokumentet" in html and 'action="/d/licenser/follow"' in html
    response = client.post("/d/licenser/follow", {"next": "/d/licenser/v/1?comments=open"})
    assert response.status_code == 302 and response.location.endswith("/d/licenser/v/1?comments=open")
    with app.app_context():
        assert operations.is_following(
            db.session.get(User, people["maja"].id), db.session.get(Document, doc.id)
        )
    html = client.get("/d/licenser").get_data(as_text=True)
    assert "Sluta följa" in html and 'action="/d/licenser/unfollow"' in html
    # An outside address is not followed after the form.
    response = client.post("/d/licenser/unfollow", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response.location.endswith("/d/licenser")
    with app.app_context():
        assert not operations.is_following(
            db.session.get(User, people["maja"].id), db.session.get(Document, doc.id)
        )


def test_visitors_see_no_follow_button(client, doc):
    assert "Följ dokumentet" not in client.get("/d/licenser").get_data(as_text=True)


def test_unsubscribe_page_works_without_signing_in(app, client, people):
    token = _token(app, people["maja"], "reply")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Svar på mina synpunkter" in html and "maja@example.org" not in html
    # GET alone changes nothing: link checkers and previews open links.
    assert _preferences(app, people["maja"])[NotificationKind.REPLY] is Frequency.IMMEDIATE
    done = client.post(f"/unsubscribe/{token}", csrf=False)
    assert done.status_code == 200 and "E-posten har stoppats" in done.get_data(as_text=True)
    assert _preferences(app, people["maja"])[NotificationKind.REPLY] is Frequency.NONE
    assert _preferences(app, people["maja"])[NotificationKind.DECISION] is Frequency.IMMEDIATE


def test_one_click_unsubscribe_from_a_mail_program(app, client, people):
    """RFC 8058: the mail program POSTs List-Unsubscribe=One-Click, with no cookie or CSRF token."""
    token = _token(app, people["maja"], "new_version")
    response = client.post(f"/unsubscribe/{token}", {"List-Unsubscribe": "One-Click"}, csrf=False)
    assert response.status_code == 200
    assert _preferences(app, people["maja"])[NotificationKind.NEW_VERSION] is Frequency.NONE


def test_the_digest_link_stops_every_kind_sent_as_a_digest(app, client, people):
    with app.app_context():
        operations.set_preferences(
            db.session.get(User, people["maja"].id), {NotificationKind.REPLY: Frequency.DIGEST}
        )
        db.session.commit()
    token = _token(app, people["maja"], DIGEST)
    html = client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    assert "Svar på mina synpunkter" in html and "Sista dag för synpunkter" in html
    client.post(f"/unsubscribe/{token}", csrf=False)
    preferences = _preferences(app, people["maja"])
    assert preferences[NotificationKind.REPLY] is Frequency.NONE
    assert preferences[NotificationKind.DEADLINE] is Frequency.NONE
    assert preferences[NotificationKind.DECISION] is Frequency.IMMEDIATE
    assert "Du får ingen daglig sammanfattning" in client.get(f"/unsubscribe/{token}").get_data(as_text=True)


def test_a_tampered_or_foreign_token_is_refused_with_a_clear_page(app, client, people):
    token = _token(app, people["maja"], "reply")
    payload, signature = token.split(".")
    other = _token(app, people["mats"], "reply").split(".")[0]
    for bad in (f"{other}.{signature}", token[:-2], "not-a-token", "x" * 500, f"{payload}."):
        for method in (client.get, lambda url: client.post(url, csrf=False)):
            response = method(f"/unsubscribe/{bad}")
            assert response.status_code == 400
            assert "Länken fungerar inte" in response.get_data(as_text=True)
    assert _preferences(app, people["mats"])[NotificationKind.REPLY] is Frequency.IMMEDIATE


def test_a_token_for_a_removed_user_or_another_key_is_refused(app, client, people, monkeypatch):
    with app.app_context():
        assert client.get(f"/unsubscribe/{unsubscribe_token(999999, 'reply')}").status_code == 400
        token = unsubscribe_token(people["maja"].id, "reply")
    monkeypatch.setattr(app, "secret_key", "another-secret-key-that-is-long-enough-0123456789")
    assert client.get(f"/unsubscribe/{token}").status_code == 400


def test_commenting_through_the_page_follows_and_keeps_one_follow(app, client, doc, people):
    client.login(people["maja"].email)
    paragraph = f"/d/licenser/v/1/b/{doc.block_uids['p1']}/comment"

    def following() -> int:
        with app.app_context():
            return db.session.query(Follow).filter_by(user_id=people["maja"].id, document_id=doc.id).count()

    assert following() == 0
    assert client.post(paragraph, {"kind": "comment", "body": "Första."}).status_code == 302
    assert following() == 1
    assert client.post(paragraph, {"kind": "comment", "body": "Andra."}).status_code == 302
    assert client.post("/d/licenser/v/1/comment", {"kind": "comment", "body": "Om allt."}).status_code == 302
    assert following() == 1
    # Having stopped following, the next comment follows again.
    assert client.post("/d/licenser/unfollow", {}).status_code == 302
    assert following() == 0
    assert client.post("/d/licenser/v/1/comment", {"kind": "comment", "body": "Igen."}).status_code == 302
    assert following() == 1
