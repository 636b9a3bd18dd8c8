"""Benchmarks at national scale: build a national association in PostgreSQL, then time the hot paths.

Run with `make bench-national` (DATABASE_URL names the PostgreSQL database; created if missing).
The dataset (benchmarks/national_data.py) is built once and reused by later runs. Each path is
timed with its SQL floor: a minimal hand-written query computing the same answer, run side by
side, so the ratio says how much the service adds to what the database must do anyway.
"""

import os
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flask_migrate

from benchmarks import national_data
from benchmarks.timing import timed
from config import normalise_database_url
from rs_service import clock, create_app
from rs_service.extensions import db

RUNS = 15
# psycopg prepares a statement at its 6th execution and PostgreSQL settles on a generic plan after 5
# more: a service that has run for a minute has done both for its hot paths.
WARM_UP = 12


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        sys.exit(
            "make bench-national needs PostgreSQL: set DATABASE_URL=postgresql://... "
            f"(SQLite cannot hold a national dataset in a useful way; got {url or 'nothing'})"
        )
    url = normalise_database_url(url)
    create_database_if_missing(url)
    workdir = Path(tempfile.mkdtemp(prefix="rs-bench-national-"))
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_DIR": str(workdir / "outbox"),
            "SECRET_KEY": secrets.token_hex(32),
            "PUBLIC_URL": "http://rs.bench",
            "RATELIMIT_ENABLED": False,
        },
    )
    with app.app_context():
        flask_migrate.upgrade()
        organization = existing_dataset()
        if organization is None:
            started = time.perf_counter()
            organization = national_data.build()
            db.session.commit()
            print(f"built the national dataset in {time.perf_counter() - started:.0f} s")
        else:
            print("reusing the national dataset already in the database")
        rows = national_data.counts()
        print(
            f"{sum(rows.values()):,} rows: {rows['hour_entries']:,} ledger, {rows['attendance_records']:,} attendance, "
            f"{rows['sessions']:,} sessions, {rows['people']:,} people, {rows['certificates']:,} certificates"
        )
        run_benchmarks(app, organization.id)


def create_database_if_missing(url: str) -> None:
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        found = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database})
        if not found:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
            print(f"created database {target.database}")
    server.dispose()


def existing_dataset():
    from rs_service.accounts.models import Organization

    return db.session.scalar(db.select(Organization).where(Organization.slug == national_data.SLUG))


class Figures:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def measure(self, label: str, operation: Callable[[], object], floor_sql: str, values: dict, runs: int = RUNS):
        def floor_query() -> None:
            db.session.execute(text(floor_sql), values).all()

        def side_by_side() -> tuple[float, int, float]:
            # Each read ends as the service ends its own: with a commit. A ROLLBACK would also drop
            # the connection's prepared statements (psycopg), which a service's connection keeps.
            seconds, statements = timed(operation)
            db.session.commit()
            floor_seconds, _ = timed(floor_query)
            db.session.commit()
            return seconds, statements, floor_seconds

        for _ in range(WARM_UP):  # untimed: the statements prepared and planned, as in a running service
            side_by_side()
        results = [side_by_side() for _ in range(runs)]
        timings, floors = [seconds for seconds, _, _ in results], [floor for _, _, floor in results]
        statements = results[-1][1]
        median, floor = statistics.median(timings) * 1000, statistics.median(floors) * 1000
        p95 = statistics.quantiles(timings, n=20)[-1] * 1000 if runs >= 2 else median
        ratio = median / floor if floor else float("inf")
        line = f"| {label:<38} | {median:9.1f} | {p95:9.1f} | {statements:4d} | {floor:9.1f} | {ratio:6.1f}x |"
        self.lines.append(line)
        print(line, flush=True)


def peak_memory(operation: Callable[[], object]) -> float:
    """Peak memory the operation allocated beyond what was in use before, in MB."""
    db.session.rollback()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    operation()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    db.session.rollback()
    return (peak - before) / 2**20


