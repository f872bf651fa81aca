"""The search index (issue 19): search_entry, and what each database searches it with.

SQLite: an FTS5 table ``search_fts`` with ``search_entry`` as its external content, kept in step
by three triggers in the same transaction as every write to ``search_entry``. The tokenizer keeps
diacritics (``remove_diacritics 0``: å, ä and ö are letters of their own in Swedish) and treats
"_" as a word, the placeholder for a stop word (app.search.text.index_terms).

PostgreSQL: a generated ``tsv`` column, ``to_tsvector('swedish', …)`` of the text (weight A) and
of the author's name (weight B), with a GIN index for each kind of row.

Neither can be said in SQLAlchemy's metadata; migrations/env.py leaves them out of
``flask db check``. The index is filled by ``flask search-reindex``; for existing rows by
b1a0c0de2308, which adds the column the code of today writes (run here, that code would fail).

Revision ID: b1a0c0de0019
Revises: b1a0c0de0018
Create Date: 2026-11-30 01:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de0019"
down_revision = "b1a0c0de0018"
branch_labels = None
depends_on = None


SQLITE_OBJECTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(terms, name_terms, content='search_entry', "
    "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, terms, name_terms) VALUES (new.id, new.terms, new.name_terms); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms, name_terms) "
    "VALUES ('delete', old.id, old.terms, old.name_terms); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms, name_terms) "
    "VALUES ('delete', old.id, old.terms, old.name_terms); "
    "INSERT INTO search_fts(rowid, terms, name_terms) VALUES (new.id, new.terms, new.name_terms); END",
]

POSTGRESQL_OBJECTS = [
    "ALTER TABLE search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('swedish'::regconfig, terms), 'A') || "
    "setweight(to_tsvector('swedish'::regconfig, name_terms), 'B')) STORED",
    # One GIN index per kind: each search asks for one kind, and with a single index the planner
    # misjudged the comment searches and walked every row (measured: 87 ms against 11 ms).
    "CREATE INDEX ix_search_entry_tsv_block ON search_entry USING gin (tsv) WHERE kind = 'block'",
    "CREATE INDEX ix_search_entry_tsv_comment ON search_entry USING gin (tsv) WHERE kind = 'comment'",
]


def upgrade():
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "block",
                "comment",
                name="search_entry_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("name_terms", sa.Text(), nullable=False),
        sa.Column("ref_section", sa.String(length=32), nullable=False),
        sa.Column("ref_paragraph", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["block_id"], ["block.id"], name=op.f("fk_search_entry_block_id_block")),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comment.id"], name=op.f("fk_search_entry_comment_id_comment")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_search_entry_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["version.id"], name=op.f("fk_search_entry_version_id_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entry")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_search_entry_comment_id")),
    )
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_entry_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_entry_version_id"), ["version_id"], unique=False)
        batch_op.create_index(
            "uq_search_entry_version_block",
            ["version_id", "block_id"],
            unique=True,
            sqlite_where=sa.text("kind = 'block'"),
            postgresql_where=sa.text("kind = 'block'"),
        )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_OBJECTS if dialect == "sqlite" else POSTGRESQL_OBJECTS:
        op.execute(statement)
    # Existing documents and comments are indexed by b1a0c0de2308 (the last search migration).


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("search_entry_ai", "search_entry_ad", "search_entry_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("search_entry")
