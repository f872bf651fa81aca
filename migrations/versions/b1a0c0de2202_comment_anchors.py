"""Stored anchors of carried quotes (issue 22, point 5): comment_anchor, filled for every published version.

When a version is published, the quotes of the open comments carried to it from earlier versions
are found again in its text (app.review.anchoring) and stored here, so the reading page reads them
instead of matching on every view. This revision fills the table for the versions published
before it, with the same matcher, once: otherwise every server process would match them again on
its first view of each version (the current open version carries most of them), and the reading
page's speed would depend on which process answered. The app still places a quote without a row
(a comment re-opened later) on the page itself, so the backfill is about speed, not correctness.

Downgrade drops the table (derived data: nothing is lost).

Revision ID: b1a0c0de2202
Revises: b1a0c0de2201
Create Date: 2027-01-14 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2202"
down_revision = "b1a0c0de2201"
branch_labels = None
depends_on = None

# The open, quoted top-level comments of a document's earlier versions whose paragraph is in the
# version, with the paragraph's text then and in the version (app.review.anchors, in SQL).
CARRIED_QUOTES = sa.text(
    """
    SELECT c.id, c.quote_exact, c.quote_prefix, c.quote_suffix, c.quote_start, c.block_text, r.text
    FROM comment c
    JOIN version made_on ON made_on.id = c.version_id
    JOIN block_revision r ON r.block_id = c.block_id AND r.version_id = :version_id
    WHERE c.document_id = :document_id AND made_on.number < :number
      AND c.parent_id IS NULL AND c.quote_exact IS NOT NULL
      AND c.status = 'open' AND c.withdrawn_at IS NULL
    """
)
PUBLISHED = sa.text(
    "SELECT id, document_id, number FROM version WHERE published_at IS NOT NULL AND number > 1 "
    "ORDER BY document_id, number"
)


def upgrade():
    anchor = op.create_table(
        "comment_anchor",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("quote_start", sa.Integer(), nullable=True),
        sa.Column("quote_end", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comment.id"], name=op.f("fk_comment_anchor_comment_id_comment")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["version.id"], name=op.f("fk_comment_anchor_version_id_version")
        ),
        sa.PrimaryKeyConstraint("comment_id", "version_id", name=op.f("pk_comment_anchor")),
    )
    with op.batch_alter_table("comment_anchor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_anchor_version_id"), ["version_id"], unique=False)

    # The matcher is pure (no app, no models): the same code the publish uses.
    from app.review.anchoring import places

    connection = op.get_bind()
    for version_id, document_id, number in connection.execute(PUBLISHED).all():
        rows = connection.execute(
            CARRIED_QUOTES, {"version_id": version_id, "document_id": document_id, "number": number}
        ).all()
        found = places(rows)
        if found:
            op.bulk_insert(anchor, [dict(row, version_id=version_id) for row in found])


def downgrade():
    with op.batch_alter_table("comment_anchor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_anchor_version_id"))
    op.drop_table("comment_anchor")
