"""PostgreSQL searches a narrow table of its own, search_tsv, as SQLite searches its FTS5 table.

Measured (benchmarks/README.md, issue 23): with the lemmas and compound parts of b1a0c0de2308,
"myndighet" missed the 50 ms target on PostgreSQL. Much of a common word's time went into
reading the ``tsv`` of thousands of wide ``search_entry`` rows (the text, its words and their
parts are stored beside it): the same statements over a table that holds only the ids and the
vector took about half the time; a vector of the parts apart from the text's own took no less.

So on PostgreSQL the vector moves out of ``search_entry`` into ``search_tsv`` (the row's id, kind,
document, version and comment, and the same ``tsv`` as before: text A, author's name B, lemmas and
parts C), with the GIN index per kind and a version index for the paragraphs. Triggers keep it
in step with every INSERT, UPDATE, DELETE and TRUNCATE on ``search_entry``, in the same
transaction, as SQLite's triggers keep ``search_fts``; the index code (app.search.index) writes
``search_entry`` alone, as before. ``search_entry`` keeps every column it had, so the downgrade
puts the generated column back from the rows as they are.

SQLite: nothing changes.

Revision ID: b1a0c0de2301
Revises: b1a0c0de2202
Create Date: 2027-01-14 10:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2301"
down_revision = "b1a0c0de2202"
branch_labels = None
depends_on = None

# b1a0c0de2308's vector; {p} is the row's name and a dot, or nothing in a generated column.
TSV = (
    "setweight(to_tsvector('swedish'::regconfig, {p}terms), 'A') || "
    "setweight(to_tsvector('swedish'::regconfig, {p}name_terms), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, {p}parts), 'C')"
)
COPY = (
    "INSERT INTO search_tsv (id, kind, document_id, version_id, comment_id, tsv) "
    "SELECT {p}id, {p}kind, {p}document_id, {p}version_id, {p}comment_id, " + TSV + " FROM {table} AS {row}"
)

UPGRADE = [
    "ALTER TABLE search_entry DROP COLUMN tsv",  # and its two GIN indexes
    "CREATE TABLE search_tsv ("
    " id integer CONSTRAINT pk_search_tsv PRIMARY KEY,"
    " kind varchar(32) NOT NULL,"
    " document_id integer NOT NULL,"
    " version_id integer NOT NULL,"
    " comment_id integer,"
    " tsv tsvector NOT NULL)",
    # One GIN index per kind, as before (each search asks for one kind); the paragraphs of the
    # newest versions are also found by version, when a word is in most of them.
    "CREATE INDEX ix_search_tsv_block ON search_tsv USING gin (tsv) WHERE kind = 'block'",
    "CREATE INDEX ix_search_tsv_comment ON search_tsv USING gin (tsv) WHERE kind = 'comment'",
    "CREATE INDEX ix_search_tsv_version ON search_tsv (version_id) WHERE kind = 'block'",
    # What the triggers run. An INSERT copies the statement's new rows in one statement (a
    # reindex writes 500 rows a statement); an UPDATE or DELETE goes row by row, by the key: a
    # join with a statement's old rows would be planned once per connection, perhaps for one row,
    # and kept for thirteen thousand. TRUNCATE empties both.
    "CREATE FUNCTION search_tsv_sync() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF TG_OP = 'TRUNCATE' THEN\n"
    "    TRUNCATE search_tsv;\n"
    "  ELSIF TG_OP = 'INSERT' THEN\n"
    "    " + COPY.format(p="n.", row="n", table="new_rows") + ";\n"
    "  ELSE\n"
    "    DELETE FROM search_tsv WHERE id = OLD.id;\n"
    "    IF TG_OP = 'UPDATE' THEN\n"
    "      " + COPY.format(p="n.", row="n", table="(SELECT NEW.*)") + ";\n"
    "    END IF;\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END\n"
    "$$",
    "CREATE TRIGGER search_entry_tsv_ai AFTER INSERT ON search_entry "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_tsv_sync()",
    "CREATE TRIGGER search_entry_tsv_au AFTER UPDATE ON search_entry "
    "FOR EACH ROW EXECUTE FUNCTION search_tsv_sync()",
    "CREATE TRIGGER search_entry_tsv_ad AFTER DELETE ON search_entry "
    "FOR EACH ROW EXECUTE FUNCTION search_tsv_sync()",
    "CREATE TRIGGER search_entry_tsv_at AFTER TRUNCATE ON search_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_tsv_sync()",
    # The rows indexed so far.
    COPY.format(p="e.", row="e", table="search_entry"),
    "ANALYZE search_tsv",
]

DOWNGRADE = [
    "DROP TRIGGER search_entry_tsv_ai ON search_entry",
    "DROP TRIGGER search_entry_tsv_au ON search_entry",
    "DROP TRIGGER search_entry_tsv_ad ON search_entry",
    "DROP TRIGGER search_entry_tsv_at ON search_entry",
    "DROP FUNCTION search_tsv_sync()",
    "DROP TABLE search_tsv",
    # b1a0c0de2308's column and indexes, computed from the rows as they are.
    "ALTER TABLE search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS (" + TSV.format(p="") + ") STORED",
    "CREATE INDEX ix_search_entry_tsv_block ON search_entry USING gin (tsv) WHERE kind = 'block'",
    "CREATE INDEX ix_search_entry_tsv_comment ON search_entry USING gin (tsv) WHERE kind = 'comment'",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in DOWNGRADE:
            op.execute(statement)
