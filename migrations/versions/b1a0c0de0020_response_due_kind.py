"""Response reminders get a notification kind of their own, 'response_due' (issue 17).

Until now they were queued as 'deadline', so turning off comment-deadline reminders silently
stopped them too. The kind check constraint (on the outbox and on the preferences, which share
the enum) allows 'response_due', and the outbox rows that are response reminders (dedupe key
'response-week:<version>' or 'response-days:<version>') move to it: a waiting one then follows
the new setting, and a sent one still counts as sent, because the outbox's unique
(user, dedupe key) and the reminder code look at the key, not the kind, so nobody is reminded
twice. Nobody's 'deadline' setting is copied: it was chosen for comment deadlines.

Downgrade: the rows go back to 'deadline'; settings for 'response_due' are deleted, as the
older code has one setting for both and the person's 'deadline' choice stands.

Revision ID: b1a0c0de0020
Revises: b1a0c0de0017
Create Date: 2026-11-30 04:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de0020"
down_revision = "b1a0c0de0017"
branch_labels = None
depends_on = None

OLD_KINDS = ("reply", "decision", "new_version", "deadline", "password_reset")
NEW_KINDS = ("reply", "decision", "new_version", "deadline", "response_due", "password_reset")

# The keys app.responses.reminders.reminder_key writes: "response-<stage>:<version id>".
RESPONSE_KEYS = "response-%"


def _kind(values):
    return sa.Enum(*values, name="notification_kind", native_enum=False, create_constraint=True, length=32)


def _change_kinds(old, new):
    for table in ("notification", "notification_preference"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("kind", existing_type=_kind(old), type_=_kind(new), existing_nullable=False)


def upgrade():
    _change_kinds(OLD_KINDS, NEW_KINDS)
    op.execute(
        sa.text(
            "UPDATE notification SET kind = 'response_due' WHERE kind = 'deadline' AND dedupe_key LIKE :keys"
        ).bindparams(keys=RESPONSE_KEYS)
    )


def downgrade():
    op.execute("UPDATE notification SET kind = 'deadline' WHERE kind = 'response_due'")
    op.execute("DELETE FROM notification_preference WHERE kind = 'response_due'")
    _change_kinds(NEW_KINDS, OLD_KINDS)
