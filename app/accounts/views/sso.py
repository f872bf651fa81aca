"""Signing in through one's organisation: choosing the provider, starting the protocol (also from
an invitation), and confirming that a first sign-in may link an existing account."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.accounts.blueprint import bp
from app.accounts.models import Invitation, User, hash_token
from app.accounts.sso import identities
from app.accounts.sso.forms import NO_PROVIDER, OrganisationSignInForm
from app.accounts.sso.models import IdentityProvider
from app.accounts.sso.protocols import start_for
from app.accounts.sso.respond import LINK_KEY, respond
from app.accounts.sso.routing import (
    active_providers,
    organisation_provider,
    organisation_redirect,
    provider_for_email,
)
from app.database import writes_on_get
from app.extensions import db, limiter
from app.web.forms import ConfirmForm
from app.web.redirects import safe_next

# Each start writes a row (the sign-in in flight): a bound on how fast one address may add them.
START_LIMIT = "30 per minute; 300 per hour"


@bp.route("/sign-in/sso/<int:provider_id>")
@limiter.limit(START_LIMIT)
@writes_on_get
def sso_start(provider_id: int):
    """Send the browser to the provider's sign-in, through the protocol registered for its kind."""
    provider = db.get_or_404(IdentityProvider, provider_id)
    if not provider.active:
        abort(404)
    return _start(provider, safe_next(request.args.get("next")) or "")


def _start(provider: IdentityProvider, next_url: str, invitation: Invitation | None = None):
    start = start_for(provider.kind)
    if start is None:
        message = _("Sign-in through this service is not available on this server. Ask an administrator.")
        return render_template("accounts/sso/refused.html", message=message), 503
    response = start(provider, next_url, invitation=invitation)
    db.session.commit()
    return response


@bp.route("/invitation/<token>/sign-in")
@limiter.limit(START_LIMIT)
@writes_on_get
def sso_start_invited(token: str):
    """From an invitation's page to the organisation's sign-in, carrying the invitation: a provider
    that sends no e-mail address still gives the invited person their account and roles."""
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None:
        abort(404)
    state = invitation.state()
    if state != "valid":
        return render_template("accounts/invitation_invalid.html", state=state), 410
    provider = organisation_provider(invitation.organisation_id)
    if provider is None:
        # Passwords are allowed after all: the invitation's own page asks for one.
        return redirect(url_for("accounts.accept_invitation", token=token))
    return _start(provider, "", invitation)


@bp.route("/sign-in/organisation", methods=["GET", "POST"])
@limiter.limit(START_LIMIT, methods=["POST"])
def sso_choose():
    """Sign in with one's organisation: by e-mail address, or by choosing it from the list."""
    next_url = safe_next(request.args.get("next"))
    form = OrganisationSignInForm()
    if form.validate_on_submit():
        provider = provider_for_email(form.email.data)
        if provider is not None:
            return organisation_redirect(provider, next_url)
        form.email.errors = [str(NO_PROVIDER)]
    status = 400 if form.is_submitted() else 200
    providers = active_providers()
    return render_template(
        "accounts/sso/choose.html", form=form, providers=providers, next_url=next_url
    ), status


@bp.route("/sign-in/link", methods=["GET", "POST"])
def sso_link():
    """Ask the person to confirm linking the account with their e-mail to their organisation's sign-in."""
    waiting = session.get(LINK_KEY) or {}
    state = identities.pending_link(str(waiting.get("state") or ""))
    if state is None:
        session.pop(LINK_KEY, None)
        message = _("There is no sign-in waiting for your confirmation. Please start again.")
        return render_template("accounts/sso/refused.html", message=message), 410
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        session.pop(LINK_KEY, None)
        if request.form.get("answer") != "link":
            identities.decline_link(state.state)
            db.session.commit()
            flash(_("Nothing was linked. You can sign in with your password."), "info")
            return redirect(url_for("accounts.login"))
        result = identities.confirm_link(state.state)
        return respond(result, logout=waiting.get("logout") or {})
    user = db.session.get(User, state.link_user_id)
    return render_template("accounts/sso/link.html", form=form, state=state, user=user)
