"""Index comments by document and block (issue 7: the reading page under load).

The reading page counts a document's threads per block and, on a busy version, loads only
the comments on the whole version (block NULL) and on removed blocks; both filter by
document and block, which no index covered, so each request scanned every comment.

Revision ID: b1a0c0de0003
Revises: b1a0c0de0002
Create Date: 2026-11-27 10:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b1a0c0de0003'
down_revision = 'b1a0c0de0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_document_block', ['document_id', 'block_id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_document_block')
