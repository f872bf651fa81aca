"""What the browser gets once a protocol module has a `Result` from identities.finish: one answer
for OpenID Connect and SAML alike.

A signed-in person gets a fresh Remiss session (as with a password) and is sent back where they
were going; a first sign-in that found an existing account by e-mail asks the person to confirm the
link (the state waits in the session, never in the URL); one without an e-mail address is asked
for it (likewise); a refusal shows why and changes nothing but
the audit log and the used-up state.
"""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue

from app.accounts.auth import start_session
from app.accounts.sso.identities import Outcome, Result
from app.extensions import db
from app.web import log_security
from app.web.redirects import safe_next

# session["sso"]: the provider signed in through and what its logout needs (id_token_hint, or
# name_id and session_index), for sign-out.
SSO_KEY = "sso"
# session["sso_link"]: a link waiting for the person's confirmation.
LINK_KEY = "sso_link"
# session["sso_email"]: a first sign-in without an e-mail, waiting for the person's address and
# the link mailed to it (which works only in this browser).
EMAIL_KEY = "sso_email"
# Refusals about who the person is, not about the request: 403; the rest 400.
FORBIDDEN = frozenset({"other_organisation", "closed", "inactive_provider", "domain", "email_browser"})


def respond(result: Result, logout: dict | None = None) -> ResponseReturnValue:
    """Answer the browser for *result* and commit: a session, the link question, or the refusal.

    *logout* is what the protocol's logout function will need at sign-out (JSON-serialisable:
    ``{"id_token_hint": ...}`` or ``{"name_id": ..., "session_index": ...}``).
    """
    if result.outcome is Outcome.SIGNED_IN and result.user is not None and result.state is not None:
        state = result.state
        next_url = safe_next(state.next_url)
        start_session(result.user)
        session[SSO_KEY] = {**(logout or {}), "provider_id": state.provider_id}
        db.session.commit()
        return redirect(next_url or url_for("documents.index"))
    if result.outcome is Outcome.CONFIRM_LINK and result.state is not None:
        session[LINK_KEY] = {"state": result.state.state, "logout": logout or {}}
        db.session.commit()
        return redirect(url_for("accounts.sso_link"))
    if result.outcome is Outcome.ASK_EMAIL and result.state is not None:
        session[EMAIL_KEY] = {"state": result.state.state, "logout": logout or {}}
        db.session.commit()
        return redirect(url_for("accounts.sso_email"))
    # A refusal: what identities.refuse recorded and the state already taken are kept.
    db.session.commit()
    log_security("sso-refused", reason=result.reason)
    status = 403 if result.reason in FORBIDDEN else 400
    return render_template("accounts/sso/refused.html", message=result.message), status
