"""Sign-in through SAML 2.0 (issue 26), against a real IdP: pysaml2's Server on a loopback port
(tests/providers/saml/idp_server.py), with keys made at run time.

The whole SP-initiated journey over HTTP (our signed AuthnRequest verified by the IdP, its
Response POSTed to our ACS), encrypted assertions, single logout both ways, our metadata and the
IdP's metadata signature; then each refusal, with responses forged with the IdP's own key and a
foreign one: never a 500, audited, nothing created.
"""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import saml2.sigver
import sqlalchemy as sa
from saml2.sigver import CryptoBackendXmlSec1, get_xmlsec_binary

from app.accounts.models import Organisation, Role, User
from app.accounts.sso import saml
from app.accounts.sso.models import (
    ExternalIdentity,
    IdentityProvider,
    IdentityProviderDomain,
    ProviderKind,
    SignInState,
)
from app.audit import AuditEvent
from app.extensions import db
from tests.providers.saml import forge
from tests.providers.saml.idp_server import LOA3, PEOPLE, IdP, decoded_redirect, write_pair

SP_ENTITY = "http://localhost/sso/saml/metadata"
ACS = "http://localhost/sso/saml/acs"
SLO = "http://localhost/sso/saml/slo"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    """Our SP key pair and a foreign key pair, made now (never committed)."""
    folder = tmp_path_factory.mktemp("saml-keys")
    write_pair(folder, "sp")
    write_pair(folder, "foreign")
    write_pair(folder, "federation")
    return folder


@pytest.fixture(scope="module")
def sp_configured(app, keys):
    saved = {k: app.config.get(k) for k in ("SAML_SP_KEY_FILE", "SAML_SP_CERT_FILE")}
    app.config["SAML_SP_KEY_FILE"] = str(keys / "sp-key.pem")
    app.config["SAML_SP_CERT_FILE"] = str(keys / "sp-cert.pem")
    yield app
    app.config.update(saved)


@pytest.fixture(scope="module")
def idp(sp_configured, keys):
    provider = IdP().start()
    flask_client = sp_configured.test_client()
    provider.trust(flask_client.get("/sso/saml/metadata").get_data(as_text=True))
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def _idp_defaults(idp):
    idp.sign_response = True
    idp.sign_assertion = True
    idp.encrypt_assertion = False
    yield


@pytest.fixture
def provider(app, idp, factory) -> int:
    """PRV's identity provider, answering for prv.example."""
    with app.app_context():
        organisation = Organisation(name="PRV")
        db.session.add(organisation)
        row = IdentityProvider(
            organisation=organisation,
            kind=ProviderKind.SAML,
            name="PRV-konto",
            issuer=idp.entity_id,
            metadata_xml=idp.metadata(),
            level_of_assurance=LOA3,
        )
        row.domains.append(IdentityProviderDomain(domain="prv.example"))
        db.session.add(row)
        db.session.commit()
        return row.id


def _start(client, provider_id: int, next_url: str = "/") -> str:
    response = client.get(f"/sign-in/sso/{provider_id}?next={next_url}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    return location


def _request_at_idp(idp, location: str) -> dict:
    return idp.read_request(urlsplit(location).query)


def _through_idp(location: str, person: str = "anna") -> dict:
    """The person's browser at the real IdP over HTTP: the sign-in form, then the POST form."""
    browser = requests.Session()
    page = browser.get(location, timeout=10)
    assert page.status_code == 200, page.text
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    posted = browser.post(
        location.split("/idp/")[0] + "/idp/login", data={"key": key, "person": person}, timeout=10
    )
    assert posted.status_code == 200, posted.text
    fields = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', posted.text))
    action = re.search(r'action="([^"]+)"', posted.text).group(1)
    assert action == ACS
    return {name: html.unescape(value) for name, value in fields.items()}


def _acs(client, fields: dict):
    return client.post("/sso/saml/acs", data=fields, csrf=False)


def _sign_in(client, provider_id, idp, person="anna", next_url="/"):
    return _acs(client, _through_idp(_start(client, provider_id, next_url), person))


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(User)),
            db.session.scalar(sa.select(sa.func.count()).select_from(ExternalIdentity)),
        )


