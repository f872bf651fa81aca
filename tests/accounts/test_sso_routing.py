"""The sign-in page routes people to their organisation's provider (issue 26, point 3), and
sign-in, link and sign-out run through the registry and respond() over HTTP.

The protocol here is a TEST DOUBLE (tests/accounts/sso_fake.py) registered in the registry as
the OIDC and SAML modules register themselves: these tests are about routing, sessions and
accounts, not about any protocol.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.accounts.sso.models import ExternalIdentity, IdentityProvider, ProviderKind, SignInState
from app.extensions import db
from app.notifications.models import Notification, NotificationKind
from app.notifications.password_reset import queue_reset, reset_token
from tests.accounts.conftest import audit_actions, continued_to, state_of
from tests.accounts.sso_fake import CALLBACK, FAKE_IDP
from tests.conftest import Client


def _callback(client, state, **claims):
    query = {"state": state, "sub": "sub-1", "email": "anna@prv.se", "name": "Anna Andersson", **claims}
    return client.get(f"{CALLBACK}?{urlencode(query)}")


def _start(client, provider_id, next_url=None):
    path = f"/sign-in/sso/{provider_id}" + (f"?{urlencode({'next': next_url})}" if next_url else "")
    response = client.get(path)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].startswith(FAKE_IDP)
    return state_of(response)


def test_the_sign_in_page_offers_organisations_only_when_there_are_any(client, make_provider):
    page = client.get("/login").get_data(as_text=True)
    assert "Logga in med din organisation" not in page
    make_provider()
    page = client.get("/login").get_data(as_text=True)
    assert "Logga in med din organisation" in page
    assert "Välj din organisation i en lista" in page


def test_an_email_without_password_goes_to_its_domains_provider(client, make_provider):
    provider_id = make_provider("PRV", ("prv.se",))
    # A page that moves on by itself, not a redirect: see routing.continue_to.
    response = client.post("/login?next=/d/x", {"email": "Anna@PRV.se", "password": ""})
    assert continued_to(response) == f"/sign-in/sso/{provider_id}?next=/d/x"
    chosen = client.post("/login", {"email": "anna@prv.se", "password": "whatever", "organisation": "1"})
    assert continued_to(chosen) == f"/sign-in/sso/{provider_id}"


def test_an_email_of_no_providers_domain_is_told_to_use_the_password(client, make_provider):
    make_provider("PRV", ("prv.se",))
    response = client.post("/login", {"email": "nils@example.org", "password": "", "organisation": "1"})
    assert response.status_code == 400
    assert "Ingen organisations inloggningstjänst svarar för den här adressen" in response.get_data(
        as_text=True
    )
    empty = client.post("/login", {"email": "", "organisation": "1"})
    assert empty.status_code == 400
    # Without the organisation button, an empty password is the password form's own error.
    assert client.post("/login", {"email": "nils@example.org", "password": ""}).status_code == 200


def test_the_organisation_page_lists_active_providers_and_routes_by_email(client, make_provider):
    active = make_provider("PRV", ("prv.se",), name="PRV-inloggning")
    make_provider("DIGG", ("digg.se",), name="Avstängd DIGG", active=False)
    page = client.get("/sign-in/organisation?next=/d/x").get_data(as_text=True)
    assert "PRV-inloggning" in page and "Avstängd DIGG" not in page
    assert f"/sign-in/sso/{active}?next=/d/x" in page
    routed = client.post("/sign-in/organisation", {"email": "a@prv.se"})
    assert continued_to(routed) == f"/sign-in/sso/{active}"
    # A deactivated provider's domain routes nowhere.
    assert client.post("/sign-in/organisation", {"email": "a@digg.se"}).status_code == 400
    assert client.post("/sign-in/organisation", {"email": "not an address"}).status_code == 400
    assert client.post("/sign-in/organisation", {"email": "a@prv.se"}, csrf=False).status_code == 400


def test_start_dispatches_by_kind_and_refuses_what_cannot_start(sso_client, make_provider, app):
    oidc = make_provider("PRV", ("prv.se",))
    saml = make_provider("Kommun", ("kommun.se",), kind=ProviderKind.SAML)
    off = make_provider("DIGG", ("digg.se",), active=False)
    state = _start(sso_client, oidc, "/d/x")
    with app.app_context():
        row = db.session.scalar(sa.select(SignInState).where(SignInState.state == state))
        assert row.provider_id == oidc and row.next_url == "/d/x" and row.used_at is None
    # The test double is registered for OIDC only: SAML has no start here.
    assert sso_client.get(f"/sign-in/sso/{saml}").status_code == 503
    assert sso_client.get(f"/sign-in/sso/{off}").status_code == 404
    assert sso_client.get("/sign-in/sso/987654").status_code == 404
    # An unsafe next is dropped before the protocol sees it.
    state = _start(sso_client, oidc, "//evil.example/")
    with app.app_context():
        assert db.session.scalar(sa.select(SignInState.next_url).where(SignInState.state == state)) == ""


def test_first_sign_in_creates_a_member_and_sends_them_on(sso_client, make_provider, app):
    provider_id = make_provider("PRV", ("prv.se",))
    state = _start(sso_client, provider_id, "/profile")
    response = _callback(sso_client, state)
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    assert "Anna Andersson" in sso_client.get("/profile").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "anna@prv.se"))
        assert user.roles == {Role.MEMBER} and user.organisation.name == "PRV"
        assert user.password_hash is None
        identity = db.session.scalar(sa.select(ExternalIdentity))
        assert (identity.subject, identity.user_id) == ("sub-1", user.id)
    assert "sso.account_created" in audit_actions(app)
    assert "197001011234" not in str(audit_actions(app))


def test_the_same_state_twice_is_refused(sso_client, make_client, make_provider, app):
    provider_id = make_provider()
    state = _start(sso_client, provider_id)
    assert _callback(sso_client, state).status_code == 302
    replay = _callback(sso_client, state, sub="sub-2", email="bertil@prv.se")
    assert replay.status_code == 400
    assert "Börja om" in replay.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert _callback(sso_client, "never-issued").status_code == 400
    assert _callback(sso_client, "").status_code == 400
    assert audit_actions(app).count("sso.refused") == 3


def test_a_replayed_token_id_is_refused(sso_client, make_provider, app):
    provider_id = make_provider()
    assert _callback(sso_client, _start(sso_client, provider_id), jti="token-1").status_code == 302
    again = _callback(sso_client, _start(sso_client, provider_id), jti="token-1")
    assert again.status_code == 400
    assert "redan använts" in again.get_data(as_text=True)


def test_refusals_are_shown_with_their_reason_and_create_nothing(sso_client, make_provider, factory, app):
    provider_id = make_provider("PRV", ("prv.se",))
    factory.user(email="karin@prv.se", organisation="DIGG")
    other = _callback(sso_client, _start(sso_client, provider_id), sub="k", email="karin@prv.se")
    assert other.status_code == 403
    assert "en annan organisation" in other.get_data(as_text=True)
    wrong_domain = _callback(sso_client, _start(sso_client, provider_id), sub="x", email="x@gmail.com")
    assert wrong_domain.status_code == 403
    unverified = _callback(
        sso_client, _start(sso_client, provider_id), sub="u", email="u@prv.se", verified="0"
    )
    assert unverified.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExternalIdentity)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert sso_client.get("/profile").status_code == 302  # not signed in


def test_an_existing_account_is_linked_after_confirmation_once(sso_client, make_provider, factory, app):
    provider_id = make_provider("PRV", ("prv.se",))
    existing = factory.user(email="anna@prv.se", name="Anna med lösenord", organisation="PRV")
    response = _callback(sso_client, _start(sso_client, provider_id, "/profile"))
    assert response.headers["Location"] == "/sign-in/link"
    assert "state=" not in response.headers["Location"]
    page = sso_client.get("/sign-in/link")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "anna@prv.se" in text and "Koppla och logga in" in text
    assert sso_client.get("/profile").status_code == 302  # not signed in before confirming
    assert sso_client.post("/sign-in/link", {"answer": "link"}, csrf=False).status_code == 400
    linked = sso_client.post("/sign-in/link", {"answer": "link"})
    assert linked.status_code == 302 and linked.headers["Location"] == "/profile"
    assert "Anna med lösenord" in sso_client.get("/profile").get_data(as_text=True)
    with app.app_context():
        identity = db.session.scalar(sa.select(ExternalIdentity))
        assert identity.user_id == existing.id
    assert sso_client.post("/sign-in/link", {"answer": "link"}).status_code == 410
    assert "sso.linked" in audit_actions(app)
    # Next time the subject finds the account directly.
    again = _callback(sso_client, _start(sso_client, provider_id))
    assert again.headers["Location"] == "/"


def test_declining_the_link_links_nothing(sso_client, make_provider, factory, app):
    provider_id = make_provider("PRV", ("prv.se",))
    factory.user(email="anna@prv.se", organisation="PRV")
    _callback(sso_client, _start(sso_client, provider_id))
    declined = sso_client.post("/sign-in/link", {"answer": "cancel"})
    assert declined.headers["Location"] == "/login"
    assert sso_client.get("/sign-in/link").status_code == 410
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExternalIdentity)) == 0
    assert "sso.link_declined" in audit_actions(app)


def test_sign_out_ends_the_session_and_the_providers(sso_client, make_provider, sso_app):
    provider_id = make_provider()
    _callback(sso_client, _start(sso_client, provider_id))
    copied_cookie = sso_client.get_cookie("remiss").value
    out = sso_client.post("/logout")
    location = urlsplit(continued_to(out))
    assert f"{location.scheme}://{location.netloc}" == FAKE_IDP
    assert parse_qs(location.query)["hint"] == ["fake-id-token"]
    # The old cookie no longer signs anyone in.
    thief = Client(sso_app.test_client())
    thief.set_cookie("remiss", copied_cookie)
    assert thief.get("/profile").status_code == 302


def test_sign_out_without_a_provider_logout_goes_to_the_start_page(client, factory):
    factory.user(email="p@example.org")
    client.login("p@example.org")
    response = client.post("/logout")
    assert response.headers["Location"] == "/"


@pytest.fixture
def prv_without_passwords(make_provider, factory):
    provider_id = make_provider("PRV", ("prv.se",), password_sign_in=False)
    factory.user(email="anna@prv.se", organisation="PRV")
    factory.user(email="nils@digg.se", organisation="DIGG")
    return provider_id


def test_password_sign_in_is_refused_when_the_organisation_turned_it_off(client, prv_without_passwords):
    refused = client.post("/login", {"email": "anna@prv.se", "password": "correct horse battery staple"})
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert "loggar in via organisationens egen tjänst" in text
    assert f"/sign-in/sso/{prv_without_passwords}" in text
    assert client.get("/profile").status_code == 302
    # Everyone else signs in with a password as before.
    assert (
        client.post(
            "/login", {"email": "nils@digg.se", "password": "correct horse battery staple"}
        ).status_code
        == 302
    )
    assert client.get("/profile").status_code == 200


def test_a_wrong_password_says_only_that(client, prv_without_passwords):
    wrong = client.post("/login", {"email": "anna@prv.se", "password": "wrong password"})
    assert wrong.status_code == 200
    assert "Fel e-postadress eller lösenord" in wrong.get_data(as_text=True)


def test_password_reset_does_not_help_when_passwords_are_off(client, prv_without_passwords, app):
    assert client.post("/forgot-password", {"email": "anna@prv.se"}).status_code == 200
    with app.app_context():
        kinds = db.session.scalars(sa.select(Notification.kind)).all()
        assert NotificationKind.PASSWORD_RESET not in kinds
        # A link asked for before the switch was turned off no longer works either.
        provider = db.session.get(IdentityProvider, prv_without_passwords)
        provider.password_sign_in = True
        db.session.commit()
        token = reset_token(queue_reset("anna@prv.se"))
        db.session.commit()
        provider = db.session.get(IdentityProvider, prv_without_passwords)
        provider.password_sign_in = False
        db.session.commit()
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 403
    assert "loggar in via organisationens egen tjänst" in response.get_data(as_text=True)
    assert (
        client.post(f"/reset-password/{token}", {"password": "x" * 20, "confirm": "x" * 20}).status_code
        == 403
    )


def test_a_deactivated_provider_gives_passwords_back(client, prv_without_passwords, app):
    with app.app_context():
        db.session.get(IdentityProvider, prv_without_passwords).active = False
        db.session.commit()
    assert (
        client.post(
            "/login", {"email": "anna@prv.se", "password": "correct horse battery staple"}
        ).status_code
        == 302
    )


@pytest.mark.parametrize("target", ["javascript:alert(1)", "data:text/html,x", "JAVASCRIPT:alert(1)"])
def test_a_logout_address_that_is_not_a_web_address_goes_to_the_start_page(
    sso_client, make_provider, monkeypatch, target
):
    from flask import redirect

    from app.accounts.sso.protocols import _logouts

    provider_id = make_provider()
    _callback(sso_client, _start(sso_client, provider_id))
    monkeypatch.setitem(_logouts, ProviderKind.OIDC, lambda provider, sso: redirect(target))
    out = sso_client.post("/logout")
    assert continued_to(out) == "/"
    assert "javascript:" not in out.get_data(as_text=True).lower()


def test_no_password_to_change_on_the_profile_when_passwords_are_off(client, prv_without_passwords, app):
    # Signed in (with a password) just before the organisation turned passwords off.
    with app.app_context():
        db.session.get(IdentityProvider, prv_without_passwords).password_sign_in = True
        db.session.commit()
    assert client.login("anna@prv.se").status_code == 302
    with app.app_context():
        db.session.get(IdentityProvider, prv_without_passwords).password_sign_in = False
        db.session.commit()
    page = client.get("/profile").get_data(as_text=True)
    assert "ingen Remiss-lösenord att byta" in page and 'name="current"' not in page
    with app.app_context():
        before = db.session.scalar(sa.select(User.password_hash).where(User.email == "anna@prv.se"))
    refused = client.post(
        "/profile/password",
        {
            "current": "correct horse battery staple",
            "password": "a new long password!",
            "confirm": "a new long password!",
        },
    )
    assert refused.status_code == 303
    assert "ingen Remiss-lösenord att byta" in client.get("/profile").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User.password_hash).where(User.email == "anna@prv.se")) == before


def test_an_invitation_to_an_organisation_without_passwords_leads_to_its_sign_in(
    client, sso_client, prv_without_passwords, app, factory
):
    from app.accounts.models import Invitation, Organisation
    from app.accounts.operations import invite

    admin = factory.user(email="admin@example.org", roles={Role.ADMIN})
    with app.app_context():
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "PRV"))
        _invitation, token = invite(
            email="eva@prv.se",
            name="Eva Editor",
            organisation=organisation,
            roles={Role.MEMBER, Role.EDITOR},
            actor=db.session.get(User, admin.id),
        )
        db.session.commit()
    page = client.get(f"/invitation/{token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="password"' not in text
    # On to the organisation's sign-in, carrying the invitation (tests/accounts/test_sso_no_email.py).
    assert f"/invitation/{token}/sign-in" in text
    # A password sent anyway creates nothing.
    client.post(
        f"/invitation/{token}", {"password": "a long password here", "confirm": "a long password here"}
    )
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "eva@prv.se")) is None
    # The first sign-in through the organisation's provider makes the account with the invited roles.
    state = _start(sso_client, prv_without_passwords)
    response = _callback(sso_client, state, sub="eva-sub", email="eva@prv.se", name="Eva E.")
    assert response.status_code == 302
    with app.app_context():
        eva = db.session.scalar(sa.select(User).where(User.email == "eva@prv.se"))
        assert eva.roles == {Role.MEMBER, Role.EDITOR}
        invitation = db.session.scalar(sa.select(Invitation).where(Invitation.email == "eva@prv.se"))
        assert invitation.used_at is not None and invitation.user_id == eva.id
    assert client.get(f"/invitation/{token}").status_code == 410
