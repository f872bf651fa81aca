"""SAML 2.0 Web SSO as a service provider, after the Swedish eID Framework's deployment profile
(Sweden Connect), with pysaml2; its signature checks and decryption run in this process
(saml_crypto, python-xmlsec), its signing of our metadata and POST logout requests by xmlsec1.

- ``start``: a signed AuthnRequest over HTTP-Redirect (HTTP-POST when the IdP offers only that),
  asking for a persistent NameID and the provider's level of assurance; its ID is written through
  identities.begin so any server can match the response's InResponseTo.
- ``receive_response``: the Response POSTed to the ACS, checked by pysaml2 (signature against the
  IdP's metadata certificate, encrypted assertions decrypted, Audience, NotBefore/NotOnOrAfter,
  Destination, Recipient), then InResponseTo claimed once (identities.take_request) and the
  assertion's ID remembered (identities.remember_assertion): a replay fails on every server.
- ``logout`` / ``receive_logout``: single logout, SP- and IdP-initiated.
- ``sp_metadata``: our metadata, signed, with the signing and encryption certificates, ACS, SLO,
  requested attributes and entity categories.
- ``checked_metadata`` / ``refresh_metadata``: the IdP's metadata, its signature checked against
  the provider's configured certificate before it is accepted.

Nothing here stores a personal identity number: the attributes kept are mail, displayName,
givenName and sn.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from defusedxml import ElementTree as SafeET
from flask import current_app, url_for
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.s_utils import UnsupportedBinding, decode_base64_and_inflate
from saml2.saml import NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef, NameID
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import (
    SignatureError,
    get_xmlsec_binary,
    security_context,
    verify_redirect_signature,
)
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from app.accounts.models import Invitation
from app.accounts.sso import identities
from app.accounts.sso.models import IdentityProvider, ProviderKind
from app.accounts.sso.saml_crypto import XmlSecInProcess
from app.database import utcnow
from app.extensions import db

log = logging.getLogger("remiss.sso")

NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
# The largest SAML message or metadata document read (Sweden Connect's aggregate is ~2 MB).
MAX_MESSAGE = 512 * 1024
MAX_METADATA = 16 * 1024 * 1024
# Attributes asked for (the eID Framework's names, urn:oid:... on the wire). `mail` is optional:
# the eID attribute sets carry none, and a first sign-in without it asks the person for their
# work address (identities.finish).
REQUIRED_ATTRIBUTES = ["displayName"]
OPTIONAL_ATTRIBUTES = ["mail", "givenName", "sn"]
KEPT_ATTRIBUTES = frozenset(REQUIRED_ATTRIBUTES + OPTIONAL_ATTRIBUTES)
CLOCK_SKEW_SECONDS = 60


class SamlRefused(Exception):
    """A SAML message or metadata that is not accepted; ``reason`` keys identities.REFUSALS."""

    def __init__(self, reason: str, why: str = ""):
        super().__init__(why or reason)
        self.reason = reason
        self.why = why or reason


# --------------------------------------------------------------------------- our keys and addresses


def _url(endpoint: str) -> str:
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint)
    return url_for(endpoint, _external=True)


def entity_id() -> str:
    """Our entityID: the stable address of our metadata."""
    return current_app.config.get("SAML_SP_ENTITY_ID") or _url("accounts.saml_metadata")


def _dev_pair(name: str) -> tuple[str, str]:
    """A key and self-signed certificate made once in the instance folder (development, tests)."""
    folder = Path(current_app.instance_path) / "saml"
    key_path, cert_path = folder / f"{name}-key.pem", folder / f"{name}-cert.pem"
    if not key_path.exists() or not cert_path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key_pem, cert_pem = make_key_pair(f"Remiss development SP ({name})")
        key_path.write_bytes(key_pem)
        key_path.chmod(0o600)
        cert_path.write_bytes(cert_pem)
    return str(key_path), str(cert_path)


def make_key_pair(common_name: str, days: int = 3650) -> tuple[bytes, bytes]:
    """An RSA 3072 key and a self-signed certificate for it, both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now().astimezone()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def _keys() -> dict[str, str]:
    """Paths of our signing and encryption keys and certificates."""
    config = current_app.config
    key, cert = config.get("SAML_SP_KEY_FILE"), config.get("SAML_SP_CERT_FILE")
    if not key or not cert:
        if config.get("PRODUCTION"):
            raise SamlRefused("provider", "SAML_SP_KEY_FILE and SAML_SP_CERT_FILE are not set")
        key, cert = _dev_pair("signing")
    enc_key = config.get("SAML_SP_ENCRYPTION_KEY_FILE") or key
    enc_cert = config.get("SAML_SP_ENCRYPTION_CERT_FILE") or cert
    return {"key": key, "cert": cert, "enc_key": enc_key, "enc_cert": enc_cert}