def _audit(app, action: str) -> list[dict]:
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()
        return [json.loads(e.data) if isinstance(e.data, str) else (e.data or {}) for e in events]


def _refused(app, response, reason: str | None = None, why: str | None = None):
    # 403 for who the person is, 400 for a broken or replayed answer (app.accounts.sso.respond).
    assert response.status_code in (400, 403), response.get_data(as_text=True)[:800]
    body = response.get_data(as_text=True)
    assert "Inloggningen blev inte klar" in body or "Sign-in not completed" in body
    refusals = _audit(app, "sso.refused")
    assert refusals, "refusal not audited"
    if reason:
        assert refusals[-1]["reason"] == reason, refusals
    if why:
        assert why in refusals[-1]["why"], refusals
    return refusals[-1]


# --------------------------------------------------------------------------- the journey


def test_first_sign_in_creates_a_member_and_never_stores_the_identity_number(app, client, idp, provider):
    location = _start(client, provider, "/profile")
    request_xml = decoded_redirect(location)
    query = parse_qs(urlsplit(location).query)
    # Signed over HTTP-Redirect with RSA-SHA256, asking for LoA 3 and a persistent NameID.
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"] and query["Signature"]
    assert LOA3 in request_xml and "RequestedAuthnContext" in request_xml
    assert "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" in request_xml
    with app.app_context():
        state = db.session.scalar(sa.select(SignInState))
        assert state.request_id and state.request_id in request_xml
        assert query["RelayState"] == [state.state]

    response = _acs(client, _through_idp(location))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert response.headers["Location"].endswith("/profile")
    assert client.get("/profile").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "anna.andersson@prv.example"))
        assert user.name == "Anna Andersson" and user.organisation.name == "PRV"
        assert user.roles == {Role.MEMBER}
        identity = db.session.scalar(sa.select(ExternalIdentity))
        assert identity.subject == "persistent-anna" and identity.user_id == user.id
        # The personal identity number is nowhere in the database.
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                assert "197001011234" not in repr(tuple(row)), table.name
    assert _audit(app, "sso.account_created")


def test_second_sign_in_finds_the_account_by_name_id_not_by_email(
    app, make_client, idp, provider, monkeypatch
):
    assert _sign_in(make_client(), provider, idp).status_code == 302
    monkeypatch.setitem(PEOPLE["anna"], "mail", ["anna.ny@prv.example"])
    other = make_client()
    assert _sign_in(other, provider, idp).status_code == 302
    assert _counts(app) == (1, 1)
    with app.app_context():
        assert db.session.scalar(sa.select(User.email)) == "anna.andersson@prv.example"
    assert len(_audit(app, "sso.sign_in")) == 1


def test_existing_account_is_linked_after_the_person_confirms(app, client, idp, provider, factory):
    with app.app_context():
        organisation_id = db.session.get(IdentityProvider, provider).organisation_id
        organisation = db.session.get(Organisation, organisation_id)
        name = organisation.name
    factory.user(email="anna.andersson@prv.example", organisation=name)
    response = _sign_in(client, provider, idp)
    assert response.status_code == 302 and "/sign-in/link" in response.headers["Location"]
    assert _counts(app) == (1, 0)
    confirmed = client.post("/sign-in/link", {"answer": "link"})
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)[:500]
    assert _counts(app) == (1, 1)
    assert client.get("/profile").status_code == 200
    assert _audit(app, "sso.linked")


def test_an_account_in_another_organisation_is_refused(app, client, idp, provider, factory):
    factory.user(email="anna.andersson@prv.example", organisation="DIGG")
    _refused(app, _sign_in(client, provider, idp), "other_organisation")
    assert _counts(app) == (1, 0)


# An eID person as Sweden Connect releases them: a name and an identity number, no `mail`.
CILLA = {
    "displayName": ["Cecilia Carlsson"],
    "givenName": ["Cecilia"],
    "sn": ["Carlsson"],
    "personalIdentityNumber": ["197703033456"],
}


