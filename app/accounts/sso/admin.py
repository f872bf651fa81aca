"""What an admin changes on identity providers; each change is audited (never the client secret)."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Organisation, User
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.audit import record
from app.database import utcnow
from app.extensions import db


@dataclass
class ProviderSettings:
    """Everything the admin form sets on a provider. An empty client secret or metadata file keeps
    the one saved before (they are never shown back)."""

    kind: ProviderKind
    name: str
    organisation: Organisation
    domains: list[str]
    issuer: str
    password_sign_in: bool
    client_id: str = ""
    client_secret: str = ""
    metadata_url: str = ""
    metadata_xml: str | None = None
    metadata_signing_cert: str = ""
    level_of_assurance: str = ""


def describe(provider: IdentityProvider) -> dict:
    """What the audit log keeps of a provider's settings: no secret, no metadata text."""
    return {
        "kind": provider.kind.value if provider.kind else None,
        "name": provider.name,
        "organisation": provider.organisation_id,
        "domains": sorted(d.domain for d in provider.domains),
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "metadata_url": provider.metadata_url,
        "level_of_assurance": provider.level_of_assurance,
        "password_sign_in": provider.password_sign_in,
        "active": provider.active,
    }


def apply_settings(provider: IdentityProvider, settings: ProviderSettings) -> bool:
    """Put *settings* on *provider* (new or not, nothing flushed); True if the secret changed."""
    provider.kind = settings.kind
    provider.name = settings.name
    provider.organisation = settings.organisation
    provider.issuer = settings.issuer
    provider.password_sign_in = settings.password_sign_in
    secret_changed = False
    if settings.kind is ProviderKind.OIDC:
        provider.client_id = settings.client_id
        if settings.client_secret:
            secret_changed = settings.client_secret != provider.client_secret
            provider.client_secret = settings.client_secret
        provider.metadata_url = provider.metadata_xml = provider.metadata_signing_cert = ""
        provider.level_of_assurance = ""
        provider.metadata_fetched_at = None
    else:
        secret_changed = bool(provider.client_secret)
        provider.client_id = provider.client_secret = ""
        provider.metadata_url = settings.metadata_url
        if settings.metadata_xml is not None:
            provider.metadata_xml = settings.metadata_xml
            provider.metadata_fetched_at = utcnow()
        provider.metadata_signing_cert = settings.metadata_signing_cert
        provider.level_of_assurance = settings.level_of_assurance
    wanted = set(settings.domains)
    for row in list(provider.domains):
        if row.domain not in wanted:
            provider.domains.remove(row)
    have = {row.domain for row in provider.domains}
    for domain in settings.domains:
        if domain not in have:
            provider.domains.append(IdentityProviderDomain(domain=domain))
    return secret_changed


def create_provider(settings: ProviderSettings, actor: User) -> IdentityProvider:
    """Add an organisation's identity provider."""
    provider = IdentityProvider(active=True, domains=[])
    apply_settings(provider, settings)
    db.session.add(provider)
    db.session.flush()
    record(actor, "identity_provider.create", provider, after=describe(provider))
    return provider


def update_provider(provider: IdentityProvider, settings: ProviderSettings, actor: User) -> None:
    """Change a provider's settings, recording before and after (and only that the secret changed)."""
    before = describe(provider)
    secret_changed = apply_settings(provider, settings)
    provider.updated_at = utcnow()
    db.session.flush()
    after = describe(provider)
    if before != after or secret_changed or settings.metadata_xml is not None:
        record(
            actor,
            "identity_provider.update",
            provider,
            before=before,
            after=after,
            client_secret_changed=secret_changed,
            metadata_uploaded=settings.metadata_xml is not None,
        )


def set_active(provider: IdentityProvider, active: bool, actor: User) -> None:
    """Turn sign-in through *provider* off (its domains stay reserved) or on again."""
    if provider.active == active:
        return
    provider.active = active
    provider.updated_at = utcnow()
    record(actor, "identity_provider.activate" if active else "identity_provider.deactivate", provider)
