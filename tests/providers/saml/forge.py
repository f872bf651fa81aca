"""Forged and tampered SAML responses for the refusal tests: the IdP's genuine XML changed with
lxml, then (re)signed with xmlsec1 by the key the test chooses (the IdP's own, or a foreign one)."""

from __future__ import annotations

import base64
import copy
import uuid
from pathlib import Path

from lxml import etree
from saml2.sigver import CryptoBackendXmlSec1, get_xmlsec_binary, pre_signature_part
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}


def parse(xml: str):
    return etree.fromstring(xml.encode() if isinstance(xml, str) else xml)


def text(root) -> str:
    return etree.tostring(root, encoding="unicode")


def encode(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def strip_signatures(element) -> None:
    for signature in element.findall(".//ds:Signature", NS):
        signature.getparent().remove(signature)


def assertion(root):
    return root.find("saml:Assertion", NS)


def new_id() -> str:
    return "id-" + uuid.uuid4().hex


def _insert_template(element, cert_file: str) -> None:
    pem = Path(cert_file).read_text()
    body = "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))
    template = parse(
        str(pre_signature_part(element.get("ID"), body, digest_alg=DIGEST_SHA256, sign_alg=SIG_RSA_SHA256))
    )
    issuer = element.find("saml:Issuer", NS)
    index = list(element).index(issuer) + 1 if issuer is not None else 0
    element.insert(index, template)


def sign(
    xml: str, key_file: str, cert_file: str, *, assertion_too: bool = True, response: bool = True
) -> str:
    """Sign the assertion, then the response, of *xml* with *key_file* (old signatures removed)."""
    backend = CryptoBackendXmlSec1(get_xmlsec_binary(["/usr/bin"]))
    root = parse(xml)
    strip_signatures(root)
    if assertion_too and assertion(root) is not None:
        _insert_template(assertion(root), cert_file)
        signed = backend.sign_statement(text(root), f"{SAML}:Assertion", key_file, assertion(root).get("ID"))
        root = parse(signed)
    if response:
        _insert_template(root, cert_file)
        signed = backend.sign_statement(text(root), f"{SAMLP}:Response", key_file, root.get("ID"))
        root = parse(signed)
    return text(root)


def wrapped(genuine_xml: str, evil_subject: str, evil_mail: str) -> str:
    """The classic wrapping attack: the IdP's signed assertion kept, an unsigned copy naming
    someone else put beside it, first."""
    root = parse(genuine_xml)
    signed = assertion(root)
    evil = copy.deepcopy(signed)
    strip_signatures(evil)
    evil.set("ID", new_id())
    evil.find("saml:Subject/saml:NameID", NS).text = evil_subject
    for value in evil.findall(".//saml:Attribute[@FriendlyName='mail']/saml:AttributeValue", NS):
        value.text = evil_mail
    root.insert(list(root).index(signed), evil)
    return text(root)


def wrapped_inside(genuine_xml: str, evil_subject: str) -> str:
    """Wrapping, second form: the unsigned evil assertion in the signed one's place, the signed one
    moved inside it (as Advice), where a careless check still finds a valid signature."""
    root = parse(genuine_xml)
    signed = assertion(root)
    evil = copy.deepcopy(signed)
    strip_signatures(evil)
    evil.set("ID", new_id())
    evil.find("saml:Subject/saml:NameID", NS).text = evil_subject
    advice = etree.SubElement(evil, f"{{{SAML}}}Advice")
    root.replace(signed, evil)
    advice.append(signed)
    return text(root)