def test_a_person_without_mail_confirms_their_work_address_by_a_mailed_link(
    app, client, idp, provider, monkeypatch
):
    """The whole no-mail journey through the real IdP (the decisions: test_sso_no_email.py)."""
    from app import mail

    sent = []
    monkeypatch.setattr(mail, "deliver", lambda message: sent.append(message) or True)
    monkeypatch.setitem(PEOPLE, "cilla", CILLA)
    response = _sign_in(client, provider, idp, person="cilla", next_url="/profile")
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/email")
    assert _counts(app) == (0, 0)
    refused = client.post("/sign-in/email", {"email": "cecilia@gmail.com"})
    assert refused.status_code == 400 and sent == []
    assert client.post("/sign-in/email", {"email": "cecilia.carlsson@prv.example"}).status_code == 302
    (message,) = sent
    link = urlsplit(re.search(r"http://localhost/sign-in/email/\S+", message.get_content()).group(0)).path
    assert client.get(link).status_code == 200
    done = client.post(link)
    assert done.status_code == 302 and done.headers["Location"].endswith("/profile")
    assert client.get("/profile").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.name) == ("cecilia.carlsson@prv.example", "Cecilia Carlsson")
        assert db.session.scalar(sa.select(ExternalIdentity.subject)) == "persistent-cilla"
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                assert "197703033456" not in repr(tuple(row)), table.name
    assert [e["reason"] for e in _audit(app, "sso.refused")] == ["email_address"]
    assert _audit(app, "sso.email_asked") and _audit(app, "sso.email_mailed")
    assert _audit(app, "sso.email_confirmed") and _audit(app, "sso.account_created")
    # Single logout still has what it needs, kept across the detour.
    assert _kept_sso(client).get("name_id") == "persistent-cilla"


def test_an_invitation_gives_a_person_without_mail_their_account(
    app, client, idp, provider, factory, monkeypatch
):
    from app.accounts.models import Invitation
    from app.accounts.operations import invite

    monkeypatch.setitem(PEOPLE, "cilla", CILLA)
    admin = factory.user(email="admin@example.org", roles={Role.ADMIN})
    with app.app_context():
        row = db.session.get(IdentityProvider, provider)
        row.password_sign_in = False
        _invitation, token = invite(
            email="cecilia@prv.example",
            name="Cecilia",
            organisation=row.organisation,
            roles={Role.MEMBER, Role.HOST},
            actor=db.session.get(User, admin.id),
        )
        db.session.commit()
    started = client.get(f"/invitation/{token}/sign-in")
    assert started.status_code == 302
    response = _acs(client, _through_idp(started.headers["Location"], "cilla"))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert client.get("/profile").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "cecilia@prv.example"))
        assert user.roles == {Role.MEMBER, Role.HOST} and user.name == "Cecilia Carlsson"
        assert db.session.scalar(sa.select(Invitation.used_at)) is not None
        assert db.session.scalar(sa.select(ExternalIdentity.user_id)) == user.id


