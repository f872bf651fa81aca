"""Migration b1a0c0de2301 (PostgreSQL searches a narrow table of its own, search_tsv) carries the
index back and forth, on SQLite (where it changes nothing) and on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from app.extensions import db
from tests.conftest import Factory, add_comment
from tests.search.test_index_writes import EXPECTED_TSV, STORED_TSV
from tests.test_migrations import empty_database, migrating_app  # noqa: F401  (fixtures)

REVISION = "b1a0c0de2301"
GENERATED_TSV = sa.text(
    "SELECT id, kind, document_id, version_id, comment_id, tsv::text FROM search_entry ORDER BY id"
)


def _before() -> str:
    """The revision this migration follows (however the branches' migrations end up chained)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


def _found(app, q: str) -> tuple[int, int]:
    body = app.test_client().get("/api/v1/search", query_string={"q": q}).get_json()
    db.session.remove()  # the request ran in the test's app context: its session ends here
    return body["text"]["total"], body["comments"]["total"]


def _rows(statement) -> list:
    with db.engine.connect() as connection:
        return connection.execute(statement).all()


def test_search_table_comes_and_goes_with_the_index_in_it(migrating_app):  # noqa: F811
    app = migrating_app
    factory = Factory(app)
    with app.app_context():
        upgrade()
    document = factory.document(
        slug="remiss",
        versions=[[("p1", "paragraph", 1, "Licensvillkoren gäller myndighetens hemligstämplar.")]],
    )
    author = factory.user(name="Anna Ek")
    with app.app_context():
        add_comment(document, "p1", author, body="Vi saknar kartdata.")
        db.session.remove()
        postgresql = db.engine.dialect.name == "postgresql"
        before = _before()
        expected = _rows(EXPECTED_TSV) if postgresql else []
        if postgresql:
            assert len(expected) == 2 and _rows(STORED_TSV) == expected

        downgrade(revision=before)
        if postgresql:
            # The generated column is back, computed from the rows; the table and triggers are gone.
            assert "search_tsv" not in sa.inspect(db.engine).get_table_names()
            assert _rows(GENERATED_TSV) == expected
            with db.engine.begin() as connection:
                connection.execute(sa.text("UPDATE search_entry SET parts = parts"))

        upgrade()
        if postgresql:
            assert "tsv" not in {c["name"] for c in sa.inspect(db.engine).get_columns("search_entry")}
            assert _rows(STORED_TSV) == expected
        # Word forms, compound parts and comments are found as before, and new writes are indexed.
        assert _found(app, "hemligstämpel") == (1, 0)
        assert _found(app, "villkor") == (1, 0)
        assert _found(app, "kartdata") == (0, 1)
        add_comment(document, "p1", author, body="Gäller sjökorten också?")
        db.session.remove()
        assert _found(app, "sjökort") == (0, 1)
        if postgresql:
            assert _rows(STORED_TSV) == _rows(EXPECTED_TSV)