def _config_dict(metadata_xml: str = "") -> dict:
    keys = _keys()
    config = current_app.config
    slo = _url("accounts.saml_slo")
    conf = {
        "entityid": entity_id(),
        "xmlsec_binary": get_xmlsec_binary(["/usr/bin"]),
        "key_file": keys["key"],
        "cert_file": keys["cert"],
        "encryption_keypairs": [{"key_file": keys["enc_key"], "cert_file": keys["enc_cert"]}],
        "accepted_time_diff": CLOCK_SKEW_SECONDS,
        "allow_unknown_attributes": True,
        "signing_algorithm": SIG_RSA_SHA256,
        "digest_algorithm": DIGEST_SHA256,
        "entity_category": list(config.get("SAML_ENTITY_CATEGORIES") or ()),
        "service": {
            "sp": {
                "name": "Remiss",
                "endpoints": {
                    "assertion_consumer_service": [(_url("accounts.saml_acs"), BINDING_HTTP_POST)],
                    "single_logout_service": [(slo, BINDING_HTTP_REDIRECT), (slo, BINDING_HTTP_POST)],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "want_response_signed": False,
                "want_assertions_signed": False,
                "want_assertions_or_response_signed": True,
                "allow_unsolicited": False,
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "name_id_format_allow_create": True,
                "required_attributes": REQUIRED_ATTRIBUTES,
                "optional_attributes": OPTIONAL_ATTRIBUTES,
            }
        },
    }
    if metadata_xml:
        conf["metadata"] = {"inline": [metadata_xml]}
    return conf


def _in_process(client: Saml2Client) -> Saml2Client:
    """*client* checking signatures and decrypting in this process (saml_crypto): no program is
    started on a response's path."""
    client.sec.crypto = XmlSecInProcess(client.sec.crypto.xmlsec)
    return client


_clients: dict[tuple, Saml2Client] = {}


def client_for(provider: IdentityProvider) -> Saml2Client:
    """A pysaml2 client knowing *provider*'s metadata, kept per process until the metadata changes."""
    if not provider.metadata_xml:
        raise SamlRefused("provider", "no metadata")
    digest = hashlib.sha256(provider.metadata_xml.encode()).hexdigest()
    key = (provider.id, digest, entity_id(), tuple(sorted(_keys().items())))
    client = _clients.get(key)
    if client is None:
        sp_config = SPConfig()
        sp_config.load(_config_dict(provider.metadata_xml))
        client = _in_process(Saml2Client(config=sp_config))
        if len(_clients) > 64:
            _clients.clear()
        _clients[key] = client
    return client


# --------------------------------------------------------------------------- our metadata


_metadata_cache: dict[tuple, str] = {}


def sp_metadata() -> str:
    """Our metadata (signed with our signing key), as an XML string."""
    key = (entity_id(), tuple(sorted(_keys().items())), _url("accounts.saml_acs"))
    cached = _metadata_cache.get(key)
    if cached is not None:
        return cached
    sp_config = SPConfig()
    sp_config.load(_config_dict())
    descriptor = entity_descriptor(sp_config)
    sec = security_context(sp_config)
    _eid, signed = sign_entity_descriptor(descriptor, None, sec, SIG_RSA_SHA256, DIGEST_SHA256)
    text = str(signed)
    _metadata_cache.clear()
    _metadata_cache[key] = text
    return text


# --------------------------------------------------------------------------- the IdP's metadata


def _parse(xml: str | bytes):
    try:
        return SafeET.fromstring(xml)
    except Exception as error:  # defusedxml raises several kinds for hostile or broken XML
        raise SamlRefused("provider", f"unreadable XML: {type(error).__name__}") from error


def checked_metadata(xml: str, signing_cert: str, issuer: str = "") -> str:
    """The entityID of the IdP *xml* describes, once its signature verifies against *signing_cert*
    (when one is configured) and it names *issuer* (when given); SamlRefused otherwise."""
    if not xml or len(xml) > MAX_METADATA:
        raise SamlRefused("provider", "metadata empty or too large")
    root = _parse(xml.encode() if isinstance(xml, str) else xml)
    tag = root.tag.rpartition("}")[2]
    if not root.tag.startswith("{" + NS["md"] + "}") or tag not in ("EntityDescriptor", "EntitiesDescriptor"):
        raise SamlRefused("provider", "not SAML metadata")
    if signing_cert.strip():
        _check_metadata_signature(xml, root, tag, signing_cert)
    descriptors = [root] if tag == "EntityDescriptor" else root.findall(".//md:EntityDescriptor", NS)
    idps = [d for d in descriptors if d.find("md:IDPSSODescriptor", NS) is not None]
    if issuer:
        idps = [d for d in idps if d.get("entityID") == issuer]
    if not idps:
        raise SamlRefused(
            "provider", "no identity provider in metadata" + (f" named {issuer}" if issuer else "")
        )
    if len(idps) > 1 and not issuer:
        raise SamlRefused("provider", "several identity providers in metadata: give the entityID")
    return idps[0].get("entityID")


def _check_metadata_signature(xml: str, root, tag: str, signing_cert: str) -> None:
    """The document's own enveloped signature, over the whole document, by *signing_cert*."""
    root_id = root.get("ID")
    signature = root.find("ds:Signature", NS)
    if signature is None or not root_id:
        raise SamlRefused("provider", "metadata not signed")
    references = signature.findall("ds:SignedInfo/ds:Reference", NS)
    if len(references) != 1 or references[0].get("URI") != "#" + root_id:
        # A signature over some other element (a wrapped copy) does not vouch for this document.
        raise SamlRefused("provider", "metadata signature does not cover the document")
    backend = XmlSecInProcess(get_xmlsec_binary(["/usr/bin"]))
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as cert_file:
        cert_file.write(signing_cert)
        cert_file.flush()
        try:
            ok = backend.validate_signature(xml, cert_file.name, "pem", f"{NS['md']}:{tag}", root_id)
        except (SignatureError, Exception) as error:
            raise SamlRefused("provider", "metadata signature does not verify") from error
    if not ok:
        raise SamlRefused("provider", "metadata signature does not verify")


def accept_metadata(provider: IdentityProvider, xml: str) -> None:
    """Check *xml* and keep it as *provider*'s metadata (the caller commits)."""
    provider.issuer = checked_metadata(xml, provider.metadata_signing_cert, provider.issuer or "")
    provider.metadata_xml = xml
    provider.metadata_fetched_at = utcnow()


def fetch_metadata(url: str) -> str:
    if urlsplit(url).scheme not in ("https", "http"):
        raise SamlRefused("provider", "metadata URL must be http(s)")
    try:
        with requests.get(url, timeout=20, stream=True) as response:
            response.raise_for_status()
            body = response.raw.read(MAX_METADATA + 1, decode_content=True)
    except requests.RequestException as error:
        raise SamlRefused("provider", f"metadata not fetched: {type(error).__name__}") from error
    if len(body) > MAX_METADATA:
        raise SamlRefused("provider", "metadata too large")
    return body.decode("utf-8")


def refresh_metadata(provider: IdentityProvider) -> None:
    """Fetch *provider*'s metadata from its URL, check it and keep it; SamlRefused if refused
    (the metadata kept before stays)."""
    if not provider.metadata_url:
        raise SamlRefused("provider", "no metadata URL")
    accept_metadata(provider, fetch_metadata(provider.metadata_url))


def refresh_if_stale(provider: IdentityProvider) -> None:
    """Refresh metadata older than SAML_METADATA_MAX_AGE_HOURS; keep the old one if that fails."""
    if not provider.metadata_url:
        return
    max_age = timedelta(hours=float(current_app.config.get("SAML_METADATA_MAX_AGE_HOURS", 24)))
    if provider.metadata_fetched_at and provider.metadata_fetched_at > utcnow() - max_age:
        return
    try:
        refresh_metadata(provider)
    except SamlRefused as error:
        log.warning("SAML metadata of provider %s not refreshed: %s", provider.id, error.why)


def providers_to_refresh() -> list[IdentityProvider]:
    return list(
        db.session.scalars(
            sa.select(IdentityProvider)
            .where(IdentityProvider.kind == ProviderKind.SAML, IdentityProvider.metadata_url != "")
            .order_by(IdentityProvider.id)
        )
    )


# --------------------------------------------------------------------------- signing in


@dataclass
class Outgoing:
    """Where to send the browser: a GET to ``url``, or a POST of ``fields`` to ``url``."""

    url: str
    fields: dict | None = None


def _endpoints(lookup, *args) -> list:
    """The IdP's endpoints for a binding from its metadata; [] where it has none (pysaml2 raises)."""
    try:
        return lookup(*args) or []
    except UnsupportedBinding:
        return []


def _new_id() -> str:
    return "_" + secrets.token_hex(20)


def authn_request(
    provider: IdentityProvider, next_url: str = "", invitation: Invitation | None = None
) -> Outgoing:
    """Begin a sign-in at *provider*: a signed AuthnRequest, its ID kept for InResponseTo."""
    refresh_if_stale(provider)
    client = client_for(provider)
    if provider.issuer not in client.metadata.identity_providers():
        raise SamlRefused("provider", "IdP not in its (valid) metadata")
    request_id = _new_id()
    state = identities.begin(provider, next_url=next_url, request_id=request_id, invitation=invitation)
    kwargs = {}
    if provider.level_of_assurance:
        kwargs["requested_authn_context"] = RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=provider.level_of_assurance)],
            comparison="exact",
        )
    redirect = _endpoints(client.metadata.single_sign_on_service, provider.issuer, BINDING_HTTP_REDIRECT)
    binding = BINDING_HTTP_REDIRECT if redirect else BINDING_HTTP_POST
    made_id, info = client.prepare_for_authenticate(
        entityid=provider.issuer,
        relay_state=state.state,
        binding=binding,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        message_id=request_id,
        nameid_format=NAMEID_FORMAT_PERSISTENT,
        **kwargs,
    )
    if made_id != request_id:  # pragma: no cover - pysaml2 keeps the id it is given
        raise SamlRefused("provider", "request id changed")
    return _outgoing(binding, info)


def _outgoing(binding: str, info: dict) -> Outgoing:
    if binding == BINDING_HTTP_REDIRECT:
        return Outgoing(dict(info["headers"])["Location"])
    # pysaml2's POST page carries an inline script; we render our own form from its fields.
    fields = {}
    html = info["data"]
    for name in ("SAMLRequest", "SAMLResponse", "RelayState"):
        marker = f'name="{name}" value="'
        if marker in html:
            fields[name] = html.split(marker, 1)[1].split('"', 1)[0]
    return Outgoing(info["url"], fields)


def _decode_post(value: str) -> bytes:
    if not value or len(value) > MAX_MESSAGE:
        raise SamlRefused("provider", "missing or oversized SAMLResponse")
    try:
        return base64.b64decode(value, validate=False)
    except ValueError as error:
        raise SamlRefused("provider", "SAMLResponse not base64") from error


def _issuer_of(root) -> str:
    issuer = root.find("saml:Issuer", NS)
    if issuer is None:
        issuer = root.find("saml:Assertion/saml:Issuer", NS)
    return (issuer.text or "").strip() if issuer is not None else ""


def _provider_by_issuer(issuer: str) -> IdentityProvider | None:
    if not issuer:
        return None
    return db.session.scalar(
        sa.select(IdentityProvider).where(
            IdentityProvider.kind == ProviderKind.SAML, IdentityProvider.issuer == issuer
        )
    )


