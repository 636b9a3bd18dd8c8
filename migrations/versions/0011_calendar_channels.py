"""Calendars and mail: a series SEQUENCE per group, an organizer address per association, and each
person's channel for session mail (invites or plain emails) with the first fetch of their feed.

Reviewed by hand: existing groups start at SEQUENCE 0 (the series master never went higher than
its sessions, which still count); existing associations use MAIL_FROM as organizer, as before;
existing people get the automatic channel and count as never having fetched their feed; messages
already sent are not known to have carried an invite (NULL).

Revision ID: calendar_channels
Revises: notification_retries
"""

import sqlalchemy as sa
from alembic import op

revision = "calendar_channels"
down_revision = "notification_retries"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))
        batch.create_check_constraint("sequence_not_negative", "sequence >= 0")
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("organizer_email", sa.String(length=254), nullable=True))
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("calendar_invites", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("feed_first_fetched_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("with_invite", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("with_invite")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("feed_first_fetched_at")
        batch.drop_column("calendar_invites")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("organizer_email")
    with op.batch_alter_table("groups") as batch:
        batch.drop_constraint("sequence_not_negative", type_="check")
        batch.drop_column("sequence")
