"""State every app server shares (issue 18: several app servers on one database).

Rate-limit counters, pending Word imports and the bytes of each meeting-pack file move into the
database, and a data stamp lets each server's page cache see changes made by the others.
Only new tables and a nullable column: code from before this revision keeps working while the
servers are upgraded one at a time.

Revision ID: b1a0c0de0018
Revises: b1a0c0de0015
Create Date: 2026-11-30 01:10:00

"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = 'b1a0c0de0018'
down_revision = 'b1a0c0de0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_counter'))
    )
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_counter_expires_at'), ['expires_at'], unique=False)

    data_stamp = op.create_table('data_stamp',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('counter', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_stamp'))
    )
    op.bulk_insert(data_stamp, [{'id': 1, 'counter': 0}])

    op.create_table('pending_import',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_pending_import_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_pending_import'))
    )
    with op.batch_alter_table('pending_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_import_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_import_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.drop_column('content')

    with op.batch_alter_table('pending_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_import_user_id'))
        batch_op.drop_index(batch_op.f('ix_pending_import_created_at'))

    op.drop_table('pending_import')
    op.drop_table('data_stamp')
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_counter_expires_at'))

    op.drop_table('rate_counter')
