"""Index the outbox by dedupe key (who was reminded under a key).

Each reminder run asks, per version and stage, who already has a reminder under its key, and the
editors' table of responses counts them. No index led with ``dedupe_key`` (the unique constraint
starts with the user), so both walked the whole outbox, which keeps every message ever sent.

Revision ID: b1a0c0de0022
Revises: b1a0c0de0021
Create Date: 2026-11-30 05:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b1a0c0de0022'
down_revision = 'b1a0c0de0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_dedupe_key', ['dedupe_key'], unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_dedupe_key')
