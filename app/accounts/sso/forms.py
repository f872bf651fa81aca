"""The admin's form for an organisation's identity provider, and the sign-in page's e-mail form."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from lxml import etree
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.accounts.forms import organisation_choices
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.extensions import db

KIND_LABELS = {ProviderKind.OIDC: "OpenID Connect", ProviderKind.SAML: "SAML 2.0"}
MAX_DOMAINS = 50
MAX_METADATA_BYTES = 1_000_000
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
NO_PROVIDER = _l("No organisation's sign-in service answers for this address. Sign in with your password.")


def parse_domains(text: str) -> list[str]:
    """The domains in *text* (one per line, or separated by commas or spaces), lower case, without
    duplicates; raises ValueError naming the first that is not a domain."""
    found: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        domain = raw.strip().lower().removeprefix("@").rstrip(".")
        if not domain:
            continue
        if not is_domain(domain):
            raise ValueError(raw[:100])
        if domain not in found:
            found.append(domain)
    return found


def is_domain(domain: str) -> bool:
    """True for a domain name with at least two labels (international names allowed)."""
    try:
        ascii_name = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_name.split(".")
    return (
        len(ascii_name) <= 253
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    )


def _is_web_address(value: str) -> bool:
    """https, or http on the machine itself (a provider started on loopback in tests)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not parts.netloc or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}


def certificate_ok(pem: str) -> bool:
    """True if *pem* holds one or more PEM certificates that decode (the protocol checks the rest)."""
    blocks = _PEM.findall(pem or "")
    if not blocks or _PEM.sub("", pem).strip():
        return False
    for block in blocks:
        try:
            der = base64.b64decode("".join(block.split()), validate=True)
        except (binascii.Error, ValueError):
            return False
        if not der or der[0] != 0x30:
            return False
    return True


