"""International addresses and hostile names, through a real SMTP server with and without SMTPUTF8."""

import logging
from datetime import UTC, datetime, timedelta

from rs_service.extensions import db
from rs_service.groups.service import cancel_session
from rs_service.notifications.jobs import run_due_jobs
from rs_service.notifications.models import Notification
from tests.calendars.icaljs import run_icaljs
from tests.factories import enroll, make_person
from tests.notifications.conftest import calendar_part, ics_of, parts

MARCH_3 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # the cohort's first session, 10:00 EST
DAY_BEFORE = MARCH_3 - timedelta(hours=24)


def notification_for(person) -> Notification:
    db.session.expire_all()
    return db.session.scalar(db.select(Notification).where(Notification.recipient_id == person.id))


def test_a_server_offering_smtputf8_delivers_to_an_address_with_accents(cohort, smtputf8_mailbox):
    jose = make_person(cohort.org, name="José Núñez", email="josé@mi-aimh.example.org")
    tomas = make_person(cohort.org, "facilitator", name="Tomás Ortega", email="tomás.facilitator@mi-aimh.example.org")
    cohort.group.facilitators.append(tomas)

    enroll(cohort.group, jose)
    summary = run_due_jobs(DAY_BEFORE)
    assert summary.ok and summary.sent["session_reminder"] == 5
    for person in (jose, tomas):
        [received] = [r for r in smtputf8_mailbox.received if r.rcpt_tos == [person.email]]
        assert "SMTPUTF8" in received.mail_options
        message = received.message
        assert message["To"].addresses[0].addr_spec == person.email
        assert message["To"].addresses[0].display_name == person.name
        [event] = run_icaljs(ics_of(message), MARCH_3 - timedelta(days=1), MARCH_3 + timedelta(days=1))["occurrences"]
        assert [a["email"] for a in event["attendees"]] == [person.email]
    plain = [r for r in smtputf8_mailbox.received if r.rcpt_tos[0].isascii()]
    assert len(plain) == 3 and all("SMTPUTF8" not in r.mail_options for r in plain)  # only where needed


def test_without_smtputf8_such_an_address_is_given_up_at_once_saying_why(cohort, mailbox, caplog):
    jose = make_person(cohort.org, name="José Núñez", email="josé@mi-aimh.example.org")

    enroll(cohort.group, jose)
    with caplog.at_level(logging.ERROR, logger="rs_service.notifications"):
        summary = run_due_jobs(DAY_BEFORE)
    assert summary.sent["session_reminder"] == 3 and summary.given_up == 1 and summary.failed == 0
    assert mailbox.to(jose) == []
    row = notification_for(jose)
    assert row.sent_at is None and row.given_up_at is not None and row.attempts == 1
    assert "does not offer SMTPUTF8" in row.given_up_reason and "josé@mi-aimh.example.org" in row.given_up_reason
    assert any("SMTPUTF8" in r.getMessage() for r in caplog.records)

    summary = run_due_jobs(DAY_BEFORE + timedelta(minutes=1))  # not retried
    assert summary.ok and sum(summary.sent.values()) == 0 and notification_for(jose).attempts == 1


def test_an_international_domain_needs_no_smtputf8(cohort, mailbox):
    ana = make_person(cohort.org, name="Ana Ärzt", email="ana@bücher.example")

    enroll(cohort.group, ana)
    summary = run_due_jobs(DAY_BEFORE)
    assert summary.ok and summary.sent["session_reminder"] == 4
    [received] = [r for r in mailbox.received if r.rcpt_tos == ["ana@xn--bcher-kva.example"]]
    assert "SMTPUTF8" not in received.mail_options
    assert received.message["To"].addresses[0].display_name == "Ana Ärzt"


HOSTILE = ('Infant, Early; Childhood\nGroup "RS" \\ 🌱\r\n' + "ü" * 280)[:200]  # as long as a group name can be


def test_line_breaks_quotes_and_emoji_in_names_never_stop_a_message(cohort, mailbox):
    # Stored before entry refused control characters, or by hand: every message must still go.
    cohort.group.name = HOSTILE
    person = cohort.participants[0]
    person.name = 'Dana\n"DJ" Müller, LMSW; \\ 👶'
    cohort.org.name = "MI-AIMH\r\nBcc: victim@example.org"
    db.session.commit()
    cancel_session(cohort.session_on("2026-03-17"), "Holiday")
    db.session.commit()

    summary = run_due_jobs(DAY_BEFORE)
    assert summary.ok and summary.sent["session_reminder"] == 3 and summary.sent["session_cancel"] == 3
    one_line_group = " ".join(HOSTILE.split())
    for message in mailbox.to(person):
        assert message["Bcc"] is None
        assert " ".join(str(message["Subject"]).split()).split(": ", 1)[1].startswith(one_line_group)
        assert message["To"].addresses[0].display_name == 'Dana "DJ" Müller, LMSW; \\ 👶'
        assert one_line_group in " ".join(parts(message)["text/plain"].get_content().split())
        if "text/calendar" in parts(message):
            window = (MARCH_3 - timedelta(days=1), MARCH_3 + timedelta(days=20))
            [event] = run_icaljs(ics_of(message), *window)["occurrences"]
            assert event["summary"] == one_line_group
            assert event["attendees"][0]["cn"] == "Dana 'DJ' Müller, LMSW; \\ 👶"
            assert calendar_part(message).get_param("method") == "REQUEST"
    assert len(mailbox.to(person)) == 2
