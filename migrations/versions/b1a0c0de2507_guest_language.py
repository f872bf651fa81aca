"""A guest's language (issue 25): the e-mails to a guest come in the language they signed up in.

Guests who signed up before have none and keep getting Swedish, as before.

Revision ID: b1a0c0de2507
Revises: b1a0c0de2601
Create Date: 2027-02-02 09:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2507"
down_revision = "b1a0c0de2601"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting_registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("meeting_registration", schema=None) as batch_op:
        batch_op.drop_column("language")
