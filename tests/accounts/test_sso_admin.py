"""The admin pages for organisations' identity providers (issue 26, point 3): who may use them,
what they save, what they refuse, and that every change is audited without the client secret."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.accounts.sso.protocols import _checks
from app.audit import AuditEvent
from app.extensions import db
from tests.accounts.conftest import PEM

SECRET = "the-client-secret-never-shown-7f3a"


@pytest.fixture
def admin_client(client, factory):
    factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    client.login("admin@example.org")
    return client


def _oidc(organisation_id, **changes):
    data = {
        "kind": "oidc",
        "name": "PRV:s inloggning",
        "organisation": str(organisation_id),
        "domains": "prv.se\nPatent.PRV.se",
        "issuer": "https://login.prv.se",
        "client_id": "remiss",
        "client_secret": SECRET,
        "password_sign_in": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _providers(app):
    with app.app_context():
        return db.session.scalars(sa.select(IdentityProvider)).all()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/sign-in-services"),
        ("get", "/admin/sign-in-services/new"),
        ("post", "/admin/sign-in-services/new"),
    ],
)
def test_only_admins_reach_the_pages(client, factory, method, path):
    assert getattr(client, method)(path).status_code == 302  # to sign in
    factory.user(email="member@example.org")
    client.login("member@example.org")
    assert getattr(client, method)(path).status_code == 403


def test_member_cannot_change_or_deactivate_a_provider(client, factory, make_provider, app):
    provider_id = make_provider()
    factory.user(email="member@example.org")
    client.login("member@example.org")
    assert client.post(f"/admin/sign-in-services/{provider_id}", _oidc(1, name="Kapad")).status_code == 403
    assert client.post(f"/admin/sign-in-services/{provider_id}/active", {"active": "0"}).status_code == 403
    with app.app_context():
        provider = db.session.get(IdentityProvider, provider_id)
        assert provider.active and provider.name == "PRV:s inloggning"


def test_admin_adds_an_oidc_provider_and_the_secret_is_never_shown(admin_client, factory, app):
    prv = factory.organisation("PRV")
    response = admin_client.post("/admin/sign-in-services/new", _oidc(prv.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    (provider,) = _providers(app)
    with app.app_context():
        provider = db.session.get(IdentityProvider, provider.id)
        assert provider.kind is ProviderKind.OIDC
        assert provider.client_secret == SECRET
        assert sorted(d.domain for d in provider.domains) == ["patent.prv.se", "prv.se"]
        assert provider.organisation_id == prv.id
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "identity_provider.create")
        )
        assert event.data["after"]["domains"] == ["patent.prv.se", "prv.se"]
        assert SECRET not in str(event.data)
    listing = admin_client.get("/admin/sign-in-services").get_data(as_text=True)
    assert "PRV:s inloggning" in listing and "patent.prv.se" in listing
    edit = admin_client.get(f"/admin/sign-in-services/{provider.id}").get_data(as_text=True)
    assert SECRET not in edit and SECRET not in listing
    assert "En hemlighet är sparad" in edit


def test_an_empty_secret_keeps_the_saved_one_and_a_new_one_replaces_it(admin_client, make_provider, app):
    provider_id = make_provider()
    with app.app_context():
        organisation_id = db.session.get(IdentityProvider, provider_id).organisation_id
    path = f"/admin/sign-in-services/{provider_id}"
    kept = admin_client.post(path, _oidc(organisation_id, client_secret="", name="Nytt namn"))
    assert kept.status_code == 302
    with app.app_context():
        assert db.session.get(IdentityProvider, provider_id).client_secret == "s3cret-value"
    assert (
        admin_client.post(path, _oidc(organisation_id, client_secret="brand-new-secret")).status_code == 302
    )
    with app.app_context():
        assert db.session.get(IdentityProvider, provider_id).client_secret == "brand-new-secret"
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "identity_provider.update")
            .order_by(AuditEvent.id)
        ).all()
        assert [e.data["client_secret_changed"] for e in events] == [False, True]
        assert events[0].data["before"]["name"] == "PRV:s inloggning"
        assert events[0].data["after"]["name"] == "Nytt namn"
        assert all("brand-new-secret" not in str(e.data) for e in events)


def test_a_domain_taken_by_another_provider_is_refused_clearly(admin_client, make_provider, factory, app):
    make_provider("PRV", ("prv.se",))
    digg = factory.organisation("DIGG")
    response = admin_client.post(
        "/admin/sign-in-services/new",
        _oidc(digg.id, name="DIGG", domains="digg.se\nprv.se", issuer="https://login.digg.se"),
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Domänen prv.se hör redan till ”PRV:s inloggning”" in text
    assert len(_providers(app)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IdentityProviderDomain)) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"domains": "inte en domän!"}, "är ingen e-postdomän"),
        ({"domains": ""}, "Ange minst en e-postdomän"),
        ({"domains": "localhost"}, "är ingen e-postdomän"),
        ({"domains": "a..se"}, "är ingen e-postdomän"),
        ({"issuer": "http://login.prv.se"}, "https-adress"),
        ({"issuer": "javascript:alert(1)"}, "https-adress"),
        ({"client_id": ""}, "klient-id"),
        ({"client_secret": ""}, "klienthemlighet"),
        ({"kind": "ldap"}, "Välj OpenID Connect eller SAML 2.0"),
        ({"organisation": "999999"}, None),
        ({"organisation": "abc"}, None),
        ({"name": ""}, None),
        ({"name": "x" * 201}, None),
    ],
)
def test_bad_input_is_refused_without_saving(admin_client, factory, app, changes, message):
    prv = factory.organisation("PRV")
    response = admin_client.post("/admin/sign-in-services/new", _oidc(prv.id, **changes))
    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    assert _providers(app) == []


def test_the_same_issuer_twice_is_refused(admin_client, make_provider, factory, app):
    make_provider("PRV", ("prv.se",), issuer="https://login.prv.se")
    digg = factory.organisation("DIGG")
    response = admin_client.post("/admin/sign-in-services/new", _oidc(digg.id, domains="digg.se"))
    assert response.status_code == 400
    assert "har redan den här utfärdaren" in response.get_data(as_text=True)


def test_posts_without_csrf_change_nothing(admin_client, factory, make_provider, app):
    prv = factory.organisation("PRV")
    assert admin_client.post("/admin/sign-in-services/new", _oidc(prv.id), csrf=False).status_code == 400
    provider_id = make_provider("DIGG", ("digg.se",))
    response = admin_client.post(f"/admin/sign-in-services/{provider_id}/active", {"active": "0"}, csrf=False)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(IdentityProvider, provider_id).active


def test_deactivating_and_activating_is_audited(admin_client, make_provider, app):
    provider_id = make_provider()
    path = f"/admin/sign-in-services/{provider_id}/active"
    assert admin_client.post(path, {"active": "0"}).status_code == 302
    with app.app_context():
        assert not db.session.get(IdentityProvider, provider_id).active
    assert admin_client.post(path, {"active": "nonsense"}).status_code == 302
    assert admin_client.post(path, {"active": "1"}).status_code == 302
    assert admin_client.post("/admin/sign-in-services/424242/active", {"active": "1"}).status_code == 404
    assert admin_client.get("/admin/sign-in-services/424242").status_code == 404
    with app.app_context():
        assert db.session.get(IdentityProvider, provider_id).active
        actions = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.action.like("identity_provider.%"))
            .order_by(AuditEvent.id)
        ).all()
        assert actions == ["identity_provider.deactivate", "identity_provider.activate"]


METADATA = (
    b'<?xml version="1.0"?>'
    b'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.se/saml">'
    b"<md:IDPSSODescriptor protocolSupportEnumeration="
    b'"urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>'
)


def _saml(organisation_id, metadata=METADATA, **changes):
    data = {
        "kind": "saml",
        "name": "Sweden Connect",
        "organisation": str(organisation_id),
        "domains": "kommun.se",
        "issuer": "https://idp.example.se/saml",
        "metadata_signing_cert": PEM,
        "level_of_assurance": "http://id.elegnamnden.se/loa/1.0/loa3",
    }
    if metadata is not None:
        data["metadata_file"] = (io.BytesIO(metadata), "idp.xml")
    data.update(changes)
    return data


def test_admin_adds_a_saml_provider_from_a_metadata_file(admin_client, factory, app):
    org = factory.organisation("Kommunen")
    response = admin_client.post(
        "/admin/sign-in-services/new", _saml(org.id), content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (provider,) = _providers(app)
    assert provider.kind is ProviderKind.SAML
    assert "entityID" in provider.metadata_xml
    assert provider.level_of_assurance.endswith("loa3")
    assert provider.client_secret == ""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"metadata": b"<md:EntityDescriptor"}, "inte SAML-metadata"),
        (
            {"metadata": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'},
            "inte SAML-metadata",
        ),
        ({"metadata": b"<html><body>hej</body></html>"}, "inte SAML-metadata"),
        ({"issuer": "https://another.example.se/saml"}, "beskriver https://idp.example.se/saml"),
        ({"metadata": None}, "ladda upp metadatafilen"),
        ({"metadata_signing_cert": "not a certificate"}, "PEM-form"),
        (
            {"metadata_signing_cert": "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----"},
            "PEM-form",
        ),
        ({"level_of_assurance": "loa3"}, "URI"),
        ({"metadata_url": "ftp://idp.example.se/md.xml"}, "https-adress"),
    ],
)
def test_bad_saml_settings_are_refused(admin_client, factory, app, changes, message):
    org = factory.organisation("Kommunen")
    metadata = changes.pop("metadata", METADATA)
    response = admin_client.post(
        "/admin/sign-in-services/new", _saml(org.id, metadata, **changes), content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _providers(app) == []


def test_the_protocols_own_check_can_refuse_a_provider(admin_client, factory, app, monkeypatch):
    monkeypatch.setitem(_checks, ProviderKind.OIDC, lambda provider: "Discovery failed at the issuer.")
    prv = factory.organisation("PRV")
    response = admin_client.post("/admin/sign-in-services/new", _oidc(prv.id))
    assert response.status_code == 400
    assert "Discovery failed at the issuer." in response.get_data(as_text=True)
    assert _providers(app) == []


def test_hostile_names_are_shown_as_text(admin_client, factory, app):
    prv = factory.organisation("<img src=x onerror=alert(1)>")
    hostile = "<script>alert('XSS')</script>"
    response = admin_client.post("/admin/sign-in-services/new", _oidc(prv.id, name=hostile))
    assert response.status_code == 302
    listing = admin_client.get("/admin/sign-in-services").get_data(as_text=True)
    assert hostile not in listing and "<img src=x" not in listing
    assert "&lt;script&gt;" in listing


def test_the_list_loads_in_a_constant_number_of_queries(admin_client, make_provider, count_queries):
    make_provider("PRV", ("prv.se",))
    with count_queries() as few:
        admin_client.get("/admin/sign-in-services")
    for n in range(5):
        make_provider(f"Myndighet {n}", (f"m{n}.se", f"n{n}.se"))
    with count_queries() as many:
        admin_client.get("/admin/sign-in-services")
    assert len(many) == len(few)
