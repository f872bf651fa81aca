"""A first sign-in through a provider that sends no e-mail address (Sweden Connect's eIDs): the
invitation it was started from, and the work address the person gives with the hash of the link
mailed to it, on the sign-in in flight. Only nullable columns: a server on the previous release
keeps working.

Downgrade drops the columns (sign-ins in flight live minutes).

Revision ID: b1a0c0de2602
Revises: b1a0c0de2701
Create Date: 2027-02-10 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2602"
down_revision = "b1a0c0de2701"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sign_in_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("email_asked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("email_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sign_in_state_invitation_id_invitation"), "invitation", ["invitation_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_sign_in_state_email_token_hash"), ["email_token_hash"]
        )


def downgrade():
    with op.batch_alter_table("sign_in_state", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_sign_in_state_email_token_hash"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_sign_in_state_invitation_id_invitation"), type_="foreignkey")
        batch_op.drop_column("email_token_hash")
        batch_op.drop_column("email")
        batch_op.drop_column("email_asked_at")
        batch_op.drop_column("invitation_id")
