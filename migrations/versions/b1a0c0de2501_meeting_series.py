"""Meeting series (issue 25, point 1): every meeting belongs to a series; speakers; cancelling.

Existing meetings move into one series per document (the series takes the document's title and
visibility), keeping every field and their packs: nothing is lost. A meeting gains a subject, a
description, a duration, a video link, whether its agenda is published, a cancellation time and
the SEQUENCE its iCalendar event carries; its document becomes optional (a meeting may present
no draft).

Downgrade drops what the old schema cannot hold: the series, the speakers, the new fields, and the
meetings that present no document (they have no exports: a pack needs a document). On SQLite the meeting table
is rebuilt (batch mode) with foreign keys off, as migrations/env.py arranges, and checked after.

Revision ID: b1a0c0de2501
Revises: b1a0c0de2301
Create Date: 2027-01-20 08:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2501"
down_revision = "b1a0c0de2301"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meeting_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "public",
                "network",
                name="series_visibility",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_series")),
    )
    op.create_table(
        "series_organiser",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_series_organiser_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["series_id"], ["meeting_series.id"], name=op.f("fk_series_organiser_series_id_meeting_series")
        ),
        sa.PrimaryKeyConstraint("series_id", "organisation_id", name=op.f("pk_series_organiser")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("subject", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("description", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("duration_minutes", sa.Integer(), server_default="120", nullable=False))
        batch_op.add_column(sa.Column("video_url", sa.String(length=500), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("agenda_published", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))

    connection = op.get_bind()
    documents = connection.execute(
        sa.text(
            "SELECT DISTINCT d.id, d.title, d.visibility, d.created_at FROM document d "
            "JOIN meeting m ON m.document_id = d.id ORDER BY d.id"
        )
    ).all()
    for document_id, title, visibility, created_at in documents:
        series_id = connection.execute(
            sa.text(
                "INSERT INTO meeting_series (title, description, visibility, created_at) "
                "VALUES (:title, '', :visibility, :created_at) RETURNING id"
            ),
            {"title": title, "visibility": visibility, "created_at": created_at},
        ).scalar_one()
        connection.execute(
            sa.text("UPDATE meeting SET series_id = :series WHERE document_id = :document"),
            {"series": series_id, "document": document_id},
        )

    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.alter_column("series_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("document_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f("ix_meeting_series_id"), ["series_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_series_id_meeting_series"), "meeting_series", ["series_id"], ["id"]
        )

    op.create_table(
        "meeting_speaker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("organisation", sa.String(length=200), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_speaker_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_speaker")),
    )
    with op.batch_alter_table("meeting_speaker", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_speaker_meeting_id"), ["meeting_id"], unique=False)


def downgrade():
    with op.batch_alter_table("meeting_speaker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_speaker_meeting_id"))
    op.drop_table("meeting_speaker")
    op.execute("DELETE FROM meeting WHERE document_id IS NULL")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meeting_series_id_meeting_series"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_meeting_series_id"))
        batch_op.alter_column("document_id", existing_type=sa.Integer(), nullable=False)
        for column in (
            "updated_at",
            "sequence",
            "cancelled_at",
            "agenda_published",
            "video_url",
            "duration_minutes",
            "description",
            "subject",
            "series_id",
        ):
            batch_op.drop_column(column)
    op.drop_table("series_organiser")
    op.drop_table("meeting_series")