def metadata_entity_id(xml: bytes) -> str | None:
    """The entityID of the IdP described by SAML metadata *xml*; raises ValueError if it is not
    metadata. No DTDs, no entities, no network: the file comes from outside."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise ValueError("doctype")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise ValueError("syntax") from error
    if root.tag == f"{{{MD_NS}}}EntityDescriptor":
        return root.get("entityID")
    if root.tag == f"{{{MD_NS}}}EntitiesDescriptor":
        return None
    raise ValueError("not metadata")


class IdentityProviderForm(FlaskForm):
    """An organisation's identity provider: protocol, what to show, whom it answers for."""

    kind = RadioField(_l("Protocol"), default=ProviderKind.OIDC.value)
    name = StringField(_l("Name on the sign-in page"), validators=[DataRequired(), Length(max=200)])
    organisation = SelectField(_l("Organisation"), validators=[DataRequired()])
    domains = TextAreaField(_l("E-mail domains"), validators=[Length(max=5000)])
    issuer = StringField(
        _l("Issuer (OpenID Connect) or entity ID (SAML)"), validators=[DataRequired(), Length(max=500)]
    )
    client_id = StringField(_l("Client ID"), validators=[Length(max=255)])
    client_secret = PasswordField(_l("Client secret"), validators=[Length(max=500)])
    metadata_url = StringField(_l("Metadata URL"), validators=[Length(max=500)])
    metadata_file = FileField(_l("Metadata file (XML)"))
    metadata_signing_cert = TextAreaField(
        _l("Certificate the metadata is signed with (PEM)"), validators=[Length(max=20000)]
    )
    level_of_assurance = StringField(_l("Level of assurance (URI)"), validators=[Length(max=255)])
    password_sign_in = BooleanField(_l("The organisation's members may also sign in with a password"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, provider: IdentityProvider | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.kind.choices = [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]
        self.organisation.choices = organisation_choices()
        self.domain_list: list[str] = []
        self.metadata_xml: str | None = None

    @property
    def chosen_kind(self) -> ProviderKind | None:
        """The protocol chosen, or None for a forged value."""
        try:
            return ProviderKind(self.kind.data)
        except ValueError:
            return None

    def validate_kind(self, field):
        if self.chosen_kind is None:
            raise ValidationError(_l("Choose OpenID Connect or SAML 2.0."))

    def validate_name(self, field):
        field.data = " ".join(field.data.split())

    def validate_domains(self, field):
        try:
            domains = parse_domains(field.data)
        except ValueError as error:
            raise ValidationError(_l("“%(value)s” is not an e-mail domain.", value=str(error))) from None
        if not domains:
            raise ValidationError(_l("Give at least one e-mail domain, such as myndighet.se."))
        if len(domains) > MAX_DOMAINS:
            raise ValidationError(_l("At most %(n)d domains.", n=MAX_DOMAINS))
        own = self.provider.id if self.provider is not None and self.provider.id else -1
        taken = db.session.execute(
            sa.select(IdentityProviderDomain.domain, IdentityProvider.name)
            .join(IdentityProvider)
            .where(IdentityProviderDomain.domain.in_(domains), IdentityProviderDomain.provider_id != own)
            .order_by(IdentityProviderDomain.domain)
        ).first()
        if taken is not None:
            raise ValidationError(
                _l(
                    "The domain %(domain)s already belongs to “%(provider)s”: "
                    "one sign-in service per domain.",
                    domain=taken.domain,
                    provider=taken.name,
                )
            )
        self.domain_list = domains

    def validate_issuer(self, field):
        field.data = field.data.strip()
        own = self.provider.id if self.provider is not None and self.provider.id else -1
        if self.chosen_kind is ProviderKind.OIDC and not _is_web_address(field.data):
            raise ValidationError(_l("The issuer is an https address, such as https://login.example.se."))
        if self.chosen_kind is ProviderKind.SAML and not re.match(r"^(https?://|urn:)\S+$", field.data):
            raise ValidationError(_l("The entity ID is an address or a URN."))
        exists = db.session.scalar(
            sa.select(IdentityProvider.name).where(
                IdentityProvider.issuer == field.data, IdentityProvider.id != own
            )
        )
        if exists:
            raise ValidationError(_l("“%(provider)s” already has this issuer.", provider=exists))

    def validate_client_id(self, field):
        field.data = (field.data or "").strip()
        if self.chosen_kind is ProviderKind.OIDC and not field.data:
            raise ValidationError(_l("Give the client ID the provider gave Remiss."))

    def validate_client_secret(self, field):
        has_secret = self.provider is not None and bool(self.provider.client_secret)
        if self.chosen_kind is ProviderKind.OIDC and not field.data and not has_secret:
            raise ValidationError(_l("Give the client secret the provider gave Remiss."))

    def validate_metadata_url(self, field):
        field.data = (field.data or "").strip()
        if field.data and not _is_web_address(field.data):
            raise ValidationError(_l("The metadata URL is an https address."))

    def validate_metadata_file(self, field):
        upload = field.data
        if self.chosen_kind is not ProviderKind.SAML:
            return
        if upload is not None and getattr(upload, "filename", ""):
            xml = upload.read(MAX_METADATA_BYTES + 1)
            if len(xml) > MAX_METADATA_BYTES:
                raise ValidationError(_l("The metadata file is larger than 1 MB."))
            try:
                entity_id = metadata_entity_id(xml)
            except ValueError:
                raise ValidationError(_l("The file is not SAML metadata in XML.")) from None
            if entity_id is not None and self.issuer.data and entity_id != self.issuer.data.strip():
                raise ValidationError(
                    _l("The metadata describes %(entity)s, not the entity ID given.", entity=entity_id)
                )
            self.metadata_xml = xml.decode("utf-8", errors="replace")
            return
        has_metadata = self.provider is not None and bool(self.provider.metadata_xml)
        if not self.metadata_url.data and not has_metadata:
            raise ValidationError(_l("Give the metadata URL or upload the metadata file."))

    def validate_metadata_signing_cert(self, field):
        field.data = (field.data or "").strip()
        if self.chosen_kind is ProviderKind.SAML and not certificate_ok(field.data):
            raise ValidationError(
                _l("Paste the certificate in PEM form, from -----BEGIN CERTIFICATE----- to the end.")
            )

    def validate_level_of_assurance(self, field):
        field.data = (field.data or "").strip()
        if field.data and not re.match(r"^(https?://|urn:)\S+$", field.data):
            raise ValidationError(
                _l("The level of assurance is a URI, such as http://id.elegnamnden.se/loa/1.0/loa3.")
            )


class OrganisationSignInForm(FlaskForm):
    """The e-mail address whose domain names the organisation's sign-in service."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Continue"))


# The part before the @: no spaces, quotes, brackets or separators (what a work address has).
_LOCAL_PART = re.compile(r"[^\s@<>(),;:\"\[\]\\]{1,64}")


def _listing(domains: list[str]) -> str:
    return ", ".join("@" + d for d in domains)


class WorkEmailForm(FlaskForm):
    """A first sign-in whose provider sent no e-mail: the person's work address, in one of the
    provider's domains (a link is mailed to it)."""

    email = EmailField(_l("Your work e-mail address"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Send me a confirmation link"))

    def __init__(self, *args, domains: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = domains

    def validate_email(self, field):
        field.data = (field.data or "").strip().lower()
        local, at, domain = field.data.rpartition("@")
        if not at or not _LOCAL_PART.fullmatch(local) or not is_domain(domain):
            raise ValidationError(
                _l("Enter an e-mail address, such as name@%(domain)s.", domain=self.domains[0])
            )
        if domain not in self.domains:
            raise ValidationError(
                _l(
                    "Enter your address at your organisation: it must end in %(domains)s.",
                    domains=_listing(self.domains),
                )
            )
