"""Comments on blocks, their edit history, endorsements and the editors' decisions."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, enum_type, utcnow
from app.extensions import db
from app.review.permissions import can_moderate


class CommentKind(enum.Enum):
    """What the commenter intends."""

    COMMENT = "comment"
    QUESTION = "question"
    SUGGESTION = "suggestion"


class CommentStatus(enum.Enum):
    """An editor's decision on a comment (the disposition)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"
    NOTED = "noted"
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"


# One colour per outcome, (text, background) as hex: the web's status badges and the meeting pack's
# compilation use these same pairs, so an outcome looks the same on screen and on paper. Each text
# colour has a contrast of at least 7:1 on its background and on white (WCAG AA needs 4.5:1), and a
# badge always carries the word too: colour is never the only signal.
STATUS_COLOURS: dict[CommentStatus, tuple[str, str]] = {
    CommentStatus.OPEN: ("3B3B3B", "EDEDED"),
    CommentStatus.ACCEPTED: ("0B5A21", "DDF2E2"),
    CommentStatus.PARTLY_ACCEPTED: ("5A4300", "FBEFC4"),
    CommentStatus.REJECTED: ("8A1414", "FBE3E3"),
    CommentStatus.NOTED: ("0B4A80", "DFECF9"),
    CommentStatus.DUPLICATE: ("5B2A86", "EEE5F7"),
    CommentStatus.WITHDRAWN: ("4A4A4A", "FFFFFF"),
}


class Comment(db.Model):
    """A comment (or a reply) submitted to the authority: never hard-deleted."""

    __tablename__ = "comment"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "number", name="uq_comment_document_number"),
        sa.Index("ix_comment_version_block", "version_id", "block_id"),
        # The reading page's counts per block, from the index alone, and its busy-version query
        # (migrations b1a0c0de0003, b1a0c0de2703).
        sa.Index(
            "ix_comment_block_counts",
            "document_id",
            "block_id",
            "parent_id",
            "version_id",
            "status",
            "withdrawn_at",
        ),
        # "Answered in this version" on the reading page (migration b1a0c0de0021).
        sa.Index("ix_comment_resolved_in_version", "resolved_in_version_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id"))
    # Per-document number, so people can say "#12" in a meeting.
    number: so.Mapped[int] = so.mapped_column(sa.Integer)
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("version.id"))
    # None: a general comment on the version as a whole.
    block_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("block.id"))
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("comment.id"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    # The organisation at the time of writing: the record must not move if the person does.
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"))
    kind: so.Mapped[CommentKind] = so.mapped_column(
        enum_type(CommentKind, "comment_kind"), default=CommentKind.COMMENT
    )
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    # Rendered and sanitised once, when stored.
    body_html: so.Mapped[str] = so.mapped_column(sa.Text)
    quote_exact: so.Mapped[str | None] = so.mapped_column(sa.Text)
    quote_prefix: so.Mapped[str | None] = so.mapped_column(sa.Text)
    quote_suffix: so.Mapped[str | None] = so.mapped_column(sa.Text)
    quote_start: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    quote_end: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    # A suggestion: the whole paragraph as proposed (sanitised rich text), with or without a
    # quote (the quote only points at words; migration b1a0c0de2201 converted the older spans).
    suggestion: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # The block's text when the comment was made: the base a suggestion was made on, and the
    # text of "outdated" and removed-text views.
    block_text: so.Mapped[str | None] = so.mapped_column(sa.Text)
    status: so.Mapped[CommentStatus] = so.mapped_column(
        enum_type(CommentStatus, "comment_status"), default=CommentStatus.OPEN, index=True
    )
    response: so.Mapped[str | None] = so.mapped_column(sa.Text)
    response_html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    editor_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    duplicate_of_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("comment.id"))
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    resolved_in_version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hidden_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hidden_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    hidden_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    row_version: so.Mapped[int] = so.mapped_column(sa.Integer, default=1)

    __mapper_args__ = {"version_id_col": row_version}

    author: so.Mapped[User] = so.relationship(foreign_keys=[author_id])  # noqa: F821
    organisation: so.Mapped[Organisation] = so.relationship()  # noqa: F821
    version: so.Mapped[Version] = so.relationship(foreign_keys=[version_id])  # noqa: F821
    block: so.Mapped[Block | None] = so.relationship()  # noqa: F821
    parent: so.Mapped[Comment | None] = so.relationship(
        remote_side=[id], back_populates="replies", foreign_keys=[parent_id]
    )
    replies: so.Mapped[list[Comment]] = so.relationship(
        back_populates="parent", order_by="Comment.created_at", foreign_keys=[parent_id]
    )
    endorsements: so.Mapped[list[Endorsement]] = so.relationship(back_populates="comment")
    revisions: so.Mapped[list[CommentRevision]] = so.relationship(
        back_populates="comment", order_by="CommentRevision.id"
    )

    def __repr__(self) -> str:
        return f"<Comment #{self.number} on {self.version_id}>"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_open(self) -> bool:
        return self.status is CommentStatus.OPEN and not self.is_withdrawn

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_edited(self) -> bool:
        return self.updated_at is not None

    @property
    def has_response(self) -> bool:
        return self.decided_at is not None or bool(self.response_html)

    def is_author(self, user) -> bool:
        """Whether *user* wrote this comment."""
        # Anonymous users have no id; comparing ids avoids Flask-Login's property chain.
        return getattr(user, "id", None) is not None and user.id == self.author_id

    def can_edit(self, user) -> bool:
        """Authors edit until an editor has responded, and not after withdrawing."""
        return self.is_author(user) and not self.has_response and not self.is_withdrawn and not self.is_hidden

    def can_withdraw(self, user) -> bool:
        """Authors may withdraw an open comment; it stays on record."""
        return self.is_author(user) and not self.is_withdrawn and self.status is CommentStatus.OPEN

    def can_endorse(self, user) -> bool:
        """Signed-in members endorse other people's top-level comments, never their own."""
        if user is None or not user.is_authenticated:
            return False
        return self.parent_id is None and not self.is_author(user)

    def can_moderate(self, user) -> bool:
        """Editors and administrators may hide a comment (with a reason) and show it again."""
        return can_moderate(user)


