"""Sign-in through an OpenID Provider (issue 26), against a real one: panva/oidc-provider started
on loopback (tests/providers/oidc_provider.py). The whole code flow with PKCE through the test
client, and each refusal: audited, nothing created, never a 500.

Forged ID tokens are built here with the provider's own key (tests/providers/oidc/keys.json,
which the provider signs with) or a foreign one, and handed to the callback in place of the token
endpoint's answer; discovery and the JWKS still come from the real provider.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
import time
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa
from joserfc.jwk import ECKey, OctKey, RSAKey

from app.accounts.models import Organisation, Role, User
from app.accounts.sso import oidc
from app.accounts.sso.models import (
    ExternalIdentity,
    IdentityProvider,
    IdentityProviderDomain,
    ProviderKind,
    SignInState,
    UsedAssertion,
)
from app.audit import AuditEvent
from app.extensions import db
from tests.providers.oidc_provider import oidc_provider_fixture  # noqa: F401  (the fixture oidc_provider)

PNR = "https://id.oidc.se/claim/personalIdentityNumber"
ORGANISATION = "Patent- och registreringsverket"


@pytest.fixture(scope="module")
def credentials(oidc_provider):
    """A client registered at the provider for the test client's host (http://localhost)."""
    return oidc_provider.register_client("http://localhost")


@pytest.fixture
def provider_id(app, oidc_provider, credentials):
    client_id, client_secret = credentials
    with app.app_context():
        organisation = Organisation(name=ORGANISATION)
        provider = IdentityProvider(
            organisation=organisation,
            kind=ProviderKind.OIDC,
            name="PRV-konto",
            issuer=oidc_provider.issuer,
            client_id=client_id,
            client_secret=client_secret,
        )
        provider.domains.append(IdentityProviderDomain(domain="prv.example"))
        db.session.add(provider)
        db.session.commit()
        return provider.id


def start(client, provider_id: int, next_url: str | None = None) -> str:
    url = f"/sso/oidc/start/{provider_id}" + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def back(client, callback_url: str):
    """Deliver the provider's answer (a URL on http://localhost) to the app."""
    parts = urlsplit(callback_url)
    assert parts.path == "/sso/oidc/callback", callback_url
    return client.get(parts.path + "?" + parts.query)


def sign_in(client, op, provider_id: int, account: str, next_url: str | None = None):
    return back(client, op.sign_in(start(client, provider_id, next_url), account))


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(User)),
            db.session.scalar(sa.select(sa.func.count()).select_from(ExternalIdentity)),
        )


def refusals(app) -> list[dict]:
    with app.app_context():
        return [
            event.data
            for event in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "sso.refused").order_by(AuditEvent.id)
            )
        ]


def signed_in_email(client) -> str | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    if user_id is None:
        return None
    with client.application.app_context():
        return db.session.get(User, int(user_id.split(":")[0])).email


# --------------------------------------------------------------------------- the whole flow


def test_first_sign_in_creates_a_member_then_finds_them_by_subject(app, client, oidc_provider, provider_id):
    op = oidc_provider
    op.set_account("alice-1", email="Alice@prv.example", name="Alice Andersson")
    authorization = start(client, provider_id, "/profile")
    query = parse_qs(urlsplit(authorization).query)
    assert authorization.startswith(op.issuer + "/auth?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["response_type"] == ["code"] and "openid" in query["scope"][0].split()
    with app.app_context():
        state = db.session.scalar(sa.select(SignInState))
        assert query["state"] == [state.state] and query["nonce"] == [state.nonce]
        assert state.code_verifier and state.code_verifier not in authorization

    response = back(client, op.sign_in(authorization, "alice-1"))
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert signed_in_email(client) == "alice@prv.example"
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "alice@prv.example"))
        assert user.name == "Alice Andersson"
        assert user.organisation.name == ORGANISATION
        assert user.roles == {Role.MEMBER}
        identity = db.session.scalar(sa.select(ExternalIdentity))
        assert (identity.subject, identity.user_id, identity.provider_id) == ("alice-1", user.id, provider_id)
        actions = [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]
        assert "sso.account_created" in actions
        assert db.session.scalar(sa.select(SignInState)).used_at is not None
        user_id = user.id
    with client.session_transaction() as session:
        assert session["sso"]["provider_id"] == provider_id and session["sso"]["id_token"]

    # The provider changes her address: she is still found by issuer and subject.
    op.set_account("alice-1", email="alice.andersson@prv.example", name="Alice Andersson")
    client.post("/logout")
    assert signed_in_email(client) is None
    response = sign_in(client, op, provider_id, "alice-1")
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session["_user_id"].split(":")[0] == str(user_id)
    assert counts(app) == (1, 1)
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "sso.sign_in"


