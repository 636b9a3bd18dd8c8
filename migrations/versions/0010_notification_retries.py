"""Messages are retried with backoff over a time span, and a message given up says why.

Reviewed by hand: existing rows have never failed in the new sense (no first failure recorded),
so a row that failed under the old rule of five attempts is retried again; rows already given up
under that rule (five attempts, never sent) are marked given up with the reason they carry.

Revision ID: notification_retries
Revises: ledger_triggers
"""

import sqlalchemy as sa
from alembic import op

revision = "notification_retries"
down_revision = "ledger_triggers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("given_up_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("given_up_reason", sa.Text(), nullable=True))
    op.execute(
        "UPDATE notifications SET given_up_at = created_at, "
        "given_up_reason = 'given up after 5 failed attempts: ' || COALESCE(last_error, 'no error recorded') "
        "WHERE sent_at IS NULL AND attempts >= 5"
    )


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("given_up_reason")
        batch.drop_column("given_up_at")
        batch.drop_column("next_attempt_at")
        batch.drop_column("first_failed_at")