def test_encrypted_assertion_is_accepted(app, client, idp, provider):
    idp.encrypt_assertion = True
    fields = _through_idp(_start(client, provider))
    assert b"EncryptedAssertion" in base64.b64decode(fields["SAMLResponse"])
    response = _acs(client, fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert _counts(app) == (1, 1)


def test_response_signed_only_on_the_assertion_is_accepted(app, client, idp, provider):
    idp.sign_response = False
    assert _sign_in(client, provider, idp).status_code == 302


@pytest.mark.parametrize("encrypted", [False, True], ids=["signed", "signed and encrypted"])
def test_the_acs_starts_no_program(app, client, idp, provider, monkeypatch, encrypted):
    """The response's signatures are checked, and its assertion decrypted, in this process
    (app/accounts/sso/saml_crypto.py): starting xmlsec1 twice cost ~60 ms of each sign-in
    (issue 26). Any program started during the ACS fails this test."""
    idp.encrypt_assertion = encrypted
    fields = _through_idp(_start(client, provider))
    started = []

    def no_program(*args, **kwargs):
        started.append(args[0] if args else kwargs.get("args"))
        raise AssertionError("a program was started at the ACS")

    with monkeypatch.context() as patch:
        patch.setattr(subprocess, "Popen", no_program)
        patch.setattr(saml2.sigver, "Popen", no_program)  # pysaml2 imported it by name
        response = _acs(client, fields)
    assert started == []
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert _counts(app) == (1, 1)


# --------------------------------------------------------------------------- refusals


def _genuine(client, idp, provider, **overrides) -> tuple[dict, dict]:
    """A request started by us, and the IdP's genuine answer to it (not yet posted)."""
    location = _start(client, provider)
    request = _request_at_idp(idp, location)
    return request, idp.respond_to(request, "anna", **overrides)


def _post_xml(client, xml: str, relay_state: str = ""):
    return _acs(client, {"SAMLResponse": forge.encode(xml), "RelayState": relay_state})


def test_replayed_response_is_refused(app, client, idp, provider):
    _request, answer = _genuine(client, idp, provider)
    fields = {"SAMLResponse": answer["SAMLResponse"], "RelayState": answer["RelayState"]}
    assert _acs(client, fields).status_code == 302
    _refused(app, _acs(client, fields), "state")
    assert _counts(app) == (1, 1)


def test_replayed_assertion_in_a_new_response_is_refused(app, client, idp, provider, keys):
    _request, first = _genuine(client, idp, provider, sign_response=False)
    assert (
        _acs(client, {"SAMLResponse": first["SAMLResponse"], "RelayState": first["RelayState"]}).status_code
        == 302
    )
    used_id = forge.assertion(forge.parse(first["xml"])).get("ID")
    # A second request; the IdP's key signs an answer that carries the used assertion's ID.
    _request, second = _genuine(client, idp, provider, sign_response=False, sign_assertion=False)
    root = forge.parse(second["xml"])
    forge.assertion(root).set("ID", used_id)
    xml = forge.sign(forge.text(root), idp.key_file, idp.cert_file)
    _refused(app, _post_xml(client, xml), "replay")
    assert _counts(app) == (1, 1)


def test_unsolicited_response_is_refused(app, client, idp, provider):
    _request, answer = _genuine(client, idp, provider, in_response_to=None)
    assert "InResponseTo" not in answer["xml"].split(">", 2)[1]
    _refused(app, _acs(client, {"SAMLResponse": answer["SAMLResponse"]}), "state", "unsolicited")
    assert _counts(app) == (0, 0)


def test_response_to_a_request_never_made_is_refused(app, client, idp, provider):
    _request, answer = _genuine(client, idp, provider, in_response_to="_" + "ab" * 20)
    _refused(app, _acs(client, {"SAMLResponse": answer["SAMLResponse"]}), "state")
    assert _counts(app) == (0, 0)


def _resigned(client, idp, provider, mutate, key=None, cert=None) -> str:
    _request, answer = _genuine(client, idp, provider, sign_response=False, sign_assertion=False)
    root = forge.parse(answer["xml"])
    mutate(root)
    return forge.sign(forge.text(root), key or idp.key_file, cert or idp.cert_file)


def _set_conditions(root, **values):
    conditions = forge.assertion(root).find("saml:Conditions", forge.NS)
    for name, value in values.items():
        conditions.set(name, value)
    for data in root.findall(".//saml:SubjectConfirmationData", forge.NS):
        if "NotOnOrAfter" in values:
            data.set("NotOnOrAfter", values["NotOnOrAfter"])


def test_expired_assertion_is_refused(app, client, idp, provider):
    xml = _resigned(client, idp, provider, lambda r: _set_conditions(r, NotOnOrAfter="2020-01-01T00:00:00Z"))
    _refused(app, _post_xml(client, xml), "provider", "Condition not OK")
    assert _counts(app) == (0, 0)


def test_not_yet_valid_assertion_is_refused(app, client, idp, provider):
    xml = _resigned(client, idp, provider, lambda r: _set_conditions(r, NotBefore="2099-01-01T00:00:00Z"))
    _refused(app, _post_xml(client, xml), "provider", "Condition not OK")
    assert _counts(app) == (0, 0)


def test_wrong_audience_is_refused(app, client, idp, provider):
    def other_audience(root):
        for audience in root.findall(".//saml:Audience", forge.NS):
            audience.text = "https://another-sp.example/metadata"

    _refused(app, _post_xml(client, _resigned(client, idp, provider, other_audience)), "provider", "audience")
    assert _counts(app) == (0, 0)


def test_wrong_destination_is_refused(app, client, idp, provider):
    def elsewhere(root):
        root.set("Destination", "https://another-sp.example/acs")

    _refused(app, _post_xml(client, _resigned(client, idp, provider, elsewhere)), "provider", "destination")
    assert _counts(app) == (0, 0)


def test_wrong_recipient_is_refused(app, client, idp, provider):
    def elsewhere(root):
        for data in root.findall(".//saml:SubjectConfirmationData", forge.NS):
            data.set("Recipient", "https://another-sp.example/acs")

    _refused(app, _post_xml(client, _resigned(client, idp, provider, elsewhere)), "provider", "recipient")
    assert _counts(app) == (0, 0)


def test_unsigned_response_and_assertion_are_refused(app, client, idp, provider):
    idp.sign_response = False
    idp.sign_assertion = False
    _refused(app, _sign_in(client, provider, idp), "provider", "signature")
    assert _counts(app) == (0, 0)


def test_signature_by_another_key_is_refused(app, client, idp, provider, keys):
    xml = _resigned(
        client, idp, provider, lambda r: None, str(keys / "foreign-key.pem"), str(keys / "foreign-cert.pem")
    )
    _refused(app, _post_xml(client, xml), "provider", "signature")
    assert _counts(app) == (0, 0)


def test_tampered_attribute_breaks_the_signature(app, client, idp, provider):
    _request, answer = _genuine(client, idp, provider)
    xml = answer["xml"].replace("anna.andersson@prv.example", "eve@prv.example")
    assert "eve@prv.example" in xml
    _refused(app, _post_xml(client, xml), "provider", "signature")
    assert _counts(app) == (0, 0)


@pytest.mark.parametrize("attack", ["beside", "inside"])
def test_xml_signature_wrapping_is_refused(app, client, idp, provider, attack):
    _request, answer = _genuine(client, idp, provider, sign_response=False)
    if attack == "beside":
        xml = forge.wrapped(answer["xml"], "persistent-eve", "eve@prv.example")
    else:
        xml = forge.wrapped_inside(answer["xml"], "persistent-eve")
    _refused(app, _post_xml(client, xml))
    assert _counts(app) == (0, 0)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not base64 at all ***",
        forge.encode("<not-saml/>"),
        forge.encode("not xml"),
        forge.encode('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'),
        forge.encode(
            '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><l>&b;</l>'
        ),
        forge.encode(
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="x" InResponseTo="y">'
            "<saml:Issuer>https://unknown.example/idp</saml:Issuer></samlp:Response>"
        ),
    ],
)
def test_garbage_at_the_acs_is_refused_not_a_500(app, client, provider, value):
    response = _acs(client, {"SAMLResponse": value})
    _refused(app, response)
    assert _counts(app) == (0, 0)