def test_client_secret_post_works_too(app, make_client, oidc_provider):
    op = oidc_provider
    client_id, secret = op.register_client("http://localhost", "client_secret_post")
    with app.app_context():
        provider = IdentityProvider(
            organisation=Organisation(name="Tillväxtverket"),
            kind=ProviderKind.OIDC,
            name="Tillväxtverket",
            issuer=op.issuer,
            client_id=client_id,
            client_secret=secret,
        )
        provider.domains.append(IdentityProviderDomain(domain="tillvaxt.example"))
        db.session.add(provider)
        db.session.commit()
        pid = provider.id
    op.set_account("post-1", email="eva@tillvaxt.example", name="Eva")
    original = oidc._session

    def post_only(provider, document):
        return original(
            provider, {**document, "token_endpoint_auth_methods_supported": ["client_secret_post"]}
        )

    client = make_client()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(oidc, "_session", post_only)
        assert sign_in(client, op, pid, "post-1").status_code == 302
    assert signed_in_email(client) == "eva@tillvaxt.example"


def test_an_existing_account_is_linked_after_confirming(app, client, factory, oidc_provider, provider_id):
    op = oidc_provider
    bo = factory.user(email="bo@prv.example", name="Bo Berg", organisation=ORGANISATION)
    op.set_account("bo-sub", email="bo@prv.example", name="Bo B.")
    response = sign_in(client, op, provider_id, "bo-sub")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/link")
    assert signed_in_email(client) is None
    assert counts(app) == (1, 0)
    page = client.get("/sign-in/link")
    assert page.status_code == 200 and "bo@prv.example" in page.get_data(as_text=True)
    response = client.post("/sign-in/link", {"answer": "link"})
    assert response.status_code == 302
    assert signed_in_email(client) == "bo@prv.example"
    with app.app_context():
        identity = db.session.scalar(sa.select(ExternalIdentity))
        assert (identity.subject, identity.user_id) == ("bo-sub", bo.id)
        assert db.session.get(User, bo.id).name == "Bo Berg"
        actions = {e.action for e in db.session.scalars(sa.select(AuditEvent))}
        assert {"sso.link_asked", "sso.linked"} <= actions
    # Afterwards she signs in straight away.
    client.post("/logout")
    assert sign_in(client, op, provider_id, "bo-sub").headers["Location"] == "/"
    assert counts(app) == (1, 1)


def test_personal_identity_numbers_are_never_stored(app, client, oidc_provider, provider_id):
    op = oidc_provider
    op.set_account("cecilia", email="cecilia@prv.example", name="Cecilia", **{PNR: "197001019876"})
    assert sign_in(client, op, provider_id, "cecilia").status_code == 302
    with app.app_context():
        stored = repr([e.data for e in db.session.scalars(sa.select(AuditEvent))])
        stored += repr([(s.claims, s.subject) for s in db.session.scalars(sa.select(SignInState))])
    assert "197001019876" not in stored
    with client.session_transaction() as session:
        assert "197001019876" not in repr(dict(session))
        assert "id_token" not in session["sso"]


def test_a_provider_without_email_asks_for_the_work_address_and_mails_a_link(
    app, client, oidc_provider, provider_id, monkeypatch
):
    """An eID-style account (a name and an identity number, no e-mail) through the real provider;
    the decisions are shared with SAML (tests/accounts/test_sso_no_email.py)."""
    from app import mail

    sent = []
    monkeypatch.setattr(mail, "deliver", lambda message: sent.append(message) or True)
    op = oidc_provider
    op.set_account("eid-cecilia", name="Cecilia Carlsson", **{PNR: "197001015555"})
    response = sign_in(client, op, provider_id, "eid-cecilia")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/email")
    assert client.post("/sign-in/email", {"email": "cecilia@prv.example"}).status_code == 302
    link = urlsplit(re.search(r"http://localhost/sign-in/email/\S+", sent[0].get_content()).group(0)).path
    assert client.post(link).status_code == 302
    assert signed_in_email(client) == "cecilia@prv.example"
    assert counts(app) == (1, 1)
    with app.app_context():
        assert db.session.scalar(sa.select(ExternalIdentity.subject)) == "eid-cecilia"
        stored = repr([e.data for e in db.session.scalars(sa.select(AuditEvent))])
    assert "197001015555" not in stored
    with client.session_transaction() as session:
        assert session["sso"]["provider_id"] == provider_id  # sign-out at the provider still offered