def _classify(error: Exception) -> str:
    """The refusal a pysaml2 error stands for (for the audit log's ``why``)."""
    name = type(error).__name__
    text = (str(error) + " " + str(error.__cause__ or error.__context__ or "")).lower()
    if "audience" in text or "not for me" in text:
        return "audience"
    if name in ("ResponseLifetimeExceed", "ToEarly", "TooEarly") or "lifetime" in text or "early" in text:
        return "time"
    if "signature" in name.lower() or "signature" in text or "signed" in text:
        return "signature"
    if "destination" in text:
        return "destination"
    if "recipient" in text:
        return "recipient"
    return f"{name}: {str(error)[:200]}"


def _first(ava: dict, name: str) -> str:
    values = ava.get(name) or []
    return str(values[0]).strip() if values else ""


def receive_response(form) -> tuple[IdentityProvider | None, identities.Result, dict]:
    """Check the Response POSTed to the ACS and decide (identities.finish); every refusal audited.

    Returns the provider (None if unknown), the result, and what sign-out needs later (NameID,
    SessionIndex) for ``session["sso"]``.
    """
    provider = None
    try:
        raw = form.get("SAMLResponse", "")
        root = _parse(_decode_post(raw))
        if root.tag != "{" + NS["samlp"] + "}Response":
            raise SamlRefused("provider", "not a Response")
        provider = _provider_by_issuer(_issuer_of(root))
        if provider is None:
            raise SamlRefused("provider", "unknown issuer")
        if root.get("Destination") and root.get("Destination") != _url("accounts.saml_acs"):
            raise SamlRefused("provider", "destination")
        in_response_to = root.get("InResponseTo") or ""
        if not in_response_to:
            raise SamlRefused("state", "unsolicited response")
        client = client_for(provider)
        try:
            response = client.parse_authn_request_response(
                raw,
                BINDING_HTTP_POST,
                outstanding={in_response_to: "/"},
                # pysaml2 checks SubjectConfirmationData's Recipient only when given this.
                conv_info={"entity_id": _url("accounts.saml_acs")},
            )
        except Exception as error:  # pysaml2 raises many kinds; each is a refusal
            raise SamlRefused("provider", _classify(error)) from error
        if response is None or response.assertion is None:
            # pysaml2 returns None for a response not sent to us (Destination) among others.
            raise SamlRefused("provider", "not accepted (destination, status or assertion)")
        if (response.response.issuer is not None and response.response.issuer.text != provider.issuer) or (
            response.assertion.issuer is None or response.assertion.issuer.text != provider.issuer
        ):
            raise SamlRefused("provider", "issuer")
        name_id = response.name_id
        if name_id is None or name_id.format != NAMEID_FORMAT_PERSISTENT or not (name_id.text or "").strip():
            raise SamlRefused("provider", "no persistent NameID")
        state = identities.take_request(in_response_to)
        if state is None or state.provider_id != provider.id:
            raise SamlRefused("state", "no request in flight with this id")
        assertion = response.assertion
        if not identities.remember_assertion(provider, assertion.id, _expiry(assertion)):
            raise SamlRefused("replay", "assertion used before")
    except SamlRefused as refusal:
        return provider, identities.refuse(provider, refusal.reason, why=refusal.why), {}
    ava = response.ava or {}
    name = _first(ava, "displayName") or " ".join(
        part for part in (_first(ava, "givenName"), _first(ava, "sn")) if part
    )
    claimed = identities.Claimed(
        subject=name_id.text.strip(),
        email=_first(ava, "mail"),
        name=name,
        extra={key: value for key, value in ava.items() if key in KEPT_ATTRIBUTES},
    )
    result = identities.finish(provider, claimed, state)
    statement = assertion.authn_statement[0] if assertion.authn_statement else None
    extras = {
        "name_id": name_id.text.strip(),
        "name_id_format": name_id.format,
        "name_qualifier": name_id.name_qualifier or "",
        "sp_name_qualifier": name_id.sp_name_qualifier or "",
        "session_index": (statement.session_index or "") if statement is not None else "",
    }
    return provider, result, extras


