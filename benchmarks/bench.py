"""Benchmarks: time the hot paths against the demo cohort (23 groups, 184 participants) and print figures.

Run with `make bench`. Each figure is the median of several runs, with the number of SQL
statements the operation sent, so a change that adds queries per row shows up here too.
"""

import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flask_migrate

from benchmarks.timing import timed
from rs_service import create_app
from rs_service.extensions import db

RUNS = 5


def measure(label: str, operation, runs: int = RUNS) -> None:
    timings = []
    for _ in range(runs):
        seconds, statements = timed(operation)
        timings.append(seconds)
        db.session.rollback()
    print(f"{label:<58} {statistics.median(timings) * 1000:9.1f} ms  {statements:5d} SQL")


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="rs-bench-"))
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite'}",
            "OUTBOX_DIR": str(workdir / "outbox"),
            "SECRET_KEY": secrets.token_hex(32),
        },
    )
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        from rs_service.demo import seed_demo

        seed_demo()
        db.session.commit()
        print(f"{'seed the demo cohort (rs demo)':<58} {(time.perf_counter() - started) * 1000:9.1f} ms")
        run_benchmarks(app)


def run_benchmarks(app) -> None:
    from rs_service.accounts.models import Organization, Person
    from rs_service.calendars.service import group_calendar, person_calendar
    from rs_service.endorsement.service import eligibility_for, ready_to_certify
    from rs_service.groups.models import Group
    from rs_service.hours.service import hours_report
    from rs_service.notifications.jobs import run_due_jobs

    organization = db.session.scalar(db.select(Organization))
    participant = db.session.scalar(db.select(Person).where(Person.role == "participant").order_by(Person.id))
    facilitator = db.session.scalar(db.select(Person).where(Person.role == "facilitator").order_by(Person.id))
    group = db.session.scalar(db.select(Group).order_by(Group.id))

    measure("participant's calendar feed", lambda: person_calendar(participant))
    measure("facilitator's calendar feed (two groups)", lambda: person_calendar(facilitator))
    measure("one group's calendar download", lambda: group_calendar(group))
    measure("hours report, all 184 participants", lambda: list(hours_report(organization.id, None, None)))
    measure(
        "eligibility of one participant (IFS)", lambda: eligibility_for(participant, "IFS", datetime.now(UTC).date())
    )
    measure("ready-to-certify queue, all participants", lambda: ready_to_certify(organization))
    measure("a recurrence rule that never matches, refused", refuse_impossible_rule)
    measure(
        "background jobs, one run (mail to .eml files)",
        lambda: run_due_jobs(datetime.now(UTC) + timedelta(minutes=1)),
        runs=1,
    )
    measure(
        "background jobs, same moment again (nothing to send)",
        lambda: run_due_jobs(datetime.now(UTC) + timedelta(minutes=1)),
        runs=3,
    )
    with app.test_client() as client:
        from rs_service.accounts.auth import issue_token

        staff = db.session.scalar(db.select(Person).where(Person.role == "staff"))
        token = issue_token(staff)
        db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        measure(
            "GET /api/v1/groups/{id}/sessions",
            lambda: client.get(f"/api/v1/groups/{group.id}/sessions", headers=headers),
        )
        measure(
            "GET /api/v1/people/{id}/hours",
            lambda: client.get(f"/api/v1/people/{participant.id}/hours", headers=headers),
        )
        measure("GET /api/v1/people?q=an (search)", lambda: client.get("/api/v1/people?q=an", headers=headers))
        rows = "".join(f"new{n}@example.org,New Person {n},participant,IFS,en\r\n" for n in range(184))
        spreadsheet = ("email,name,role,pursuing,language\r\n" + rows).encode()
        measure(
            "POST /api/v1/people/import?dry_run=true, 184 rows",
            lambda: client.post(
                "/api/v1/people/import?dry_run=true",
                data=spreadsheet,
                headers={**headers, "Content-Type": "text/csv"},
            ),
        )


def refuse_impossible_rule() -> None:
    from datetime import date, time

    from rs_service.groups.schedule import Series, local_starts

    impossible = Series(
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "America/Detroit", date(2026, 1, 1), date(2026, 12, 31), time(10)
    )
    assert local_starts(impossible) == []


if __name__ == "__main__":
    main()
