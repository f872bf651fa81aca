"""Migration b1a0c0de2202 fills comment_anchor for versions published before it, as publishing would.

On SQLite, and on PostgreSQL with TEST_DATABASE_URL, with the demo data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from app.documents.models import Document
from app.extensions import db
from app.review.anchors import store_anchors
from app.review.models import Comment, CommentStatus
from tests.test_migrations import empty_database, migrating_app  # noqa: F401  (fixtures)

REVISION = "b1a0c0de2202"


def _before_this_revision() -> str:
    directory = current_app.extensions["migrate"].directory
    config = current_app.extensions["migrate"].migrate.get_config(directory)
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


def _anchors() -> set[tuple]:
    rows = db.session.execute(
        sa.text("SELECT comment_id, version_id, quote_start, quote_end FROM comment_anchor")
    ).all()
    return {tuple(row) for row in rows}


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_the_migration_stores_what_publishing_would_have_and_goes_back(migrating_app):  # noqa: F811
    from app.demo.seed import seed

    with migrating_app.app_context():
        upgrade()
        seed()
        document = db.session.scalar(sa.select(Document))
        first, second = document.versions[0], document.versions[1]
        # The demo's quoted comments on version 1 were decided; open again, they are carried to
        # version 2, where some of their paragraphs changed.
        for comment in db.session.scalars(
            sa.select(Comment).where(Comment.version_id == first.id, Comment.quote_exact.is_not(None))
        ):
            comment.status = CommentStatus.OPEN
        store_anchors(second)
        db.session.commit()
        published = _anchors()
        assert any(row[2] is not None for row in published), published  # found again
        assert any(row[2] is None for row in published), published  # and one that could not be
        db.session.remove()  # the migrations run on connections of their own

        downgrade(revision=_before_this_revision())
        assert "comment_anchor" not in _tables()
        upgrade()
        assert _anchors() == published
        db.session.remove()
