"""Comments taken in from Word files, one row each, so a second upload stores nothing (issue 16).

Revision ID: b1a0c0de0016
Revises: b1a0c0de0013
Create Date: 2026-11-30 01:00:00

"""

import sqlalchemy as sa
from alembic import op

from app.database import UTCDateTime

# revision identifiers, used by Alembic.
revision = "b1a0c0de0016"
down_revision = "b1a0c0de0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "word_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("word_author", sa.String(length=200), nullable=False),
        sa.Column("word_date", sa.String(length=40), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comment.id"], name=op.f("fk_word_import_comment_id_comment")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_word_import_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["user.id"], name=op.f("fk_word_import_imported_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_word_import")),
        sa.UniqueConstraint("document_id", "fingerprint", name="uq_word_import_document_fingerprint"),
    )
    with op.batch_alter_table("word_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_word_import_comment_id"), ["comment_id"], unique=False)


def downgrade():
    with op.batch_alter_table("word_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_word_import_comment_id"))
    op.drop_table("word_import")
