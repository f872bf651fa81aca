"""Signed unsubscribe tokens: one link stops one kind of message (or the digest) for one user."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from app.notifications.models import PREFERENCE_KINDS

SALT = "remiss.notifications.unsubscribe"
# The digest's own link stops every kind the user receives as a digest.
DIGEST = "digest"
SCOPES = {kind.value for kind in PREFERENCE_KINDS} | {DIGEST}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def unsubscribe_token(user_id: int, scope: str) -> str:
    """The token for *user_id* and *scope* (a NotificationKind value or DIGEST)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown unsubscribe scope {scope!r}")
    # No expiry: a link in an old message must still work (RFC 8058 expects that too).
    return _serializer().dumps([user_id, scope])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, scope) from a token, or None if it was tampered with or is malformed."""
    try:
        data = _serializer().loads(token)
    except BadData:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], int)
        or isinstance(data[0], bool)
        or not isinstance(data[1], str)
        or data[1] not in SCOPES
    ):
        return None
    return data[0], data[1]