# --------------------------------------------------------------------------- refusals


def assert_refused(app, response, reason: str, text: str, before=(0, 0)):
    body = response.get_data(as_text=True)
    # 403 for who the person is, 400 for a broken or replayed answer (app.accounts.sso.respond).
    assert response.status_code in (400, 403), body
    assert text in body
    assert refusals(app)[-1]["reason"] == reason
    assert counts(app) == before


def test_missing_and_unknown_state_are_refused(app, client, oidc_provider, provider_id):
    start(client, provider_id)
    for query in ("code=abc", "code=abc&state=", "code=abc&state=" + "x" * 43):
        response = client.get("/sso/oidc/callback?" + query)
        assert_refused(app, response, "state", "har redan använts eller har gått ut")
    assert len(refusals(app)) == 3


def test_a_state_started_in_another_browser_is_refused(app, client, make_client, oidc_provider, provider_id):
    """Login CSRF: someone's answer from the provider, sent to another person's browser."""
    op = oidc_provider
    op.set_account("mallory", email="mallory@prv.example", name="Mallory")
    callback = op.sign_in(start(client, provider_id), "mallory")
    victim = make_client()
    assert_refused(app, back(victim, callback), "state", "har redan använts")
    assert signed_in_email(victim) is None


def test_a_replayed_state_is_refused(app, client, oidc_provider, provider_id):
    op = oidc_provider
    op.set_account("dan", email="dan@prv.example", name="Dan")
    authorization = start(client, provider_id)
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    callback = op.sign_in(authorization, "dan")
    assert back(client, callback).status_code == 302
    # Even with the session cookie copied from before (the state still pending in it).
    with client.session_transaction() as session:
        session[oidc.PENDING] = [state]
    assert_refused(app, back(client, callback), "state", "har redan använts", before=(1, 1))


def test_an_error_from_the_provider_is_refused(app, client, oidc_provider, provider_id):
    authorization = start(client, provider_id)
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    response = client.get(f"/sso/oidc/callback?error=access_denied&error_description=nej&state={state}")
    assert_refused(app, response, "provider_error", "avbröts")
    response = client.get("/sso/oidc/callback?error=server_error")
    assert_refused(app, response, "state", "har redan använts")


def test_a_wrong_code_is_refused(app, client, oidc_provider, provider_id):
    authorization = start(client, provider_id)
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    response = client.get(
        "/sso/oidc/callback", query_string={"code": "not-a-code", "state": state, "iss": oidc_provider.issuer}
    )
    assert_refused(app, response, "token_error", "kunde inte verifieras")


def test_an_unreachable_provider_is_refused_without_a_500(app, client, provider_id):
    with app.app_context():
        db.session.get(IdentityProvider, provider_id).issuer = "http://127.0.0.1:9"
        db.session.commit()
    response = client.get(f"/sso/oidc/start/{provider_id}")
    assert_refused(app, response, "unreachable", "gick inte att nå")
    assert counts(app) == (0, 0)


class Forged:
    """A started sign-in whose token endpoint answer is replaced by a forged ID token."""

    def __init__(self, app, client, op, provider_id, monkeypatch):
        self.app, self.client, self.op = app, client, op
        authorization = start(client, provider_id)
        query = parse_qs(urlsplit(authorization).query)
        self.state, self.nonce = query["state"][0], query["nonce"][0]
        self.client_id = query["client_id"][0]
        self.monkeypatch = monkeypatch

    def claims(self, **changes) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.op.issuer,
            "aud": self.client_id,
            "sub": "forged-subject",
            "nonce": self.nonce,
            "iat": now,
            "exp": now + 300,
            "email": "eve@prv.example",
            "email_verified": True,
            "name": "Eve",
        }
        claims.update(changes)
        return {key: value for key, value in claims.items() if value is not None}

    def send(self, id_token: str):
        self.monkeypatch.setattr(
            oidc, "exchange_code", lambda *args: {"id_token": id_token, "access_token": "x"}
        )
        return self.client.get(
            "/sso/oidc/callback",
            query_string={"code": "anything", "state": self.state, "iss": self.op.issuer},
        )


