"""Sessions remember whether they were changed on their own (moved, resized or cancelled).

Editing a group (its name, place, link, description or facilitators) raises SEQUENCE on its future
sessions so that calendars take the change; SEQUENCE can therefore no longer tell a session changed
on its own from one changed with its group, which a change to the rest of the series must keep.

Reviewed by hand: until now only a reschedule or a cancellation raised SEQUENCE, so existing
sessions with a SEQUENCE above 0 are exactly the ones changed on their own.

Revision ID: group_edits
Revises: status_list_index
"""

import sqlalchemy as sa
from alembic import op

revision = "group_edits"
down_revision = "status_list_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("individually_changed", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE sessions SET individually_changed = (sequence > 0)")


def downgrade():
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("individually_changed")