def test_acs_answers_only_post(client):
    assert client.get("/sso/saml/acs").status_code == 405


# --------------------------------------------------------------------------- single logout


def _kept_sso(client) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("sso") or {})


def test_sp_initiated_single_logout(app, client, idp, provider):
    assert _sign_in(client, provider, idp).status_code == 302
    kept = _kept_sso(client)
    assert kept["provider_id"] == provider and kept["name_id"] == "persistent-anna" and kept["session_index"]
    response = client.post("/logout")
    # After a form, a page whose link (followed by script) leads on: CSP form-action 'self'
    # would stop a redirect to the IdP.
    assert response.status_code == 200
    location = html.unescape(
        re.search(r'href="([^"]+)" data-sso-continue', response.get_data(as_text=True)).group(1)
    )
    assert location.startswith(idp.base + "/idp/slo/redirect")
    assert "persistent-anna" in decoded_redirect(location)
    assert client.get("/profile").status_code == 302  # Remiss session over already
    at_idp = requests.get(location, allow_redirects=False, timeout=10)
    assert at_idp.status_code == 302, at_idp.text
    back = at_idp.headers["Location"]
    assert back.startswith(SLO)
    answered = client.get(back[len("http://localhost") :])
    assert answered.status_code == 302
    assert "persistent-anna" in idp.logout_requests[-1]


