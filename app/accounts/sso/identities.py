"""What a sign-in through an identity provider does to accounts, whatever the protocol.

The protocol modules (OpenID Connect, SAML) check what the provider sent and hand over a
`Claimed` identity; `finish` decides: sign in the linked account, create a member of the
provider's organisation, or ask the person to confirm linking an existing account with the same
verified e-mail. Every outcome is audited; a refusal changes nothing but the audit log and the
used-up state.

The state of a sign-in in flight lives in the database (`SignInState`): `begin` writes it,
`take_state` / `take_request` claim it once, atomically, so a second callback fails on every
app server.
"""

from __future__ import annotations

import enum
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import Invitation, Role, User
from app.accounts.operations import create_user, note_sign_in
from app.accounts.sso.models import ExternalIdentity, IdentityProvider, SignInState, UsedAssertion
from app.audit import record
from app.database import utcnow
from app.extensions import db

# How long a person may take at the provider before the sign-in must start again.
STATE_LIFETIME = timedelta(minutes=10)
# Claims that are never stored: personal identity numbers (Swedish eID, SITHS).
NEVER_STORED = frozenset(
    {
        "personalIdentityNumber",
        "urn:oid:1.2.752.29.4.13",
        "personal_identity_number",
        "https://id.oidc.se/claim/personalIdentityNumber",
        "prid",
        "dateOfBirth",
        "urn:oid:1.3.6.1.5.5.7.9.1",
    }
)


@dataclass(frozen=True)
class Claimed:
    """Who the provider says the person is, after the protocol module checked the response."""

    subject: str
    email: str
    name: str
    email_verified: bool = True
    # The rest of the claims or attributes, for the audit log (identity numbers removed).
    extra: dict = field(default_factory=dict)


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    CONFIRM_LINK = "confirm_link"
    REFUSED = "refused"


@dataclass
class Result:
    """What `finish` decided. ``message`` is for the person (translated lazily)."""

    outcome: Outcome
    user: User | None = None
    state: SignInState | None = None
    message: str = ""
    reason: str = ""


REFUSALS = {
    "state": _l(
        "This sign-in was not started here, has already been used or has expired. Please start again."
    ),
    "provider": _l("The sign-in could not be verified. Please start again or ask your administrator."),
    "replay": _l("This answer from your organisation's sign-in has already been used. Please start again."),
    "other_organisation": _l(
        "Your account belongs to another organisation than this sign-in service. Ask an administrator."
    ),
    "domain": _l("This sign-in service does not answer for your e-mail address. Ask an administrator."),
    "no_email": _l(
        "Your organisation's sign-in did not tell us your e-mail address. Ask your administrator."
    ),
    "unverified": _l(
        "Your organisation's sign-in has not verified your e-mail address. Ask your administrator."
    ),
    "closed": _l("This account is closed."),
    "inactive_provider": _l("Sign-in through this service is turned off. Ask an administrator."),
}


def begin(
    provider: IdentityProvider,
    *,
    next_url: str = "",
    nonce: str = "",
    code_verifier: str = "",
    request_id: str | None = None,
) -> SignInState:
    """Write a new sign-in in flight and return it; its ``state`` is the OIDC state / RelayState."""
    now = utcnow()
    row = SignInState(
        state=secrets.token_urlsafe(32),
        provider=provider,
        nonce=nonce,
        code_verifier=code_verifier,
        request_id=request_id,
        next_url=next_url[:500],
        created_at=now,
        expires_at=now + STATE_LIFETIME,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _take(condition) -> SignInState | None:
    now = utcnow()
    taken = db.session.execute(
        sa.update(SignInState)
        .where(condition, SignInState.used_at.is_(None), SignInState.expires_at > now)
        .values(used_at=now)
        .returning(SignInState.id)
    ).scalar_one_or_none()
    if taken is None:
        return None
    db.session.expire_all()
    return db.session.get(SignInState, taken)


def take_state(value: str) -> SignInState | None:
    """Claim the sign-in in flight named by *value*, once: None if unknown, used or expired."""
    if not value or len(value) > 128:
        return None
    return _take(SignInState.state == value)


def take_request(request_id: str) -> SignInState | None:
    """Claim the sign-in whose SAML AuthnRequest had *request_id* (the response's InResponseTo)."""
    if not request_id or len(request_id) > 128:
        return None
    return _take(SignInState.request_id == request_id)


def remember_assertion(provider: IdentityProvider, assertion_id: str, expires_at: datetime) -> bool:
    """Note an assertion (or token) id as used; False if it was used before, on any server."""
    if not assertion_id or len(assertion_id) > 255:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                UsedAssertion(provider_id=provider.id, assertion_id=assertion_id, expires_at=expires_at)
            )
    except sa.exc.IntegrityError:
        return False
    return True


def refuse(provider: IdentityProvider | None, reason: str, **data) -> Result:
    """Audit a refusal and say why; the caller commits (the audit event and the used state only)."""
    record(None, "sso.refused", provider, reason=reason, **_safe(data))
    return Result(Outcome.REFUSED, message=str(REFUSALS.get(reason, REFUSALS["provider"])), reason=reason)


