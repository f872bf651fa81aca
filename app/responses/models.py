"""An organisation's formal response to a version, and its positions per section."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, enum_type, utcnow
from app.extensions import db


class Position(enum.Enum):
    """An organisation's position on the draft (or on one section of it)."""

    SUPPORTS = "supports"
    SUPPORTS_WITH_COMMENTS = "supports_with_comments"
    OPPOSES = "opposes"
    ABSTAINS = "abstains"


class ResponseState(enum.Enum):
    """A shared draft, the submitted record, or a record replaced by a later submission."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REPLACED = "replaced"


class Response(db.Model):
    """One organisation's answer to one version: a record once submitted, never deleted."""

    __tablename__ = "response"
    __table_args__ = (
        # At most one shared draft and one standing submission per organisation and version.
        sa.Index(
            "uq_response_one_draft",
            "version_id",
            "organisation_id",
            unique=True,
            sqlite_where=sa.text("state = 'draft'"),
            postgresql_where=sa.text("state = 'draft'"),
        ),
        sa.Index(
            "uq_response_one_submitted",
            "version_id",
            "organisation_id",
            unique=True,
            sqlite_where=sa.text("state = 'submitted'"),
            postgresql_where=sa.text("state = 'submitted'"),
        ),
        sa.Index("ix_response_version_state", "version_id", "state"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id"), index=True)
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("version.id"))
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True)
    state: so.Mapped[ResponseState] = so.mapped_column(
        enum_type(ResponseState, "response_state"), default=ResponseState.DRAFT
    )
    # None while drafting; a submission needs one.
    position: so.Mapped[Position | None] = so.mapped_column(enum_type(Position, "response_position"))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Rendered and sanitised once, when stored (app.review.markdown).
    summary_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reference: so.Mapped[str] = so.mapped_column(sa.String(100), default="")
    decision_maker: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    decision_maker_title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    officer: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    submitted_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    replaced_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    row_version: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)

    # Two members saving the same draft: the second save names an old row_version and fails.
    __mapper_args__ = {"version_id_col": row_version}

    organisation: so.Mapped[Organisation] = so.relationship(lazy="joined", innerjoin=True)  # noqa: F821
    updated_by: so.Mapped[User | None] = so.relationship(foreign_keys=[updated_by_id])  # noqa: F821
    submitted_by: so.Mapped[User | None] = so.relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    sections: so.Mapped[list[SectionPosition]] = so.relationship(
        back_populates="response",
        order_by="SectionPosition.position_in_text",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<Response {self.organisation_id} on {self.version_id} {self.state.value}>"

    @property
    def is_draft(self) -> bool:
        return self.state is ResponseState.DRAFT

    def section_positions(self) -> dict[str, SectionPosition]:
        """The positions per section, by the section heading's block uid."""
        return {s.block_uid: s for s in self.sections}


class SectionPosition(db.Model):
    """A position on one top-level section, with the heading as it was when it was given."""

    __tablename__ = "response_section"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "block_uid", name="uq_response_section_response_block"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    response_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("response.id"), index=True)
    # The heading's block uid: stable across versions, but the section may be gone from later ones.
    block_uid: so.Mapped[str] = so.mapped_column(sa.String(24))
    heading: so.Mapped[str] = so.mapped_column(sa.String(500))
    position_in_text: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    position: so.Mapped[Position] = so.mapped_column(enum_type(Position, "response_position"))

    response: so.Mapped[Response] = so.relationship(back_populates="sections")
