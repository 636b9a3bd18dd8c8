"""Deactivated people get no more mail from the service, through a real SMTP server."""

from datetime import UTC, datetime, timedelta

import time_machine

from rs_service.extensions import db
from rs_service.notifications.jobs import run_due_jobs
from rs_service.people.service import deactivate
from tests.factories import make_person
from tests.notifications.conftest import cohort, mailbox  # noqa: F401  (real SMTP server and a group)

MARCH_3 = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # the cohort's first session, 10:00 EST


def test_a_deactivated_facilitator_and_participant_get_no_reminder(cohort, mailbox):  # noqa: F811
    staff = make_person(cohort.org, "staff")
    leaving, staying = cohort.participants
    with time_machine.travel(MARCH_3 - timedelta(days=2), tick=False):
        deactivate(cohort.facilitator, staff, "Moved to another state")
        deactivate(leaving, staff, "Left the program")
        db.session.commit()

    run_due_jobs(MARCH_3 - timedelta(hours=24))
    assert [r.rcpt_tos for r in mailbox.received] == [[staying.email]]
