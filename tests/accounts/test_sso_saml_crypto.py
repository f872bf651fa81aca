"""The in-process SAML crypto backend (app/accounts/sso/saml_crypto.py) against the xmlsec1 program
it replaces on the response's path: for each document, both give the same answer (True or a
refusal for signatures; the same decrypted assertion or a refusal for decryption). The signatures
are made by the program (tests/providers/saml/forge.py), with keys made at run time.

Where the in-process backend is deliberately stricter (a DOCTYPE), that is tested on its own.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import pytest
import xmlsec
from lxml import etree
from saml2.sigver import (
    CryptoBackendXmlSec1,
    DecryptError,
    XmlsecError,
    get_pem_wrapped_unwrapped,
    get_xmlsec_binary,
    pre_encryption_part,
)

from app.accounts.sso import saml_crypto
from app.accounts.sso.saml_crypto import XmlSecInProcess
from tests.providers.saml import forge
from tests.providers.saml.idp_server import write_pair

SAMLP, SAML, DS = forge.SAMLP, forge.SAML, forge.DS
ASSERTION = f"{SAML}:Assertion"
RESPONSE = f"{SAMLP}:Response"
ENC = "http://www.w3.org/2001/04/xmlenc#"


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("saml-crypto-keys")
    for name in ("idp", "foreign", "sp"):
        write_pair(folder, name)
    return folder


@pytest.fixture(scope="module")
def program():
    return CryptoBackendXmlSec1(get_xmlsec_binary(["/usr/bin"]))


@pytest.fixture(scope="module")
def ours():
    return XmlSecInProcess(get_xmlsec_binary(["/usr/bin"]))


def _response(assertion_id: str = "a-1", response_id: str = "r-1") -> str:
    return (
        f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{response_id}" Version="2.0"'
        ' IssueInstant="2026-12-07T12:00:00Z">'
        "<saml:Issuer>https://idp.example/metadata</saml:Issuer>"
        f'<saml:Assertion ID="{assertion_id}" Version="2.0" IssueInstant="2026-12-07T12:00:00Z">'
        "<saml:Issuer>https://idp.example/metadata</saml:Issuer>"
        "<saml:Subject><saml:NameID>persistent-anna</saml:NameID></saml:Subject>"
        "</saml:Assertion></samlp:Response>"
    )


def _signed(keys: Path, signer: str = "idp", **kwargs) -> str:
    return forge.sign(
        _response(), str(keys / f"{signer}-key.pem"), str(keys / f"{signer}-cert.pem"), **kwargs
    )


def _verdict(backend, xml: str, cert: str, node_name: str, node_id: str | None):
    try:
        return backend.validate_signature(xml, cert, "pem", node_name, node_id)
    except XmlsecError:  # SignatureError is one
        return "refused"


# --------------------------------------------------------------------------- documents


def _genuine(keys):
    return _signed(keys), "idp", ASSERTION, "a-1"


def _genuine_response(keys):
    return _signed(keys), "idp", RESPONSE, "r-1"


def _another_certificate(keys):
    return _signed(keys), "foreign", ASSERTION, "a-1"


def _key_info_of_another_key(keys):
    # Signed by the foreign key, whose certificate the signature's KeyInfo carries: the key must
    # come from the configured certificate, never from the document.
    return _signed(keys, "foreign"), "idp", ASSERTION, "a-1"


def _tampered(keys):
    return _signed(keys).replace("persistent-anna", "persistent-eve"), "idp", ASSERTION, "a-1"


def _unsigned(keys):
    return _response(), "idp", ASSERTION, "a-1"


def _unknown_node_id(keys):
    return _signed(keys), "idp", ASSERTION, "a-2"


def _id_of_another_element_name(keys):
    # The response's ID is not an ID when the node name given is Assertion.
    return _signed(keys, assertion_too=False), "idp", ASSERTION, "r-1"


def _duplicate_id(keys):
    root = forge.parse(_signed(keys, response=False))
    twin = copy.deepcopy(forge.assertion(root))
    forge.strip_signatures(twin)
    root.append(twin)
    return forge.text(root), "idp", ASSERTION, "a-1"


def _duplicate_id_on_an_element_without_namespace(keys):
    # xmlsec1 makes ID an ID on an <Assertion> in no namespace too: a duplicate, so refused.
    root = forge.parse(_signed(keys, response=False))
    etree.SubElement(root, "Assertion", ID="a-1")
    return forge.text(root), "idp", ASSERTION, "a-1"


def _signature_found_beside_the_node(keys):
    # The program searches from the node with the ID onwards, its following siblings included:
    # an unsigned assertion before the signed one "verifies". pysaml2 refuses this itself (the
    # Reference must point to the element that holds the signature); the backends must agree.
    root = forge.parse(_signed(keys, response=False))
    evil = copy.deepcopy(forge.assertion(root))
    forge.strip_signatures(evil)
    evil.set("ID", "evil")
    root.insert(list(root).index(forge.assertion(root)), evil)
    return forge.text(root), "idp", ASSERTION, "evil"


CASES = {
    "genuine assertion": (_genuine, True),
    "genuine response": (_genuine_response, True),
    "another certificate": (_another_certificate, "refused"),
    "KeyInfo of another key": (_key_info_of_another_key, "refused"),
    "tampered": (_tampered, "refused"),
    "unsigned": (_unsigned, "refused"),
    "unknown node id": (_unknown_node_id, "refused"),
    "ID of another element name": (_id_of_another_element_name, "refused"),
    "duplicate ID": (_duplicate_id, "refused"),
    "duplicate ID, no namespace": (_duplicate_id_on_an_element_without_namespace, "refused"),
    "signature beside the node": (_signature_found_beside_the_node, True),
}


@pytest.mark.parametrize("case", CASES)
def test_signature_verdict_is_the_programs(keys, program, ours, case):
    make, expected = CASES[case]
    xml, cert_name, node_name, node_id = make(keys)
    cert = str(keys / f"{cert_name}-cert.pem")
    assert _verdict(program, xml, cert, node_name, node_id) == expected
    assert _verdict(ours, xml, cert, node_name, node_id) == expected


def test_a_reference_outside_the_document_is_refused(keys, program, ours, tmp_path):
    """``--enabled-reference-uris empty,same-doc``: a signature over a file is refused although
    libxmlsec1 left to itself would fetch the file and find the signature good."""
    outside = tmp_path / "outside.txt"
    outside.write_text("signed from outside")
    root = forge.parse(_response())
    signature = xmlsec.template.create(root, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256)
    root.append(signature)
    xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri=outside.as_uri())
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_file(str(keys / "idp-key.pem"), xmlsec.KeyFormat.PEM)
    context.sign(signature)
    xml = forge.text(root)

    unrestricted = xmlsec.SignatureContext()
    unrestricted.key = xmlsec.Key.from_file(str(keys / "idp-cert.pem"), xmlsec.KeyFormat.CERT_PEM)
    unrestricted.verify(forge.parse(xml).find(f"{{{DS}}}Signature"))  # good, if fetching were allowed

    cert = str(keys / "idp-cert.pem")
    assert _verdict(program, xml, cert, RESPONSE, "r-1") == "refused"
    assert _verdict(ours, xml, cert, RESPONSE, "r-1") == "refused"


def test_a_doctype_is_refused(keys, ours):
    xml = _signed(keys)
    with_doctype = "<!DOCTYPE samlp:Response [<!ATTLIST saml:Assertion ID ID #IMPLIED>]>" + xml
    assert _verdict(ours, with_doctype, str(keys / "idp-cert.pem"), ASSERTION, "a-1") == "refused"


def test_a_der_certificate_is_read_and_an_unknown_type_refused(keys, ours, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    der = tmp_path / "idp-cert.der"
    der.write_bytes(
        x509.load_pem_x509_certificate((keys / "idp-cert.pem").read_bytes()).public_bytes(Encoding.DER)
    )
    xml = _signed(keys)
    assert ours.validate_signature(xml, str(der), "der", ASSERTION, "a-1") is True
    with pytest.raises(XmlsecError):
        ours.validate_signature(xml, str(keys / "idp-cert.pem"), "p12", ASSERTION, "a-1")


def test_a_certificate_is_parsed_once_per_content(keys, ours, tmp_path):
    xml = _signed(keys)
    saml_crypto._loaded_key.cache_clear()
    for n in range(3):  # pysaml2 writes the metadata's certificate to a new temporary file each time
        copy_of_cert = tmp_path / f"cert-{n}.pem"
        copy_of_cert.write_bytes((keys / "idp-cert.pem").read_bytes())
        assert ours.validate_signature(xml, str(copy_of_cert), "pem", ASSERTION, "a-1")
    info = saml_crypto._loaded_key.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_a_keys_manager_is_made_once_per_thread_and_key(keys, tmp_path):
    """Making one costs ~14 ms (OpenSSL's default certificate store): kept per thread and key."""
    copies = []
    for n in range(2):
        copies.append(tmp_path / f"key-{n}.pem")
        copies[-1].write_bytes((keys / "sp-key.pem").read_bytes())
    first = saml_crypto._keys_manager(str(copies[0]))
    assert saml_crypto._keys_manager(str(copies[1])) is first
    assert saml_crypto._keys_manager(str(keys / "foreign-key.pem")) is not first
    elsewhere = []
    thread = threading.Thread(target=lambda: elsewhere.append(saml_crypto._keys_manager(str(copies[0]))))
    thread.start()
    thread.join()
    assert elsewhere and elsewhere[0] is not first


# --------------------------------------------------------------------------- decryption


def _encrypted(keys: Path, program) -> str:
    """The response with its assertion encrypted for the SP by the program (as pysaml2's IdP does)."""
    xml = _response().replace("<saml:Assertion ", "<saml:EncryptedAssertion><saml:Assertion ")
    xml = xml.replace("</saml:Assertion>", "</saml:Assertion></saml:EncryptedAssertion>")
    _wrapped, unwrapped = get_pem_wrapped_unwrapped((keys / "sp-cert.pem").read_text())
    template = str(pre_encryption_part(encrypt_cert=unwrapped))
    return program.encrypt_assertion(xml, str(keys / "sp-cert.pem"), template)


def _decrypted(backend, xml: str, key: str):
    try:
        text = backend.decrypt(xml, key)
    except XmlsecError:  # DecryptError is one
        return "refused"
    found = forge.parse(text).find("saml:EncryptedAssertion/saml:Assertion", forge.NS)
    return etree.tostring(found, method="c14n")


def _key_by_retrieval_method(xml: str, key_cipher_uri: str = "") -> str:
    """The EncryptedKey moved beside the EncryptedData, which points to it by a RetrievalMethod
    (the form that needs ``--id-attr:Id EncryptedKey``); its cipher at *key_cipher_uri* if given."""
    root = forge.parse(xml)
    data = root.find(f".//{{{ENC}}}EncryptedData")
    key_info = data.find(f"{{{DS}}}KeyInfo")
    encrypted_key = key_info.find(f"{{{ENC}}}EncryptedKey")
    key_info.remove(encrypted_key)
    etree.SubElement(
        key_info, f"{{{DS}}}RetrievalMethod", URI="#" + encrypted_key.get("Id"), Type=ENC + "EncryptedKey"
    )
    data.addnext(encrypted_key)
    if key_cipher_uri:
        cipher_data = encrypted_key.find(f"{{{ENC}}}CipherData")
        for child in list(cipher_data):
            cipher_data.remove(child)
        etree.SubElement(cipher_data, f"{{{ENC}}}CipherReference", URI=key_cipher_uri)
    return forge.text(root)


@pytest.mark.parametrize("form", ["key inside", "key by RetrievalMethod"])
def test_decryption_gives_the_programs_assertion(keys, program, ours, form):
    xml = _encrypted(keys, program)
    assert "persistent-anna" not in xml and "EncryptedData" in xml
    if form == "key by RetrievalMethod":
        xml = _key_by_retrieval_method(xml)
    key = str(keys / "sp-key.pem")
    theirs = _decrypted(program, xml, key)
    assert theirs != "refused" and b"persistent-anna" in theirs
    assert _decrypted(ours, xml, key) == theirs


@pytest.mark.parametrize("case", ["another key", "nothing encrypted"])
def test_decryption_refusals_are_the_programs(keys, program, ours, case):
    xml, key = _encrypted(keys, program), str(keys / "sp-key.pem")
    if case == "another key":
        key = str(keys / "foreign-key.pem")
    else:
        xml = _response()
    assert _decrypted(program, xml, key) == "refused"
    assert _decrypted(ours, xml, key) == "refused"


@pytest.mark.parametrize("where", ["the data's cipher", "the key's cipher", "the key"])
def test_decryption_reads_nothing_outside_the_document(keys, program, ours, where, tmp_path):
    """Stricter than the program, whose libxmlsec1 would read these files (and then fail)."""
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"\0" * 64)
    xml = _encrypted(keys, program)
    if where == "the key's cipher":
        xml = _key_by_retrieval_method(xml, key_cipher_uri=outside.as_uri())
    else:
        root = forge.parse(xml)
        data = root.find(f".//{{{ENC}}}EncryptedData")
        if where == "the data's cipher":
            cipher_data = data.find(f"{{{ENC}}}CipherData")
            for child in list(cipher_data):
                cipher_data.remove(child)
            etree.SubElement(cipher_data, f"{{{ENC}}}CipherReference", URI=outside.as_uri())
        else:
            key_info = data.find(f"{{{DS}}}KeyInfo")
            etree.SubElement(key_info, f"{{{DS}}}RetrievalMethod", URI=outside.as_uri())
        xml = forge.text(root)
    with pytest.raises(DecryptError, match="outside the document"):
        ours.decrypt(xml, str(keys / "sp-key.pem"))
