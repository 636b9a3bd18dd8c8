"""v1.1 columns: a person's language and whether they are active; a group's description and
provider of record.

Reviewed by hand: existing people read English and stay active; existing groups keep no provider
of record, which means their first facilitator, as before.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), server_default="en", nullable=False))
        batch.add_column(sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch.create_check_constraint("language_known", "language IN ('en', 'es')")
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("description", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("provider_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_groups_provider_id_people", "people", ["provider_id"], ["id"])


def downgrade():
    with op.batch_alter_table("groups") as batch:
        batch.drop_constraint("fk_groups_provider_id_people", type_="foreignkey")
        batch.drop_column("provider_id")
        batch.drop_column("description")
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint("language_known", type_="check")
        batch.drop_column("active")
        batch.drop_column("language")
