"""pysaml2's signature checks and decryption done in this process, with python-xmlsec (the same
libxmlsec1 the xmlsec1 program is built on, bound to lxml), instead of starting `xmlsec1` twice
per SAML response (measured: about 60 ms of a sign-in's ~140 ms, issue 26).

``XmlSecInProcess`` is pysaml2's ``CryptoBackendXmlSec1`` with ``validate_signature`` and
``decrypt`` replaced. Each keeps the meaning of the command line pysaml2 runs:

- ``xmlsec1 --verify --enabled-reference-uris empty,same-doc --enabled-key-data raw-x509-cert
  --pubkey-cert-pem CERT --id-attr:ID NODE_NAME [--node-id ID]``: the key is the configured
  certificate's, never one from a KeyInfo in the document (the context is given the key and no
  keys manager, so KeyInfo is not read at all); every Reference, a Manifest's too, must point into
  the document (no URI, an empty one, or ``#...``: checked before verifying, as libxmlsec1 would
  otherwise fetch any URI); the attribute ``ID`` is an ID only on elements named NODE_NAME
  (namespace matched as xmlsec1 does), a duplicate ID fails; the signature checked is the first
  ``ds:Signature`` found from the element with ID (or the root), by the same libxmlsec1 search.
- ``xmlsec1 --decrypt --privkey-pem KEY --id-attr:Id EncryptedKey``: the first
  ``xenc:EncryptedData`` of the document decrypted with a keys manager holding only KEY, the
  document returned with it replaced (or the decrypted bytes when it was not XML).

The wheel's libxmlsec1 is 1.3.9, Debian's program 1.2.37: tests/accounts/test_sso_saml_crypto.py
puts the same documents to both and expects the same verdicts.

The same return and raise contract as the program's backend: ``validate_signature`` returns True
or raises ``SignatureError``; ``decrypt`` returns the document as text or raises
``DecryptError`` (both ``XmlsecError``, which ``SecurityContext`` catches to try the next
certificate or key; anything else it would let through).

Stricter than the program in three ways, none of which a SAML message or metadata uses: a
document with a DOCTYPE is refused (no DTD-declared IDs, entities or default attributes); lxml's
default size limits apply (no XML_PARSE_HUGE); and in decryption a CipherReference or
RetrievalMethod pointing outside the document is refused rather than fetched.

Signing and encrypting (our metadata, POST logout requests; the tests' IdP) still run the
program: they are not on the sign-in's path. Keys are read from their files on each call (the
certificate file pysaml2 gives is a new temporary file each time) and parsed once per content;
the keys manager for decryption is made once per thread and key.
"""

from __future__ import annotations

import functools
import re
import threading

import xmlsec
from lxml import etree
from saml2.sigver import ENC_KEY_CLASS, CryptoBackendXmlSec1, DecryptError, SignatureError

DS_NS = xmlsec.constants.DSigNs
ENC_NS = xmlsec.constants.EncNs
CERT_FORMATS = {"pem": xmlsec.KeyFormat.CERT_PEM, "der": xmlsec.KeyFormat.CERT_DER}
# XPath's id() splits its argument on XML whitespace; xmlGetID, which xmlsec1 uses, does not.
_BLANK = re.compile(r"[ \t\r\n]")


class _Refused(Exception):
    """A document this backend will not verify or decrypt (before libxmlsec1 sees it)."""


@functools.cache
def _program_version(binary: str) -> str:
    return CryptoBackendXmlSec1.version.fget(CryptoBackendXmlSec1(binary))


class XmlSecInProcess(CryptoBackendXmlSec1):
    """Signature checks and decryption in process; signing and encryption by the xmlsec1 program,
    whose version is asked once per process (pysaml2 asks before every run)."""

    @property
    def version(self):
        return _program_version(self.xmlsec)

    def validate_signature(self, signedtext, cert_file, cert_type, node_name, node_id):
        if cert_type not in CERT_FORMATS:
            raise SignatureError(f"certificate type {cert_type!r} not supported")
        try:
            root = _parse(signedtext)
            _register_ids(root, "ID", node_name)
            start = _by_id(root, node_id) if node_id else root
            signature = xmlsec.tree.find_node(start, xmlsec.constants.NodeSignature, DS_NS)
            if signature is None:
                raise _Refused("no Signature")
            _same_document_only(signature, "Reference")
            context = xmlsec.SignatureContext()
            context.key = _key(cert_file, CERT_FORMATS[cert_type])
            context.verify(signature)
        except (_Refused, xmlsec.Error, etree.LxmlError, OSError, ValueError) as error:
            raise SignatureError(f"signature does not verify: {type(error).__name__}: {error}") from error
        return True

    def decrypt(self, enctext, key_file):
        try:
            root = _parse(enctext)
            _register_ids(root, "Id", ENC_KEY_CLASS)
            encrypted = xmlsec.tree.find_node(root, xmlsec.constants.NodeEncryptedData, ENC_NS)
            if encrypted is None:
                raise _Refused("no EncryptedData")
            # The whole document: a RetrievalMethod may lead to an EncryptedKey outside this one.
            _same_document_only(root, "CipherReference", "RetrievalMethod")
            result = xmlsec.EncryptionContext(_keys_manager(key_file)).decrypt(encrypted)
        except (_Refused, xmlsec.Error, etree.LxmlError, OSError, ValueError) as error:
            raise DecryptError(f"not decrypted: {type(error).__name__}: {error}") from error
        if isinstance(result, bytes):
            return result.decode("utf-8")
        return etree.tostring(result.getroottree(), encoding="unicode")


