"""Two real gunicorn servers finishing each other's OpenID Connect sign-ins (issue 26, point 5).

Server A sends the browser to the provider; the provider's answer is delivered to server B, which
finishes the sign-in from what A wrote in the database (state, nonce, PKCE verifier). The same
answer replayed on A, even with the browser's cookie from before, is refused. Both servers have
BASE_URL set to one public name, as behind a load balancer, so the redirect URI is the same
whichever server computes it. On PostgreSQL with TEST_DATABASE_URL, else one SQLite file.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from urllib.parse import urlsplit

import psycopg
import pytest
import requests

from tests.conftest import postgres_schema
from tests.providers.oidc_provider import oidc_provider_fixture  # noqa: F401  (the fixture oidc_provider)
from tests.test_several_servers import ROOT, Server, _flask

ORGANISATION = "Naturvårdsverket"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    postgres = postgres_schema("sso_servers")
    if postgres is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('sso-servers') / 'shared.db'}"
        return
    conninfo, schema = postgres
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    yield f"postgresql+psycopg://{conninfo.removeprefix('postgresql://')}?options=-csearch_path%3D{schema}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _python(env: dict, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def setup(database_url, tmp_path_factory, oidc_provider):
    a, b = (Server(name, tmp_path_factory.mktemp(f"sso-server-{name}"), database_url) for name in "ab")
    for server in (a, b):
        server.env["BASE_URL"] = a.base
    _flask(a.env, "db", "upgrade")
    client_id, secret = oidc_provider.register_client(a.base)
    provider_id = _python(
        a.env,
        f"""
        from app import create_app
        from app.accounts.models import Organisation
        from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
        from app.extensions import db
        app = create_app()
        with app.app_context():
            provider = IdentityProvider(
                organisation=Organisation(name={ORGANISATION!r}), kind=ProviderKind.OIDC, name="NV",
                issuer={oidc_provider.issuer!r}, client_id={client_id!r}, client_secret={secret!r})
            provider.domains.append(IdentityProviderDomain(domain="nv.example"))
            db.session.add(provider)
            db.session.commit()
            print(provider.id)
        """,
    )
    try:
        a.start()
        b.start()
        yield a, b, int(provider_id.splitlines()[-1])
    finally:
        a.stop()
        b.stop()


def _counts(env: dict) -> list[int]:
    """Users, external identities and refusals in the audit log, read from the shared database."""
    out = _python(
        env,
        """
        import sqlalchemy as sa
        from app import create_app
        from app.accounts.models import User
        from app.accounts.sso.models import ExternalIdentity
        from app.audit import AuditEvent
        from app.extensions import db
        app = create_app()
        with app.app_context():
            count = lambda q: db.session.scalar(sa.select(sa.func.count()).select_from(q))
            refused = sa.select(AuditEvent).where(AuditEvent.action == "sso.refused").subquery()
            print(count(User), count(ExternalIdentity), count(refused))
        """,
    )
    return [int(n) for n in out.splitlines()[-1].split()]


def test_a_starts_b_finishes_and_a_replay_is_refused(setup, oidc_provider):
    a, b, provider_id = setup
    oidc_provider.set_account("kim", email="kim@nv.example", name="Kim Nyberg")
    browser = requests.Session()
    started = browser.get(
        a.url(f"/sso/oidc/start/{provider_id}?next=/profile"), allow_redirects=False, timeout=30
    )
    assert started.status_code == 302 and started.headers["Location"].startswith(oidc_provider.issuer)
    callback = oidc_provider.sign_in(started.headers["Location"], "kim", browser)
    assert callback.startswith(a.base + "/sso/oidc/callback?")
    cookies_before = browser.cookies.copy()

    # The load balancer sends the provider's answer to B.
    parts = urlsplit(callback)
    finished = browser.get(b.url(parts.path + "?" + parts.query), allow_redirects=False, timeout=30)
    assert finished.status_code == 302 and finished.headers["Location"] == "/profile"
    for server in (b, a):
        profile = browser.get(server.url("/profile"), allow_redirects=False, timeout=30)
        assert profile.status_code == 200 and "kim@nv.example" in profile.text

    # The same answer, replayed on A with the cookie from before the sign-in finished.
    attacker = requests.Session()
    attacker.cookies.update(cookies_before)
    replayed = attacker.get(a.url(parts.path + "?" + parts.query), allow_redirects=False, timeout=30)
    assert replayed.status_code == 400
    assert "har redan använts" in replayed.text
    assert attacker.get(a.url("/profile"), allow_redirects=False, timeout=30).status_code == 302

    assert _counts(a.env) == [1, 1, 1]
