"""Where a meeting is held: an address, a room or a link (issue 13: the pack's cover).

Revision ID: b1a0c0de0013
Revises: b1a0c0de0003
Create Date: 2026-11-30 01:25:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b1a0c0de0013'
down_revision = 'b1a0c0de0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('place')
