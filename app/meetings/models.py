"""Network meetings and the files exported for them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, enum_type, utcnow
from app.extensions import db


class ExportKind(enum.Enum):
    """The files of a meeting pack."""

    TRACKED = "tracked"
    CLEAN = "clean"
    CSV = "csv"
    JSON = "json"


class Meeting(db.Model):
    """A network meeting at which one version of a document is presented."""

    __tablename__ = "meeting"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    agenda: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    agenda_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # An address, a room or the link to a video meeting; "" when not given.
    place: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    base_version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    host_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    document: so.Mapped[Document] = so.relationship()  # noqa: F821
    version: so.Mapped[Version | None] = so.relationship(foreign_keys=[version_id])  # noqa: F821
    base_version: so.Mapped[Version | None] = so.relationship(  # noqa: F821
        foreign_keys=[base_version_id]
    )
    host: so.Mapped[User | None] = so.relationship()  # noqa: F821
    exports: so.Mapped[list[Export]] = so.relationship(
        back_populates="meeting", order_by="Export.created_at.desc()"
    )


class Export(db.Model):
    """A generated file of a meeting pack, with the checksum to verify it later."""

    __tablename__ = "export"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    kind: so.Mapped[ExportKind] = so.mapped_column(enum_type(ExportKind, "export_kind"))
    path: so.Mapped[str] = so.mapped_column(sa.String(500))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int] = so.mapped_column(sa.Integer)
    version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    base_version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The file's bytes, so every app server can serve it (EXPORTS_DIR is a mirror); loaded
    # only when asked for. NULL for files exported before the bytes were kept here.
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)

    meeting: so.Mapped[Meeting] = so.relationship(back_populates="exports")
    created_by: so.Mapped[User | None] = so.relationship()  # noqa: F821

    @property
    def file_name(self) -> str:
        """The name of the file (its path is ``<slug>/<date>/<name>``)."""
        return self.path.rsplit("/", 1)[-1]
