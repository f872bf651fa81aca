"""Errors of the API as JSON with one stable shape: {"error": {"code", "message", "parameter"}}."""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

# The machine-readable code for each HTTP status the API answers with by itself.
CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    410: "gone",
    429: "too_many_requests",
    500: "server_error",
}


class ApiError(Exception):
    """An error answered as JSON; *parameter* names the query parameter at fault, if any."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter


def not_found(what: str) -> ApiError:
    """A 404 for an unknown id of *what* ("document", "version", ...)."""
    return ApiError(404, "not_found", f"No such {what}.")


def bad_parameter(parameter: str, message: str) -> ApiError:
    """A 400 naming the query parameter that was wrong."""
    return ApiError(400, "invalid_parameter", message, parameter)


def error_response(error: ApiError):
    """The JSON response for *error*."""
    response = jsonify(
        {"error": {"code": error.code, "message": error.message, "parameter": error.parameter}}
    )
    response.status_code = error.status
    if error.status == 401:
        detail = ' error="invalid_token"' if error.code == "invalid_token" else ""
        response.headers["WWW-Authenticate"] = f'Bearer realm="remiss"{detail}'
    return response


def http_error_response(error: HTTPException):
    """An HTTP error raised anywhere under /api/ (unknown path, wrong method...) as API JSON."""
    code = error.code or 500
    response = error_response(ApiError(code, CODES.get(code, "error"), error.name))
    if code == 405 and error.get_response().headers.get("Allow"):
        response.headers["Allow"] = error.get_response().headers["Allow"]
    return response


def server_error_response():
    """An unexpected failure under /api/ as API JSON (the details go to the log, not the client)."""
    return error_response(ApiError(500, "server_error", "Something went wrong on our side."))
