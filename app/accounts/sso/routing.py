"""Which identity provider answers for whom, and the registry of the protocols that speak to them.

The protocol modules (OpenID Connect, SAML) register themselves when they are imported:

    register(ProviderKind.OIDC, start)          # start(provider, next_url) -> Response
    register_logout(ProviderKind.OIDC, logout)  # logout(provider, sso) -> Response | None

``start`` sends the browser to the provider (it calls identities.begin itself); ``next_url`` is
already a safe path on this site, or "". ``logout`` gets the provider and what the protocol put in
``session["sso"]`` at sign-in (respond.respond's ``logout`` argument); it returns the redirect to
the provider's logout, or None when there is none to make. The sign-in page and sign-out look
the functions up here and never import a protocol module.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.extensions import db
from app.web.redirects import safe_next

StartFunction = Callable[[IdentityProvider, str], ResponseReturnValue]
LogoutFunction = Callable[[IdentityProvider, dict], ResponseReturnValue | None]
CheckFunction = Callable[[IdentityProvider], str | None]

PROTOCOLS: dict[ProviderKind, StartFunction] = {}
LOGOUTS: dict[ProviderKind, LogoutFunction] = {}
CHECKS: dict[ProviderKind, CheckFunction] = {}


def register(kind: ProviderKind, start: StartFunction) -> StartFunction:
    """Make *start* the way a sign-in through a provider of *kind* begins; returns it (a decorator too)."""
    PROTOCOLS[kind] = start
    return start


def register_logout(kind: ProviderKind, logout: LogoutFunction) -> LogoutFunction:
    """Make *logout* end the provider's session too when someone signed in through *kind* signs out."""
    LOGOUTS[kind] = logout
    return logout


def register_check(kind: ProviderKind, check: CheckFunction) -> CheckFunction:
    """Have the admin page run *check* on a provider of *kind* before saving it.

    *check* returns a message for the admin (the reason it cannot be saved) or None; it may fill
    in what it learnt (e.g. the SAML metadata as fetched and verified) on the provider.
    """
    CHECKS[kind] = check
    return check


def email_domain(email: str) -> str:
    """The domain of an e-mail address, lower case; "" if it has none."""
    local, at, domain = (email or "").strip().lower().rpartition("@")
    return domain if at and local and domain else ""


def provider_for_email(email: str) -> IdentityProvider | None:
    """The active provider that answers for *email*'s domain, if any."""
    domain = email_domain(email)
    if not domain:
        return None
    return db.session.scalar(
        sa.select(IdentityProvider)
        .join(IdentityProviderDomain)
        .where(IdentityProviderDomain.domain == domain, IdentityProvider.active.is_(True))
    )


def active_providers() -> list[IdentityProvider]:
    """The providers one may choose on the sign-in page, by name."""
    return list(
        db.session.scalars(
            sa.select(IdentityProvider)
            .where(IdentityProvider.active.is_(True))
            .options(so.joinedload(IdentityProvider.organisation))
            .order_by(IdentityProvider.name)
        )
    )


def any_active_provider() -> bool:
    """True if the sign-in page should offer signing in with one's organisation."""
    return bool(db.session.scalar(sa.select(sa.exists().where(IdentityProvider.active.is_(True)))))


def password_refused_by(user: User | None) -> IdentityProvider | None:
    """The active provider through which *user*'s organisation signs in instead of with passwords,
    or None when the user may use a password."""
    if user is None:
        return None
    return db.session.scalar(
        sa.select(IdentityProvider)
        .where(
            IdentityProvider.organisation_id == user.organisation_id,
            IdentityProvider.active.is_(True),
            IdentityProvider.password_sign_in.is_(False),
        )
        .order_by(IdentityProvider.id)
        .limit(1)
    )


def continue_to(target: str, heading: str, link_text: str) -> str:
    """A page that moves the browser on to *target* at once (meta refresh, no JavaScript), with a
    link for when it does not.

    A form's answer cannot redirect to a provider: the pages' Content-Security-Policy
    (form-action 'self') makes Chromium refuse every redirect after a form is sent that leaves
    the site. A navigation that is not a form submission may go anywhere.
    """
    scheme = urlsplit(target).scheme.lower()
    if scheme not in {"http", "https"} and safe_next(target) is None:
        # Only web addresses: a provider's metadata must not make this a javascript: link.
        target = url_for("documents.index")
    return render_template("accounts/sso/continue.html", target=target, heading=heading, link_text=link_text)


def organisation_redirect(provider: IdentityProvider, next_url: str | None) -> str:
    """The answer to a form that named *provider*: on to the start of a sign-in through it."""
    target = url_for("accounts.sso_start", provider_id=provider.id, next=next_url or None)
    return continue_to(
        target,
        _("To your organisation’s sign-in"),
        _("Continue to %(service)s", service=provider.name),
    )
