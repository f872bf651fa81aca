"""The SAML service provider's addresses: metadata, the assertion consumer service (ACS) and
single logout (SLO), and the start and sign-out hooks registered for SAML providers."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.accounts import operations
from app.accounts.blueprint import bp
from app.accounts.models import Invitation
from app.accounts.sso import identities, protocols, saml
from app.accounts.sso.models import IdentityProvider, ProviderKind
from app.accounts.sso.respond import respond
from app.extensions import csrf, db, limiter
from app.web import CSP

SAML_LIMIT = "30 per minute"


def _go(outgoing: saml.Outgoing) -> Response:
    """Send the browser on to the IdP.

    A redirect, unless the browser came here by submitting a form: the page's CSP (form-action
    'self') would stop a redirect to another site after a form, so a page with a link the script
    follows at once (or the person clicks). A POST binding is a form the person's browser submits
    (script, or the button), with form-action opened to the IdP for that page alone.
    """
    if outgoing.fields is not None:
        page = render_template("accounts/sso/post.html", url=outgoing.url, fields=outgoing.fields)
        response = Response(page)
        origin = "{0.scheme}://{0.netloc}".format(saml.urlsplit(outgoing.url))
        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
        return response
    if request.method == "POST":
        return Response(render_template("accounts/sso/continue_saml.html", url=outgoing.url))
    return redirect(outgoing.url)


def _refused(message: str, status: int = 403, heading: str = "") -> Response:
    return Response(render_template("accounts/sso/refused.html", message=message, heading=heading), status)


def start(provider: IdentityProvider, next_url: str, invitation: Invitation | None = None) -> Response:
    """Send the browser to *provider* with a signed AuthnRequest (registered for SAML)."""
    try:
        outgoing = saml.authn_request(provider, next_url, invitation)
    except Exception as error:  # pysaml2 raises many kinds (metadata without the IdP, say)
        db.session.rollback()
        why = error.why if isinstance(error, saml.SamlRefused) else type(error).__name__
        reason = error.reason if isinstance(error, saml.SamlRefused) else "provider"
        result = identities.refuse(provider, reason, why="start: " + why)
        db.session.commit()
        return _refused(result.message, 503)
    db.session.commit()
    return _go(outgoing)


def logout(provider: IdentityProvider, data: dict) -> Response | None:
    """Single logout at *provider* after the Remiss session ended (registered for SAML)."""
    try:
        outgoing = saml.logout_request(provider, data)
    except Exception:  # no single logout then: the Remiss session has ended already
        return None
    return _go(outgoing) if outgoing is not None else None


protocols.register_start(ProviderKind.SAML, start)
protocols.register_logout(ProviderKind.SAML, logout)


@bp.route("/sso/saml/metadata")
def saml_metadata():
    """Our SAML metadata, signed, at a stable address (it is also our entityID)."""
    try:
        xml = saml.sp_metadata()
    except saml.SamlRefused:
        return Response(_("SAML sign-in is not configured on this server."), 404, mimetype="text/plain")
    return Response(xml, mimetype="application/samlmetadata+xml")


@bp.route("/sso/saml/acs", methods=["POST"])
@csrf.exempt
@limiter.limit(SAML_LIMIT)
def saml_acs():
    """The IdP's Response, POSTed by the person's browser: checked, then signed in or refused."""
    _provider, result, extras = saml.receive_response(request.form)
    # respond() keeps *extras* (NameID, SessionIndex) for single logout, also across a link.
    response = respond(result, extras)
    db.session.commit()
    return response


@bp.route("/sso/saml/slo", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(SAML_LIMIT)
def saml_slo():
    """Single logout: the answer to our LogoutRequest, or the IdP's own LogoutRequest."""
    binding = saml.BINDING_HTTP_POST if request.method == "POST" else saml.BINDING_HTTP_REDIRECT
    args = request.form if request.method == "POST" else request.args
    received = saml.receive_logout(args, binding)
    if received.refusal:
        db.session.commit()
        return _refused(
            _("The sign-out message from your organisation could not be verified."),
            400,
            heading=_("Sign-out message refused"),
        )
    if received.answer is None and not received.name_id:
        # The answer to our own LogoutRequest: the Remiss session ended before we sent it.
        db.session.commit()
        if received.response_ok:
            flash(_("You have signed out, also from your organisation's sign-in."), "info")
        else:
            flash(_("You have signed out of Remiss; your organisation's sign-in may still be open."), "info")
        return redirect(url_for("documents.index"))
    kept = session.get("sso") or {}
    if (
        current_user.is_authenticated
        and kept.get("provider_id") == received.provider.id
        and kept.get("name_id") == received.name_id
    ):
        operations.sign_out(current_user)
        from app.audit import record

        record(current_user, "sso.logout", received.provider, initiated_by="idp")
        logout_user()
        session.clear()
    db.session.commit()
    if received.answer is not None:
        return _go(received.answer)
    return redirect(url_for("documents.index"))
