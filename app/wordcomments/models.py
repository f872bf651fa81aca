"""What was taken in from Word files: one row per stored comment, so nothing comes in twice."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


class WordImport(db.Model):
    """A comment stored from a Word comment or tracked change, with the Word record of it.

    The fingerprint (app.wordcomments.placement.fingerprint) identifies the Word comment or
    change within its document whatever file it arrives in: a second upload of it stores nothing.
    """

    __tablename__ = "word_import"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "fingerprint", name="uq_word_import_document_fingerprint"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id"))
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))
    comment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("comment.id"), index=True)
    # The author name and date Word recorded, kept for the record.
    word_author: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    word_date: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    # Who uploaded the file, and (for a file received by mail) who sent it.
    imported_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"))
    sender: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    filename: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
