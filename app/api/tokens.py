"""Creating, revoking and checking personal API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User, hash_token
from app.api.models import ApiToken
from app.audit import record
from app.database import utcnow
from app.extensions import db

# A recognisable prefix lets secret scanners (and people) spot a leaked token.
TOKEN_PREFIX = "rmk_"  # noqa: S105  (a prefix, not a secret)
# Writing "last used" on every request would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=5)


class InvalidToken(Exception):
    """The Authorization header names no usable token."""


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for *user*; returns (the stored row, the secret shown once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip(),
        token_hash=hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
    )
    db.session.add(token)
    db.session.flush()
    record(user, "api_token.create", token, name=token.name, prefix=token.prefix)
    return token, secret


def revoke_token(token: ApiToken, user: User) -> bool:
    """Revoke *token*; returns False if it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record(user, "api_token.revoke", token, prefix=token.prefix)
    db.session.flush()
    return True


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they stay on record)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def user_for(authorization: str | None) -> User | None:
    """The user a request's Authorization header acts as; None without one.

    Raises InvalidToken for a malformed header, an unknown or revoked token, or a
    deactivated user: a program that sent a token must not silently get visitor rights.
    """
    if authorization is None:
        return None
    scheme, _, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > 200:
        raise InvalidToken("malformed")
    token = db.session.scalar(
        sa.select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret))
        .options(so.joinedload(ApiToken.user))
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        raise InvalidToken("unknown or revoked")
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        try:
            db.session.commit()
        except sa.exc.OperationalError:
            # Informational only: a busy database must not fail the read.
            db.session.rollback()
    return token.user