def _expiry(assertion) -> datetime:
    """When the assertion stops being valid anyway (so its remembered id may be purged)."""
    from saml2.time_util import str_to_time

    latest = None
    if assertion.conditions is not None and assertion.conditions.not_on_or_after:
        latest = assertion.conditions.not_on_or_after
    if latest:
        try:
            stamp = str_to_time(latest)
            return datetime(*stamp[:6], tzinfo=UTC) + timedelta(seconds=CLOCK_SKEW_SECONDS)
        except (TypeError, ValueError):
            pass
    return utcnow() + timedelta(days=1)


# --------------------------------------------------------------------------- single logout


def logout_request(provider: IdentityProvider, data: dict) -> Outgoing | None:
    """A signed LogoutRequest for the NameID and SessionIndex kept at sign-in, or None if the IdP
    has no single logout service or nothing was kept."""
    if not data.get("name_id"):
        return None
    client = client_for(provider)
    slo = client.metadata.single_logout_service
    destinations = _endpoints(slo, provider.issuer, BINDING_HTTP_REDIRECT, "idpsso")
    binding = BINDING_HTTP_REDIRECT
    if not destinations:
        destinations = _endpoints(slo, provider.issuer, BINDING_HTTP_POST, "idpsso")
        binding = BINDING_HTTP_POST
    if not destinations:
        return None
    destination = destinations[0]["location"]
    name_id = NameID(
        text=data["name_id"],
        format=data.get("name_id_format") or NAMEID_FORMAT_PERSISTENT,
        name_qualifier=data.get("name_qualifier") or None,
        sp_name_qualifier=data.get("sp_name_qualifier") or None,
    )
    _id, request = client.create_logout_request(
        destination,
        provider.issuer,
        name_id=name_id,
        session_indexes=[data["session_index"]] if data.get("session_index") else None,
        sign=binding == BINDING_HTTP_POST,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        expire=_in_minutes(5),
    )
    info = client.apply_binding(
        binding, str(request), destination, relay_state="", sign=binding == BINDING_HTTP_REDIRECT
    )
    return _outgoing(binding, info)


