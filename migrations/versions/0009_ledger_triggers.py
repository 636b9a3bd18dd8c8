"""The database itself keeps the hours ledger and the audit trail append-only, and a revoked
certificate revoked.

Reviewed by hand. The ORM already refuses to change these rows, but raw SQL and the ORM's bulk
update() went around it; these triggers refuse whoever asks. A correction is a new row, never an
edit. On PostgreSQL the triggers are row triggers, so TRUNCATE (which only a table's owner may
run, and which the test suite uses to empty tables) is not affected. The error is an integrity
violation on both databases, so the service answers 409 rather than 500 if code ever tries.

On SQLite, batch mode rebuilds a table and its triggers go with the old copy: a later migration
that alters hour_entries, audit_events or certificates in batch mode must create them again
(tests/test_ledger_triggers.py fails on SQLite if it does not).

Revision ID: ledger_triggers
Revises: group_edits
"""

from alembic import op

revision = "ledger_triggers"
down_revision = "group_edits"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("hour_entries", "audit_events")

POSTGRESQL_UPGRADE = [
    """
    CREATE OR REPLACE FUNCTION refuse_append_only_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: record a correction instead of % of row %', TG_TABLE_NAME, TG_OP, OLD.id
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change()
        """
        for table in APPEND_ONLY_TABLES
    ),
    """
    CREATE OR REPLACE FUNCTION refuse_unrevoking_certificate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'certificate % is revoked: a revoked certificate stays revoked (issue a new one)', OLD.code
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER certificates_stay_revoked BEFORE UPDATE OF revoked_at ON certificates
    FOR EACH ROW WHEN (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS NULL)
    EXECUTE FUNCTION refuse_unrevoking_certificate()
    """,
]

POSTGRESQL_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS certificates_stay_revoked ON certificates",
    "DROP FUNCTION IF EXISTS refuse_unrevoking_certificate()",
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY_TABLES),
    "DROP FUNCTION IF EXISTS refuse_append_only_change()",
]

# SQLite's RAISE(ABORT, ...) is a constraint error (SQLITE_CONSTRAINT_TRIGGER): an IntegrityError.
SQLITE_UPGRADE = [
    *(
        f"""
        CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: record a correction instead'); END
        """
        for table in APPEND_ONLY_TABLES
        for operation in ("UPDATE", "DELETE")
    ),
    """
    CREATE TRIGGER certificates_stay_revoked BEFORE UPDATE OF revoked_at ON certificates
    WHEN OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS NULL
    BEGIN SELECT RAISE(ABORT, 'a revoked certificate stays revoked (issue a new one)'); END
    """,
]

SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS certificates_stay_revoked",
    *(
        f"DROP TRIGGER IF EXISTS {table}_no_{operation}"
        for table in APPEND_ONLY_TABLES
        for operation in ("update", "delete")
    ),
]


def _statements(postgresql: list[str], sqlite: list[str]) -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql
    if dialect == "sqlite":
        return sqlite
    raise RuntimeError(f"the ledger triggers are written for PostgreSQL and SQLite, not {dialect}")


def upgrade():
    for statement in _statements(POSTGRESQL_UPGRADE, SQLITE_UPGRADE):
        op.execute(statement)


def downgrade():
    for statement in _statements(POSTGRESQL_DOWNGRADE, SQLITE_DOWNGRADE):
        op.execute(statement)
