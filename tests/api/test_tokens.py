"""Personal API tokens on the profile page: made, shown once, listed by prefix, revoked."""

from __future__ import annotations

import re

from tests.api.conftest import bearer

TOKEN_RE = re.compile(r'id="api-token"[^>]*value="(rmk_[^"]+)"')


def _make(client, name="Mitt skript"):
    response = client.post("/profile/tokens", {"name": name})
    assert response.status_code == 200
    match = TOKEN_RE.search(response.get_data(as_text=True))
    assert match, "the new token is shown"
    return match.group(1)


def test_make_use_and_revoke_a_token(app, client, world):
    client.login("member@example.org")
    secret = _make(client)
    assert client.get("/api/v1/documents/natverk", headers=bearer(secret)).status_code == 200
    profile = client.get("/profile").get_data(as_text=True)
    assert "Mitt skript" in profile and secret[:10] in profile and secret not in profile
    from app.api.models import ApiToken
    from app.extensions import db

    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id))
    response = client.post(f"/profile/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert client.get("/api/v1/documents/natverk", headers=bearer(secret)).status_code == 401
    # Revoking twice changes nothing.
    assert client.post(f"/profile/tokens/{token_id}/revoke").status_code == 302


def test_a_token_needs_a_name(client, world):
    client.login("member@example.org")
    response = client.post("/profile/tokens", {"name": "  "})
    assert response.status_code == 400
    assert not TOKEN_RE.search(response.get_data(as_text=True))


def test_nobody_revokes_someone_elses_token(app, client, make_client, world):
    client.login("member@example.org")
    secret = _make(client)
    from app.api.models import ApiToken
    from app.extensions import db

    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id))
    intruder = make_client()
    intruder.login("other@example.org")
    assert intruder.post(f"/profile/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/documents", headers=bearer(secret)).status_code == 200


def test_token_routes_need_csrf_and_sign_in(client, world):
    assert client.post("/profile/tokens", {"name": "x"}).status_code == 302
    client.login("member@example.org")
    assert client.post("/profile/tokens", {"name": "x"}, csrf=False).status_code == 400


def test_creating_and_revoking_is_audited(app, client, world):
    from app.audit import AuditEvent
    from app.extensions import db

    client.login("member@example.org")
    _make(client)
    with app.app_context():
        actions = list(db.session.scalars(db.select(AuditEvent.action)))
    assert "api_token.create" in actions