def _in_minutes(minutes: int) -> str:
    from saml2.time_util import in_a_while

    return in_a_while(minutes=minutes)


# Query-string signatures accepted (the eID Framework's algorithm requirements: no SHA-1).
REDIRECT_SIG_ALGS = frozenset(
    {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    }
)


def _check_redirect_signature(client: Saml2Client, provider: IdentityProvider, args, kind: str) -> None:
    """The HTTP-Redirect binding's signature (over the query string) by one of the IdP's
    signing certificates in its metadata; SamlRefused when absent or wrong."""
    signature, sigalg = args.get("Signature") or "", args.get("SigAlg") or ""
    if not signature or sigalg not in REDIRECT_SIG_ALGS:
        raise SamlRefused("provider", "unsigned redirect message")
    message = {kind: args.get(kind), "SigAlg": sigalg, "Signature": signature}
    if args.get("RelayState") is not None:
        message["RelayState"] = args.get("RelayState")
    certs = client.metadata.certs(provider.issuer, "idpsso", "signing")
    for _name, cert in certs:
        try:
            if verify_redirect_signature(message, client.sec.sec_backend, cert):
                return
        except Exception as error:  # a malformed signature or certificate: try the next, then refuse
            log.info("redirect signature check failed: %s", type(error).__name__)
    raise SamlRefused("provider", "redirect signature does not verify")


