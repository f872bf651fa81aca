"""Password reset links go through the outbox (issue 15).

A reset message concerns the account, not a document: notification.document_id may be NULL,
and the kind check constraint (on the outbox and on the preferences, which share the enum)
allows 'password_reset'. The link's secret is not stored: it is an HMAC of the outbox row,
made when the message is sent and checked when it is used.

Revision ID: b1a0c0de0015
Revises: b1a0c0de0016
Create Date: 2026-11-30 01:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de0015"
down_revision = "b1a0c0de0016"
branch_labels = None
depends_on = None

OLD_KINDS = ("reply", "decision", "new_version", "deadline")
NEW_KINDS = (*OLD_KINDS, "password_reset")


def _kind(values):
    return sa.Enum(*values, name="notification_kind", native_enum=False, create_constraint=True, length=32)


def _change_kinds(old, new):
    for table in ("notification", "notification_preference"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("kind", existing_type=_kind(old), type_=_kind(new), existing_nullable=False)


def upgrade():
    _change_kinds(OLD_KINDS, NEW_KINDS)
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("document_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM notification WHERE kind = 'password_reset'")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("document_id", existing_type=sa.Integer(), nullable=False)
    _change_kinds(NEW_KINDS, OLD_KINDS)
