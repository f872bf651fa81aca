"""The live_event table: what happened on a document, by id, kept for LIVE_RETENTION seconds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


class LiveEvent(db.Model):
    """One happening on a document; its id is the Server-Sent Event id browsers resume from.

    Only ids and a kind: never a comment's text, so a stream can carry nothing a reader may not
    see. ``sqlite_autoincrement``: ids never come back after a purge, so an old id stays old.
    """

    __tablename__ = "live_event"
    __table_args__ = (
        sa.Index("ix_live_event_document_id_id", "document_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True, autoincrement=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    comment_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    block_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    version_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
