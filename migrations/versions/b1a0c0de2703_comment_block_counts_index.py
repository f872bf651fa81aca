"""Count a version's threads per block from the index alone (the reading page, every view).

The reading page counts each block's threads, all and open, with one grouped query over the
document's comments. The index on (document_id, block_id) found the rows, but each one was then
read from the table for its parent, version, status and withdrawal: a cost that grows with every
comment. This index carries those columns too, so the count reads the index only (half the
time at 1,300 comments on SQLite). It also serves everything the narrower index served, which
it replaces.

Revision ID: b1a0c0de2703
Revises: b1a0c0de2602
Create Date: 2027-02-10 10:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2703"
down_revision = "b1a0c0de2602"
branch_labels = None
depends_on = None

COLUMNS = ["document_id", "block_id", "parent_id", "version_id", "status", "withdrawn_at"]


def upgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index("ix_comment_block_counts", COLUMNS, unique=False)
        batch_op.drop_index("ix_comment_document_block")


def downgrade():
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index("ix_comment_document_block", ["document_id", "block_id"], unique=False)
        batch_op.drop_index("ix_comment_block_counts")
