"""The pages of a sign-in through an OpenID Provider: where the provider sends the browser back
after the sign-in (the callback) and after signing out there."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from app.accounts.blueprint import bp
from app.accounts.sso import oidc
from app.accounts.sso.models import IdentityProvider, ProviderKind
from app.accounts.sso.respond import respond
from app.extensions import db, limiter
from app.web.redirects import safe_next


def _writing() -> None:
    """These GET requests write (the sign-in in flight, the account, the audit log), in one
    transaction: on PostgreSQL app.database runs GET requests in autocommit, so start again on
    a fresh connection (the pool gives it back transactional). A commit, not a close: what the
    request loaded (the signed-in user) stays in the session, to be read again."""
    db.session.commit()


@bp.route("/sso/oidc/start/<int:provider_id>")
@limiter.limit("30 per minute")
def sso_oidc_start(provider_id: int):
    """Go to the provider's sign-in (a link on the sign-in page, or initiated by the provider)."""
    _writing()
    provider = db.session.get(IdentityProvider, provider_id)
    if provider is None or provider.kind is not ProviderKind.OIDC or not provider.active:
        abort(404)
    return oidc.start(provider, safe_next(request.args.get("next")) or "")


@bp.route("/sso/oidc/callback")
@limiter.limit("30 per minute")
def sso_oidc_callback():
    """The provider's answer: signed in, asked to confirm a link, or refused (403)."""
    _writing()
    result, extras = oidc.callback(request.args)
    return respond(result, extras)


@bp.route("/sso/oidc/signed-out")
def sso_oidc_signed_out():
    """Back from signing out at the provider too."""
    flash(_("You have signed out, also from your organisation's sign-in service."), "info")
    return redirect(url_for("documents.index"))
