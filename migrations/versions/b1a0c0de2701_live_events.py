"""Live events (issue 27): one small row per happening on a document, by id only, kept for an
hour or so so that a browser that reconnects resumes where it stopped.

Downgrade drops the table: nothing else refers to it.

Revision ID: b1a0c0de2701
Revises: b1a0c0de2702
Create Date: 2027-02-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2701"
down_revision = "b1a0c0de2702"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "live_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("block_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_live_event_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("live_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_live_event_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_live_event_document_id_id", ["document_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("live_event", schema=None) as batch_op:
        batch_op.drop_index("ix_live_event_document_id_id")
        batch_op.drop_index(batch_op.f("ix_live_event_created_at"))
    op.drop_table("live_event")
