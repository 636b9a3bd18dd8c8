"""Every credential a provider held on an entry's date is stamped on the entry, in a table of its own.

Reviewed by hand: each existing entry's single snapshot (category, number, validity) becomes one
stamped credential, then the four snapshot columns leave hour_entries. Like the ledger, the new
table is append-only (the ORM refuses updates and deletions). valid_from may be NULL only for an
external provider whose dates were never given; such entries no longer count.

Revision ID: stamped_credentials
Revises: sign_in_security
"""

import sqlalchemy as sa
from alembic import op

revision = "stamped_credentials"
down_revision = "sign_in_security"
branch_labels = None
depends_on = None

CATEGORIES = (
    "'IFA', 'IFS', 'IFRS', 'IMHS', 'IMHM-C', 'IMHM-P', 'IMHM-R', "
    "'ECFA', 'ECFS', 'ECFRS', 'ECMHS', 'ECMHM-C', 'ECMHM-P', 'ECMHM-R'"
)


def upgrade():
    op.create_table(
        "hour_entry_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hour_entry_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.CheckConstraint(f"category IN ({CATEGORIES})", name=op.f("ck_hour_entry_credentials_category_known")),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from",
            name=op.f("ck_hour_entry_credentials_valid_period"),
        ),
        sa.ForeignKeyConstraint(
            ["hour_entry_id"], ["hour_entries.id"], name=op.f("fk_hour_entry_credentials_hour_entry_id_hour_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hour_entry_credentials")),
    )
    with op.batch_alter_table("hour_entry_credentials") as batch:
        batch.create_index(batch.f("ix_hour_entry_credentials_hour_entry_id"), ["hour_entry_id"], unique=False)
    op.execute(
        "INSERT INTO hour_entry_credentials (hour_entry_id, category, number, valid_from, valid_until) "
        "SELECT id, provider_category, provider_credential_number, provider_valid_from, provider_valid_until "
        "FROM hour_entries WHERE provider_category IS NOT NULL ORDER BY id"
    )
    with op.batch_alter_table("hour_entries") as batch:
        batch.drop_column("provider_valid_until")
        batch.drop_column("provider_valid_from")
        batch.drop_column("provider_credential_number")
        batch.drop_column("provider_category")


def downgrade():
    """Back to one snapshot per entry: the latest-started credential stamped on it."""
    with op.batch_alter_table("hour_entries") as batch:
        batch.add_column(sa.Column("provider_category", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("provider_credential_number", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("provider_valid_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("provider_valid_until", sa.Date(), nullable=True))
    latest = (
        "(SELECT {column} FROM hour_entry_credentials c WHERE c.hour_entry_id = hour_entries.id "
        "ORDER BY c.valid_from IS NULL, c.valid_from DESC, c.id DESC LIMIT 1)"
    )
    op.execute(
        "UPDATE hour_entries SET "
        + ", ".join(
            f"provider_{target} = {latest.format(column=source)}"
            for target, source in (
                ("category", "category"),
                ("credential_number", "number"),
                ("valid_from", "valid_from"),
                ("valid_until", "valid_until"),
            )
        )
    )
    with op.batch_alter_table("hour_entry_credentials") as batch:
        batch.drop_index(batch.f("ix_hour_entry_credentials_hour_entry_id"))
    op.drop_table("hour_entry_credentials")
