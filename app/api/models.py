"""Personal API tokens: a program acts with the rights of the user who made the token."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


class ApiToken(db.Model):
    """One named token; only its sha256 is stored, and the first characters for recognition."""

    __tablename__ = "api_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(16))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of {self.user_id}>"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def can_revoke(self, user) -> bool:
        """Only the token's own user revokes it."""
        if user is None or not user.is_authenticated:
            return False
        return user.id == self.user_id
