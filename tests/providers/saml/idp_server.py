"""A real SAML 2.0 identity provider for the tests: pysaml2's ``saml2.server.Server`` behind a small
http.server on a loopback port, with keys and metadata made at run time.

It verifies our signed AuthnRequest (HTTP-Redirect), shows a sign-in form (a choice of test
persons), and answers with a Response POSTed to our ACS through a form in the browser (its own
page; the IdP is not Remiss and has no CSP of ours). It answers our LogoutRequest and can start a
logout of its own. ``respond_to`` builds a Response without the HTTP round, for tests that then
tamper with it.
"""

from __future__ import annotations

import html
import secrets
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.s_utils import decode_base64_and_inflate
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from app.accounts.sso.saml import make_key_pair

LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"

# Test persons: what the IdP knows about them. Sweden Connect sends the personal identity
# number too; Remiss must never store it.
PEOPLE = {
    "anna": {
        "mail": ["anna.andersson@prv.example"],
        "displayName": ["Anna Andersson"],
        "givenName": ["Anna"],
        "sn": ["Andersson"],
        "personalIdentityNumber": ["197001011234"],
    },
    "bo": {
        "mail": ["bo.berg@prv.example"],
        "givenName": ["Bo"],
        "sn": ["Berg"],
        "personalIdentityNumber": ["198002022345"],
    },
}


class Generous(Policy):
    """Release every attribute the IdP has (as Sweden Connect's IdPs release by entity category)."""

    def filter(self, ava, sp_entity_id, mdstore=None, required=None, optional=None):
        return dict(ava)


def write_pair(folder: Path, name: str) -> tuple[str, str]:
    key_pem, cert_pem = make_key_pair(f"Test {name}")
    key_path, cert_path = folder / f"{name}-key.pem", folder / f"{name}-cert.pem"
    key_path.write_bytes(key_pem)
    cert_path.write_bytes(cert_pem)
    return str(key_path), str(cert_path)


