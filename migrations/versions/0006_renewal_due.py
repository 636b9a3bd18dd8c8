"""The yearly date renewal RSC is due, per requirement (so per association and rule version).

Reviewed by hand: existing requirements take December 31, the date the Alliance baseline uses;
an association with another date records it as a new requirements version.

Revision ID: renewal_due
Revises: one_valid_certificate
"""

import sqlalchemy as sa
from alembic import op

revision = "renewal_due"
down_revision = "one_valid_certificate"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("requirements") as batch:
        batch.add_column(sa.Column("renewal_due", sa.String(length=5), server_default="12-31", nullable=False))


def downgrade():
    with op.batch_alter_table("requirements") as batch:
        batch.drop_column("renewal_due")
