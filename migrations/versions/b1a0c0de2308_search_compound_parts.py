"""Search finds Swedish compounds and word forms (issue 23): search_entry.parts, in both indexes.

``parts`` holds the lemmas and compound parts of the text's words as Snowball keys, worked out in
Python from the Swedish Hunspell dictionary (app.search.compounds, app.search.text.index_parts)
for both databases alike.

SQLite: ``search_fts`` gets a third column, ``parts``; the FTS5 table and its triggers are made
again with it. PostgreSQL: ``tsv`` is made again with ``parts`` at weight C, read with the
``simple`` configuration (the keys are stems already); the queries ask with ``simple`` too, with
keys worked out in Python. Then the index is rebuilt (the rows' ``parts`` filled).

Downgrade: the two-column FTS5 table and the old ``tsv``, rebuilt from the rows as they are; the
column goes.

Revision ID: b1a0c0de2308
Revises: b1a0c0de0022
Create Date: 2027-01-12 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2308"
down_revision = "b1a0c0de0022"
branch_labels = None
depends_on = None

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TABLE IF EXISTS search_fts",
]


def _sqlite_objects(columns: list[str]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    return [
        f"CREATE VIRTUAL TABLE search_fts USING fts5({names}, content='search_entry', "
        "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")",
        "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END",
        "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); END",
        "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END",
        # The FTS5 index from the rows as they stand (external content).
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


def _postgresql_objects(tsv: str) -> list[str]:
    return [
        "ALTER TABLE search_entry DROP COLUMN IF EXISTS tsv",
        f"ALTER TABLE search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({tsv}) STORED",
        "CREATE INDEX ix_search_entry_tsv_block ON search_entry USING gin (tsv) WHERE kind = 'block'",
        "CREATE INDEX ix_search_entry_tsv_comment ON search_entry USING gin (tsv) WHERE kind = 'comment'",
    ]


OLD_TSV = (
    "setweight(to_tsvector('swedish'::regconfig, terms), 'A') || "
    "setweight(to_tsvector('swedish'::regconfig, name_terms), 'B')"
)
NEW_TSV = OLD_TSV + " || setweight(to_tsvector('simple'::regconfig, parts), 'C')"


def upgrade():
    # Not batch mode: SQLite adds a column in place (a rebuilt table would lose the triggers).
    op.add_column("search_entry", sa.Column("parts", sa.Text(), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "sqlite":
        statements = SQLITE_DROP + _sqlite_objects(["terms", "name_terms", "parts"])
    else:
        statements = _postgresql_objects(NEW_TSV)
    for statement in statements:
        op.execute(statement)
    from app.search.index import reindex

    reindex(op.get_bind())


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            op.execute(statement)
        op.drop_column("search_entry", "parts")
        for statement in _sqlite_objects(["terms", "name_terms"]):
            op.execute(statement)
    else:
        for statement in _postgresql_objects(OLD_TSV):
            op.execute(statement)
        op.drop_column("search_entry", "parts")
