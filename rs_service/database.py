"""Column types and helpers shared by every feature's models."""

from datetime import UTC

from sqlalchemy import DateTime, Index, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.types import TypeDecorator

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database; larger ones name nothing


class UTCDateTime(TypeDecorator):
    """An instant: aware datetimes in, aware UTC datetimes out, on every database.

    PostgreSQL stores it as timestamptz; SQLite has no zone support, so the UTC wall time is
    stored and the zone is put back on load. Naive datetimes are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an instant (aware datetime) is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _enforce_sqlite_foreign_keys(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over the rows matching `where` only, on PostgreSQL and SQLite alike."""
    return Index(name, *columns, unique=unique, postgresql_where=text(where), sqlite_where=text(where))


def one_of(column: str, values) -> str:
    """A CHECK expression: `column` is one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def refresh_planner_statistics(session: Session | scoped_session, tables: list[str]) -> None:
    """After a bulk insert PostgreSQL's planner still thinks the tables hold what they held before
    (a freshly seeded database: none at all), and picks plans for empty tables.

    ANALYZE inside the transaction counts the rows it inserted, and its statistics roll back with it.
    `tables` are names from the code, never from input. SQLite: nothing to do.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        if not table.replace("_", "").isalnum():
            raise ValueError(f"not a table name: {table!r}")
        session.execute(text(f"ANALYZE {table}"))
