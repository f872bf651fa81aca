"""Documents, their versions, and blocks with identities that outlive versions."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, enum_type, utcnow
from app.documents.permissions import can_edit_drafts
from app.extensions import db


class Visibility(enum.Enum):
    """Who may read a document."""

    PUBLIC = "public"
    NETWORK = "network"


class CommentVisibility(enum.Enum):
    """What visitors who are not signed in see of comments on a public document."""

    NONE = "none"
    ORGANISATION = "organisation"
    FULL = "full"


class VersionState(enum.Enum):
    """The life of a version: an editable draft, then published open, then closed."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class BlockKind(enum.Enum):
    """What a block is; headings and list items also carry a level."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"
    NUMBER = "number"
    QUOTE = "quote"
    TABLE = "table"


LICENCES = {
    "CC-BY-4.0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
}


class Document(db.Model):
    """A policy text that goes through versions."""

    __tablename__ = "document"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    licence: so.Mapped[str] = so.mapped_column(sa.String(32), default="CC-BY-4.0")
    visibility: so.Mapped[Visibility] = so.mapped_column(
        enum_type(Visibility, "visibility"), default=Visibility.PUBLIC
    )
    comment_visibility: so.Mapped[CommentVisibility] = so.mapped_column(
        enum_type(CommentVisibility, "comment_visibility"), default=CommentVisibility.ORGANISATION
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))

    versions: so.Mapped[list[Version]] = so.relationship(
        back_populates="document", order_by="Version.number", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<Document {self.slug!r}>"

    @property
    def licence_name(self) -> str:
        return LICENCES.get(self.licence, (self.licence, ""))[0]

    @property
    def licence_url(self) -> str:
        return LICENCES.get(self.licence, ("", ""))[1]

    @property
    def published_versions(self) -> list[Version]:
        """Open and closed versions, oldest first."""
        return [v for v in self.versions if v.state is not VersionState.DRAFT]

    @property
    def current_version(self) -> Version | None:
        """The newest published version, which readers see by default."""
        published = self.published_versions
        return published[-1] if published else None

    @property
    def draft(self) -> Version | None:
        """The working draft, if an editor has started one."""
        return next((v for v in self.versions if v.state is VersionState.DRAFT), None)

    def can_read(self, user) -> bool:
        """Public documents are for everyone; network documents for signed-in users."""
        if self.visibility is Visibility.PUBLIC:
            return True
        return bool(user is not None and user.is_authenticated and user.is_active)

    def can_edit(self, user) -> bool:
        """Editors (PRV and DIGG) write the drafts, decide on comments and see working drafts."""
        return can_edit_drafts(user)


class Version(db.Model):
    """A numbered, labelled state of a document's text."""

    __tablename__ = "version"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "number", name="uq_version_document_number"),
        # At most one working draft per document, enforced by the database too.
        sa.Index(
            "uq_version_one_draft",
            "document_id",
            unique=True,
            sqlite_where=sa.text("state = 'draft'"),
            postgresql_where=sa.text("state = 'draft'"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id"), index=True)
    number: so.Mapped[int] = so.mapped_column(sa.Integer)
    label: so.Mapped[str] = so.mapped_column(sa.String(64))
    state: so.Mapped[VersionState] = so.mapped_column(
        enum_type(VersionState, "version_state"), default=VersionState.DRAFT
    )
    change_summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    deadline: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    published_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))

    document: so.Mapped[Document] = so.relationship(back_populates="versions")
    published_by: so.Mapped[User | None] = so.relationship(  # noqa: F821
        foreign_keys=[published_by_id], lazy="joined"
    )

    def __repr__(self) -> str:
        return f"<Version {self.document_id}/{self.number} {self.state.value}>"

    @property
    def is_published(self) -> bool:
        return self.state is not VersionState.DRAFT

    def accepts_comments(self, now: datetime | None = None) -> bool:
        """Open, and its deadline (if any) has not passed."""
        if self.state is not VersionState.OPEN:
            return False
        return self.deadline is None or (now or utcnow()) < self.deadline


def new_uid() -> str:
    """A short random identifier for a block, stable across versions."""
    return secrets.token_hex(6)


class Block(db.Model):
    """The identity of a paragraph (or heading, ...) across all versions."""

    __tablename__ = "block"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uid: so.Mapped[str] = so.mapped_column(sa.String(24), unique=True, default=new_uid)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class BlockRevision(db.Model):
    """A block as it stands in one version: its position, kind and text."""

    __tablename__ = "block_revision"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "block_id", name="uq_block_revision_version_block"),
        sa.CheckConstraint("level >= 1 AND level <= 3", name="level_range"),
        sa.Index("ix_block_revision_version_position", "version_id", "position"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("version.id"))
    block_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("block.id"), index=True)
    position: so.Mapped[int] = so.mapped_column(sa.Integer)
    kind: so.Mapped[BlockKind] = so.mapped_column(enum_type(BlockKind, "block_kind"))
    level: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)
    # Sanitised inline rich text (app.richtext); tables: rows/cells.
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    # Bumped by every change of kind, level or text (not position) in a draft; an edit based
    # on an older revision is refused (app.drafting.operations), so no edit is overwritten.
    revision: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)

    block: so.Mapped[Block] = so.relationship(lazy="joined", innerjoin=True)
    version: so.Mapped[Version] = so.relationship()
    changed_by: so.Mapped[User | None] = so.relationship()  # noqa: F821

    @property
    def uid(self) -> str:
        return self.block.uid