def _safe(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in NEVER_STORED}


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def finish(provider: IdentityProvider, claimed: Claimed, state: SignInState) -> Result:
    """Decide what a checked sign-in does: see the module's docstring."""
    if not provider.active:
        return refuse(provider, "inactive_provider")
    identity = db.session.scalar(
        sa.select(ExternalIdentity).where(
            ExternalIdentity.provider_id == provider.id, ExternalIdentity.subject == claimed.subject
        )
    )
    if identity is not None:
        user = identity.user
        if not user.active:
            return refuse(provider, "closed", user_id=user.id)
        if user.organisation_id != provider.organisation_id:
            return refuse(provider, "other_organisation", user_id=user.id)
        identity.last_sign_in_at = utcnow()
        note_sign_in(user)
        record(user, "sso.sign_in", provider, subject=claimed.subject)
        return Result(Outcome.SIGNED_IN, user=user, state=state)

    email = (claimed.email or "").strip().lower()
    if not email or "@" not in email:
        return refuse(provider, "no_email", subject=claimed.subject)
    if _domain(email) not in {d.domain for d in provider.domains}:
        return refuse(provider, "domain", subject=claimed.subject, email=email)
    if not claimed.email_verified:
        return refuse(provider, "unverified", subject=claimed.subject, email=email)
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None:
        if existing.organisation_id != provider.organisation_id:
            return refuse(provider, "other_organisation", user_id=existing.id)
        if not existing.active:
            return refuse(provider, "closed", user_id=existing.id)
        state.subject = claimed.subject
        state.claims = json.dumps({"email": email, "name": claimed.name})
        state.link_user_id = existing.id
        state.expires_at = utcnow() + STATE_LIFETIME
        record(None, "sso.link_asked", provider, user_id=existing.id, subject=claimed.subject)
        return Result(Outcome.CONFIRM_LINK, user=existing, state=state)

    # An invitation waiting for this address in this organisation gives its roles, and is used up.
    invitation = db.session.scalar(
        sa.select(Invitation)
        .where(
            Invitation.email == email,
            Invitation.organisation_id == provider.organisation_id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())
        .limit(1)
    )
    user = create_user(
        email=email,
        name=(claimed.name or (invitation.name if invitation is not None else "") or email)[:200],
        organisation=provider.organisation,
        roles=invitation.role_set if invitation is not None else {Role.MEMBER},
    )
    if invitation is not None:
        invitation.used_at = utcnow()
        invitation.user_id = user.id
        record(user, "invitation.accept", invitation, through="sso")
    db.session.add(
        ExternalIdentity(provider=provider, subject=claimed.subject, user=user, last_sign_in_at=utcnow())
    )
    note_sign_in(user)
    record(user, "sso.account_created", provider, subject=claimed.subject)
    return Result(Outcome.SIGNED_IN, user=user, state=state)


def confirm_link(state_value: str) -> Result:
    """Link the account a first sign-in found by e-mail, once the person confirmed; single use."""
    if not state_value or len(state_value) > 128:
        return refuse(None, "state")
    now = utcnow()
    row = db.session.scalar(
        sa.select(SignInState).where(
            SignInState.state == state_value,
            SignInState.link_user_id.is_not(None),
            SignInState.expires_at > now,
        )
    )
    if row is None:
        return refuse(None, "state")
    user_id = row.link_user_id
    taken = db.session.execute(
        sa.update(SignInState)
        .where(SignInState.id == row.id, SignInState.link_user_id == user_id)
        .values(link_user_id=None)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return refuse(row.provider, "state")
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.organisation_id != row.provider.organisation_id:
        return refuse(row.provider, "other_organisation")
    db.session.add(
        ExternalIdentity(provider=row.provider, subject=row.subject, user=user, last_sign_in_at=now)
    )
    note_sign_in(user)
    record(user, "sso.linked", row.provider, subject=row.subject)
    return Result(Outcome.SIGNED_IN, user=user, state=row)


def pending_link(state_value: str) -> SignInState | None:
    """The first sign-in waiting for the person to confirm linking an existing account, if still valid."""
    if not state_value or len(state_value) > 128:
        return None
    return db.session.scalar(
        sa.select(SignInState).where(
            SignInState.state == state_value,
            SignInState.link_user_id.is_not(None),
            SignInState.expires_at > utcnow(),
        )
    )


def decline_link(state_value: str) -> None:
    """The person said no to linking: the waiting sign-in can no longer be confirmed."""
    row = pending_link(state_value)
    if row is None:
        return
    user_id = row.link_user_id
    row.link_user_id = None
    record(None, "sso.link_declined", row.provider, user_id=user_id, subject=row.subject)


def purge_expired() -> int:
    """Remove sign-ins in flight and used assertion ids that have expired (`flask purge`); how many.

    An expired state can no longer be taken, and an assertion past its own expiry would be
    refused for that reason, so neither row protects anything any more.
    """
    now = utcnow()
    states = db.session.execute(sa.delete(SignInState).where(SignInState.expires_at < now)).rowcount
    used = db.session.execute(sa.delete(UsedAssertion).where(UsedAssertion.expires_at < now)).rowcount
    return (states or 0) + (used or 0)
