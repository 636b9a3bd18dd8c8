"""Background jobs, through a real SMTP server; every invite read back with Mozilla's ical.js."""

import email
import email.policy
import logging
import re
import threading
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler

from rs_service.attendance.service import Mark, save_attendance, sign_off
from rs_service.calendars.ics import session_uid
from rs_service.calendars.service import occurrence, series_info
from rs_service.extensions import db
from rs_service.groups.models import Session
from rs_service.groups.service import cancel_session, reschedule_session, roster, withdraw
from rs_service.groups.service import enroll as join_waitlist
from rs_service.notifications import jobs
from rs_service.notifications import scheduler as scheduling
from rs_service.notifications import service as outbox
from rs_service.notifications.jobs import run_due_jobs
from rs_service.notifications.models import Notification
from tests.calendars.icaljs import run_icaljs
from tests.endorsement.helpers import full_year, provider
from tests.factories import csrf_token_from, enroll, log_in, make_org, make_person
from tests.notifications.conftest import ORGANIZER_EMAIL, calendar_part, ics_of, parts

UTC = UTC
MARCH_3 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 10:00 EST, the cohort's first session


def read_invite(message, session):
    """ical.js's reading of the message's invite, around the session's time."""
    return run_icaljs(ics_of(message), session.starts_at - timedelta(days=2), session.starts_at + timedelta(days=2))


def subject(message) -> str:
    """The Subject as a reader sees it (Python's parser keeps the space of a folded header)."""
    return " ".join(str(message["Subject"]).split())


def fresh(session) -> Session:
    db.session.expire_all()
    return db.session.get(Session, session.id)


def commit_reschedule(session, starts_at):
    reschedule_session(fresh(session), starts_at)
    db.session.commit()
    return fresh(session)


# ----------------------------------------------------------------------------- reminders


def test_reminder_24_hours_before_reaches_participants_and_facilitators_with_an_invite(cohort, mailbox):
    session = cohort.session_on("2026-03-03")
    assert session.starts_at == MARCH_3

    run_due_jobs(MARCH_3 - timedelta(hours=25))
    assert mailbox.received == []

    summary = run_due_jobs(MARCH_3 - timedelta(hours=24))
    everyone = [*cohort.participants, cohort.facilitator]
    assert sorted(r.rcpt_tos[0] for r in mailbox.received) == sorted(p.email for p in everyone)
    assert summary.sent["session_reminder"] == 3 and summary.ok

    for person in everyone:
        [message] = mailbox.to(person)
        assert message["To"].addresses[0].addr_spec == person.email
        assert subject(message).startswith("Reminder: Home visitors RS group, Tue, Mar 3, 2026, 10:00 AM")
        assert set(parts(message)) == {"text/plain", "text/html", "text/calendar", "application/ics"}
        text = parts(message)["text/plain"].get_content()
        assert "10:00 AM–11:30 AM EST" in text and "https://meet.example.org/rs-1" in text
        assert "https://meet.example.org/rs-1" in parts(message)["text/html"].get_content()

        calendar = calendar_part(message)
        assert calendar.get_param("method") == "REQUEST"
        ics = ics_of(message).decode()
        assert "METHOD:REQUEST" in ics.splitlines() and "BEGIN:VTIMEZONE" in ics
        invite = read_invite(message, session)
        assert invite["method"] == "REQUEST"
        [event] = invite["occurrences"]
        assert event["uid"] == session_uid(series_info(cohort.group), occurrence(session))
        assert event["start"] == MARCH_3 and event["end"] == MARCH_3 + timedelta(minutes=90)
        assert event["tzid"] == "America/Detroit" and event["sequence"] == 0
        assert event["organizer"]["email"] == ORGANIZER_EMAIL
        assert [a["email"] for a in event["attendees"]] == [person.email]  # nobody sees who else attends


def test_a_spanish_reader_gets_the_reminder_and_its_invite_in_spanish(cohort, mailbox):
    reader = cohort.participants[0]
    reader.language = "es"
    db.session.commit()
    run_due_jobs(MARCH_3 - timedelta(hours=24))
    [message] = mailbox.to(reader)
    assert subject(message).startswith("Recordatorio: Home visitors RS group")
    description = str(icalendar.Calendar.from_ical(ics_of(message)).walk("VEVENT")[0]["DESCRIPTION"])
    assert "Grupo de supervisión reflexiva. Facilitado por Maya Okafor." in description
    [other] = mailbox.to(cohort.participants[1])
    assert subject(other).startswith("Reminder: Home visitors RS group")


