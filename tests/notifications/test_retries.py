"""No message is lost to a short outage: retries with growing pauses for 48 hours, then a page for staff."""

from datetime import UTC, datetime, timedelta

import pytest

from rs_service.extensions import db
from rs_service.notifications import service as outbox
from rs_service.notifications.jobs import run_due_jobs
from rs_service.notifications.models import Notification
from tests.endorsement.helpers import full_year, provider
from tests.factories import csrf_token_from, log_in, make_org, make_person

MARCH_3 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # the cohort's first session
REMINDERS_DUE = MARCH_3 - timedelta(hours=24)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Notification).order_by(Notification.id)))


def total_attempts() -> int:
    return sum(r.attempts for r in rows())


def test_a_five_minute_outage_with_the_scheduler_running_every_minute_loses_no_message(cohort, mailbox):
    mailbox.stop()
    for minute in range(6):
        assert run_due_jobs(REMINDERS_DUE + minutes(minute)).given_up == 0
    mailbox.start()
    for minute in range(6, 20):
        run_due_jobs(REMINDERS_DUE + minutes(minute))
    everyone = [*cohort.participants, cohort.facilitator]
    assert sorted(r.rcpt_tos[0] for r in mailbox.received) == sorted(p.email for p in everyone)
    assert all(r.sent_at is not None and r.given_up_at is None for r in rows())


def test_a_failed_message_waits_twice_as_long_after_each_failure(cohort, mailbox):
    mailbox.stop()
    tried = []
    for minute in range(16):
        before = total_attempts()
        run_due_jobs(REMINDERS_DUE + minutes(minute))
        if total_attempts() > before:
            tried.append(minute)
    assert tried == [0, 1, 3, 7, 15]
    assert all(r.next_attempt_at == REMINDERS_DUE + minutes(31) for r in rows())


def test_the_pause_between_attempts_grows_to_an_hour_at_most():
    assert [outbox.retry_pause(n) for n in (1, 2, 3, 6, 7, 50)] == [
        minutes(1),
        minutes(2),
        minutes(4),
        minutes(32),
        minutes(60),
        minutes(60),
    ]


@pytest.fixture
def certification_notices(app):
    """Jordan is newly ready to certify for IFS: a notice to Jordan and one to staff, always due."""
    org = make_org("ct-aimh")
    staff = make_person(org, "staff", name="Dana Whitfield")
    ready = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    full_year(ready, provider(org, "IMHS", name="Alice Adams"), 2025)
    return staff, ready


JANUARY_5 = datetime(2026, 1, 5, 15, tzinfo=UTC)


def test_a_message_still_failing_after_48_hours_is_given_up_with_its_reason(certification_notices, mailbox):
    mailbox.stop()
    assert run_due_jobs(JANUARY_5).failed == 2
    for hour in range(1, 48):
        assert run_due_jobs(JANUARY_5 + timedelta(hours=hour)).given_up == 0
    assert run_due_jobs(JANUARY_5 + timedelta(hours=48)).given_up == 2
    for row in rows():
        assert row.given_up_at == JANUARY_5 + timedelta(hours=48)
        assert "48 hours" in row.given_up_reason and "127.0.0.1" in row.given_up_reason
    attempts = total_attempts()
    mailbox.start()
    assert run_due_jobs(JANUARY_5 + timedelta(hours=50)).ok
    assert total_attempts() == attempts and mailbox.received == []


def test_staff_see_undelivered_messages_and_send_one_again(certification_notices, mailbox, client):
    staff, ready = certification_notices
    mailbox.stop()
    run_due_jobs(JANUARY_5)
    run_due_jobs(JANUARY_5 + timedelta(hours=48))
    mailbox.start()

    log_in(client, staff)
    home = client.get("/").get_data(as_text=True)
    assert "2 messages could not be delivered" in home
    page = client.get("/undelivered")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Jordan Avery" in html and "Given up" in html and "48 hours" in html
    to_jordan = next(r for r in rows() if r.recipient_id == ready.id)
    response = client.post(f"/undelivered/{to_jordan.id}/send-again", data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302

    summary = run_due_jobs(JANUARY_5 + timedelta(hours=49))
    assert summary.sent["certification"] == 1
    assert [r.rcpt_tos for r in mailbox.received] == [[ready.email]]
    html = client.get("/undelivered").get_data(as_text=True)
    to_staff = next(r for r in rows() if r.recipient_id == staff.id)
    assert f'id="message-{to_jordan.id}"' not in html and f'id="message-{to_staff.id}"' in html


def test_only_staff_of_the_association_see_or_resend_undelivered_messages(certification_notices, mailbox, client):
    _, ready = certification_notices
    mailbox.stop()
    run_due_jobs(JANUARY_5)
    [row, *_] = rows()
    log_in(client, ready)
    assert client.get("/undelivered").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    other_staff = make_person(make_org("wa-aimh"), "staff")
    log_in(client, other_staff)
    assert "Jordan Avery" not in client.get("/undelivered").get_data(as_text=True)
    token = csrf_token_from(client.get("/undelivered").get_data(as_text=True))
    assert client.post(f"/undelivered/{row.id}/send-again", data={"csrf_token": token}).status_code == 404


def test_a_crash_between_sending_and_recording_sends_again_with_the_same_message_id(cohort, mailbox, monkeypatch):
    """At least once, honestly: the copy carries the same Message-ID, so mail clients show one message."""

    def process_dies(notification):
        raise RuntimeError("the scheduler was killed before it recorded the message as sent")

    monkeypatch.setattr(outbox, "record_sent", process_dies)
    assert run_due_jobs(REMINDERS_DUE).errors == ["deliver_waiting"]
    assert len(mailbox.received) == 1 and all(r.sent_at is None for r in rows())
    monkeypatch.undo()

    assert run_due_jobs(REMINDERS_DUE + minutes(1)).sent["session_reminder"] == 3
    [first, *rest] = mailbox.received
    copies = [r for r in rest if r.rcpt_tos == first.rcpt_tos]
    assert len(copies) == 1 and copies[0].message["Message-ID"] == first.message["Message-ID"]
    assert len({r.message["Message-ID"] for r in mailbox.received}) == 3
    assert all(r.sent_at is not None for r in rows())


def test_the_undelivered_page_costs_the_same_queries_for_2_and_8_messages(client, org, staff):
    from tests.factories import QueryCounter

    def fail_messages_to(count):
        for _ in range(count):
            person = make_person(org)
            db.session.add(
                Notification(
                    organization_id=org.id,
                    kind="certification",
                    subject_key=f"eligible:{person.id}:IFS",
                    recipient_id=person.id,
                    attempts=1,
                    last_error="SMTP 127.0.0.1:25: connection refused",
                )
            )
        db.session.commit()

    log_in(client, staff)
    fail_messages_to(2)
    with QueryCounter() as few:
        assert client.get("/undelivered").get_data(as_text=True).count('id="message-') == 2
    fail_messages_to(6)
    with QueryCounter() as many:
        assert client.get("/undelivered").get_data(as_text=True).count('id="message-') == 8
    assert few.count == many.count
