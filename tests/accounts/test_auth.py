"""Signing in and out, sessions that end on the server, passwords and language."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from tests.conftest import PASSWORD


def test_sign_in_form_fields_have_autocomplete(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'autocomplete="username"' in html
    assert 'name="password"' in html and 'autocomplete="current-password"' in html


def test_sign_in_and_out(client, factory):
    user = factory.user(email="anna@example.org", name="Anna Andersson")
    response = client.login("anna@example.org")
    assert response.status_code == 302
    assert "Anna Andersson" in client.get("/").get_data(as_text=True)
    client.logout()
    assert "Anna Andersson" not in client.get("/").get_data(as_text=True)
    assert user.id


def test_email_is_case_insensitive(client, factory):
    factory.user(email="anna@example.org")
    assert client.login("  ANNA@Example.org ").status_code == 302


def test_wrong_password_and_unknown_email_give_the_same_message(client, factory):
    factory.user(email="anna@example.org")
    wrong = client.login("anna@example.org", "not the password at all")
    unknown = client.login("nobody@example.org", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    assert "anna@example.org" not in unknown.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client, factory):
    factory.user(email="gone@example.org", active=False)
    response = client.login("gone@example.org")
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)


def test_cookie_copied_before_logout_does_not_work_after_it(client, make_client, factory):
    factory.user(email="anna@example.org", name="Anna Andersson")
    client.login("anna@example.org")
    cookie = client.get_cookie("remiss")
    assert cookie is not None
    client.logout()
    thief = make_client()
    thief.set_cookie("remiss", cookie.value)
    assert "Anna Andersson" not in thief.get("/").get_data(as_text=True)
    assert thief.get("/profile").status_code == 302  # sent to sign in


def test_password_change_ends_other_sessions_but_keeps_this_one(client, make_client, factory, app):
    user = factory.user(email="anna@example.org", name="Anna Andersson")
    other = make_client()
    other.login("anna@example.org")
    client.login("anna@example.org")
    response = client.post(
        "/profile/password",
        {
            "current": PASSWORD,
            "password": "a brand new long password",
            "confirm": "a brand new long password",
        },
    )
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    assert other.get("/profile").status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).check_password("a brand new long password")


def test_password_must_have_twelve_characters(client, factory, app):
    user = factory.user(email="anna@example.org")
    client.login("anna@example.org")
    response = client.post(
        "/profile/password", {"current": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert response.status_code == 400
    assert "minst 12 tecken" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).check_password(PASSWORD)


def test_wrong_current_password_changes_nothing(client, factory, app):
    user = factory.user(email="anna@example.org")
    client.login("anna@example.org")
    new = "a brand new long password"
    response = client.post("/profile/password", {"current": "wrong one", "password": new, "confirm": new})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, user.id).check_password(PASSWORD)


def test_language_follows_setting_then_browser_then_swedish(client, factory):
    factory.user(email="anna@example.org", language="en")
    assert 'lang="sv"' in client.get("/").get_data(as_text=True)
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="sv"' in client.get("/", headers={"Accept-Language": "de, fr"}).get_data(as_text=True)
    client.login("anna@example.org")
    # the account's setting beats the browser's
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    client.post("/profile/language", {"language": "sv"})
    assert 'lang="sv"' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_visitor_can_switch_language(client):
    response = client.post("/language", {"language": "en", "next": "/accessibility"})
    assert response.status_code == 302 and response.location.endswith("/accessibility")
    assert "Accessibility statement" in client.get("/accessibility").get_data(as_text=True)
    assert client.post("/language", {"language": "xx"}).status_code == 400


def test_sign_in_does_not_redirect_off_site(client, factory):
    factory.user(email="anna@example.org")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={target}", {"email": "anna@example.org", "password": PASSWORD})
        assert response.status_code == 302
        assert "evil" not in response.location
        client.logout()


def test_cli_creates_the_first_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "First@Example.org",
            "--name",
            "Första Admin",
            "--org",
            "DIGG",
            "--role",
            "admin",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "first@example.org"))
        assert user.roles == {Role.ADMIN}
        assert user.organisation.name == "DIGG"
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "first@example.org",
            "--name",
            "X",
            "--org",
            "DIGG",
            "--password",
            "a long enough password",
            "--language",
            "en",
        ]
    )
    assert again.exit_code != 0 and "exists" in again.output


def _refusals(app) -> list[tuple[str, int | None, dict]]:
    from app.audit import AuditEvent

    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "user.sign_in_refused").order_by(AuditEvent.id)
        )
        return [(e.object_type, e.object_id, e.data) for e in events]


def test_refused_password_sign_ins_are_in_the_audit_log_without_the_password(
    client, make_client, factory, app, make_provider
):
    """Issue 26, point 4: every refusal is in the audit log, not only in the security log."""
    anna = factory.user(email="anna@example.org")
    closed = factory.user(email="closed@example.org", active=False)
    make_provider("PRV", ("prv.se",), password_sign_in=False)
    eva = factory.user(email="eva@prv.se", organisation="PRV")
    attempts = [
        ("anna@example.org", "not the password 1"),
        ("nobody@unknown.example", "not the password 2"),
        ("closed@example.org", PASSWORD),
        ("eva@prv.se", PASSWORD),
    ]
    for email, password in attempts:
        client.post("/login", {"email": email, "password": password})
    refusals = _refusals(app)
    assert [(kind, data["reason"]) for kind, _id, data in refusals] == [
        ("user", "password"),
        ("site", "unknown_account"),
        ("user", "closed"),
        ("user", "passwords_turned_off"),
    ]
    assert [i for _kind, i, _data in refusals] == [anna.id, None, closed.id, eva.id]
    # Of an address without an account only the domain: the field may hold anything.
    assert refusals[1][2] == {"reason": "unknown_account", "email_domain": "unknown.example"}
    assert "provider_id" in refusals[3][2]
    stored = repr(refusals)
    assert "not the password" not in stored and PASSWORD not in stored

    # The administrators' audit page lists them, filtered by their action.
    admin = factory.user(email="admin@example.org", roles={Role.ADMIN})
    reader = make_client()
    assert reader.login(admin.email).status_code == 302
    page = reader.get("/admin/audit?action=user.sign_in_refused")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count("<code>user.sign_in_refused</code>") == 4
    assert "passwords_turned_off" in text and "unknown.example" in text
    assert "not the password" not in text


def test_a_successful_sign_in_records_no_refusal(client, factory, app):
    factory.user(email="anna@example.org")
    assert client.login("anna@example.org").status_code == 302
    assert _refusals(app) == []
