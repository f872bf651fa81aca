"""The search index: one row per paragraph of a version and per comment.

The rows are plain SQLAlchemy; what each database searches them with is not in the models'
metadata, because it exists on one database only and is written by triggers: on SQLite an FTS5
table ``search_fts`` over ``terms``, ``name_terms`` and ``parts``, on PostgreSQL a table
``search_tsv`` (:data:`SEARCH_TSV`) of the rows' ids and their ``tsvector``, with a GIN index per
kind. Triggers on ``search_entry`` keep both in step in the writing transaction. Migrations
b1a0c0de0019, b1a0c0de2308 and b1a0c0de2301 create them, and ``migrations/env.py`` leaves them out
of ``flask db check``.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects.postgresql import TSVECTOR

from app.database import enum_type
from app.extensions import db


class EntryKind(enum.Enum):
    """What a row of the index stands for."""

    BLOCK = "block"
    COMMENT = "comment"


class SearchEntry(db.Model):
    """The searchable text of one block revision or one comment (written by app.search.index)."""

    __tablename__ = "search_entry"
    __table_args__ = (
        # One row per block of a version; comments have their own unique id.
        sa.Index(
            "uq_search_entry_version_block",
            "version_id",
            "block_id",
            unique=True,
            sqlite_where=sa.text("kind = 'block'"),
            postgresql_where=sa.text("kind = 'block'"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[EntryKind] = so.mapped_column(enum_type(EntryKind, "search_entry_kind"))
    document_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("document.id"), index=True)
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("version.id"), index=True)
    block_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("block.id"))
    comment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("comment.id"), unique=True)
    # Plain text, for the snippets.
    text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # What the index reads: on SQLite Snowball stems (app.search.text.index_terms), on
    # PostgreSQL the plain words, which its swedish configuration stems.
    terms: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # A comment's author's name, searchable only by readers who may see names.
    name_terms: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The text's words' lemmas and compound parts from the Swedish dictionary, as Snowball keys
    # (app.search.text.index_parts): the same on both databases; empty without the dictionary.
    parts: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    # A block's reference ("3.2", paragraph 4), worked out when its version is indexed, so that a
    # page of results needs no second look at the whole version to number its paragraphs.
    ref_section: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    ref_paragraph: so.Mapped[int | None] = so.mapped_column(sa.Integer)


# PostgreSQL's search table (migration b1a0c0de2301), for the queries to name its columns; its own
# metadata, so that neither SQLite nor `flask db check` expects it. The triggers copy each
# search_entry row's ids and make its vector: the text's stems at weight A (``swedish``), the
# author's name at B, the lemmas and parts at C (``simple``: they are Snowball keys already).
# Narrow on purpose: a common word is looked up in thousands of rows, and reading the vector out
# of the wide search_entry rows took twice as long.
SEARCH_TSV = sa.Table(
    "search_tsv",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", enum_type(EntryKind, "search_entry_kind")),
    sa.Column("document_id", sa.Integer),
    sa.Column("version_id", sa.Integer),
    sa.Column("comment_id", sa.Integer),
    sa.Column("tsv", TSVECTOR),
)
