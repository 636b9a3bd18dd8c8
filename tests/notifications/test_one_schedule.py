"""One rule decides whether a session is in someone's schedule: the feed, the roster and the
reminders agree, even for a session moved across the day someone joined or left."""

from datetime import UTC, date, datetime, timedelta

from rs_service.extensions import db
from rs_service.groups.service import reschedule_session, roster, sessions_of, withdraw
from rs_service.notifications.jobs import run_due_jobs
from tests.calendars.icaljs import expand_with_icaljs
from tests.factories import api_feed_url, enroll, make_group, make_org, make_person

WINDOW = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))


def feed_starts(client, api, person) -> list[datetime]:
    return sorted(o["start"] for o in expand_with_icaljs(client.get(api_feed_url(api, person)).data, *WINDOW))


def moved(session, to: datetime):
    reschedule_session(session, to)
    db.session.commit()
    return session


def test_session_moved_after_someone_joined_is_in_their_feed_roster_and_reminders(app, client, api, mailbox):
    org = make_org("mi-aimh")
    group = make_group(org, [make_person(org, "facilitator")])  # 1st and 3rd Tuesdays, 10:00 Detroit
    joiner = make_person(org, name="Jo Newcomer")
    enroll(group, joiner, joined_on=date(2026, 2, 1))
    january_20 = next(s for s in sessions_of(group) if s.starts_at.date() == date(2026, 1, 20))
    new_start = datetime(2026, 2, 2, 15, tzinfo=UTC)  # Monday 2 February, 10:00 EST
    moved(january_20, new_start)

    assert joiner in roster(january_20)
    assert new_start in feed_starts(client, api, joiner)
    run_due_jobs(new_start - timedelta(hours=23))
    assert len(mailbox.to(joiner)) == 1


def test_session_moved_after_someone_left_is_in_neither_their_feed_roster_nor_reminders(app, client, api, mailbox):
    org = make_org("mi-aimh")
    group = make_group(org, [make_person(org, "facilitator")])
    leaver = make_person(org, name="Lee Leaving")
    enroll(group, leaver, joined_on=date(2026, 1, 1))
    withdraw(group, leaver.id, date(2026, 3, 31))
    db.session.commit()
    march_17 = next(s for s in sessions_of(group) if s.starts_at.date() == date(2026, 3, 17))
    new_start = datetime(2026, 4, 1, 14, tzinfo=UTC)  # Wednesday 1 April, 10:00 EDT
    moved(march_17, new_start)

    assert leaver not in roster(march_17)
    starts = feed_starts(client, api, leaver)
    assert new_start not in starts and datetime(2026, 3, 3, 15, tzinfo=UTC) in starts
    run_due_jobs(new_start - timedelta(hours=23))
    assert mailbox.to(leaver) == []
