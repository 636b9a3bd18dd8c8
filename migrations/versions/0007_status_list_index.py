"""Each certificate's position in its association's revocation status list (Open Badges 3.0).

Reviewed by hand: existing certificates get distinct random positions within their association,
then the column becomes required, unique per association and bounded by the list's 131,072 bits.

Revision ID: status_list_index
Revises: renewal_due
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "status_list_index"
down_revision = "renewal_due"
branch_labels = None
depends_on = None

LIST_BITS = 131_072

certificates = sa.table(
    "certificates", sa.column("id", sa.Integer), sa.column("organization_id", sa.Integer), sa.column("status_index")
)


def upgrade():
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
    place_existing_certificates()
    with op.batch_alter_table("certificates") as batch:
        batch.alter_column("status_index", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            "uq_certificates_organization_id_status_index", ["organization_id", "status_index"]
        )
        batch.create_check_constraint("status_index_in_list", f"status_index >= 0 AND status_index < {LIST_BITS}")


def downgrade():
    with op.batch_alter_table("certificates") as batch:
        batch.drop_constraint("status_index_in_list", type_="check")
        batch.drop_constraint("uq_certificates_organization_id_status_index", type_="unique")
        batch.drop_column("status_index")


def place_existing_certificates():
    bind = op.get_bind()
    taken: dict[int, set[int]] = {}
    for row in bind.execute(sa.select(certificates.c.id, certificates.c.organization_id).order_by(certificates.c.id)):
        used = taken.setdefault(row.organization_id, set())
        index = secrets.randbelow(LIST_BITS)
        while index in used:
            index = secrets.randbelow(LIST_BITS)
        used.add(index)
        bind.execute(sa.update(certificates).where(certificates.c.id == row.id).values(status_index=index))