def run_benchmarks(app, organization_id: int) -> None:
    from rs_service.accounts.auth import issue_token
    from rs_service.accounts.models import Organization, Person
    from rs_service.endorsement.models import Certificate
    from rs_service.endorsement.service import ready_to_certify
    from rs_service.groups.models import Session
    from rs_service.notifications.jobs import run_due_jobs

    organization = db.session.get(Organization, organization_id)
    staff = db.session.scalar(
        db.select(Person).where(Person.organization_id == organization_id, Person.role == "staff")
    )
    participant = db.session.scalar(
        db.select(Person)
        .where(Person.organization_id == organization_id, Person.pursuing_category == "IFS")
        .order_by(Person.id)
        .offset(3)
    )
    session = db.session.scalar(
        db.select(Session)
        .join(Session.group)
        .where(Session.signed_off_at.is_not(None), Session.group.has(organization_id=organization_id))
        .order_by(Session.starts_at.desc())
    )
    certificate = db.session.scalar(db.select(Certificate).where(Certificate.organization_id == organization_id))
    staff.session_key = staff.session_key or secrets.token_urlsafe(32)
    token = issue_token(staff)
    db.session.commit()
    values = {
        "org": organization_id,
        "person": participant.id,
        "session": session.id,
        "code": certificate.code,
        "today": clock.today_in(organization.timezone),
    }
    now = clock.now()
    print("first scheduler run (sends what is due now; not timed below)", flush=True)
    started = time.perf_counter()
    run_due_jobs(now)
    print(f"  took {time.perf_counter() - started:.1f} s", flush=True)

    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = staff.get_id()
        cookie["_fresh"] = True
    api = {"Authorization": f"Bearer {token}"}
    feed = f"/calendar/{participant.calendar_token}.ics"

    # Calendar apps, monitors and API integrators send no cookie; only staff pages carry a login.
    cookieless = app.test_client()

    def get(path: str, headers: dict | None = None, status: int = 200, logged_in: bool = False) -> Callable[[], object]:
        def request():
            response = (client if logged_in else cookieless).get(path, headers=headers or {})
            body = response.get_data()
            assert response.status_code == status, (path, response.status_code, body[:300])
            return body

        return request

    tag = client.get(feed).headers["ETag"]
    figures = Figures()
    print(
        "| path                                   | median ms |    p95 ms |  SQL | floor ms |  ratio |\n"
        "|----------------------------------------|-----------|-----------|------|----------|--------|",
        flush=True,
    )
    figures.measure("ready-to-certify queue", lambda: ready_to_certify(organization), QUEUE_FLOOR, values, runs=5)
    figures.measure(
        "scheduler run, nothing due", lambda: run_due_jobs(now + timedelta(seconds=1)), SCHEDULER_FLOOR, values
    )
    figures.measure(
        "hours report page (GET /hours/report)", get("/hours/report", logged_in=True), REPORT_PAGE_FLOOR, values
    )
    figures.measure(
        "hours report CSV, every participant", get("/hours/report?format=csv", logged_in=True), REPORT_FLOOR, values
    )
    figures.measure("calendar feed, 200", get(feed), FEED_FLOOR, values)
    figures.measure("calendar feed, 304", get(feed, {"If-None-Match": tag}, 304), FEED_TAG_FLOOR, values)
    figures.measure("GET /healthz", get("/healthz"), "SELECT 1", values)
    figures.measure(
        "GET /api/v1/people/{id}/eligibility",
        get(f"/api/v1/people/{participant.id}/eligibility?category=IFS", api),
        ELIGIBILITY_FLOOR,
        values,
    )
    figures.measure(
        "GET /api/v1/people/{id}/hours", get(f"/api/v1/people/{participant.id}/hours", api), HOURS_FLOOR, values
    )
    figures.measure(
        "GET /api/v1/sessions/{id}/attendance",
        get(f"/api/v1/sessions/{session.id}/attendance", api),
        ATTENDANCE_FLOOR,
        values,
    )
    figures.measure(
        "GET /api/v1/certificates/{code} (verify)",
        get(f"/api/v1/certificates/{certificate.code}", api),
        VERIFY_FLOOR,
        values,
    )
    queue_mb = peak_memory(lambda: ready_to_certify(organization))
    csv_mb = peak_memory(get("/hours/report?format=csv", logged_in=True))
    print(f"peak extra memory: ready-to-certify queue {queue_mb:.1f} MB, hours CSV {csv_mb:.1f} MB")