def test_idp_initiated_logout_ends_the_session(app, client, idp, provider):
    assert _sign_in(client, provider, idp).status_code == 302
    url = idp.logout_request_for(SP_ENTITY, "persistent-anna", SLO)
    response = client.get(url[len("http://localhost") :])
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].startswith(idp.base + "/idp/slo/redirect")
    assert "LogoutResponse" in decoded_redirect(response.headers["Location"])
    assert client.get("/profile").status_code == 302
    assert _audit(app, "sso.logout")


def test_unsigned_idp_logout_request_is_refused(app, client, idp, provider):
    assert _sign_in(client, provider, idp).status_code == 302
    url = idp.logout_request_for(SP_ENTITY, "persistent-anna", SLO)
    unsigned = re.sub(r"&(SigAlg|Signature)=[^&]*", "", url)
    response = client.get(unsigned[len("http://localhost") :])
    assert response.status_code == 400
    assert client.get("/profile").status_code == 200


def test_forged_idp_logout_request_is_refused(app, client, idp, provider, keys):
    assert _sign_in(client, provider, idp).status_code == 302
    impostor = IdP()
    impostor.entity_id = idp.entity_id
    impostor.trust(client.get("/sso/saml/metadata").get_data(as_text=True))
    url = impostor.logout_request_for(SP_ENTITY, "persistent-anna", SLO)
    assert client.get(url[len("http://localhost") :]).status_code == 400
    assert client.get("/profile").status_code == 200
    impostor.httpd.server_close()


# --------------------------------------------------------------------------- metadata


def test_our_metadata_is_served_signed_and_parses_back(app, client, keys):
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.attribute_converter import ac_factory
    from saml2.mdstore import MetadataStore
    from saml2.xml.schema import validate

    response = client.get("/sso/saml/metadata")
    assert response.status_code == 200
    assert response.mimetype == "application/samlmetadata+xml"
    xml = response.get_data(as_text=True)
    validate(xml)  # the SAML metadata schema
    store = MetadataStore(ac_factory(), None)
    store.load("inline", xml)
    assert store.assertion_consumer_service(SP_ENTITY, BINDING_HTTP_POST)[0]["location"] == ACS
    assert store.single_logout_service(SP_ENTITY, BINDING_HTTP_REDIRECT, "spsso")[0]["location"] == SLO
    assert store.certs(SP_ENTITY, "spsso", "signing") and store.certs(SP_ENTITY, "spsso", "encryption")
    requested = store.attribute_requirement(SP_ENTITY)
    assert {a["friendly_name"] for a in requested["required"]} == {"displayName"}
    # Asked for, not required: eID providers release none, and Remiss then asks the person.
    assert {a["friendly_name"] for a in requested["optional"]} == {"mail", "givenName", "sn"}
    assert "http://id.elegnamnden.se/ec/1.0/loa3-name" in store.entity_categories(SP_ENTITY)
    assert "personalIdentityNumber" not in xml and "1.2.752.29.4.13" not in xml
    # Signed by our signing key (checked by the xmlsec1 program: a verifier other than ours).
    backend = CryptoBackendXmlSec1(get_xmlsec_binary(["/usr/bin"]))
    root = forge.parse(xml)
    assert backend.validate_signature(
        xml, str(keys / "sp-cert.pem"), "pem", f"{saml.NS['md']}:EntityDescriptor", root.get("ID")
    )


