"""@mentions and the in-app inbox (issue 27): the people mentioned in each comment, each person's
inbox items, the unread count kept on the user row (the header's bell costs no query), and the
notification kind 'mention' (its CHECK constraint on the outbox and the preferences, which share
the enum, altered in batch mode so SQLite rebuilds the tables and PostgreSQL alters them).

Downgrade drops the tables and the column; 'mention' messages and settings are deleted first, as
the older code knows no such kind.

Revision ID: b1a0c0de2702
Revises: b1a0c0de2506
Create Date: 2027-02-03 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2702"
down_revision = "b1a0c0de2506"
branch_labels = None
depends_on = None

OLD_KINDS = ("reply", "decision", "new_version", "deadline", "response_due", "password_reset")
NEW_KINDS = (*OLD_KINDS, "mention")
INBOX_KINDS = ("mention", "reply", "decision", "new_version", "response_due")


def _kind(values):
    return sa.Enum(*values, name="notification_kind", native_enum=False, create_constraint=True, length=32)


def _change_kinds(old, new):
    for table in ("notification", "notification_preference"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("kind", existing_type=_kind(old), type_=_kind(new), existing_nullable=False)


def upgrade():
    _change_kinds(OLD_KINDS, NEW_KINDS)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inbox_unread", sa.Integer(), nullable=True))
    op.create_table(
        "comment_mention",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("notified", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], name=op.f("fk_comment_mention_comment_id_comment")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_comment_mention_user_id_user")),
        sa.PrimaryKeyConstraint("comment_id", "user_id", name=op.f("pk_comment_mention")),
    )
    with op.batch_alter_table("comment_mention", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_mention_user_id"), ["user_id"], unique=False)
    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*INBOX_KINDS, name="inbox_kind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_inbox_item_user_id_user")),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_inbox_item_actor_id_user")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_inbox_item_document_id_document")),
        sa.ForeignKeyConstraint(["version_id"], ["version.id"], name=op.f("fk_inbox_item_version_id_version")),
        sa.ForeignKeyConstraint(["comment_id"], ["comment.id"], name=op.f("fk_inbox_item_comment_id_comment")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_item")),
    )
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_item_user_created", ["user_id", "created_at", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_item_user_created")
    op.drop_table("inbox_item")
    with op.batch_alter_table("comment_mention", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_mention_user_id"))
    op.drop_table("comment_mention")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("inbox_unread")
    op.execute("DELETE FROM notification WHERE kind = 'mention'")
    op.execute("DELETE FROM notification_preference WHERE kind = 'mention'")
    _change_kinds(NEW_KINDS, OLD_KINDS)