class IdP:
    """The identity provider. ``trust(sp_metadata)`` before it answers an SP."""

    def __init__(self, folder: Path | None = None):
        self._tmp = None
        if folder is None:
            self._tmp = tempfile.TemporaryDirectory()
            folder = Path(self._tmp.name)
        self.folder = folder
        self.key_file, self.cert_file = write_pair(folder, "idp")
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.idp = self
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.entity_id = self.base + "/idp/metadata"
        self.sp_metadata: list[str] = []
        # How responses are made: the tests change these.
        self.sign_response = True
        self.sign_assertion = True
        self.encrypt_assertion = False
        self.name_id_format = NAMEID_FORMAT_PERSISTENT
        self.pending: dict[str, dict] = {}
        # What /idp/metadata serves when set (signed metadata, say); else the current metadata.
        self.published = ""
        self.logout_requests: list[str] = []
        self.server: Server | None = None
        self._build()

    # ------------------------------------------------------------------ configuration

    def _config(self) -> dict:
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": get_xmlsec_binary(["/usr/bin"]),
            "key_file": self.key_file,
            "cert_file": self.cert_file,
            "accepted_time_diff": 60,
            "signing_algorithm": SIG_RSA_SHA256,
            "digest_algorithm": DIGEST_SHA256,
            "service": {
                "idp": {
                    "name": "Test IdP",
                    "endpoints": {
                        "single_sign_on_service": [
                            (self.base + "/idp/sso/redirect", BINDING_HTTP_REDIRECT),
                            (self.base + "/idp/sso/post", BINDING_HTTP_POST),
                        ],
                        "single_logout_service": [(self.base + "/idp/slo/redirect", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT],
                    "want_authn_requests_signed": True,
                    "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                }
            },
        }
        if self.sp_metadata:
            conf["metadata"] = {"inline": list(self.sp_metadata)}
        return conf

    def _build(self) -> None:
        config = IdPConfig()
        config.load(self._config())
        self.server = Server(config=config)

    def trust(self, sp_metadata: str) -> None:
        """Know an SP by its metadata (as an IdP operator uploads it)."""
        self.sp_metadata.append(sp_metadata)
        self._build()

    def metadata(self) -> str:
        config = IdPConfig()
        config.load(self._config())
        return create_metadata_string(None, config=config, valid=24 * 30).decode()

    def signed_metadata(self, key_file: str, cert_file: str) -> str:
        """The metadata signed by a federation operator's key (Sweden Connect signs its metadata)."""
        from saml2.metadata import entity_descriptor, sign_entity_descriptor
        from saml2.sigver import security_context

        config = IdPConfig()
        config.load({**self._config(), "key_file": key_file, "cert_file": cert_file})
        descriptor = entity_descriptor(config)
        _id, signed = sign_entity_descriptor(
            descriptor, None, security_context(config), SIG_RSA_SHA256, DIGEST_SHA256
        )
        return str(signed)

    # ------------------------------------------------------------------ running

    def start(self) -> IdP:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._tmp is not None:
            self._tmp.cleanup()

    # ------------------------------------------------------------------ the protocol

    def read_request(self, query: str) -> dict:
        """Check an AuthnRequest from a redirect URL's query (its signature must verify)."""
        args = {k: v[0] for k, v in parse_qs(query).items()}
        if "Signature" not in args:
            raise ValueError("unsigned AuthnRequest")
        verified = self.server.parse_authn_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        message = verified.message
        return {"message": message, "relay_state": args.get("RelayState", ""), "xml": verified.xmlstr}

    def respond_to(self, request: dict, person: str, **overrides) -> dict:
        """The Response to *request* for *person*: {"url", "SAMLResponse", "RelayState", "xml"}."""
        message = request["message"]
        resp_args = self.server.response_args(message, [BINDING_HTTP_POST])
        for name in ("in_response_to", "destination", "sp_entity_id"):
            if name in overrides:
                resp_args[name] = overrides.pop(name)
        identity = dict(PEOPLE[person])
        name_id = NameID(
            format=self.name_id_format,
            text=overrides.pop("subject", f"persistent-{person}"),
            name_qualifier=self.entity_id,
            sp_name_qualifier=message.issuer.text,
        )
        loa = LOA3
        if message.requested_authn_context is not None:
            refs = message.requested_authn_context.authn_context_class_ref
            loa = refs[0].text if refs else LOA3
        kwargs = {
            "sign_response": self.sign_response,
            "sign_assertion": self.sign_assertion,
            "encrypt_assertion": self.encrypt_assertion,
            "release_policy": Generous(),
        }
        kwargs.update(overrides)
        if kwargs.get("encrypt_assertion"):
            kwargs.setdefault("encrypt_cert_assertion", None)
            kwargs.setdefault("encrypt_assertion_self_contained", True)
        response = self.server.create_authn_response(
            identity,
            name_id=name_id,
            authn={"class_ref": loa, "authn_auth": self.entity_id},
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            **resp_args,
            **kwargs,
        )
        xml = str(response)
        info = self.server.apply_binding(
            BINDING_HTTP_POST, xml, resp_args["destination"], request["relay_state"], response=True
        )
        fields = _form_fields(info["data"])
        return {"url": resp_args["destination"], "xml": xml, **fields}

    def logout_request_for(self, sp_entity_id: str, subject: str, slo_url: str) -> str:
        """An IdP-initiated LogoutRequest (signed redirect URL) for *subject* at *slo_url*."""
        name_id = NameID(
            format=NAMEID_FORMAT_PERSISTENT,
            text=subject,
            name_qualifier=self.entity_id,
            sp_name_qualifier=sp_entity_id,
        )
        _id, request = self.server.create_logout_request(
            slo_url,
            sp_entity_id,
            name_id=name_id,
            sign=False,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), slo_url, relay_state="", sign=True, sigalg=SIG_RSA_SHA256
        )
        return dict(info["headers"])["Location"]

    def answer_logout(self, query: str) -> str:
        """Check the SP's LogoutRequest (signed redirect) and return the URL of our LogoutResponse."""
        args = {k: v[0] for k, v in parse_qs(query).items()}
        if "Signature" not in args:
            raise ValueError("unsigned LogoutRequest")
        request = self.server.parse_logout_request(
            args["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=args.get("RelayState"),
            sigalg=args.get("SigAlg"),
            signature=args.get("Signature"),
        )
        self.logout_requests.append(
            request.xmlstr if isinstance(request.xmlstr, str) else request.xmlstr.decode()
        )
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
        destination = self.server.metadata.single_logout_service(
            request.message.issuer.text, BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            relay_state=args.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return dict(info["headers"])["Location"]


def _form_fields(page: str) -> dict:
    fields = {}
    for name in ("SAMLResponse", "SAMLRequest", "RelayState"):
        marker = f'name="{name}" value="'
        if marker in page:
            fields[name] = html.unescape(page.split(marker, 1)[1].split('"', 1)[0])
    return fields


def decoded_redirect(url: str) -> str:
    """The XML of a SAML message in a redirect URL."""
    args = parse_qs(urlsplit(url).query)
    return decode_base64_and_inflate(args.get("SAMLRequest", args.get("SAMLResponse"))[0]).decode()


# ---------------------------------------------------------------------- the pages


LOGIN_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Test IdP</title>
<meta name="viewport" content="width=device-width"></head><body><main><h1>Test IdP: logga in</h1>
<form method="post" action="/idp/login"><input type="hidden" name="key" value="{key}">
<label for="person">Person</label> <select id="person" name="person">{options}</select>
<button type="submit">Logga in</button></form></main></body></html>"""

POST_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Test IdP</title></head>
<body><main><form method="post" action="{url}" id="saml">{fields}<button type="submit">Fortsätt</button></form>
<script>document.getElementById("saml").submit();</script></main></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server_version = "TestIdP/1"

    def log_message(self, *args):  # quiet
        pass

    @property
    def idp(self) -> IdP:
        return self.server.idp

    def _send(self, status: int, body: str = "", location: str = "") -> None:
        data = body.encode()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = urlsplit(self.path)
        try:
            if parts.path == "/idp/metadata":
                return self._send(200, self.idp.published or self.idp.metadata())
            if parts.path == "/idp/sso/redirect":
                request = self.idp.read_request(parts.query)
                key = secrets.token_urlsafe(12)
                self.idp.pending[key] = request
                options = "".join(f'<option value="{p}">{p}</option>' for p in PEOPLE)
                return self._send(200, LOGIN_PAGE.format(key=key, options=options))
            if parts.path == "/idp/slo/redirect":
                return self._send(302, location=self.idp.answer_logout(parts.query))
        except Exception as error:  # the IdP says no, as a real one would
            return self._send(
                400, f"<p>IdP refused: {html.escape(type(error).__name__)}: {html.escape(str(error))}</p>"
            )
        return self._send(404, "not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path != "/idp/login":
            return self._send(404, "not found")
        request = self.idp.pending.pop(form.get("key", ""), None)
        if request is None or form.get("person") not in PEOPLE:
            return self._send(400, "unknown sign-in")
        answer = self.idp.respond_to(request, form["person"])
        fields = "".join(
            f'<input type="hidden" name="{n}" value="{html.escape(answer[n])}">'
            for n in ("SAMLResponse", "RelayState")
            if n in answer
        )
        return self._send(200, POST_PAGE.format(url=html.escape(answer["url"]), fields=fields))


def query_of(url: str) -> str:
    return urlsplit(url).query


__all__ = ["LOA3", "PEOPLE", "IdP", "decoded_redirect", "query_of", "urlencode", "write_pair"]
