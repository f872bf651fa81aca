"""Drafting's table: Word imports and pasted text waiting for their editor (app.drafting.pending)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime
from app.extensions import db


class StoredImport(db.Model):
    """A parsed import waiting for its editor's decision (see the module's notes)."""

    __tablename__ = "pending_import"

    token: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(300))
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int] = so.mapped_column(sa.Integer)