class CommentRevision(db.Model):
    """An earlier wording of a comment, kept when its author edits it."""

    __tablename__ = "comment_revision"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    comment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("comment.id"), index=True)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    # A whole proposed paragraph, as Comment.suggestion (made on the comment's block_text).
    suggestion: so.Mapped[str | None] = so.mapped_column(sa.Text)
    kind: so.Mapped[CommentKind] = so.mapped_column(enum_type(CommentKind, "comment_kind"))
    replaced_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    comment: so.Mapped[Comment] = so.relationship(back_populates="revisions")


class Endorsement(db.Model):
    """ "Instämmer": one user agrees with a comment, at most once."""

    __tablename__ = "endorsement"

    comment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("comment.id"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    comment: so.Mapped[Comment] = so.relationship(back_populates="endorsements")
    user: so.Mapped[User] = so.relationship()  # noqa: F821


class CommentAnchor(db.Model):
    """Where a carried comment's quote stands in a later version, worked out when it was published.

    One row per (comment, version) for an open comment with a quote, made on an earlier version,
    whose paragraph's text changed (app.review.anchors.store_anchors). Start and end are offsets
    in the paragraph's plain text in that version; both empty: the quoted words could not be
    found again with confidence. The comment's own quote, on the version it was made on, needs
    no row. Derived data: it can always be worked out again from the comment and the text.
    """

    __tablename__ = "comment_anchor"

    comment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("comment.id"), primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("version.id"), primary_key=True, index=True)
    quote_start: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    quote_end: so.Mapped[int | None] = so.mapped_column(sa.Integer)


class CommentMention(db.Model):
    """A person @mentioned in a comment or a reply (issue 27; app.review.mentions).

    The comment's text carries the mention as the token ``@[user:<id>]``; this row says that the
    token was a person when it was written, and whether they were told. A row is never removed
    when an edit drops the mention, so mentioning them again in a later edit tells no one twice.
    """

    __tablename__ = "comment_mention"

    comment_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("comment.id"), primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), primary_key=True, index=True)
    # False: they could not read the document when mentioned, so nobody was told.
    notified: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