def test_the_association_sets_the_lead_time(cohort, mailbox):
    cohort.org.reminder_lead_minutes = 60
    db.session.commit()
    run_due_jobs(MARCH_3 - timedelta(hours=24))
    assert mailbox.received == []
    run_due_jobs(MARCH_3 - timedelta(minutes=60))
    assert len(mailbox.received) == 3


def test_someone_who_leaves_the_waitlist_inside_the_lead_time_is_still_reminded(cohort, mailbox):
    cohort.group.capacity = 2
    waiting = make_person(cohort.org, "participant", name="Ana Ruiz")
    join_waitlist(cohort.group, waiting, date(2026, 1, 1), waitlist=True)
    db.session.commit()
    run_due_jobs(MARCH_3 - timedelta(hours=24))
    assert mailbox.to(waiting) == [] and len(mailbox.received) == 3

    withdraw(cohort.group, cohort.participants[0].id, date(2026, 3, 1))  # Ana takes the place from 2 March
    db.session.commit()
    mailbox.clear()
    run_due_jobs(MARCH_3 - timedelta(hours=23))
    [reminder] = mailbox.to(waiting)
    assert subject(reminder).startswith("Reminder: Home visitors RS group")
    assert len(mailbox.received) == 1  # the others were reminded already


def test_reminders_off_stops_reminders_but_not_the_facilitators_overdue_notice(cohort, mailbox):
    quiet = cohort.participants[0]
    outbox.set_reminders(quiet, False)
    outbox.set_reminders(cohort.facilitator, False)
    db.session.commit()
    session = cohort.session_on("2026-03-03")

    run_due_jobs(MARCH_3 - timedelta(hours=23))
    assert [r.rcpt_tos for r in mailbox.received] == [[cohort.participants[1].email]]

    mailbox.clear()
    run_due_jobs(MARCH_3 + timedelta(minutes=90, hours=24, seconds=1))
    [notice] = mailbox.to(cohort.facilitator)
    assert f"http://rs.test/sessions/{session.id}/attendance" in parts(notice)["text/plain"].get_content()
    assert mailbox.to(quiet) == []


# ----------------------------------------------------------------------------- changes


def test_rescheduled_session_sends_an_updated_request_to_whoever_had_the_invite(cohort, mailbox):
    latecomer = cohort.participants[1]
    outbox.set_reminders(latecomer, False)  # never sent an invite, so never sent an update
    db.session.commit()
    session = cohort.session_on("2026-03-03")
    run_due_jobs(MARCH_3 - timedelta(hours=24))
    assert {r.rcpt_tos[0] for r in mailbox.received} == {cohort.participants[0].email, cohort.facilitator.email}

    mailbox.clear()
    moved = commit_reschedule(session, MARCH_3 + timedelta(hours=2))
    summary = run_due_jobs(MARCH_3 - timedelta(hours=20))
    assert summary.sent["session_reminder"] + summary.sent["session_update"] == 2
    assert mailbox.to(latecomer) == []
    for person in (cohort.participants[0], cohort.facilitator):
        [message] = mailbox.to(person)
        assert subject(message).startswith("Changed: Home visitors RS group, Tue, Mar 3, 2026, 12:00 PM")
        assert calendar_part(message).get_param("method") == "REQUEST"
        [event] = read_invite(message, moved)["occurrences"]
        assert event["uid"] == session_uid(series_info(cohort.group), occurrence(moved))
        assert event["sequence"] == 1 and event["start"] == MARCH_3 + timedelta(hours=2)

    mailbox.clear()
    run_due_jobs(MARCH_3 - timedelta(hours=20))
    assert mailbox.received == []


