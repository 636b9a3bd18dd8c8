"""Sign-in security: a session key per person, API tokens that expire, single-use password links.

Reviewed by hand: nobody has a session key yet, so every web session from before the upgrade ends
and people log in again. Tokens issued before it never expired; they now expire 90 days after the
upgrade, which gives integrators time to move to tokens from POST /api/v1/auth/tokens.

Revision ID: sign_in_security
Revises: 0002
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from rs_service import clock

revision = "sign_in_security"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("session_key", sa.String(length=64), nullable=True))

    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    expires_at = clock.now() + timedelta(days=90)
    if op.get_bind().dialect.name == "sqlite":
        expires_at = expires_at.replace(tzinfo=None)  # UTC wall time, as UTCDateTime stores it there
    op.execute(sa.text("UPDATE api_tokens SET expires_at = :at").bindparams(at=expires_at))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)

    op.create_table(
        "password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('invite', 'reset')", name=op.f("ck_password_links_purpose_known")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_password_links_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_links_token_hash")),
    )
    with op.batch_alter_table("password_links") as batch:
        batch.create_index(batch.f("ix_password_links_person_id"), ["person_id"], unique=False)


def downgrade():
    with op.batch_alter_table("password_links") as batch:
        batch.drop_index(batch.f("ix_password_links_person_id"))
    op.drop_table("password_links")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("session_key")
