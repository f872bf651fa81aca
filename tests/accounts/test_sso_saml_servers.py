"""SAML sign-in across two real gunicorn servers on one database (issue 26, point 5): a sign-in
begun on one server is finished on the other, and a response or assertion used on one is refused
on the other. On PostgreSQL when TEST_DATABASE_URL names it, else on one shared SQLite file."""

from __future__ import annotations

import html
import re

import pytest
import requests

from app import create_app
from app.accounts.models import Organisation
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.extensions import db
from tests.conftest import shared_database
from tests.providers.saml import forge
from tests.providers.saml.idp_server import LOA3, IdP, write_pair
from tests.test_several_servers import Browser, Server, _flask


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    with shared_database(tmp_path_factory, "saml_servers") as url:
        yield url


@pytest.fixture(scope="module")
def world(database_url, tmp_path_factory):
    """Servers A and B (same keys, same public address as behind a load balancer), the IdP,
    and PRV's provider row."""
    keys = tmp_path_factory.mktemp("saml-server-keys")
    key_file, cert_file = write_pair(keys, "sp")
    servers = [Server(name, tmp_path_factory.mktemp(f"saml-{name}"), database_url) for name in ("a", "b")]
    public = servers[0].base
    for server in servers:
        server.env.update({"BASE_URL": public, "SAML_SP_KEY_FILE": key_file, "SAML_SP_CERT_FILE": cert_file})
    _flask(servers[0].env, "db", "upgrade")
    idp = IdP().start()
    try:
        for server in servers:
            server.start()
        idp.trust(requests.get(servers[1].url("/sso/saml/metadata"), timeout=30).text)
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x" * 40, "TESTING": True})
        with app.app_context():
            organisation = Organisation(name="PRV")
            provider = IdentityProvider(
                organisation=organisation,
                kind=ProviderKind.SAML,
                name="PRV-konto",
                issuer=idp.entity_id,
                metadata_xml=idp.metadata(),
                level_of_assurance=LOA3,
            )
            provider.domains.append(IdentityProviderDomain(domain="prv.example"))
            db.session.add(provider)
            db.session.commit()
            provider_id = provider.id
            db.engine.dispose()
        yield servers, idp, provider_id, public
    finally:
        for server in servers:
            server.stop()
        idp.stop()


def _at_idp(location: str, public: str, person: str = "anna") -> dict:
    browser = requests.Session()
    page = browser.get(location, timeout=10)
    assert page.status_code == 200, page.text
    key = re.search(r'name="key" value="([^"]+)"', page.text).group(1)
    posted = browser.post(
        location.split("/idp/")[0] + "/idp/login", data={"key": key, "person": person}, timeout=10
    )
    assert re.search(r'action="([^"]+)"', posted.text).group(1) == public + "/sso/saml/acs"
    fields = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', posted.text))
    return {name: html.unescape(value) for name, value in fields.items()}


def _start(browser: Browser, server: Server, provider_id: int) -> str:
    response = browser.get(server, f"/sign-in/sso/{provider_id}?next=/profile")
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def _acs(browser: Browser, server: Server, fields: dict):
    return browser.session.post(server.url("/sso/saml/acs"), data=fields, allow_redirects=False, timeout=60)


def test_a_sign_in_begun_on_one_server_is_finished_on_the_other_and_not_twice(world):
    (a, b), _idp, provider_id, public = world
    browser = Browser("127.0.0.21")
    fields = _at_idp(_start(browser, a, provider_id), public)
    finished = _acs(browser, b, fields)
    assert finished.status_code == 302, finished.text[:800]
    assert finished.headers["Location"].endswith("/profile")
    assert browser.get(b, "/profile").status_code == 200
    assert browser.get(a, "/profile").status_code == 200
    # The same response again, on the other server: refused.
    again = Browser("127.0.0.22")
    refused = _acs(again, a, fields)
    assert refused.status_code in (400, 403)
    assert again.get(a, "/profile").status_code == 302


def test_an_assertion_used_on_one_server_is_refused_on_the_other(world):
    (a, b), idp, provider_id, _public = world
    browser = Browser("127.0.0.23")
    location = _start(browser, b, provider_id)
    request = idp.read_request(location.split("?", 1)[1])
    first = idp.respond_to(request, "bo", sign_response=False)
    assert _acs(browser, b, {"SAMLResponse": first["SAMLResponse"]}).status_code == 302
    used_id = forge.assertion(forge.parse(first["xml"])).get("ID")

    thief = Browser("127.0.0.24")
    location = _start(thief, a, provider_id)
    request = idp.read_request(location.split("?", 1)[1])
    second = idp.respond_to(request, "bo", sign_response=False, sign_assertion=False)
    root = forge.parse(second["xml"])
    forge.assertion(root).set("ID", used_id)
    xml = forge.sign(forge.text(root), idp.key_file, idp.cert_file)
    refused = _acs(thief, a, {"SAMLResponse": forge.encode(xml)})
    assert refused.status_code in (400, 403)
    assert thief.get(a, "/profile").status_code == 302