@pytest.fixture
def forged(app, client, oidc_provider, provider_id, monkeypatch):
    return Forged(app, client, oidc_provider, provider_id, monkeypatch)


def test_a_token_signed_with_the_providers_own_key_is_accepted(app, forged):
    """The control for the refusals below: the same forgery, all claims right, goes through."""
    response = forged.send(forged.op.sign(forged.claims()))
    assert response.status_code == 302
    assert counts(app) == (1, 1)


def test_the_providers_ec_key_is_accepted_too(app, forged):
    response = forged.send(forged.op.sign(forged.claims(), kid="provider-ec-1", alg="ES256"))
    assert response.status_code == 302


def test_an_expired_token_is_refused(app, forged):
    now = int(time.time())
    response = forged.send(forged.op.sign(forged.claims(iat=now - 4000, exp=now - 3600)))
    assert_refused(app, response, "expired", "inte giltigt")


def test_a_token_not_yet_valid_is_refused(app, forged):
    now = int(time.time())
    response = forged.send(forged.op.sign(forged.claims(iat=now + 3600, exp=now + 4000)))
    assert_refused(app, response, "not_yet_valid", "inte giltigt")


def test_a_token_with_nbf_in_the_future_is_refused(app, forged):
    response = forged.send(forged.op.sign(forged.claims(nbf=int(time.time()) + 600)))
    assert_refused(app, response, "not_yet_valid", "inte giltigt")


def test_a_token_for_another_client_is_refused(app, forged):
    response = forged.send(forged.op.sign(forged.claims(aud="another-client")))
    assert_refused(app, response, "audience", "kunde inte verifieras")


def test_several_audiences_need_azp_naming_us(app, forged):
    response = forged.send(forged.op.sign(forged.claims(aud=[forged.client_id, "another-client"])))
    assert_refused(app, response, "audience", "kunde inte verifieras")


def test_a_token_from_another_issuer_is_refused(app, forged):
    response = forged.send(forged.op.sign(forged.claims(iss="https://idp.evil.example")))
    assert_refused(app, response, "issuer", "kunde inte verifieras")


def test_a_token_for_another_sign_in_is_refused(app, forged):
    response = forged.send(forged.op.sign(forged.claims(nonce="some-other-nonce")))
    assert_refused(app, response, "nonce", "kunde inte verifieras")


def test_a_token_signed_by_a_foreign_key_is_refused(app, forged):
    foreign = RSAKey.generate_key(2048, parameters={"kid": "provider-rsa-1"}, private=True)
    response = forged.send(forged.op.sign(forged.claims(), key=foreign))
    assert_refused(app, response, "signature", "kunde inte verifieras")


def test_a_token_signed_by_an_unknown_key_is_refused_after_fetching_the_keys_again(app, forged, monkeypatch):
    fetched = []
    original = oidc._get_json
    monkeypatch.setattr(oidc, "_get_json", lambda url: fetched.append(url) or original(url))
    foreign = ECKey.generate_key("P-256", parameters={"kid": "rotated-key"}, private=True)
    response = forged.send(forged.op.sign(forged.claims(), alg="ES256", key=foreign))
    assert_refused(app, response, "signature", "kunde inte verifieras")
    assert [url for url in fetched if url.endswith("/jwks")] == [forged.op.issuer + "/jwks"]


def test_alg_none_is_refused(app, forged):
    response = forged.send(forged.op.unsigned(forged.claims()))
    assert_refused(app, response, "alg", "kunde inte verifieras")


def test_hs256_keyed_with_the_client_secret_or_a_public_key_is_refused(app, forged, credentials):
    secret = OctKey.import_key(credentials[1].encode())
    response = forged.send(forged.op.sign(forged.claims(), alg="HS256", key=secret))
    assert_refused(app, response, "alg", "kunde inte verifieras")


def test_hs256_keyed_with_the_providers_public_key_is_refused(app, forged):
    """The classic algorithm confusion: an HMAC whose key is the provider's public key (PEM)."""
    public_pem = forged.op.keys.get_by_kid("provider-rsa-1").as_pem(private=False)

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        part(json.dumps({"alg": "HS256", "kid": "provider-rsa-1"}).encode())
        + "."
        + part(json.dumps(forged.claims()).encode())
    )
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    response = forged.send(signing_input + "." + part(signature))
    assert_refused(app, response, "alg", "kunde inte verifieras")


