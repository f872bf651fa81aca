"""The API blueprints: the JSON API (who the request acts as, JSON errors, ETags) and its pages for people."""

from __future__ import annotations

from flask import Blueprint, request

from app.api.errors import ApiError, error_response, http_error_response, server_error_response
from app.api.tokens import InvalidToken, user_for
from app.extensions import csrf, login_manager
from app.web import answer_errors_as

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The pages for people (the API's documentation, the profile's tokens): HTML, with sessions and CSRF.
pages_bp = Blueprint("api_pages", __name__)
# Safe only while every route is a GET (tests/api/test_tokens.py checks it): with no
# state change there is nothing to forge, and the API never reads the session cookie.
csrf.exempt(bp)
# Everything under /api/ answers errors as JSON, also paths no route of the API matches.
bp.record_once(lambda state: answer_errors_as(state.app, "/api/", http_error_response, server_error_response))


@bp.before_request
def _act_as_token_user():
    """The bearer token's user, or a visitor: the session cookie is ignored by design."""
    try:
        user = user_for(request.headers.get("Authorization"))
    except InvalidToken:
        raise ApiError(401, "invalid_token", "The API token is wrong or has been revoked.") from None
    # Flask-Login's own way to set current_user for this request only (no session write).
    login_manager._update_request_context_with_user(user)


@bp.app_errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error)


@bp.after_request
def _conditional(response):
    """ETag on every successful read; If-None-Match then answers 304 without a body."""
    response.headers.add("Vary", "Authorization")
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.direct_passthrough:
        response.headers.setdefault("Cache-Control", "no-cache")
        response.add_etag()
        response.make_conditional(request)
    return response
