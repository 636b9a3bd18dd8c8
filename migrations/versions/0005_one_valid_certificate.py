"""One valid certificate per person, category and window, enforced by the database.

Reviewed by hand. Concurrent requests could issue the same judgement several times; before the
partial unique index can exist, every valid certificate that repeats an earlier one (same person,
category, window start and end) is revoked, with the reason and an audit event naming the one
that stands (the earliest issued). Revoked certificates stay as they are: the index only covers
rows whose revoked_at is empty, on PostgreSQL and SQLite alike.

Revision ID: one_valid_certificate
Revises: stamped_credentials
"""

import sqlalchemy as sa
from alembic import op

from rs_service import clock

revision = "one_valid_certificate"
down_revision = "stamped_credentials"
branch_labels = None
depends_on = None

INDEX = "uq_certificates_one_valid_per_window"
COLUMNS = ["person_id", "category", "window_start", "window_end"]
VALID = sa.text("revoked_at IS NULL")

certificates = sa.table(
    "certificates",
    sa.column("id", sa.Integer),
    sa.column("organization_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("person_id", sa.Integer),
    sa.column("category", sa.String),
    sa.column("window_start", sa.Date),
    sa.column("window_end", sa.Date),
    sa.column("issued_at", sa.DateTime(timezone=True)),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
    sa.column("revoked_reason", sa.String),
)
audit_events = sa.table(
    "audit_events",
    sa.column("organization_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("person_id", sa.Integer),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("reason", sa.Text),
    sa.column("at", sa.DateTime(timezone=True)),
)


def upgrade():
    revoke_repeated_certificates()
    op.create_index(INDEX, "certificates", COLUMNS, unique=True, postgresql_where=VALID, sqlite_where=VALID)


def downgrade():
    op.drop_index(INDEX, table_name="certificates", postgresql_where=VALID, sqlite_where=VALID)


def revoke_repeated_certificates():
    bind = op.get_bind()
    now = clock.now()
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # instants are stored as UTC wall time on SQLite
    valid = bind.execute(
        sa.select(certificates)
        .where(certificates.c.revoked_at.is_(None))
        .order_by(*[certificates.c[name] for name in COLUMNS], certificates.c.issued_at, certificates.c.id)
    ).all()
    standing: dict[tuple, str] = {}
    for row in valid:
        key = tuple(getattr(row, name) for name in COLUMNS)
        if key not in standing:
            standing[key] = row.code
            continue
        reason = f"Issued twice for the same window; certificate {standing[key]} stands."
        bind.execute(
            sa.update(certificates).where(certificates.c.id == row.id).values(revoked_at=now, revoked_reason=reason)
        )
        bind.execute(
            sa.insert(audit_events).values(
                organization_id=row.organization_id,
                actor_id=None,
                action="certificate.revoked",
                person_id=row.person_id,
                before={"certificate_id": row.id, "status": "valid"},
                after={"certificate_id": row.id, "status": "revoked"},
                reason=reason,
                at=now,
            )
        )