def test_a_replayed_id_token_is_refused(app, client, oidc_provider, provider_id, monkeypatch):
    """The provider's real ID token, captured from a finished sign-in and sent again into a
    sign-in given the same nonce: refused by the nonce remembered in the database."""
    op = oidc_provider
    op.set_account("frida", email="frida@prv.example", name="Frida")
    captured = {}
    original = oidc.exchange_code

    def capture(*args):
        token = original(*args)
        captured.update(token)
        return token

    monkeypatch.setattr(oidc, "exchange_code", capture)
    authorization = start(client, provider_id)
    nonce = parse_qs(urlsplit(authorization).query)["nonce"][0]
    assert back(client, op.sign_in(authorization, "frida")).status_code == 302
    client.post("/logout")
    with app.app_context():
        assert db.session.get(UsedAssertion, (provider_id, "nonce:" + nonce)) is not None

    authorization = start(client, provider_id)
    state = parse_qs(urlsplit(authorization).query)["state"][0]
    with app.app_context():
        db.session.execute(sa.update(SignInState).where(SignInState.state == state).values(nonce=nonce))
        db.session.commit()
    monkeypatch.setattr(oidc, "exchange_code", lambda *args: dict(captured))
    response = client.get(
        "/sso/oidc/callback", query_string={"code": "again", "state": state, "iss": oidc_provider.issuer}
    )
    assert_refused(app, response, "replay", "redan använts", before=(1, 1))
    assert signed_in_email(client) is None


def test_a_provider_of_another_organisation_is_refused(app, client, factory, oidc_provider, provider_id):
    op = oidc_provider
    factory.user(email="gustav@prv.example", organisation="Skatteverket")
    op.set_account("gustav", email="gustav@prv.example", name="Gustav")
    response = sign_in(client, op, provider_id, "gustav")
    assert_refused(app, response, "other_organisation", "annan organisation", before=(1, 0))
    assert signed_in_email(client) is None


