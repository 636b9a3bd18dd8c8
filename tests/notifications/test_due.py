"""The scheduler asks one question a minute ("is anything due?") and runs only the jobs it names.
Whatever happens between two minutes, the messages sent must be exactly those that running every
job every minute sends: the same kinds, to the same people, at the same minute."""

import dataclasses
from datetime import UTC, date, datetime, timedelta

from rs_service.extensions import db
from rs_service.groups.models import Session
from rs_service.groups.service import cancel_session, reschedule_session
from rs_service.notifications import jobs
from rs_service.notifications.models import Notification
from tests.conftest import empty_all_tables
from tests.endorsement.helpers import add_hours, full_year, provider
from tests.factories import QueryCounter, enroll, make_group, make_org, make_person

MARCH_3 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 in Detroit, the first session
STEP = timedelta(minutes=10)


def session_on(group, day: str) -> Session:
    sessions = db.session.scalars(db.select(Session).where(Session.group_id == group.id))
    return next(s for s in sessions if s.starts_at.date().isoformat() == day)


def association():
    org = make_org()
    make_person(org, "staff", name="Staff")
    facilitator = make_person(org, "facilitator", name="Facilitator")
    group = make_group(org, [facilitator], first_date="2026-03-01", until="2026-04-30", name="RS group")
    enroll(group, make_person(org, "participant", name="Early", pursuing_category="IFS"))
    db.session.commit()
    return org, group


def events(org, group):
    """What staff, facilitators and the ledger do between the minutes, by the minute they do it."""
    imhs = provider(org, "IMHS", name="Provider")

    def move_second():  # its invite went out with the longer lead: now beyond the lead, an update
        reschedule_session(session_on(group, "2026-03-17"), MARCH_3 + timedelta(days=28))

    def late_joiner():
        enroll(group, make_person(org, "participant", name="Late"))

    def longer_lead():
        org.reminder_lead_minutes = 15 * 24 * 60  # the 17 March session is now inside it

    def cancel_third():
        cancel_session(session_on(group, "2026-04-07"), "Holiday")

    def a_year_of_hours():
        early = db.session.scalar(db.select(type(imhs)).where(type(imhs).name == "Early"))
        full_year(early, imhs, 2025)

    def one_more_hour():
        early = db.session.scalar(db.select(type(imhs)).where(type(imhs).name == "Early"))
        add_hours(early, imhs, [date(2026, 3, 1)], 60)

    return {
        MARCH_3 - timedelta(hours=20, minutes=3): late_joiner,
        MARCH_3 - timedelta(hours=12, minutes=1): a_year_of_hours,
        MARCH_3 - timedelta(hours=6, minutes=9): longer_lead,
        MARCH_3 - timedelta(hours=3, minutes=5): move_second,
        MARCH_3 + timedelta(hours=3, minutes=5): cancel_third,
        MARCH_3 + timedelta(hours=5, minutes=2): one_more_hour,
    }


def play() -> tuple[list, list]:
    """Minute by minute (in steps of 10) from 31 hours before the first session to a day and a half
    after it: what each run sent, and every message at the end."""
    org, group = association()
    happenings = events(org, group)
    sent = []
    at = MARCH_3 - timedelta(hours=31)
    while at < MARCH_3 + timedelta(hours=36):
        for moment, happen in happenings.items():
            if at - STEP < moment <= at:
                happen()
                db.session.commit()
        summary = jobs.run_due_jobs(at)
        assert summary.ok, summary
        sent.append((at, sorted((kind, n) for kind, n in summary.sent.items() if n)))
        at += STEP
    rows = db.session.execute(
        db.select(
            Notification.kind, Notification.subject_key, Notification.sequence, Notification.sent_at.is_(None)
        ).add_columns(
            db.select(type(group.facilitators[0]).name)
            .where(type(group.facilitators[0]).id == Notification.recipient_id)
            .scalar_subquery()
        )
    ).all()
    messages = sorted((kind, key.split(":")[0], sequence, unsent, name) for kind, key, sequence, unsent, name in rows)
    return sent, messages


def test_the_one_question_lets_through_exactly_what_every_job_every_minute_sends(app, mailbox, monkeypatch):
    gated = play()

    db.session.remove()
    empty_all_tables()
    every_job = [(name, plan) for _due, name, plan in jobs.plans(jobs.due_work(MARCH_3), MARCH_3)]
    assert len(every_job) == 6
    with monkeypatch.context() as patch:  # the jobs as they ran before the question: all of them, always
        real_due_work = jobs.due_work
        patch.setattr(jobs, "due_plans", lambda work, at: [(name, plan) for _due, name, plan in jobs.plans(work, at)])
        patch.setattr(jobs, "due_work", lambda at: dataclasses.replace(real_due_work(at), waiting=True))
        ungated = play()

    only_gated = [minute for minute in gated[0] if minute not in ungated[0]]
    only_ungated = [minute for minute in ungated[0] if minute not in gated[0]]
    assert (only_gated, only_ungated) == ([], [])  # the minutes where the two differ, if any
    assert gated == ungated
    sent_kinds = {kind for _at, counts in gated[0] for kind, _n in counts}
    assert sent_kinds == {
        "session_reminder",
        "session_update",
        "session_cancel",
        "attendance_overdue",
        "certification",
    }  # every kind of trigger happened in the story


def test_an_idle_minute_is_one_statement(app, mailbox):
    association()
    jobs.run_due_jobs(MARCH_3 - timedelta(hours=24))
    with QueryCounter() as queries:
        summary = jobs.run_due_jobs(MARCH_3 - timedelta(hours=23, minutes=59))
    assert summary.ok and not summary.sent
    assert queries.count == 1
