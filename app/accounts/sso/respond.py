"""What the browser sees after a sign-in through a provider, whatever the protocol.

SMALL STAND-IN written on branch s26-oidc so the OIDC callback can be tested end to end; the
sign-in pages of issue 26 (branch s26-core) own the real one. Same signature:
``respond(result, extras)``.
"""

from __future__ import annotations

from flask import redirect, render_template, session, url_for
from flask_login import login_user

from app.accounts.sso.identities import Outcome, Result
from app.extensions import db
from app.web.redirects import safe_next


def respond(result: Result, extras: dict | None = None):
    """Sign in, ask to confirm a link, or show the refusal (403). Commits."""
    db.session.commit()
    if result.outcome is Outcome.SIGNED_IN and result.user is not None:
        state = result.state
        language = session.get("language")
        session.clear()  # no session fixation: the old session's data goes
        if language:
            session["language"] = language
        login_user(result.user)
        session.permanent = True
        if state is not None:
            session["sso"] = {"provider_id": state.provider_id, **(extras or {})}
        target = safe_next(state.next_url if state is not None else None)
        return redirect(target or url_for("documents.index"))
    if result.outcome is Outcome.CONFIRM_LINK and result.state is not None:
        session["sso_link"] = result.state.state
        session["sso_link_extras"] = extras or {}
        return redirect(url_for("accounts.sso_confirm_link"))
    return render_template("accounts/sso_refused.html", message=result.message), 403
