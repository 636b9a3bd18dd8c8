"""The scheduler runs every minute for every association: a minute with nothing new to send must cost
the same few SQL statements for 3 sessions and people as for 30, and plan nothing again."""

from datetime import UTC, date, datetime, timedelta

from rs_service.extensions import db
from rs_service.notifications.jobs import run_due_jobs
from rs_service.notifications.models import Notification
from tests.conftest import empty_all_tables
from tests.endorsement.helpers import add_hours, full_year, provider
from tests.factories import QueryCounter, enroll, make_group, make_org, make_person

MARCH_3 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 in Detroit


def association_of(size: int):
    """`size` one-session groups starting on 3 March, each with a facilitator and a participant who
    pursues IFS and has a year of hours (so eligible), plus a staff member."""
    org = make_org()
    make_person(org, "staff")
    imhs = provider(org, "IMHS")
    participants = []
    for n in range(size):
        facilitator = make_person(org, "facilitator")
        group = make_group(
            org, [facilitator], name=f"Group {n}", first_date="2026-03-03", until="2026-03-03", rrule="FREQ=WEEKLY"
        )
        participant = make_person(org, "participant", pursuing_category="IFS")
        enroll(group, participant)
        full_year(participant, imhs, 2025)
        participants.append(participant)
    db.session.commit()
    return participants, imhs


def statements_of_a_run(at: datetime) -> int:
    with QueryCounter() as queries:
        summary = run_due_jobs(at)
    assert summary.ok, summary
    return queries.count


def notifications() -> int:
    return db.session.scalar(db.select(db.func.count(Notification.id)))


def idle_costs(size: int, mailbox) -> tuple[int, int, int]:
    participants, imhs = association_of(size)
    first = MARCH_3 - timedelta(hours=23)
    with QueryCounter() as busy:
        summary = run_due_jobs(first)
    assert summary.sent["session_reminder"] == 2 * size and summary.sent["certification"] == 2 * size
    planned = notifications()
    idle = statements_of_a_run(first + timedelta(minutes=1))
    add_hours(participants[0], imhs, [date(2026, 3, 1)], 60)  # one person's ledger grows
    after_a_change = statements_of_a_run(first + timedelta(minutes=2))
    assert notifications() == planned  # nothing planned twice
    return busy.count, idle, after_a_change


def test_an_idle_minute_costs_the_same_for_3_as_for_30_and_a_message_two_statements(app, mailbox):
    busy_few, *few = idle_costs(3, mailbox)
    db.session.remove()
    empty_all_tables()  # the same database again, with 30 of each
    busy_many, *many = idle_costs(30, mailbox)
    assert many == few
    # 108 more messages (reminders and certification notices, 4 per group): each is claimed and
    # recorded; what they are composed from is loaded in bulk.
    assert busy_many - busy_few == 2 * 4 * (30 - 3)
