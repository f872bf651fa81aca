"""Identity providers per organisation, the external identities linked to accounts, and the
sign-ins in flight."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, enum_type, utcnow
from app.extensions import db


class ProviderKind(enum.Enum):
    """The protocol an identity provider speaks."""

    OIDC = "oidc"
    SAML = "saml"


class IdentityProvider(db.Model):
    """An organisation's identity provider: an OpenID Provider (issuer and client) or a SAML IdP
    (its metadata, from a file or a URL, refreshed with its signature checked).

    Only admins add one; it answers for the e-mail domains listed (IdentityProviderDomain). With
    ``password_sign_in`` off, the organisation's members can sign in only through it.
    """

    __tablename__ = "identity_provider"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True)
    kind: so.Mapped[ProviderKind] = so.mapped_column(enum_type(ProviderKind, "provider_kind"))
    # What the sign-in page shows: "Logga in med PRV-konto".
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    # OIDC: the issuer URL (discovery at <issuer>/.well-known/openid-configuration).
    # SAML: the IdP's entityID, read from its metadata.
    issuer: so.Mapped[str] = so.mapped_column(sa.String(500), unique=True)
    client_id: so.Mapped[str] = so.mapped_column(sa.String(255), default="", server_default="")
    # The OIDC client secret. Kept in the database, never in the repository; shown to no one
    # after it is saved.
    client_secret: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    # SAML: where the metadata comes from, the metadata as last loaded and checked, and the
    # certificate (PEM) its signature must verify against.
    metadata_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    metadata_xml: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    metadata_signing_cert: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    metadata_fetched_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # SAML: the level of assurance asked for (an AuthnContextClassRef URI); "" for none.
    level_of_assurance: so.Mapped[str] = so.mapped_column(sa.String(255), default="", server_default="")
    # Off: the organisation's members sign in through this provider only.
    password_sign_in: so.Mapped[bool] = so.mapped_column(sa.Boolean, default=True, server_default=sa.true())
    active: so.Mapped[bool] = so.mapped_column(sa.Boolean, default=True, server_default=sa.true())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    organisation: so.Mapped[Organisation] = so.relationship()  # noqa: F821
    domains: so.Mapped[list[IdentityProviderDomain]] = so.relationship(
        back_populates="provider", order_by="IdentityProviderDomain.domain", cascade="all, delete-orphan"
    )


class IdentityProviderDomain(db.Model):
    """An e-mail domain a provider answers for; one provider per domain."""

    __tablename__ = "identity_provider_domain"

    domain: so.Mapped[str] = so.mapped_column(sa.String(253), primary_key=True)
    provider_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("identity_provider.id", ondelete="CASCADE"), index=True
    )

    provider: so.Mapped[IdentityProvider] = so.relationship(back_populates="domains")


class ExternalIdentity(db.Model):
    """An account as a provider knows it: issuer (the provider) and subject (``sub``, or the
    persistent NameID). An account is found by these after the first sign-in, never by e-mail."""

    __tablename__ = "external_identity"
    __table_args__ = (sa.UniqueConstraint("provider_id", "subject", name="uq_external_identity_subject"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    provider_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("identity_provider.id"), index=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    provider: so.Mapped[IdentityProvider] = so.relationship()
    user: so.Mapped[User] = so.relationship()  # noqa: F821


class SignInState(db.Model):
    """One sign-in in flight, from the redirect to the provider until it is finished or expires.

    ``state`` is the OIDC state or the SAML RelayState; ``request_id`` the SAML AuthnRequest's ID
    (checked against InResponseTo). ``used_at`` is set once, in the transaction that finishes the
    sign-in, so a second callback with the same state fails on every server. A first sign-in
    that finds an existing account with the same e-mail waits here (``subject``, ``claims``)
    until the person confirms the link.
    """

    __tablename__ = "sign_in_state"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    state: so.Mapped[str] = so.mapped_column(sa.String(128), unique=True)
    provider_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("identity_provider.id"), index=True)
    nonce: so.Mapped[str] = so.mapped_column(sa.String(128), default="", server_default="")
    code_verifier: so.Mapped[str] = so.mapped_column(sa.String(128), default="", server_default="")
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(128), unique=True)
    next_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # A link waiting for the person's confirmation: who the provider says they are.
    subject: so.Mapped[str] = so.mapped_column(sa.String(255), default="", server_default="")
    claims: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    link_user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    # Started from an invitation (its link was mailed to the address): a provider that sends no
    # e-mail (Sweden Connect's eIDs) still gives the invited person their account.
    invitation_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("invitation.id"))
    # A first sign-in without an e-mail address waits here for the person's work address
    # (``email_asked_at``), then for the link mailed to it: only the hash of its secret is kept,
    # emptied when the link is used.
    email_asked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    email_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)

    provider: so.Mapped[IdentityProvider] = so.relationship()
    invitation: so.Mapped[Invitation | None] = so.relationship()  # noqa: F821


class UsedAssertion(db.Model):
    """The id of a SAML assertion (or an ID token's ``jti``/nonce) already accepted: a replay
    is refused by the primary key, on every server, until it would have expired anyway."""

    __tablename__ = "used_assertion"

    provider_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("identity_provider.id"), primary_key=True)
    assertion_id: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    used_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
