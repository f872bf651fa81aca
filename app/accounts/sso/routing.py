"""Which identity provider answers for whom: by e-mail domain, for the sign-in page, and whether
an organisation's members may still use passwords. The protocols themselves are looked up in
app/accounts/sso/protocols.py."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template, url_for
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain
from app.extensions import db
from app.web.redirects import safe_next


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
    return organisation_provider(user.organisation_id)


def organisation_provider(organisation_id: int) -> IdentityProvider | None:
    """The active provider an organisation signs in through instead of with passwords, if any."""
    return db.session.scalar(
        sa.select(IdentityProvider)
        .where(
            IdentityProvider.organisation_id == organisation_id,
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
