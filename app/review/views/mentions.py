"""The people a member may @mention (issue 27): what the comment form's suggestion list asks."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import login_required

from app.review.blueprint import bp
from app.review.mentions import mentionable


@bp.route("/mentions/people")
@login_required
def mention_people():
    """Up to eight active, not pseudonymised accounts whose name or organisation contains ``q``:
    id, name, organisation and the token to write, never an address. Signed-in members only."""
    response = jsonify({"people": mentionable(request.args.get("q", ""))})
    response.headers["Cache-Control"] = "private, no-store"
    return response