# The floors: what the database must do for each answer, written by hand.
STANDING = "h.minutes > 0 AND NOT EXISTS (SELECT 1 FROM hour_entries r WHERE r.reverses_id = h.id)"

# The queue's answer: per person and source, the minutes, first and last date of the standing
# entries in the window that a credential of a qualifying category made count, for everyone pursuing
# the category without a valid certificate. The rules then read these few rows.
QUEUE_FLOOR = f"""
SELECT h.person_id, h.provider_id, h.provider_name, sum(h.minutes), min(h.entry_date), max(h.entry_date)
FROM people p JOIN hour_entries h ON h.person_id = p.id
WHERE p.organization_id = :org AND p.pursuing_category = 'IFS'
  AND h.entry_date > CAST(:today AS date) - 730 AND h.peer = false AND h.verified
  AND h.format IN ('group', 'individual') AND {STANDING}
  AND EXISTS (SELECT 1 FROM hour_entry_credentials c WHERE c.hour_entry_id = h.id
              AND c.category IN ('IFRS', 'IMHS', 'IMHM-C') AND c.valid_from <= h.entry_date
              AND (c.valid_until IS NULL OR c.valid_until >= h.entry_date))
  AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.person_id = p.id AND c.category = p.pursuing_category
                  AND c.revoked_at IS NULL)
GROUP BY h.person_id, h.provider_id, h.provider_name
"""
# What an idle minute must establish, each in its cheapest form: per association, where its jobs
# got to, its newest ledger entry, requirement set and credentials (certification and renewals are
# judged again when these move), the first session after the planned horizon and the last change
# to a session or a place (reminders); and anywhere, an update, a cancellation or an overdue notice
# untold, or a message waiting. Each is "the first row in an index's order", so the database stops
# at the first row.
SCHEDULER_FLOOR = """
SELECT o.id, o.timezone, o.reminder_lead_minutes, m.*,
       (SELECT max(id) FROM hour_entries WHERE organization_id = o.id),
       (SELECT max(id) FROM requirement_sets WHERE organization_id = o.id),
       c.n, c.newest, c.latest_end,
       (SELECT s.starts_at FROM sessions s JOIN groups g ON g.id = s.group_id
        WHERE g.organization_id = o.id AND s.status = 'scheduled' AND s.starts_at > m.reminders_through
        ORDER BY s.starts_at LIMIT 1),
       (SELECT s.updated_at FROM sessions s JOIN groups g ON g.id = s.group_id
        WHERE g.organization_id = o.id ORDER BY s.updated_at DESC LIMIT 1),
       (SELECT e.placed_at FROM enrollments e JOIN groups g ON g.id = e.group_id
        WHERE g.organization_id = o.id AND e.placed_at IS NOT NULL ORDER BY e.placed_at DESC LIMIT 1),
       (SELECT s.id FROM sessions s JOIN notifications n ON n.session_id = s.id
        WHERE s.sequence > 0 AND s.status = 'scheduled' AND s.starts_at > now()
          AND n.kind IN ('session_reminder', 'session_update') AND n.sent_at IS NOT NULL AND n.sequence < s.sequence
          AND NOT EXISTS (SELECT 1 FROM notifications k WHERE k.session_id = s.id AND k.recipient_id = n.recipient_id
                          AND k.sequence = s.sequence AND k.kind IN ('session_reminder', 'session_update'))
        ORDER BY s.starts_at LIMIT 1),
       (SELECT s.id FROM sessions s WHERE s.status = 'cancelled' AND s.starts_at > now()
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.session_id = s.id AND n.kind = 'session_cancel')
        ORDER BY s.starts_at LIMIT 1),
       (SELECT s.id FROM sessions s WHERE s.status = 'scheduled' AND s.signed_off_at IS NULL
          AND s.starts_at < now() - INTERVAL '1 day'
          AND EXISTS (SELECT 1 FROM group_facilitators f WHERE f.group_id = s.group_id)
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.session_id = s.id AND n.kind = 'attendance_overdue')
        ORDER BY s.starts_at LIMIT 1),
       (SELECT id FROM notifications WHERE sent_at IS NULL AND given_up_at IS NULL
          AND (next_attempt_at IS NULL OR next_attempt_at <= now()) ORDER BY id LIMIT 1)
FROM organizations o LEFT JOIN job_marks m ON m.organization_id = o.id
LEFT JOIN (SELECT p.organization_id, count(*) AS n, max(c.id) AS newest, max(c.valid_until) AS latest_end
           FROM credentials c JOIN people p ON p.id = c.person_id GROUP BY p.organization_id) c
       ON c.organization_id = o.id
"""
REPORT_AGGREGATE = """
SELECT p.id, p.name, p.email, p.pursuing_category,
       coalesce(t.g, 0), coalesce(t.i, 0), coalesce(t.p, 0), coalesce(t.s, 0)
FROM people p LEFT JOIN (
    SELECT person_id,
           sum(minutes) FILTER (WHERE format = 'group' AND NOT peer) AS g,
           sum(minutes) FILTER (WHERE format = 'individual' AND NOT peer) AS i,
           sum(minutes) FILTER (WHERE peer) AS p,
           sum(sign(minutes)) FILTER (WHERE session_id IS NOT NULL) AS s
    FROM hour_entries WHERE organization_id = :org GROUP BY person_id
) t ON t.person_id = p.id
WHERE p.organization_id = :org AND p.role = 'participant'
ORDER BY p.name, p.id
"""
REPORT_FLOOR = REPORT_AGGREGATE
REPORT_PAGE_FLOOR = REPORT_AGGREGATE + " LIMIT 50"
FEED_FLOOR = """
SELECT s.*, g.name, g.rrule, g.location FROM enrollments e JOIN groups g ON g.id = e.group_id
JOIN sessions s ON s.group_id = g.id WHERE e.person_id = :person AND NOT e.waitlisted ORDER BY s.original_starts_at
"""
FEED_TAG_FLOOR = """
SELECT e.group_id, count(s.id), max(s.updated_at), sum(s.sequence) FROM enrollments e
JOIN sessions s ON s.group_id = e.group_id WHERE e.person_id = :person AND NOT e.waitlisted GROUP BY e.group_id
"""
ELIGIBILITY_FLOOR = f"""
SELECT sum(h.minutes), min(h.entry_date), count(DISTINCT h.provider_id) FROM hour_entries h
JOIN hour_entry_credentials c ON c.hour_entry_id = h.id
WHERE h.person_id = :person AND h.peer = false AND c.category IN ('IFRS', 'IMHS', 'IMHM-C')
  AND h.entry_date > CAST(:today AS date) - 730 AND {STANDING}
"""
HOURS_FLOOR = f"""
SELECT h.*, c.category, c.number FROM hour_entries h LEFT JOIN hour_entry_credentials c ON c.hour_entry_id = h.id
WHERE h.person_id = :person AND {STANDING} ORDER BY h.entry_date, h.id
"""
ATTENDANCE_FLOOR = """
SELECT a.person_id, p.name, a.status, a.minutes FROM attendance_records a JOIN people p ON p.id = a.person_id
WHERE a.session_id = :session ORDER BY p.name
"""
VERIFY_FLOOR = """
SELECT c.*, p.name FROM certificates c JOIN people p ON p.id = c.person_id WHERE c.code = :code
"""


if __name__ == "__main__":
    main()
