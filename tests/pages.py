"""Every HTML page of the service, who reads it, and one association whose data fills them all.

`build_scenario()` writes an association like MI-AIMH three months into a cohort: a group with
sessions past (signed off, one left open), cancelled and to come, hours in the ledger, a person
ready to certify and one certified, a renewal coming due, a message that could not be delivered
and an invitation not yet used. Each `Page` says which role reads it and builds its address from
that scenario, so every page shows real content rather than an empty state.

`html_routes_left_out()` holds the rule for what is a page: any GET route that is not an API
endpoint, a static file or a download (a route whose address ends in a file extension) and that
answers with HTML.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta
from flask import Flask

from rs_service import clock
from rs_service.accounts import invitations
from rs_service.accounts.models import Person
from rs_service.attendance import service as attendance
from rs_service.endorsement.service import issue_certificate
from rs_service.extensions import db
from rs_service.groups import service as groups
from rs_service.hours.models import HourEntry
from rs_service.hours.service import record_rsc_hours
from rs_service.notifications.models import Notification
from tests.factories import enroll, give_credential, make_org, make_person

ZONE = "America/Detroit"
STAFF, FACILITATOR, PARTICIPANT, ANONYMOUS = "staff", "facilitator", "participant", "anonymous"
ROLES = (STAFF, FACILITATOR, PARTICIPANT, ANONYMOUS)


@dataclass
class Scenario:
    people: dict[str, Person]  # who logs in for each role
    group_id: int
    past_session_id: int  # signed off
    open_session_id: int  # in the past, attendance taken but not signed off
    next_session_id: int
    participant_id: int
    ready_id: int  # ready to certify, no certificate yet
    entry_id: int  # one of the participant's ledger entries
    certificate_code: str
    password_token: str
    # What the scenario itself wrote (names, reasons...): data people typed, read in no language.
    user_text: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    name: str
    endpoint: str | None  # None for a page no route renders on purpose (not found)
    role: str
    path: Callable[[Scenario], str]
    status: int = 200


def build_scenario() -> Scenario:
    today = clock.today_in(ZONE)
    org = make_org("mi-aimh", ZONE)
    staff = make_person(org, STAFF, name="Dana Whitfield")
    facilitator = make_person(org, FACILITATOR, name="Maya Okafor")
    give_credential(facilitator, "IMHM-C", date(2018, 7, 1), number="MI-4001")
    mentor = make_person(org, FACILITATOR, name="Rosa Díaz")
    # Her endorsement runs out in two months: the renewals page has someone due.
    give_credential(mentor, "IMHS", date(2018, 7, 1), today + relativedelta(months=2), number="MI-4002")
    participant = make_person(org, PARTICIPANT, name="Priya Raman", pursuing_category="IFS")
    ready = make_person(org, PARTICIPANT, name="Ana Ruiz", pursuing_category="IFS")
    others = [make_person(org, PARTICIPANT, name=name) for name in ("Ben Carter", "Cleo Chen")]
    invited = make_person(org, PARTICIPANT, name="Lucía Gómez", password=None)

    first_date = (today - relativedelta(months=3)).replace(day=1)
    plan = groups.GroupPlan(
        name="Lansing RS 1",
        timezone=ZONE,
        rrule="FREQ=MONTHLY;BYDAY=1TU,3TU",
        first_date=first_date,
        until=first_date + relativedelta(months=6) - timedelta(days=1),
        start_time=time(10, 0),
        duration_minutes=90,
        capacity=10,
        facilitator_ids=(facilitator.id,),
        location="Zoom",
        join_url="https://zoom.example/j/555001",
    )
    group = groups.create_group(org.id, plan)
    db.session.commit()
    for person in (participant, ready, *others):
        enroll(group, person, first_date)

    now = clock.now()
    sessions = groups.sessions_of(group)
    past = [s for s in sessions if s.starts_at < now]
    upcoming = [s for s in sessions if s.starts_at > now]
    for position, session in enumerate(past):
        marks = [
            attendance.Mark(person.id, *mark)
            for person, mark in zip(
                groups.roster(session),
                [("present", None), ("late", 70), ("absent", None), ("excused", None)],
                strict=True,
            )
        ]
        attendance.save_attendance(session, marks, facilitator)
        if position < len(past) - 1:
            attendance.sign_off(session, facilitator, now=session.starts_at + timedelta(minutes=95))
    cancel_reason = "Capacitación / training"
    groups.cancel_session(upcoming[1], cancel_reason)
    groups.reschedule_session(upcoming[2], upcoming[2].starts_at + timedelta(days=1))

    # A year of individual RSC twice a month: both are ready to certify; one is certified.
    for person in (participant, ready):
        for months_ago, days in ((m, d) for m in range(12, 0, -1) for d in (3, 17)):
            record_rsc_hours(
                person,
                entry_date=today - relativedelta(months=months_ago, days=days),
                minutes=90,
                format="individual",
                actor=staff,
                provider=mentor,
            )
    db.session.flush()
    certificate = issue_certificate(participant, "IFS", staff)

    db.session.add(
        Notification(
            organization_id=org.id,
            kind="attendance_overdue",
            subject_key=f"session:{past[-1].id}",
            recipient_id=facilitator.id,
            session_id=past[-1].id,
            attempts=3,
            last_error="550 mailbox unavailable",
            first_failed_at=now - timedelta(days=3),
            given_up_at=now - timedelta(days=1),
            given_up_reason="550 mailbox unavailable",
        )
    )
    _, password_token = invitations.issue_link(invited, "invite", timedelta(days=7))
    db.session.commit()

    entry_id = db.session.scalar(
        db.select(HourEntry.id).where(HourEntry.person_id == participant.id).order_by(HourEntry.id).limit(1)
    )
    assert entry_id is not None
    return Scenario(
        people={STAFF: staff, FACILITATOR: facilitator, PARTICIPANT: participant},
        group_id=group.id,
        past_session_id=past[0].id,
        open_session_id=past[-1].id,
        next_session_id=upcoming[0].id,
        participant_id=participant.id,
        ready_id=ready.id,
        entry_id=entry_id,
        certificate_code=certificate.code,
        password_token=password_token,
        user_text=[
            *(p.name for p in (staff, facilitator, mentor, participant, ready, *others, invited)),
            "Lansing RS 1",
            "Zoom",
            cancel_reason,
            "550 mailbox unavailable",
            org.name,
        ],
    )


PAGES: list[Page] = [
    # Anyone, logged in or not
    Page("log in", "accounts.login", ANONYMOUS, lambda s: "/login"),
    Page("forgotten password", "passwords.forgot", ANONYMOUS, lambda s: "/password/forgot"),
    Page("set a password", "passwords.set_password", ANONYMOUS, lambda s: f"/password/set/{s.password_token}"),
    Page("password link gone", "passwords.set_password", ANONYMOUS, lambda s: "/password/set/no-such-link", status=410),
    Page("verify a certificate", "endorsement.verify", ANONYMOUS, lambda s: f"/verify/{s.certificate_code}"),
    Page("page not found", None, ANONYMOUS, lambda s: "/no-such-page", status=404),
    # Staff
    Page("staff home", "accounts.home", STAFF, lambda s: "/"),
    Page("staff profile", "profile.edit", STAFF, lambda s: "/profile"),
    Page("people", "people.index", STAFF, lambda s: "/people"),
    Page("new person", "people.new", STAFF, lambda s: "/people/new"),
    Page("person", "people.detail", STAFF, lambda s: f"/people/{s.participant_id}"),
    Page("import people", "people.import_people", STAFF, lambda s: "/people/import"),
    Page("groups", "groups.index", STAFF, lambda s: "/groups"),
    Page("new group", "groups.new", STAFF, lambda s: "/groups/new"),
    Page("group", "groups.detail", STAFF, lambda s: f"/groups/{s.group_id}"),
    Page("edit group", "groups.edit", STAFF, lambda s: f"/groups/{s.group_id}/edit"),
    Page("session", "groups.session", STAFF, lambda s: f"/sessions/{s.past_session_id}"),
    Page("correct attendance", "attendance.take", STAFF, lambda s: f"/sessions/{s.past_session_id}/attendance"),
    Page("a person's hours", "hours.person", STAFF, lambda s: f"/people/{s.participant_id}/hours"),
    Page(
        "correct an hours entry",
        "hours.correct_entry",
        STAFF,
        lambda s: f"/people/{s.participant_id}/hours/{s.entry_id}/correct",
    ),
    Page("hours report", "hours.report", STAFF, lambda s: "/hours/report"),
    Page("ready to certify", "endorsement.queue", STAFF, lambda s: "/endorsement/queue"),
    Page("evidence", "endorsement.evidence", STAFF, lambda s: f"/endorsement/people/{s.participant_id}"),
    Page(
        "issue a certificate",
        "endorsement.confirm_issue",
        STAFF,
        lambda s: f"/endorsement/people/{s.ready_id}/certificates/new?category=IFS",
    ),
    Page("certificate", "endorsement.certificate", STAFF, lambda s: f"/endorsement/certificates/{s.certificate_code}"),
    Page("certificate register", "records.certificate_register", STAFF, lambda s: "/endorsement/certificates"),
    Page("renewals", "renewals.index", STAFF, lambda s: "/endorsement/renewals"),
    Page("requirements", "endorsement.requirements", STAFF, lambda s: "/endorsement/requirements"),
    Page("requirement set", "endorsement.requirement_set", STAFF, lambda s: "/endorsement/requirements/1"),
    Page("new requirement set", "endorsement.new_requirement_set", STAFF, lambda s: "/endorsement/requirements/new"),
    Page("undelivered messages", "notifications.undelivered", STAFF, lambda s: "/undelivered"),
    # Facilitator
    Page("facilitator home", "accounts.home", FACILITATOR, lambda s: "/"),
    Page("facilitator profile", "profile.edit", FACILITATOR, lambda s: "/profile"),
    Page("facilitator's sessions", "groups.my_sessions", FACILITATOR, lambda s: "/my/sessions"),
    Page("facilitator's schedule", "groups.my_schedule", FACILITATOR, lambda s: "/my/schedule"),
    Page("take attendance", "attendance.take", FACILITATOR, lambda s: f"/sessions/{s.open_session_id}/attendance"),
    Page("facilitator's session", "groups.session", FACILITATOR, lambda s: f"/sessions/{s.open_session_id}"),
    # Participant
    Page("participant home", "accounts.home", PARTICIPANT, lambda s: "/"),
    Page("participant profile", "profile.edit", PARTICIPANT, lambda s: "/profile"),
    Page("my hours", "hours.mine", PARTICIPANT, lambda s: "/my/hours"),
    Page("my schedule", "groups.my_schedule", PARTICIPANT, lambda s: "/my/schedule"),
    Page("new calendar link", "groups.rotate_feed", PARTICIPANT, lambda s: "/my/schedule/new-link"),
    Page("my sessions", "groups.my_sessions", PARTICIPANT, lambda s: "/my/sessions"),
]

# A download's address ends in its file's extension (.pdf, .csv, .ics, .json or a converter for one).
DOWNLOAD = re.compile(r"\.(\w+|<[^>]+>)$")


def candidate_routes(app: Flask) -> dict[str, str]:
    """GET routes that could render a page, by endpoint: neither API, static file nor download."""
    return {
        rule.endpoint: rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.rule.startswith("/api/")
        and rule.endpoint != "static"
        and not DOWNLOAD.search(rule.rule)
    }


def url_values(scenario: Scenario) -> dict[str, object]:
    """A value from the scenario for each name a route's address takes."""
    return {
        "person_id": scenario.participant_id,
        "group_id": scenario.group_id,
        "session_id": scenario.past_session_id,
        "entry_id": scenario.entry_id,
        "code": scenario.certificate_code,
        "token": scenario.password_token,
        "version": 1,
        "slug": "mi-aimh",
    }
