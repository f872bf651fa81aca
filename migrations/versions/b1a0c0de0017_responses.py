"""Formal responses (remissvar) per organisation and version, and who may submit them (issue 17).

A response is a record: a shared draft, then submitted, then possibly replaced by a later
submission; never deleted. Partial unique indexes keep one draft and one standing submission
per organisation and version. Users gain may_answer, set by admins.

Chained after b1a0c0de0013 (issue 13's meeting place), which this branch merged to add the
responses table to the meeting pack; on its own the branch started from b1a0c0de0003.

Revision ID: b1a0c0de0017
Revises: b1a0c0de0019
Create Date: 2026-11-30 00:43:49.901377

"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = 'b1a0c0de0017'
down_revision = 'b1a0c0de0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'replaced', name='response_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('position', sa.Enum('supports', 'supports_with_comments', 'opposes', 'abstains', name='response_position', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('summary_html', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('decision_maker', sa.String(length=200), nullable=False),
    sa.Column('decision_maker_title', sa.String(length=200), nullable=False),
    sa.Column('officer', sa.String(length=200), nullable=False),
    sa.Column('created_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.database.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', app.database.UTCDateTime(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_response_document_id_document')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_response_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_response_submitted_by_id_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_response_updated_by_id_user')),
    sa.ForeignKeyConstraint(['version_id'], ['version.id'], name=op.f('fk_response_version_id_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_response_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_response_version_state', ['version_id', 'state'], unique=False)
        batch_op.create_index('uq_response_one_draft', ['version_id', 'organisation_id'], unique=True, sqlite_where=sa.text("state = 'draft'"), postgresql_where=sa.text("state = 'draft'"))
        batch_op.create_index('uq_response_one_submitted', ['version_id', 'organisation_id'], unique=True, sqlite_where=sa.text("state = 'submitted'"), postgresql_where=sa.text("state = 'submitted'"))

    op.create_table('response_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('block_uid', sa.String(length=24), nullable=False),
    sa.Column('heading', sa.String(length=500), nullable=False),
    sa.Column('position_in_text', sa.Integer(), nullable=False),
    sa.Column('position', sa.Enum('supports', 'supports_with_comments', 'opposes', 'abstains', name='response_position', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_response_section_response_id_response')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_section')),
    sa.UniqueConstraint('response_id', 'block_uid', name='uq_response_section_response_block')
    )
    with op.batch_alter_table('response_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_section_response_id'), ['response_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('may_answer', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('may_answer')

    with op.batch_alter_table('response_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_section_response_id'))

    op.drop_table('response_section')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('uq_response_one_submitted', sqlite_where=sa.text("state = 'submitted'"), postgresql_where=sa.text("state = 'submitted'"))
        batch_op.drop_index('uq_response_one_draft', sqlite_where=sa.text("state = 'draft'"), postgresql_where=sa.text("state = 'draft'"))
        batch_op.drop_index('ix_response_version_state')
        batch_op.drop_index(batch_op.f('ix_response_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_response_document_id'))

    op.drop_table('response')
