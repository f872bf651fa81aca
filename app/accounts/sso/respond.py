"""What the browser gets once a sign-in through a provider is decided (SMALL stand-in written on
branch s26-saml; the lead keeps s26-core's fuller one at merge).

``respond(result, extras)``: signed in -> a fresh session, ``session["sso"]`` (the provider and
what its protocol needs for sign-out), a redirect to the same-site next_url; a link to confirm ->
the confirm page; refused -> a page saying why (403).
"""

from __future__ import annotations

from flask import Response, redirect, render_template, session, url_for
from flask_login import login_user

from app.accounts.sso.identities import Outcome, Result
from app.web.redirects import safe_next


def _start_session(user) -> None:
    """A fresh session for *user*, as the password sign-in makes (no fixation)."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    login_user(user)
    session.permanent = True


def respond(result: Result, extras: dict) -> Response:
    if result.outcome is Outcome.REFUSED:
        return Response(render_template("accounts/sso/refused.html", message=result.message), 403)
    if result.outcome is Outcome.CONFIRM_LINK:
        session["sso_link"] = result.state.state
        return redirect(url_for("accounts.sso_confirm_link"))
    state = result.state
    _start_session(result.user)
    session["sso"] = {"provider_id": state.provider_id, **extras}
    return redirect(safe_next(state.next_url) or url_for("documents.index"))
