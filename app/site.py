"""Site-wide pages: the accessibility statement and the language choice."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app import outage
from app.extensions import db
from app.web.redirects import safe_next

bp = Blueprint("site", __name__)


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement (tillgänglighetsredogörelse) required by the DOS law."""
    return render_template("site/accessibility.html")


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language; saved on the account when signed in."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = language
    if current_user.is_authenticated:
        current_user.language = language
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("documents.index"))


@bp.route("/healthz")
def health():
    """For load balancers and monitoring: 200 only while the database answers (app.outage)."""
    return outage.health()
