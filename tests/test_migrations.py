"""The committed migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db

SEARCH_OBJECTS = {
    ("column", "tsv"),
    ("index", "ix_search_entry_tsv_block"),
    ("index", "ix_search_entry_tsv_comment"),
}


def search_objects_left_out(obj, name, type_, reflected, compare_to):
    """The filter of migrations/env.py: the search index's FTS5 table and tsvector are not models."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    table = getattr(getattr(obj, "table", None), "name", None)
    return not (
        (type_, name)
        in {
            ("column", "tsv"),
            ("index", "ix_search_entry_tsv_block"),
            ("index", "ix_search_entry_tsv_comment"),
        }
        and table == "search_entry"
    )


def test_models_and_migrations_agree(app):
    # The session fixture built this database with `flask db upgrade`.
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": search_objects_left_out}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []
