"""A national association's records, built in PostgreSQL with set-based SQL (INSERT ... SELECT generate_series).

At full scale: 5,000 participants, 250 weekly RSC groups, 100 facilitators, 36 months of signed-off
sessions with attendance, the ledger entries sign-off writes (each stamped with its provider's
credential), individual RSC every other month, some reversals, and valid IFS certificates for
about 60% of the participants pursuing it. `Scale` shrinks it for a quick check.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import text

from rs_service import clock
from rs_service.accounts.models import Organization, Person
from rs_service.accounts.service import create_organization
from rs_service.database import refresh_planner_statistics
from rs_service.endorsement.models import Requirement, RequirementSet
from rs_service.extensions import db

SLUG = "national-bench"
ZONE = "America/Chicago"
PASSWORD_HASH = "benchmark-accounts-cannot-log-in"


@dataclass(frozen=True)
class Scale:
    participants: int = 5000
    groups: int = 250
    facilitators: int = 100
    months: int = 36
    future_weeks: int = 12


NATIONAL = Scale()


def build(scale: Scale = NATIONAL, today: date | None = None) -> Organization:
    """The association and everything in it, in one transaction the caller commits."""
    if db.session.get_bind().dialect.name != "postgresql":
        raise RuntimeError("the national dataset is built with PostgreSQL's generate_series: give a PostgreSQL URL")
    today = today or clock.today_in(ZONE)
    organization = create_organization(SLUG, "National association (benchmark)", ZONE)
    staff = Person(organization_id=organization.id, email="staff@bench.example", name="Staff", role="staff")
    db.session.add(staff)
    db.session.flush()
    ifs = db.session.scalar(
        db.select(Requirement.id)
        .join(RequirementSet)
        .where(RequirementSet.organization_id == organization.id, Requirement.category == "IFS")
    )
    values = {
        "org": organization.id,
        "staff": staff.id,
        "ifs": ifs,
        "zone": ZONE,
        "start": today - relativedelta(months=scale.months),
        "today": today,
        "until": today + relativedelta(weeks=scale.future_weeks),
        "participants": scale.participants,
        "groups": scale.groups,
        "facilitators": scale.facilitators,
        "hash": PASSWORD_HASH,
    }
    for statement in STATEMENTS:
        db.session.execute(text(statement), values)
    refresh_planner_statistics(db.session, [table.name for table in db.metadata.sorted_tables])
    return organization


def counts() -> dict[str, int]:
    """Rows per table, for the report."""
    return {
        table.name: db.session.scalar(text(f"SELECT count(*) FROM {table.name}"))  # names from the metadata
        for table in db.metadata.sorted_tables
    }


# Each statement sees the rows of the ones before it; numbering by row_number() keeps the
# people, groups and enrolments in step whatever ids the sequences hand out.
STATEMENTS = [
    # Facilitators, each endorsed IMHM-C for the whole period (a few renewed partway through).
    """
    INSERT INTO people (organization_id, email, name, role, password_hash, reminders_enabled, language, active,
                        created_at)
    SELECT :org, 'facilitator' || n || '@bench.example', 'Facilitator ' || lpad(n::text, 4, '0'), 'facilitator',
           :hash, true, 'en', true, now()
    FROM generate_series(1, :facilitators) AS n
    """,
    """
    INSERT INTO credentials (person_id, category, number, valid_from, valid_until, created_at)
    SELECT id, 'IMHM-C', 'BENCH-' || id, CAST(:start AS date) - 3650, CAST(:until AS date) + 3650, now()
    FROM people WHERE organization_id = :org AND role = 'facilitator'
    """,
    # Participants: four in five pursue IFS; every one has a private feed.
    """
    INSERT INTO people (organization_id, email, name, role, password_hash, pursuing_category, reminders_enabled,
                        language, active, calendar_token, created_at)
    SELECT :org, 'participant' || n || '@bench.example', 'Participant ' || lpad(n::text, 5, '0'), 'participant',
           :hash, CASE WHEN n % 5 <> 0 THEN 'IFS' END, n % 3 = 0, CASE WHEN n % 4 = 0 THEN 'es' ELSE 'en' END, true,
           md5('feed-' || CAST(:org AS text) || '-' || n), now()
    FROM generate_series(1, :participants) AS n
    """,
    # Weekly groups led by one facilitator each, starting on different weekdays.
    """
    WITH leads AS (
        SELECT id, row_number() OVER (ORDER BY id) AS n
        FROM people WHERE organization_id = :org AND role = 'facilitator'
    )
    INSERT INTO groups (organization_id, name, timezone, rrule, first_date, until, start_time, duration_minutes,
                        capacity, kind, location, provider_id, created_at, sequence)
    SELECT :org, 'Group ' || lpad(g::text, 4, '0'), :zone,
           'FREQ=WEEKLY;BYDAY=' || (ARRAY['MO','TU','WE','TH','FR'])[1 + g % 5],
           CAST(:start AS date) + (7 - extract(isodow FROM CAST(:start AS date))::int + 1 + g % 5) % 7,
           CAST(:until AS date),
           TIME '10:00' + (g % 4) * INTERVAL '2 hours', 90, 30, 'rsc', 'Room ' || g, leads.id, now(), 0
    FROM generate_series(1, :groups) AS g
    JOIN leads ON leads.n = 1 + (g - 1) % :facilitators
    """,
    """
    INSERT INTO group_facilitators (group_id, person_id)
    SELECT id, provider_id FROM groups WHERE organization_id = :org
    """,
    # One session a week per group; past ones signed off three hours after they start, one in 37 cancelled.
    """
    INSERT INTO sessions (group_id, original_starts_at, starts_at, duration_minutes, status, sequence,
                          individually_changed, cancel_reason, updated_at, signed_off_at, signed_off_by_id,
                          attendance_version)
    SELECT g.id, s.at, s.at, 90, CASE WHEN s.k % 37 = 5 THEN 'cancelled' ELSE 'scheduled' END,
           CASE WHEN s.k % 37 = 5 THEN 1 ELSE 0 END, s.k % 37 = 5, CASE WHEN s.k % 37 = 5 THEN 'Holiday' END,
           LEAST(s.at, now()),
           CASE WHEN s.k % 37 <> 5 AND s.at + INTERVAL '3 hours' < now() THEN s.at + INTERVAL '3 hours' END,
           CASE WHEN s.k % 37 <> 5 AND s.at + INTERVAL '3 hours' < now() THEN g.provider_id END,
           CASE WHEN s.k % 37 <> 5 AND s.at + INTERVAL '3 hours' < now() THEN 1 ELSE 0 END
    FROM groups g
    CROSS JOIN LATERAL (
        SELECT k, ((g.first_date + 7 * k) + g.start_time) AT TIME ZONE g.timezone AS at
        FROM generate_series(0, (g.until - g.first_date) / 7) AS k
    ) s
    WHERE g.organization_id = :org
    """,
    # Every participant in one group from its first session.
    """
    WITH members AS (
        SELECT id, row_number() OVER (ORDER BY id) AS n
        FROM people WHERE organization_id = :org AND role = 'participant'
    ), numbered AS (
        SELECT id, first_date, row_number() OVER (ORDER BY id) AS n FROM groups WHERE organization_id = :org
    )
    INSERT INTO enrollments (group_id, person_id, joined_on, left_on, waitlisted, created_at)
    SELECT numbered.id, members.id, numbered.first_date, NULL, false, now()
    FROM members JOIN numbered ON numbered.n = 1 + (members.n - 1) % :groups
    """,
    # Attendance of signed-off sessions: nine in ten present.
    """
    INSERT INTO attendance_records (session_id, person_id, status, minutes, updated_at, updated_by_id)
    SELECT s.id, e.person_id, CASE WHEN (s.id * 7 + e.person_id) % 10 = 0 THEN 'absent' ELSE 'present' END,
           NULL, s.signed_off_at, s.signed_off_by_id
    FROM sessions s JOIN groups g ON g.id = s.group_id JOIN enrollments e ON e.group_id = g.id
    WHERE g.organization_id = :org AND s.signed_off_at IS NOT NULL
    """,
    # The ledger: what sign-off writes for everyone present...
    """
    INSERT INTO hour_entries (organization_id, person_id, entry_date, minutes, format, session_id, peer, verified,
                              provider_id, provider_name, recorded_at, recorded_by_id)
    SELECT :org, a.person_id, (s.starts_at AT TIME ZONE g.timezone)::date, s.duration_minutes, 'group', s.id,
           false, true, g.provider_id, p.name, s.signed_off_at, s.signed_off_by_id
    FROM attendance_records a JOIN sessions s ON s.id = a.session_id JOIN groups g ON g.id = s.group_id
    JOIN people p ON p.id = g.provider_id
    WHERE g.organization_id = :org AND a.status = 'present'
    ORDER BY s.signed_off_at, a.id
    """,
    # ... individual RSC from their group's facilitator every other month ...
    """
    INSERT INTO hour_entries (organization_id, person_id, entry_date, minutes, format, session_id, peer, verified,
                              provider_id, provider_name, recorded_at, recorded_by_id)
    SELECT :org, e.person_id, d.day::date, 60, 'individual', NULL, false, true, g.provider_id, p.name,
           d.day + INTERVAL '20 hours', :staff
    FROM enrollments e JOIN groups g ON g.id = e.group_id JOIN people p ON p.id = g.provider_id
    CROSS JOIN LATERAL generate_series(
        CAST(:start AS date) + (e.person_id % 28), CAST(:today AS date) - 1, INTERVAL '2 months'
    ) AS d(day)
    WHERE g.organization_id = :org
    """,
    # ... and one entry in a hundred reversed (attendance corrected after sign-off), as its negative twin.
    """
    INSERT INTO hour_entries (organization_id, person_id, entry_date, minutes, format, session_id, peer, verified,
                              provider_id, provider_name, reverses_id, reason, recorded_at, recorded_by_id)
    SELECT organization_id, person_id, entry_date, -minutes, format, session_id, peer, verified, provider_id,
           provider_name, id, 'Attendance corrected', recorded_at + INTERVAL '1 day', :staff
    FROM hour_entries WHERE organization_id = :org AND id % 100 = 7
    """,
    # Every entry stamped with its provider's credential.
    """
    INSERT INTO hour_entry_credentials (hour_entry_id, category, number, valid_from, valid_until)
    SELECT h.id, c.category, c.number, c.valid_from, c.valid_until
    FROM hour_entries h JOIN credentials c ON c.person_id = h.provider_id
    WHERE h.organization_id = :org
    """,
    # Valid IFS certificates for three in five of those pursuing it, each counting a year of group entries.
    """
    INSERT INTO certificates (organization_id, code, person_id, category, requirement_id, counted_minutes,
                              window_start, window_end, issued_at, issued_by_id, status_index)
    SELECT :org, md5('certificate-' || p.id), p.id, 'IFS', :ifs, 1440, CAST(:today AS date) - 400,
           CAST(:today AS date) - 35, now() - INTERVAL '30 days', :staff, row_number() OVER (ORDER BY p.id) - 1
    FROM (
        SELECT id, row_number() OVER (ORDER BY id) AS n
        FROM people WHERE organization_id = :org AND pursuing_category = 'IFS'
    ) p
    WHERE p.n % 5 IN (0, 1, 2)
    """,
    """
    INSERT INTO certificate_entries (certificate_id, hour_entry_id)
    SELECT c.id, h.id
    FROM certificates c JOIN hour_entries h ON h.person_id = c.person_id
    WHERE c.organization_id = :org AND h.format = 'group' AND h.minutes > 0
      AND h.entry_date BETWEEN c.window_start AND c.window_end
      AND NOT EXISTS (SELECT 1 FROM hour_entries r WHERE r.reverses_id = h.id)
    """,
]