def test_session_moved_beyond_the_lead_time_is_updated_now_and_not_reminded_again_at_that_sequence(cohort, mailbox):
    session = cohort.session_on("2026-03-03")
    run_due_jobs(MARCH_3 - timedelta(hours=24))
    mailbox.clear()

    a_week_later = MARCH_3 + timedelta(days=7) - timedelta(hours=1)  # 10:00 EDT on 10 March
    moved = commit_reschedule(session, a_week_later)
    summary = run_due_jobs(MARCH_3 - timedelta(hours=23))
    assert summary.sent["session_update"] == 3
    for message in mailbox.messages:
        [event] = read_invite(message, moved)["occurrences"]
        assert (event["sequence"], event["start"]) == (1, a_week_later)

    mailbox.clear()
    run_due_jobs(a_week_later - timedelta(hours=30))
    summary = run_due_jobs(a_week_later - timedelta(hours=24))
    assert sum(summary.sent.values()) == 0 and mailbox.received == []  # the update already said it all

    commit_reschedule(fresh(session), a_week_later + timedelta(hours=1))  # a new version: told again
    summary = run_due_jobs(a_week_later - timedelta(hours=23))
    assert summary.sent["session_reminder"] == 3


def test_cancelled_session_is_said_in_words_to_everyone_and_cancels_the_invites_sent(cohort, mailbox):
    holder, never_invited = cohort.participants
    outbox.set_reminders(never_invited, False)
    cohort.org.reminder_lead_minutes = 17 * 24 * 60  # the 17 March reminder goes out on 28 February
    db.session.commit()
    run_due_jobs(datetime(2026, 2, 28, 15, tzinfo=UTC))
    session = cohort.session_on("2026-03-17")
    assert len(mailbox.to(holder)) == 2 and mailbox.to(never_invited) == []
    mailbox.clear()
    cancel_session(session, "Facilitator away")
    db.session.commit()
    session = fresh(session)

    summary = run_due_jobs(datetime(2026, 3, 1, 12, tzinfo=UTC))
    assert summary.sent["session_cancel"] == 3
    for person in [*cohort.participants, cohort.facilitator]:
        [message] = mailbox.to(person)
        assert subject(message).startswith("Cancelled: Home visitors RS group, Tue, Mar 17, 2026, 10:00 AM")
        assert "is cancelled" in parts(message)["text/plain"].get_content()
        assert "Facilitator away" not in message.as_string()
        if person is never_invited:  # nothing in their calendar to remove: words only
            assert "text/calendar" not in parts(message)
            continue
        calendar = calendar_part(message)
        assert calendar.get_param("method") == "CANCEL"
        assert "METHOD:CANCEL" in ics_of(message).decode().splitlines()
        invite = read_invite(message, session)
        assert invite["method"] == "CANCEL"
        [event] = invite["occurrences"]
        assert event["status"] == "CANCELLED" and event["sequence"] == 1
        assert event["uid"] == session_uid(series_info(cohort.group), occurrence(session))
        assert [a["email"] for a in event["attendees"]] == [person.email]

    mailbox.clear()
    run_due_jobs(session.starts_at - timedelta(hours=24))  # no reminder for it, nor a second cancel
    assert [subject(m) for m in mailbox.messages if "17 Mar" in subject(m)] == []


def test_a_pending_reminder_is_not_sent_once_the_session_is_cancelled(cohort, mailbox):
    session = cohort.session_on("2026-03-03")
    mailbox.stop()
    run_due_jobs(MARCH_3 - timedelta(hours=24))  # planned, but the server is down
    mailbox.start()
    cancel_session(fresh(session), "Snow day")
    db.session.commit()
    run_due_jobs(MARCH_3 - timedelta(hours=23))
    assert len(mailbox.received) == 3
    assert all(subject(m).startswith("Cancelled: ") for m in mailbox.messages)
    assert all("text/calendar" not in parts(m) for m in mailbox.messages)  # no invite ever reached them


# ----------------------------------------------------------------------------- overdue attendance


def sign_off_everyone_present(session, facilitator):
    session = fresh(session)
    save_attendance(session, [Mark(p.id, "present") for p in roster(session)], facilitator)
    sign_off(session, facilitator, now=session.starts_at + timedelta(hours=2))
    db.session.commit()


