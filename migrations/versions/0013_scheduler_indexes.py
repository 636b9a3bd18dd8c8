"""Indexes for the scheduler's one question a minute ("is anything due?"), so that it reads only the
few rows that can make something due: sessions not signed off, cancelled sessions, sessions changed
since first published, sessions and enrolments changed since a moment, messages still waiting, and
the messages of a session.

Reviewed by hand: indexes only, no data changes; the partial ones are written the same way for
PostgreSQL and SQLite, and their WHERE clauses match the models' `partial_index` declarations.

Revision ID: scheduler_indexes
Revises: job_marks
"""

import sqlalchemy as sa
from alembic import op

revision = "scheduler_indexes"
down_revision = "job_marks"
branch_labels = None
depends_on = None

PARTIAL = (
    ("ix_sessions_unsigned", "sessions", "starts_at", "status = 'scheduled' AND signed_off_at IS NULL"),
    ("ix_sessions_cancelled", "sessions", "starts_at", "status = 'cancelled'"),
    ("ix_sessions_resequenced", "sessions", "starts_at", "sequence > 0"),
    ("ix_notifications_waiting", "notifications", "id", "sent_at IS NULL AND given_up_at IS NULL"),
)
PLAIN = (
    ("ix_sessions_updated_at", "sessions", "updated_at"),
    ("ix_enrollments_placed_at", "enrollments", "placed_at"),
    ("ix_notifications_session_id", "notifications", "session_id"),
)


def upgrade():
    for name, table, column, where in PARTIAL:
        op.create_index(name, table, [column], postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    for name, table, column in PLAIN:
        op.create_index(name, table, [column])


def downgrade():
    for name, table, *_ in PARTIAL + PLAIN:
        op.drop_index(name, table_name=table)
