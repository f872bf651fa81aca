"""Notification preferences, follows and the mail outbox (issue 8).

Revision ID: b1a0c0de0002
Revises: b1a0c0de0001
Create Date: 2026-11-27 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.database


# revision identifiers, used by Alembic.
revision = 'b1a0c0de0002'
down_revision = 'b1a0c0de0001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
