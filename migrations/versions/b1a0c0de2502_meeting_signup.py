"""Sign-up for meetings (issue 25, point 2): registrations, their e-mails, a meeting's capacity.

Downgrade drops the registrations and their e-mails and the capacity: the old schema has no
place for them.

Revision ID: b1a0c0de2502
Revises: b1a0c0de2501
Create Date: 2027-01-27 08:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2502"
down_revision = "b1a0c0de2501"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))

    op.create_table(
        "meeting_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("organisation", sa.String(length=200), server_default="", nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("waiting", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_registration_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_meeting_registration_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_registration")),
        sa.UniqueConstraint("meeting_id", "email", name="uq_registration_meeting_email"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_registration_meeting_user"),
    )
    with op.batch_alter_table("meeting_registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_registration_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_registration_user_id"), ["user_id"], unique=False)

    op.create_table(
        "meeting_registration_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["meeting_registration.id"],
            name=op.f("fk_meeting_registration_mail_registration_id_meeting_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_registration_mail")),
        sa.UniqueConstraint("registration_id", "kind", name="uq_registration_mail_kind"),
    )
    with op.batch_alter_table("meeting_registration_mail", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_registration_mail_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meeting_registration_mail_sent_at"), ["sent_at"], unique=False)


def downgrade():
    with op.batch_alter_table("meeting_registration_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_registration_mail_sent_at"))
        batch_op.drop_index(batch_op.f("ix_meeting_registration_mail_registration_id"))
    op.drop_table("meeting_registration_mail")
    with op.batch_alter_table("meeting_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_registration_user_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_registration_meeting_id"))
    op.drop_table("meeting_registration")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_column("capacity")
