"""How far the background jobs have got per association: reminders planned up to a moment, eligibility
checked through a ledger entry on a date, so an idle minute of the scheduler redoes nothing; and when
each enrolment last gained a place, so a person who joins or leaves a waitlist inside the lead time is
still reminded.

Reviewed by hand: no row means nothing was planned or checked yet; the first run after the upgrade
plans and checks everything once, as every run did before (the outbox's unique key keeps it from
sending anything twice).

Revision ID: job_marks
Revises: calendar_channels
"""

import sqlalchemy as sa
from alembic import op

revision = "job_marks"
down_revision = "calendar_channels"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_marks",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("reminders_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders_through", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("certified_on", sa.Date(), nullable=True),
        sa.Column("entries_through", sa.Integer(), nullable=True),
        sa.Column("requirement_sets_through", sa.Integer(), nullable=True),
        sa.Column("renewals_checked", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"]),
        sa.PrimaryKeyConstraint("organization_id"),
    )
    with op.batch_alter_table("enrollments") as batch:
        batch.add_column(sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE enrollments SET placed_at = created_at WHERE waitlisted = false")


def downgrade():
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_column("placed_at")
    op.drop_table("job_marks")
