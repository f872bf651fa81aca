"""A first sign-in through a provider that sent no e-mail address (Sweden Connect's eIDs): the
person gives their work address, a link is mailed to it, and opening that link in the same
browser creates their account or links the one with that address (app.accounts.sso.identities)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app import mail
from app.accounts.blueprint import bp
from app.accounts.sso import identities
from app.accounts.sso.forms import WorkEmailForm
from app.accounts.sso.respond import EMAIL_KEY, respond
from app.database import writes_on_get
from app.extensions import db, limiter
from app.web.forms import ConfirmForm

# Each address given sends a mail: a bound on how often one browser or address may ask.
MAIL_LIMIT = "5 per minute; 20 per hour"


def _nothing_waiting():
    session.pop(EMAIL_KEY, None)
    message = _(
        "There is no sign-in waiting for your e-mail address. Please sign in with your organisation again."
    )
    return render_template("accounts/sso/refused.html", message=message), 410


@bp.route("/sign-in/email", methods=["GET", "POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"])
def sso_email():
    """Ask for the work address of a person whose organisation's sign-in did not say it, and mail
    a confirmation link to it."""
    waiting = session.get(EMAIL_KEY) or {}
    state = identities.waiting_for_email(str(waiting.get("state") or ""))
    if state is None:
        return _nothing_waiting()
    domains = identities.email_domains(state)
    form = WorkEmailForm(domains=domains)
    if request.method == "GET" and state.email:
        form.email.data = state.email
    if form.validate_on_submit():
        token = identities.mail_confirmation(state, form.email.data)
        link = url_for("accounts.sso_email_confirm", token=token, _external=True)
        mail.send_sign_in_link(
            state.email,
            link,
            service=state.provider.name,
            organisation=state.provider.organisation.name,
            expires_at=state.expires_at,
        )
        db.session.commit()
        flash(
            _(
                "We have sent a link to %(email)s. Open it in this browser to finish signing in.",
                email=state.email,
            ),
            "success",
        )
        return redirect(url_for("accounts.sso_email"))
    status = 200
    if form.is_submitted():
        status = 400
        if form.email.errors:
            identities.refuse_address(state, form.email.data or "")
            db.session.commit()
    return render_template("accounts/sso/email.html", form=form, state=state, domains=domains), status


@bp.route("/sign-in/email/<token>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
@writes_on_get
def sso_email_confirm(token: str):
    """The link mailed to the work address: says what confirming does, then does it (POST)."""
    state, status = identities.email_link(token)
    if state is None:
        result = identities.refuse(None, "email_link", link=status)
        db.session.commit()
        return render_template("accounts/sso/refused.html", message=result.message), 410
    waiting = session.get(EMAIL_KEY) or {}
    if waiting.get("state") != state.state:
        # Only the browser that signed in at the provider may finish: a link sent to someone else's
        # address must not attach the sender's identity to that person's account.
        result = identities.refuse_email_link(state, "email_browser", keep_link=True)
        db.session.commit()
        return render_template("accounts/sso/refused.html", message=result.message), 403
    outcome, user = identities.email_link_outcome(state)
    if outcome not in ("create", "link"):
        result = identities.refuse_email_link(state, outcome)
        db.session.commit()
        session.pop(EMAIL_KEY, None)
        return render_template("accounts/sso/refused.html", message=result.message), 403
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        session.pop(EMAIL_KEY, None)
        return respond(identities.confirm_email(token), logout=waiting.get("logout") or {})
    return render_template(
        "accounts/sso/email_confirm.html", form=form, state=state, outcome=outcome, user=user
    )