def _parse(text: str | bytes):
    """The document as libxml2 parses it for xmlsec1 (no network, entities not loaded), or
    _Refused when it has a DOCTYPE."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        strip_cdata=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=True,
    )
    root = etree.fromstring(data, parser)
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise _Refused("DOCTYPE")
    return root


def _register_ids(root, attribute: str, node_name: str) -> None:
    """xmlsec1's ``--id-attr:ATTRIBUTE NS:NAME``: the first attribute of that local name on every
    element named NAME (in namespace NS, or in none) becomes an ID; a value already an ID of
    another attribute fails (xmlsec.Error), an empty one is skipped."""
    namespace, _colon, name = node_name.rpartition(":")
    registrar = xmlsec.SignatureContext()
    for element in root.iter(etree.Element):
        qname = etree.QName(element)
        if qname.localname != name:
            continue
        if namespace and qname.namespace is not None and qname.namespace != namespace:
            continue
        value = next((v for k, v in element.attrib.items() if etree.QName(k).localname == attribute), None)
        if value:
            # With no namespace given, libxmlsec1 takes the first attribute of the name, as above.
            registrar.register_id(element, attribute)


def _by_id(root, node_id: str):
    """xmlsec1's ``--node-id``: the element whose ID (registered above, or xml:id) is *node_id*."""
    if _BLANK.search(node_id):
        raise _Refused("blank in node id")
    found = root.xpath("id($value)", value=node_id)
    if len(found) != 1:
        raise _Refused(f"no element with ID {node_id!r}")
    return found[0]


def _same_document_only(start, *local_names: str) -> None:
    """Every URI of the named dsig/xmlenc elements under *start* empty or ``#...``: what
    ``--enabled-reference-uris empty,same-doc`` allows. libxmlsec1 reads the attribute with
    xmlGetProp, which ignores namespaces: every attribute called URI is checked."""
    wanted = {(DS_NS, name) for name in local_names} | {(ENC_NS, name) for name in local_names}
    for element in start.iter(etree.Element):
        qname = etree.QName(element)
        if (qname.namespace, qname.localname) not in wanted:
            continue
        for key, value in element.attrib.items():
            if etree.QName(key).localname == "URI" and value and not value.startswith("#"):
                raise _Refused(f"{qname.localname} URI outside the document")


def _key(path: str, key_format) -> xmlsec.Key:
    with open(path, "rb") as handle:
        return _loaded_key(handle.read(), key_format)


_per_thread = threading.local()


def _keys_manager(key_path: str) -> xmlsec.KeysManager:
    """A keys manager holding only the private key in *key_path*, as xmlsec1 ``--privkey-pem``
    builds. Making one loads OpenSSL's default certificate store (measured: 14 ms, most of a
    decryption), so each thread keeps one per key; decrypting reads it and changes nothing, but
    nothing promises a manager may be used by two threads at once."""
    with open(key_path, "rb") as handle:
        data = handle.read()
    managers = getattr(_per_thread, "managers", None)
    if managers is None:
        managers = _per_thread.managers = {}
    manager = managers.get(data)
    if manager is None:
        if len(managers) >= 8:
            managers.clear()
        manager = xmlsec.KeysManager()
        manager.add_key(_loaded_key(data, xmlsec.KeyFormat.PEM))
        managers[data] = manager
    return manager


@functools.lru_cache(maxsize=32)
def _loaded_key(data: bytes, key_format) -> xmlsec.Key:
    """A key parsed once per content (the context and keys manager copy it: shared safely)."""
    return xmlsec.Key.from_memory(data, key_format)