@dataclass
class LogoutReceived:
    """What arrived at the SLO endpoint."""

    provider: IdentityProvider | None
    # An IdP-initiated LogoutRequest: the NameID it names, and our LogoutResponse to send back.
    name_id: str = ""
    answer: Outgoing | None = None
    # Our own LogoutRequest answered.
    response_ok: bool = False
    refusal: str = ""


def _slo_message(args, binding: str) -> tuple[str, str, object]:
    for kind in ("SAMLRequest", "SAMLResponse"):
        value = args.get(kind) or ""
        if value:
            if len(value) > MAX_MESSAGE:
                raise SamlRefused("provider", "oversized message")
            try:
                xml = (
                    decode_base64_and_inflate(value)
                    if binding == BINDING_HTTP_REDIRECT
                    else base64.b64decode(value)
                )
            except Exception as error:  # zlib and base64 errors
                raise SamlRefused("provider", "undecodable message") from error
            return kind, value, _parse(xml)
    raise SamlRefused("provider", "no SAML message")


def receive_logout(args, binding: str) -> LogoutReceived:
    """Check a LogoutRequest (IdP-initiated) or LogoutResponse arriving at the SLO endpoint.

    A LogoutRequest must be signed (the query string's signature over HTTP-Redirect, an enveloped
    one over HTTP-POST) by the IdP's metadata certificate.
    """
    provider = None
    try:
        kind, value, root = _slo_message(args, binding)
        provider = _provider_by_issuer(_issuer_of(root))
        if provider is None:
            raise SamlRefused("provider", "unknown issuer")
        client = client_for(provider)
        if binding == BINDING_HTTP_REDIRECT:
            _check_redirect_signature(client, provider, args, kind)
        elif root.find("ds:Signature", NS) is None:
            raise SamlRefused("provider", "unsigned logout message")
        if kind == "SAMLResponse":
            try:
                answer = client.parse_logout_request_response(value, binding)
            except Exception as error:
                raise SamlRefused("provider", _classify(error)) from error
            if answer is None:
                raise SamlRefused("provider", "logout response not accepted")
            return LogoutReceived(provider, response_ok=answer.status_ok())
        try:
            # pysaml2 checks an SP's incoming query-string signature only when told it must;
            # _check_redirect_signature above did, and an enveloped one is checked here.
            request = client.parse_logout_request(value, binding)
        except Exception as error:
            raise SamlRefused("provider", _classify(error)) from error
        if request is None or request.message.name_id is None:
            raise SamlRefused("provider", "logout request not accepted")
        response = client.create_logout_response(
            request.message, [BINDING_HTTP_REDIRECT], sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
        )
        destinations = _endpoints(
            client.metadata.single_logout_service, provider.issuer, BINDING_HTTP_REDIRECT, "idpsso"
        )
        answer = None
        if destinations:
            location = destinations[0].get("response_location") or destinations[0]["location"]
            info = client.apply_binding(
                BINDING_HTTP_REDIRECT,
                str(response),
                location,
                relay_state=args.get("RelayState") or "",
                response=True,
                sign=True,
            )
            answer = _outgoing(BINDING_HTTP_REDIRECT, info)
        return LogoutReceived(provider, name_id=(request.message.name_id.text or "").strip(), answer=answer)
    except SamlRefused as refusal:
        identities.refuse(provider, refusal.reason, why="logout: " + refusal.why)
        return LogoutReceived(provider, refusal=refusal.why)
