"""What a sign-in through an identity provider does to accounts, whatever the protocol.

The protocol modules (OpenID Connect, SAML) check what the provider sent and hand over a
`Claimed` identity; `finish` decides: sign in the linked account, create a member of the
provider's organisation, or ask the person to confirm linking an existing account with the same
verified e-mail. Every outcome is audited; a refusal changes nothing but the audit log and the
used-up state.

A provider that sends no e-mail address (Sweden Connect's eIDs send a personal identity number and
a name) is answered in one of two ways. A sign-in started from an invitation uses the invitation's
address: its link was mailed there. Otherwise the person is asked for their work address, in one
of the provider's domains, and a single-use link is mailed to it (`mail_confirmation`); opening
it in the browser that signed in and confirming (`confirm_email`) creates the member or links the
account with that address. The identity stays the provider's subject either way.

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

from app.accounts.models import Invitation, Role, User, hash_token
from app.accounts.operations import create_user, note_sign_in
from app.accounts.sso.models import ExternalIdentity, IdentityProvider, SignInState, UsedAssertion
from app.audit import record
from app.database import utcnow
from app.extensions import db

# How long a person may take at the provider before the sign-in must start again.
STATE_LIFETIME = timedelta(minutes=10)
# How long a person without an e-mail from the provider may take to give their work address,
# and how long the link mailed to it works.
EMAIL_ASK_LIFETIME = timedelta(minutes=30)
EMAIL_LINK_LIFETIME = timedelta(hours=1)
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
    ASK_EMAIL = "ask_email"
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
    "email_link": _l(
        "This confirmation link has already been used, has expired or is not complete. "
        "Please sign in with your organisation again."
    ),
    "email_browser": _l(
        "Open the confirmation link in the same browser in which you signed in with your "
        "organisation, or sign in again from this browser."
    ),
    "inactive_provider": _l("Sign-in through this service is turned off. Ask an administrator."),
}


def begin(
    provider: IdentityProvider,
    *,
    next_url: str = "",
    nonce: str = "",
    code_verifier: str = "",
    request_id: str | None = None,
    invitation: Invitation | None = None,
) -> SignInState:
    """Write a new sign-in in flight and return it; its ``state`` is the OIDC state / RelayState.

    *invitation*: the sign-in was started from this invitation's page (see `finish`)."""
    now = utcnow()
    row = SignInState(
        state=secrets.token_urlsafe(32),
        provider=provider,
        nonce=nonce,
        code_verifier=code_verifier,
        request_id=request_id,
        next_url=next_url[:500],
        invitation_id=invitation.id if invitation is not None else None,
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
        invitation = _invitation_in_flight(provider, state)
        if invitation is None:
            return _ask_for_email(provider, claimed, state)
        # The invitation's link was mailed to its address: that proves the address, as a
        # provider's verified e-mail would. The admin who invited chose it, so no domain check.
        return _create_or_link(
            provider, claimed.subject, invitation.email, claimed.name, state, invitation=invitation
        )
    if _domain(email) not in {d.domain for d in provider.domains}:
        return refuse(provider, "domain", subject=claimed.subject, email=email)
    if not claimed.email_verified:
        return refuse(provider, "unverified", subject=claimed.subject, email=email)
    return _create_or_link(provider, claimed.subject, email, claimed.name, state)


def _invitation_in_flight(provider: IdentityProvider, state: SignInState) -> Invitation | None:
    """The invitation the sign-in was started from, if it is still valid for the provider's organisation."""
    if state.invitation_id is None:
        return None
    invitation = db.session.get(Invitation, state.invitation_id)
    if (
        invitation is None
        or invitation.state() != "valid"
        or invitation.organisation_id != provider.organisation_id
    ):
        return None
    return invitation


def _waiting_invitation(provider: IdentityProvider, email: str) -> Invitation | None:
    """An invitation waiting for *email* in the provider's organisation (the newest)."""
    return db.session.scalar(
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


def _create_or_link(
    provider: IdentityProvider,
    subject: str,
    email: str,
    name: str,
    state: SignInState,
    *,
    invitation: Invitation | None = None,
    confirmed_by_email: bool = False,
) -> Result:
    """A first sign-in of *subject* whose address *email* is known to be theirs: link the account
    that has it (after the person confirms), or create a member of the provider's organisation.

    *confirmed_by_email*: the person has just opened a link mailed to *email* and been told what
    confirming does, so an existing account is linked at once.
    """
    existing = db.session.scalar(sa.select(User).where(User.email == email))
    if existing is not None:
        if existing.organisation_id != provider.organisation_id:
            return refuse(provider, "other_organisation", user_id=existing.id, subject=subject)
        if not existing.active:
            return refuse(provider, "closed", user_id=existing.id, subject=subject)
        if confirmed_by_email:
            return _link(provider, subject, existing, state, through="email")
        state.subject = subject
        state.claims = json.dumps({"email": email, "name": name})
        state.link_user_id = existing.id
        state.expires_at = utcnow() + STATE_LIFETIME
        record(None, "sso.link_asked", provider, user_id=existing.id, subject=subject)
        return Result(Outcome.CONFIRM_LINK, user=existing, state=state)

    # An invitation waiting for this address in this organisation gives its roles, and is used up.
    if invitation is None:
        invitation = _waiting_invitation(provider, email)
    user = create_user(
        email=email,
        name=(name or (invitation.name if invitation is not None else "") or email)[:200],
        organisation=provider.organisation,
        roles=invitation.role_set if invitation is not None else {Role.MEMBER},
    )
    if invitation is not None:
        _use_up(invitation, user)
    db.session.add(ExternalIdentity(provider=provider, subject=subject, user=user, last_sign_in_at=utcnow()))
    note_sign_in(user)
    record(user, "sso.account_created", provider, subject=subject)
    return Result(Outcome.SIGNED_IN, user=user, state=state)


def _use_up(invitation: Invitation, user: User) -> None:
    invitation.used_at = utcnow()
    invitation.user_id = user.id
    record(user, "invitation.accept", invitation, through="sso")


def _link(provider: IdentityProvider, subject: str, user: User, state: SignInState, through: str) -> Result:
    """Link *user* to the provider's *subject* and sign them in; an invitation the sign-in came
    from is used up (its roles join the account's)."""
    now = utcnow()
    db.session.add(ExternalIdentity(provider=provider, subject=subject, user=user, last_sign_in_at=now))
    invitation = _invitation_in_flight(provider, state)
    if invitation is not None and invitation.email == user.email:
        user.set_roles(user.roles | invitation.role_set)
        _use_up(invitation, user)
    note_sign_in(user)
    record(user, "sso.linked", provider, subject=subject, through=through)
    return Result(Outcome.SIGNED_IN, user=user, state=state)


def _ask_for_email(provider: IdentityProvider, claimed: Claimed, state: SignInState) -> Result:
    """No address from the provider and no invitation: the person will be asked for theirs."""
    if not provider.domains:
        # Nowhere an address could be accepted: asking would only end in a refusal.
        return refuse(provider, "no_email", subject=claimed.subject)
    state.subject = claimed.subject
    state.claims = json.dumps({"name": claimed.name})
    state.email_asked_at = utcnow()
    state.expires_at = utcnow() + EMAIL_ASK_LIFETIME
    # An invitation the sign-in came from that is used, expired or for another organisation.
    unusable = {"invitation_unusable": True} if state.invitation_id is not None else {}
    record(None, "sso.email_asked", provider, subject=claimed.subject, **unusable)
    return Result(Outcome.ASK_EMAIL, state=state)


# --------------------------------------------------------------------------- asking for the address


def waiting_for_email(state_value: str) -> SignInState | None:
    """The first sign-in without an e-mail that waits for the person's work address (or for the
    link mailed to it), if still valid."""
    if not state_value or len(state_value) > 128:
        return None
    return db.session.scalar(
        sa.select(SignInState).where(
            SignInState.state == state_value,
            SignInState.email_asked_at.is_not(None),
            SignInState.subject != "",
            SignInState.expires_at > utcnow(),
        )
    )


def email_domains(state: SignInState) -> list[str]:
    """The domains the work address may have: the provider's."""
    return [d.domain for d in state.provider.domains]


def mail_confirmation(state: SignInState, email: str) -> str:
    """Keep *email* (already checked to be in one of the provider's domains) on the waiting
    sign-in with a new link, and return the link's secret; an earlier link stops working.

    Only the secret's hash is stored; the caller mails the link.
    """
    token = secrets.token_urlsafe(32)
    state.email = email.strip().lower()
    state.email_token_hash = hash_token(token)
    state.expires_at = utcnow() + EMAIL_LINK_LIFETIME
    record(None, "sso.email_mailed", state.provider, subject=state.subject, email=state.email)
    return token


def email_link(token: str) -> tuple[SignInState | None, str]:
    """The sign-in a mailed link belongs to: (state, "valid"), or (None, "invalid" | "expired").

    A used link is "invalid", like a forged one: its hash is gone.
    """
    if not token or len(token) > 128:
        return None, "invalid"
    row = db.session.scalar(sa.select(SignInState).where(SignInState.email_token_hash == hash_token(token)))
    if row is None or not row.subject or not row.email:
        return None, "invalid"
    if row.expires_at <= utcnow():
        return None, "expired"
    return row, "valid"


def email_link_outcome(state: SignInState) -> tuple[str, User | None]:
    """What opening the link will do: ("create", None), ("link", the account with the address),
    or a refusal reason with the account ("other_organisation", "closed")."""
    existing = db.session.scalar(sa.select(User).where(User.email == state.email))
    if existing is None:
        return "create", None
    if existing.organisation_id != state.provider.organisation_id:
        return "other_organisation", existing
    if not existing.active:
        return "closed", existing
    return "link", existing


def refuse_address(state: SignInState, typed: str) -> None:
    """Audit a work address refused on the form (malformed, or outside the provider's domains)."""
    record(
        None, "sso.refused", state.provider, reason="email_address", subject=state.subject, email=typed[:254]
    )


def refuse_email_link(state: SignInState, reason: str, *, keep_link: bool = False) -> Result:
    """Audit a mailed link that cannot finish the sign-in (opened in another browser, the address's
    account is in another organisation or closed): nothing is created; the link is used up unless
    *keep_link* (it may still be opened in the right browser)."""
    if not keep_link:
        state.email_token_hash = None
        state.email_asked_at = None
    return refuse(state.provider, reason, subject=state.subject, email=state.email)


def confirm_email(token: str) -> Result:
    """Finish a first sign-in without an e-mail through the mailed link, once: create the member,
    or link the account with the address (the person was told which before confirming)."""
    row, status = email_link(token)
    if row is None:
        return refuse(None, "email_link", link=status)
    taken = db.session.execute(
        sa.update(SignInState)
        .where(
            SignInState.id == row.id,
            SignInState.email_token_hash == hash_token(token),
            SignInState.expires_at > utcnow(),
        )
        .values(email_token_hash=None, email_asked_at=None)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return refuse(row.provider, "email_link", link="used")
    provider = row.provider
    if not provider.active:
        return refuse(provider, "inactive_provider", subject=row.subject)
    already = db.session.scalar(
        sa.select(ExternalIdentity).where(
            ExternalIdentity.provider_id == provider.id, ExternalIdentity.subject == row.subject
        )
    )
    if already is not None:
        # Signed in through the provider another way meanwhile: the sign-in starts again.
        return refuse(provider, "state", subject=row.subject, detail="subject linked meanwhile")
    record(None, "sso.email_confirmed", provider, subject=row.subject, email=row.email)
    name = str((json.loads(row.claims or "{}") or {}).get("name") or "")
    return _create_or_link(provider, row.subject, row.email, name, row, confirmed_by_email=True)


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
    return _link(row.provider, row.subject, user, row, through="confirmed")


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
