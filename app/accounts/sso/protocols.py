"""The protocols a provider may speak, registered by their modules (OIDC, SAML).

The sign-in page and sign-out know providers, not protocols: they look up what a provider's kind
registered here. A protocol module registers at import:

- ``register_start(kind, start)``: ``start(provider, next_url, invitation=None) -> Response``
  redirects the browser to the provider (it writes the SignInState through identities.begin,
  carrying the invitation the sign-in was started from, if any);
- ``register_logout(kind, logout)``: ``logout(provider, data) -> Response | None`` ends the
  provider's session too (RP-initiated logout, SAML single logout), given what the protocol kept
  in ``session["sso"]`` at sign-in; None when the provider offers no logout.
- ``register_check(kind, check)`` (optional): ``check(provider) -> str | None`` runs when an admin
  saves a provider of that kind: a message saying why it cannot be saved (discovery failed, the
  metadata's signature does not verify), or None; it may fill in what it learnt on the provider.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response

from app.accounts.sso.models import IdentityProvider, ProviderKind

Start = Callable[..., Response]  # (provider, next_url, invitation=None)
Logout = Callable[[IdentityProvider, dict], "Response | None"]
Check = Callable[[IdentityProvider], "str | None"]

_starts: dict[ProviderKind, Start] = {}
_logouts: dict[ProviderKind, Logout] = {}
_checks: dict[ProviderKind, Check] = {}


def register_start(kind: ProviderKind, start: Start) -> None:
    _starts[kind] = start


def register_logout(kind: ProviderKind, logout: Logout) -> None:
    _logouts[kind] = logout


def start_for(kind: ProviderKind) -> Start | None:
    return _starts.get(kind)


def logout_for(kind: ProviderKind) -> Logout | None:
    return _logouts.get(kind)


def register_check(kind: ProviderKind, check: Check) -> None:
    _checks[kind] = check


def check_for(kind: ProviderKind) -> Check | None:
    return _checks.get(kind)
