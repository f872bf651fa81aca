"""Topics from the network (issue 25, point 3): proposals for a series, their support and the
e-mails owed to their proposers.

Downgrade drops them: the old schema has no place for them.

Revision ID: b1a0c0de2503
Revises: b1a0c0de2502
Create Date: 2027-01-28 08:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2503"
down_revision = "b1a0c0de2502"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meeting_topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "taken", "closed", "withdrawn", name="topicstatus", native_enum=False, length=20),
            server_default="open",
            nullable=False,
        ),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"], ["meeting_series.id"], name=op.f("fk_meeting_topic_series_id_meeting_series")
        ),
        sa.ForeignKeyConstraint(["proposer_id"], ["user.id"], name=op.f("fk_meeting_topic_proposer_id_user")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_topic_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_meeting_topic_decided_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_topic")),
    )
    with op.batch_alter_table("meeting_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_topic_series_id"), ["series_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_topic_proposer_id"), ["proposer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_topic_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "meeting_topic_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["meeting_topic.id"], name=op.f("fk_meeting_topic_support_topic_id_meeting_topic")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_meeting_topic_support_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_topic_support")),
        sa.UniqueConstraint("topic_id", "user_id", name="uq_topic_support_user"),
    )
    with op.batch_alter_table("meeting_topic_support", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_topic_support_topic_id"), ["topic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_topic_support_user_id"), ["user_id"], unique=False)

    op.create_table(
        "meeting_topic_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["meeting_topic.id"], name=op.f("fk_meeting_topic_mail_topic_id_meeting_topic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_topic_mail")),
        sa.UniqueConstraint("topic_id", "kind", name="uq_topic_mail_kind"),
    )
    with op.batch_alter_table("meeting_topic_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_topic_mail_topic_id"), ["topic_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_topic_mail_sent_at"), ["sent_at"], unique=False)


def downgrade():
    with op.batch_alter_table("meeting_topic_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_topic_mail_sent_at"))
        batch_op.drop_index(batch_op.f("ix_meeting_topic_mail_topic_id"))
    op.drop_table("meeting_topic_mail")
    with op.batch_alter_table("meeting_topic_support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_topic_support_user_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_topic_support_topic_id"))
    op.drop_table("meeting_topic_support")
    with op.batch_alter_table("meeting_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_topic_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_topic_proposer_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_topic_series_id"))
    op.drop_table("meeting_topic")
