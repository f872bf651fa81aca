"""A real OpenID Provider for the tests: panva/oidc-provider (OpenID Certified), pinned by
tests/providers/oidc/package-lock.json, started with Node.js on a free loopback port.

`oidc_provider` (session-scoped) runs `npm ci` when node_modules is missing, starts
`node server.mjs`, waits for its discovery document and stops it at the end. Without Node.js the
tests are skipped on a developer's machine and FAIL in CI (CI=true): .ci/run must install it.

The provider signs with tests/providers/oidc/keys.json, which the tests load too, to forge
tokens with the provider's own key.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import closing, contextmanager
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

HERE = Path(__file__).resolve().parent / "oidc"
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "any-password-the-dev-form-accepts"


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _missing(what: str) -> None:
    message = f"{what}: tests of OpenID Connect need Node.js and npm (apt-get install nodejs npm)"
    if IN_CI:
        pytest.fail("CI=true but " + message)
    pytest.skip(message)


class Provider:
    """The running provider, and what the tests do with it."""

    def __init__(self, issuer: str, accounts_file: Path):
        self.issuer = issuer
        self.accounts_file = accounts_file
        self.keys = KeySet.import_key_set(json.loads((HERE / "keys.json").read_text()))

    # -- accounts, read by the provider at every sign-in
    def set_account(self, account_id: str, **claims) -> None:
        accounts = json.loads(self.accounts_file.read_text())
        claims.setdefault("email_verified", True)
        accounts[account_id] = claims
        self.accounts_file.write_text(json.dumps(accounts))

    # -- clients, registered dynamically (RFC 7591) by each test app
    def register_client(self, base_url: str, auth_method: str = "client_secret_basic") -> tuple[str, str]:
        base = base_url.rstrip("/")
        response = requests.post(
            self.issuer + "/reg",
            json={
                "redirect_uris": [base + "/sso/oidc/callback"],
                "post_logout_redirect_uris": [base + "/sso/oidc/signed-out"],
                "token_endpoint_auth_method": auth_method,
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            },
            timeout=10,
        )
        assert response.status_code == 201, response.text
        client = response.json()
        return client["client_id"], client["client_secret"]

    # -- the built-in login form (devInteractions), driven over HTTP
    def sign_in(self, authorization_url: str, account_id: str, http: requests.Session | None = None) -> str:
        """Follow *authorization_url* through the provider's login form as *account_id*; the URL
        the provider sends the browser back to (the app's callback, with code and state)."""
        http = http or requests.Session()
        url = authorization_url
        for _ in range(12):
            if not url.startswith(self.issuer):
                return url
            response = http.get(url, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                continue
            match = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert match and 'name="login"' in response.text, response.text[:2000]
            posted = http.post(
                urljoin(url, unescape(match.group(1))),
                data={"prompt": "login", "login": account_id, "password": PASSWORD},
                allow_redirects=False,
                timeout=10,
            )
            assert posted.is_redirect, posted.text[:2000]
            url = urljoin(url, posted.headers["Location"])
        raise AssertionError(f"the provider never sent the browser back: {url}")

    # -- forged tokens
    def sign(self, claims: dict, kid: str = "provider-rsa-1", alg: str = "RS256", key=None) -> str:
        """*claims* as a JWT signed with the provider's own key (or *key*)."""
        key = key or self.keys.get_by_kid(kid)
        return jwt.encode({"alg": alg, "kid": key.kid or kid, "typ": "JWT"}, claims, key, algorithms=[alg])

    @staticmethod
    def unsigned(claims: dict) -> str:
        """*claims* as a JWT with alg "none" (no signature)."""

        def part(value: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

        return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@contextmanager
def running_provider():
    """The provider on a free loopback port, stopped afterwards (the fixture, and benchmarks)."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        _missing("node or npm not found")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr
    with tempfile.TemporaryDirectory() as tmp:
        accounts = Path(tmp) / "accounts.json"
        accounts.write_text("{}")
        port = _free_port()
        log = open(Path(tmp) / "provider.log", "wb")  # noqa: SIM115  (closed below)
        process = subprocess.Popen(
            [node, "server.mjs", str(port), str(accounts)], cwd=HERE, stdout=log, stderr=subprocess.STDOUT
        )
        issuer = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 30
            while True:
                assert process.poll() is None, (Path(tmp) / "provider.log").read_text()
                try:
                    if requests.get(issuer + "/.well-known/openid-configuration", timeout=2).ok:
                        break
                except requests.RequestException:
                    pass
                assert time.time() < deadline, (Path(tmp) / "provider.log").read_text()
                time.sleep(0.1)
            yield Provider(issuer, accounts)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture():
    with running_provider() as provider:
        yield provider