def test_the_refusal_page_speaks_english_too(app, client, oidc_provider, provider_id):
    response = client.get("/sso/oidc/callback?code=x", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Sign-in not completed" in body and "has already been used or has expired" in body


def test_sign_out_ends_the_providers_session_too(app, client, oidc_provider, provider_id):
    """RP-initiated logout: Remiss's session ends first, then the provider's, and back."""
    op = oidc_provider
    op.set_account("hanna", email="hanna@prv.example", name="Hanna")
    browser = requests.Session()
    back(client, op.sign_in(start(client, provider_id), "hanna", browser))
    with client.session_transaction() as session:
        id_token = session["sso"]["id_token"]
    response = client.post("/logout")
    assert signed_in_email(client) is None
    # A page that goes on by itself (the CSP's form-action stops a form's redirect elsewhere).
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    escaped = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', page).group(1)
    assert f'<a href="{escaped}">' in page
    location = unescape(escaped)
    assert location.startswith(op.issuer + "/session/end?")
    query = parse_qs(urlsplit(location).query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://localhost/sso/oidc/signed-out"]
    # At the provider: its confirmation form, then back to Remiss.
    page = browser.get(location, timeout=10)
    form = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
    assert form and xsrf, page.text[:1500]
    done = browser.post(
        urljoin(location, unescape(form.group(1))),
        data={"xsrf": xsrf.group(1), "logout": "yes"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.is_redirect and done.headers["Location"].startswith("http://localhost/sso/oidc/signed-out")
    landed = client.get(urlsplit(done.headers["Location"]).path, follow_redirects=True)
    assert "även från din organisations inloggningstjänst" in landed.get_data(as_text=True)
    # The provider's session is gone: the next sign-in asks for the login form again.
    response = browser.get(start(client, provider_id), allow_redirects=True, timeout=10)
    assert 'name="login"' in response.text


def test_password_sign_out_is_unchanged(client, factory):
    user = factory.user()
    client.login(user.email)
    response = client.post("/logout")
    assert response.headers["Location"] == "/"


def test_hostile_names_from_the_provider_are_inert(app, client, oidc_provider, provider_id):
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    oidc_provider.set_account("ivar", email="ivar@prv.example", name=hostile)
    assert sign_in(client, oidc_provider, provider_id, "ivar").status_code == 302
    page = client.get("/profile").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_unverified_email_is_refused(app, client, oidc_provider, provider_id):
    oidc_provider.set_account("jon", email="jon@prv.example", name="Jon", email_verified=False)
    response = sign_in(client, oidc_provider, provider_id, "jon")
    assert_refused(app, response, "unverified", "har inte verifierat din e-postadress")


def test_an_answer_naming_another_issuer_is_refused(app, client, oidc_provider, provider_id):
    """RFC 9207 mix-up defence: the iss parameter of the answer must be our provider."""
    oidc_provider.set_account("klara", email="klara@prv.example", name="Klara")
    callback = oidc_provider.sign_in(start(client, provider_id), "klara")
    forged = callback.replace("iss=http%3A%2F%2F127.0.0.1", "iss=http%3A%2F%2F127.0.0.2")
    assert forged != callback
    assert_refused(app, back(client, forged), "issuer", "kunde inte verifieras")
    # The provider announces the parameter: an answer without it is refused too.
    callback = oidc_provider.sign_in(start(client, provider_id), "klara")
    without = re.sub(r"&iss=[^&]+", "", callback)
    assert without != callback
    assert_refused(app, back(client, without), "issuer", "kunde inte verifieras")


def test_userinfo_about_someone_else_is_not_used(app, client, oidc_provider, provider_id, monkeypatch):
    oidc_provider.set_account("lars", email="lars@prv.example", name="Lars")
    monkeypatch.setattr(
        oidc, "_userinfo", lambda *args: {"sub": "someone-else", "email": "boss@prv.example", "name": "Boss"}
    )
    response = sign_in(client, oidc_provider, provider_id, "lars")
    assert_refused(app, response, "userinfo", "kunde inte verifieras")


def test_a_provider_that_does_not_answer_times_out(app, client, provider_id, monkeypatch):
    """A provider that accepts the connection and never answers: refused after the timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        with app.app_context():
            db.session.get(
                IdentityProvider, provider_id
            ).issuer = f"http://127.0.0.1:{listener.getsockname()[1]}"
            db.session.commit()
        monkeypatch.setattr(oidc, "TIMEOUT", 0.5)
        started = time.monotonic()
        response = client.get(f"/sso/oidc/start/{provider_id}")
        assert time.monotonic() - started < 5
        assert_refused(app, response, "unreachable", "gick inte att nå")
    finally:
        listener.close()


def test_discovery_and_keys_are_fetched_once_per_issuer(
    app, make_client, oidc_provider, provider_id, monkeypatch
):
    oidc.clear_caches()
    fetched = []
    original = oidc._get_json
    monkeypatch.setattr(oidc, "_get_json", lambda url: fetched.append(url) or original(url))
    for n in range(3):
        oidc_provider.set_account(f"lena-{n}", email=f"lena{n}@prv.example", name="Lena")
        assert sign_in(make_client(), oidc_provider, provider_id, f"lena-{n}").status_code == 302
    assert sorted(fetched) == sorted(
        [oidc_provider.issuer + "/.well-known/openid-configuration", oidc_provider.issuer + "/jwks"]
    )


def test_started_from_a_form_a_page_goes_on_to_the_provider(app, oidc_provider, provider_id):
    """The sign-in page's e-mail form (a POST) cannot be redirected to the provider: the CSP's
    form-action 'self' stops a form's redirects to another origin. start() answers a POST with a
    page that goes on by itself (instant meta refresh) and a link."""
    with app.test_request_context("/login", method="POST"), app.app_context():
        provider = db.session.get(IdentityProvider, provider_id)
        response = oidc.start(provider, "/profile")
        page = response.get_data(as_text=True)
    assert response.status_code == 200
    escaped = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', page).group(1)
    assert unescape(escaped).startswith(oidc_provider.issuer + "/auth?")
    assert f'<a href="{escaped}">' in page and "PRV-konto" in page


def test_no_lock_is_held_while_the_provider_answers(app, client, oidc_provider, provider_id, monkeypatch):
    """The used-up state is committed before the token exchange: another request can write the
    same row (and, on SQLite, the database) while the provider is being asked."""
    oidc_provider.set_account("maria", email="maria@prv.example", name="Maria")
    original = oidc.exchange_code
    waited = []

    def exchange_while_another_writes(provider, document, code, code_verifier):
        started = time.monotonic()
        with db.engine.connect() as other:
            other.execute(sa.update(SignInState).values(next_url="/elsewhere"))
            other.commit()
        waited.append(time.monotonic() - started)
        return original(provider, document, code, code_verifier)

    monkeypatch.setattr(oidc, "exchange_code", exchange_while_another_writes)
    assert sign_in(client, oidc_provider, provider_id, "maria").status_code == 302
    assert waited and waited[0] < 1