def test_overdue_attendance_notice_once_per_facilitator_with_the_attendance_link(cohort, mailbox):
    co_facilitator = make_person(cohort.org, "facilitator", name="Sam Ortiz")
    cohort.group.facilitators.append(co_facilitator)
    db.session.commit()
    first, second = cohort.session_on("2026-03-03"), cohort.session_on("2026-03-17")
    sign_off_everyone_present(second, cohort.facilitator)
    after_second = second.starts_at + timedelta(minutes=90)

    run_due_jobs(MARCH_3 + timedelta(minutes=90, hours=24))  # exactly 24 hours after the end: not yet
    assert [m for m in mailbox.messages if subject(m).startswith("Attendance")] == []

    mailbox.clear()
    summary = run_due_jobs(after_second + timedelta(hours=25))
    assert summary.sent["attendance_overdue"] == 2  # the first session, to each facilitator; not the signed-off one
    for person in (cohort.facilitator, co_facilitator):
        [notice] = mailbox.to(person)
        assert subject(notice) == "Attendance to sign off: Home visitors RS group, Tue, Mar 3, 2026, 10:00 AM EST"
        link = f"http://rs.test/sessions/{first.id}/attendance"
        assert link in parts(notice)["text/plain"].get_content()
        assert f'href="{link}"' in parts(notice)["text/html"].get_content()
        assert "text/calendar" not in parts(notice)

    mailbox.clear()
    run_due_jobs(after_second + timedelta(days=3))
    assert mailbox.received == []


# ----------------------------------------------------------------------------- certification


def test_certification_notice_once_to_the_participant_and_staff(app, mailbox):
    org = make_org("ct-aimh")
    staff = [make_person(org, "staff", name=name) for name in ("Dana Whitfield", "Lee Park")]
    imhs = provider(org, "IMHS", name="Alice Adams")
    ready = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    short = make_person(org, "participant", name="Casey Lin", pursuing_category="IFS")
    full_year(ready, imhs, 2025)
    full_year(short, imhs, 2025, minutes=30)  # 12 hours of 24

    summary = run_due_jobs(datetime(2026, 1, 5, 15, tzinfo=UTC))
    assert summary.sent["certification"] == 3
    [own] = mailbox.to(ready)
    assert "Infant Family Specialist (IFS)" in parts(own)["text/plain"].get_content()
    for person in staff:
        [notice] = mailbox.to(person)
        assert subject(notice) == "Ready to certify: Jordan Avery for IFS"
        assert f"http://rs.test/endorsement/people/{ready.id}" in parts(notice)["text/plain"].get_content()
    assert mailbox.to(short) == []

    mailbox.clear()
    run_due_jobs(datetime(2026, 1, 6, 15, tzinfo=UTC))
    assert mailbox.received == []


# ----------------------------------------------------------------------------- exactly once


def test_running_twice_for_the_same_moment_sends_nothing_twice(cohort, mailbox):
    cancel_session(cohort.session_on("2026-03-17"), "Holiday")
    db.session.commit()
    at = MARCH_3 - timedelta(hours=24)
    first = run_due_jobs(at)
    assert sum(first.sent.values()) == 6  # three reminders, three cancellations
    second = run_due_jobs(at)
    assert sum(second.sent.values()) == 0 and len(mailbox.received) == 6
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 6


def test_concurrent_runs_send_each_message_exactly_once(app, cohort, mailbox):
    for n in range(6):
        enroll(cohort.group, make_person(cohort.org, "participant", name=f"Extra {n}"))
    mailbox.delay = 0.02  # keep each send in flight long enough for the runs to overlap
    at = MARCH_3 - timedelta(hours=24)
    start = threading.Barrier(2)
    summaries, errors = [], []

    def runner():
        try:
            with app.app_context():
                start.wait()
                summaries.append(run_due_jobs(at))
                db.session.remove()
        except Exception as error:  # surfaced below: a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(sum(s.sent.values()) for s in summaries) == 9
    keys = [(r.rcpt_tos[0], r.message["Message-ID"]) for r in mailbox.received]
    assert len(keys) == len(set(keys)) == 9
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.sent_at.is_(None))) == 0


# ----------------------------------------------------------------------------- failures and the outbox


