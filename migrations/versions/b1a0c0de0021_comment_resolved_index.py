"""Index comments by the version that resolved them (the reading page's "answered here").

Every reading page of a version after the first lists, per paragraph, the comments that
version answered. No index covered ``resolved_in_version_id``, so each page view walked
every top-level comment of every document: a cost that grew with all comments ever made.

Revision ID: b1a0c0de0021
Revises: b1a0c0de0020
Create Date: 2026-11-30 04:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b1a0c0de0021'
down_revision = 'b1a0c0de0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_resolved_in_version', ['resolved_in_version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_resolved_in_version')
