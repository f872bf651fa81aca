"""The general minutes of a meeting without agenda items (issue 25, point 5): the Markdown the host
writes and its sanitised HTML, next to the minutes per agenda item (meeting_agenda_item.minutes).

Downgrade drops the two columns.

Revision ID: b1a0c0de2506
Revises: b1a0c0de2507
Create Date: 2027-02-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2506"
down_revision = "b1a0c0de2507"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minutes", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("minutes_html", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("minutes_html")
        batch_op.drop_column("minutes")
