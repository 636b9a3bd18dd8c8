"""Timing one operation and counting the SQL statements it sends, for both benchmark scripts."""

import time
from collections.abc import Callable

from sqlalchemy import event

from rs_service.extensions import db


def timed(operation: Callable[[], object]) -> tuple[float, int]:
    """(seconds the operation took, SQL statements it sent)."""
    statements = 0

    def count(*args) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        operation()
        return time.perf_counter() - started, statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