def test_smtp_failure_is_logged_and_retried_on_the_next_run(cohort, mailbox, caplog):
    at = MARCH_3 - timedelta(hours=24)
    mailbox.stop()
    with caplog.at_level(logging.WARNING, logger="rs_service.notifications"):
        summary = run_due_jobs(at)
    assert summary.failed == 3 and not summary.ok and sum(summary.sent.values()) == 0
    assert sum("will retry at" in r.getMessage() for r in caplog.records) == 3
    rows = db.session.scalars(db.select(Notification)).all()
    assert [(r.sent_at, r.attempts) for r in rows] == [(None, 1)] * 3
    assert all("127.0.0.1" in r.last_error for r in rows)

    mailbox.start()
    summary = run_due_jobs(at + timedelta(minutes=1))
    assert summary.sent["session_reminder"] == 3 and summary.ok
    assert len(mailbox.received) == 3
    run_due_jobs(at + timedelta(minutes=2))
    assert len(mailbox.received) == 3
    db.session.expire_all()
    assert all(r.sent_at is not None and r.last_error is None for r in db.session.scalars(db.select(Notification)))


def test_without_smtp_host_messages_are_written_to_the_outbox_folder(app, cohort, tmp_path):
    saved = app.config["SMTP_HOST"], app.config["OUTBOX_DIR"]
    app.config.update(SMTP_HOST=None, OUTBOX_DIR=str(tmp_path / "outbox"))
    try:
        summary = run_due_jobs(MARCH_3 - timedelta(hours=24))
    finally:
        app.config["SMTP_HOST"], app.config["OUTBOX_DIR"] = saved
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert summary.sent["session_reminder"] == 3 and len(files) == 3
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert calendar_part(message).get_param("method") == "REQUEST"
    assert run_icaljs(ics_of(message), MARCH_3 - timedelta(days=1), MARCH_3 + timedelta(days=1))["method"] == "REQUEST"


def test_a_message_that_cannot_be_composed_does_not_stop_the_others(cohort, mailbox, monkeypatch, caplog):
    def broken(*args):
        raise RuntimeError("template bug")

    monkeypatch.setattr(jobs, "overdue_message", broken)
    cancel_session(cohort.session_on("2026-03-17"), "Holiday")
    db.session.commit()
    with caplog.at_level(logging.WARNING, logger="rs_service.notifications"):
        summary = run_due_jobs(MARCH_3 + timedelta(days=2))  # overdue for 3 March, cancel for 17 March
    assert summary.failed == 1 and summary.sent["session_cancel"] == 3
    assert any("template bug" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()  # the bug is fixed: the notice goes out on the next run
    assert run_due_jobs(MARCH_3 + timedelta(days=2, minutes=1)).sent["attendance_overdue"] == 1


def test_naive_moment_is_refused(app):
    with pytest.raises(ValueError):
        run_due_jobs(datetime(2026, 3, 2, 15))


# ----------------------------------------------------------------------------- scheduler


def test_scheduler_runs_the_jobs_every_minute_without_overlap(app, cohort, mailbox):
    built = scheduling.build_scheduler(app, BackgroundScheduler)
    built.start(paused=True)
    try:
        [job] = built.get_jobs()
        assert job.coalesce is True and job.max_instances == 1
        assert str(job.trigger) == "cron[second='0']"  # at the start of every minute
    finally:
        built.shutdown()

    done = threading.Event()
    with time_machine.travel(MARCH_3 - timedelta(hours=24)):
        thread = threading.Thread(target=lambda: (scheduling.run_jobs_now(app), done.set()))
        thread.start()
        thread.join(60)
    assert done.is_set() and len(mailbox.received) == 3


def reminders_box(html: str) -> str:
    return re.search(r'<input[^>]*name="reminders_enabled"[^>]*>', html).group(0)


def test_profile_turns_reminders_off_and_on(app, client, cohort):
    person = cohort.participants[0]
    log_in(client, person)
    page = client.get("/profile")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/profile"' in html and "checked" in reminders_box(html)
    assert client.post("/profile", data={}).status_code == 400  # no CSRF token: refused
    response = client.post("/profile", data={"csrf_token": csrf_token_from(html), "channel": "automatic"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(person), person.id).reminders_enabled is False
    html = client.get("/profile").get_data(as_text=True)
    assert "Session reminders are off." in html and "checked" not in reminders_box(html)
    client.post(
        "/profile", data={"csrf_token": csrf_token_from(html), "reminders_enabled": "y", "channel": "automatic"}
    )
    db.session.expire_all()
    assert db.session.get(type(person), person.id).reminders_enabled is True
