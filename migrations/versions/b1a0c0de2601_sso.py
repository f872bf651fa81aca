"""Sign-in with an organisation's own identity provider (issue 26): the providers and the
e-mail domains they answer for, the external identities linked to accounts, the sign-ins in flight
and the assertions already used (kept in the database so every app server shares them).

Downgrade drops them: the old schema has no place for them.

Revision ID: b1a0c0de2601
Revises: b1a0c0de2504
Create Date: 2027-02-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1a0c0de2601"
down_revision = "b1a0c0de2504"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "identity_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "oidc", "saml", name="provider_kind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), server_default="", nullable=False),
        sa.Column("client_secret", sa.String(length=500), server_default="", nullable=False),
        sa.Column("metadata_url", sa.String(length=500), server_default="", nullable=False),
        sa.Column("metadata_xml", sa.Text(), server_default="", nullable=False),
        sa.Column("metadata_signing_cert", sa.Text(), server_default="", nullable=False),
        sa.Column("metadata_fetched_at", sa.DateTime(), nullable=True),
        sa.Column("level_of_assurance", sa.String(length=255), server_default="", nullable=False),
        sa.Column("password_sign_in", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_identity_provider_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_provider")),
        sa.UniqueConstraint("issuer", name=op.f("uq_identity_provider_issuer")),
    )
    with op.batch_alter_table("identity_provider", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_provider_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "external_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_provider.id"],
            name=op.f("fk_external_identity_provider_id_identity_provider"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_external_identity_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identity")),
        sa.UniqueConstraint("provider_id", "subject", name="uq_external_identity_subject"),
    )
    with op.batch_alter_table("external_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_identity_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_external_identity_user_id"), ["user_id"], unique=False)

    op.create_table(
        "identity_provider_domain",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_provider.id"],
            name=op.f("fk_identity_provider_domain_provider_id_identity_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_identity_provider_domain")),
    )
    with op.batch_alter_table("identity_provider_domain", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_provider_domain_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "sign_in_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=128), server_default="", nullable=False),
        sa.Column("code_verifier", sa.String(length=128), server_default="", nullable=False),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("next_url", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("subject", sa.String(length=255), server_default="", nullable=False),
        sa.Column("claims", sa.Text(), server_default="", nullable=False),
        sa.Column("link_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["link_user_id"], ["user.id"], name=op.f("fk_sign_in_state_link_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_provider.id"],
            name=op.f("fk_sign_in_state_provider_id_identity_provider"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_state")),
        sa.UniqueConstraint("request_id", name=op.f("uq_sign_in_state_request_id")),
        sa.UniqueConstraint("state", name=op.f("uq_sign_in_state_state")),
    )
    with op.batch_alter_table("sign_in_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_state_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sign_in_state_provider_id"), ["provider_id"], unique=False)

    op.create_table(
        "used_assertion",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("assertion_id", sa.String(length=255), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_provider.id"],
            name=op.f("fk_used_assertion_provider_id_identity_provider"),
        ),
        sa.PrimaryKeyConstraint("provider_id", "assertion_id", name=op.f("pk_used_assertion")),
    )
    with op.batch_alter_table("used_assertion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_assertion_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("used_assertion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_assertion_expires_at"))

    op.drop_table("used_assertion")
    with op.batch_alter_table("sign_in_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_state_provider_id"))
        batch_op.drop_index(batch_op.f("ix_sign_in_state_expires_at"))

    op.drop_table("sign_in_state")
    with op.batch_alter_table("identity_provider_domain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_provider_domain_provider_id"))

    op.drop_table("identity_provider_domain")
    with op.batch_alter_table("external_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_identity_user_id"))
        batch_op.drop_index(batch_op.f("ix_external_identity_provider_id"))

    op.drop_table("external_identity")
    with op.batch_alter_table("identity_provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_provider_organisation_id"))

    op.drop_table("identity_provider")