def test_idp_metadata_signature_is_checked(app, idp, keys):
    federation_key, federation_cert = str(keys / "federation-key.pem"), str(keys / "federation-cert.pem")
    cert = Path(federation_cert).read_text()
    signed = idp.signed_metadata(federation_key, federation_cert)
    assert saml.checked_metadata(signed, cert) == idp.entity_id
    assert saml.checked_metadata(idp.metadata(), "") == idp.entity_id  # no certificate configured

    def refused(xml, certificate=cert):
        with pytest.raises(saml.SamlRefused):
            saml.checked_metadata(xml, certificate)

    refused(idp.metadata())  # unsigned while a certificate is configured
    refused(signed, Path(keys / "foreign-cert.pem").read_text())  # signed by another key
    refused(
        signed.replace(idp.base + "/idp/sso/redirect", "https://evil.example/sso")
    )  # changed after signing
    refused(idp.signed_metadata(str(keys / "foreign-key.pem"), str(keys / "foreign-cert.pem")))
    refused("<not-metadata/>")
    refused('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')


def test_refresh_metadata_command_fetches_and_checks(app, idp, provider, keys):
    federation_key, federation_cert = str(keys / "federation-key.pem"), str(keys / "federation-cert.pem")
    with app.app_context():
        row = db.session.get(IdentityProvider, provider)
        row.metadata_url = idp.base + "/idp/metadata"
        row.metadata_signing_cert = Path(federation_cert).read_text()
        row.metadata_xml = ""
        db.session.commit()
    runner = app.test_cli_runner()
    try:
        idp.published = idp.signed_metadata(str(keys / "foreign-key.pem"), str(keys / "foreign-cert.pem"))
        result = runner.invoke(args=["sso", "refresh-metadata"])
        assert result.exit_code == 1, result.output
        with app.app_context():
            assert db.session.get(IdentityProvider, provider).metadata_xml == ""
        idp.published = idp.signed_metadata(federation_key, federation_cert)
        result = runner.invoke(args=["sso", "refresh-metadata"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            row = db.session.get(IdentityProvider, provider)
            assert row.metadata_xml == idp.published and row.metadata_fetched_at is not None
    finally:
        idp.published = ""


def test_stale_metadata_is_refreshed_at_sign_in(app, client, idp, provider):
    with app.app_context():
        row = db.session.get(IdentityProvider, provider)
        row.metadata_url = idp.base + "/idp/metadata"
        row.metadata_fetched_at = None
        db.session.commit()
    assert _sign_in(client, provider, idp).status_code == 302
    with app.app_context():
        assert db.session.get(IdentityProvider, provider).metadata_fetched_at is not None


def test_an_idp_with_only_http_post_gets_a_signed_request_through_a_form(app, client, idp, provider):
    """No HTTP-Redirect endpoint in the IdP's metadata: our own form page (no inline script),
    its CSP's form-action opened to the IdP for that page alone, the request signed inside."""
    from saml2 import BINDING_HTTP_POST

    with app.app_context():
        row = db.session.get(IdentityProvider, provider)
        row.metadata_xml = re.sub(
            r"<[^<>]*SingleSignOnService[^<>]*HTTP-Redirect[^<>]*/>", "", row.metadata_xml
        )
        assert 'HTTP-Redirect" Location="' + idp.base + "/idp/sso" not in row.metadata_xml
        db.session.commit()
    response = client.get(f"/sign-in/sso/{provider}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'action="{idp.base}/idp/sso/post"' in page and "<script>" not in page
    assert f"form-action 'self' {idp.base}" in response.headers["Content-Security-Policy"]
    fields = dict(re.findall(r'name="(SAMLRequest|RelayState)" value="([^"]*)"', page))
    request = idp.server.parse_authn_request(html.unescape(fields["SAMLRequest"]), BINDING_HTTP_POST)
    assert request.message.signature is not None  # and pysaml2's IdP verified it
    assert fields["RelayState"]
