"""The background jobs: what is due at a moment, who is told, and the messages themselves.

`run_due_jobs(at)` plans every message due at `at` (one Notification row per recipient, keyed so
that planning twice changes nothing), then sends whatever still waits. Rules, where the issue
leaves a choice:

* Session reminder: when a scheduled session starts within its association's lead time
  (at < start <= at + lead), to everyone on its roster and its facilitators who keep reminders on,
  unless they were already sent an update at the session's current SEQUENCE (the same message
  again). It tells of the session at its current SEQUENCE, with an invite on the person's channel
  (see channels.py); a cancellation is always said in words, with METHOD:CANCEL for those whose
  calendar holds an invite for it.
* Session update: a session that has not started and was changed after someone was sent an
  invite for it (a reminder or an earlier update, at a lower SEQUENCE) gets them an updated
  REQUEST, whatever their reminder setting (their calendar holds the old time). People never sent
  an invite get nothing until the session enters their lead time, where the reminder carries the
  current time. Inside the lead time the reminder at the new SEQUENCE is the update.
* Cancellation: a cancelled session that has not started sends METHOD:CANCEL to everyone on its
  roster and its facilitators, whatever their reminder setting, at the first run after it was
  cancelled. The cancel reason is left out: it is free text for the record, and mail leaves the
  service's access control.
* Overdue attendance: a scheduled session that ended more than 24 hours ago and is not signed off
  sends each facilitator one notice, whatever their reminder setting.
* Certification: a person who is eligible, as of the association's date at `at`, for the category
  they pursue (one that requires RSC), and holds no certificate for it yet, is told once, and so is
  every staff member of the association.

A message that waited (e.g. the mail server was down) is sent later only while it still holds: a
reminder or update only for the session's current SEQUENCE before it starts, a cancellation before
the session's time, an overdue notice until the session is signed off.

Every run starts with one statement (`due.due_work`) saying which of these jobs have anything to
do; only those run, so an idle minute costs that statement whatever the size of the data.
"""

import logging
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, or_
from sqlalchemy.orm import selectinload

from rs_service import clock
from rs_service.accounts.models import Organization, Person
from rs_service.calendars.ics import build_invite
from rs_service.calendars.service import occurrence, series_info
from rs_service.endorsement.categories import CATEGORY_NAMES
from rs_service.endorsement.service import judged_by_totals
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group, Session
from rs_service.groups.service import rosters
from rs_service.hours.models import HourEntry
from rs_service.local_times import local_period, local_time
from rs_service.notifications import endorsement_notices
from rs_service.notifications.channels import SentBefore, carries_invite, organizer_address, sent_before
from rs_service.notifications.due import (
    OVERDUE_AFTER,
    DueWork,
    cancelled_untold,
    due_work,
    overdue_untold,
    still_due,
    updates_wanted,
)
from rs_service.notifications.mail import Attachment, Invite, MailSettings, address_header, build_message
from rs_service.notifications.models import (
    CANCELLATION,
    CERTIFICATE_ISSUED,
    CERTIFICATION,
    ENDORSEMENT_KINDS,
    OVERDUE,
    REMINDER,
    RENEWAL,
    UPDATE,
    JobMark,
    Notification,
)
from rs_service.notifications.service import Planned, deliver_waiting, mail_settings, record_planned
from rs_service.urls import external_url

log = logging.getLogger(__name__)


# SQLite has no row locks to share the work between two runners in one process: take turns.
_sqlite_turns = threading.Lock()


@dataclass
class JobSummary:
    at: datetime
    sent: Counter = field(default_factory=Counter)  # kind -> messages sent
    failed: int = 0  # retried on the next run
    given_up: int = 0
    errors: list[str] = field(default_factory=list)  # jobs that could not run at all

    @property
    def ok(self) -> bool:
        return not (self.failed or self.given_up or self.errors)

    def __str__(self) -> str:
        counts = ", ".join(
            f"{self.sent[kind]} {label}"
            for kind, label in (
                (REMINDER, "reminders"),
                (UPDATE, "updates"),
                (CANCELLATION, "cancellations"),
                (OVERDUE, "overdue-attendance notices"),
                (CERTIFICATION, "certification notices"),
                (RENEWAL, "renewal notices"),
                (CERTIFICATE_ISSUED, "certificates sent"),
            )
        )
        text = f"Jobs due at {self.at:%Y-%m-%dT%H:%M:%SZ}: sent {counts}."
        if self.failed or self.given_up:
            text += f" Not sent: {self.failed} (retried on the next run), {self.given_up} given up; see the log."
        if self.errors:
            text += f" Failed jobs: {', '.join(self.errors)}; see the log."
        return text


def run_due_jobs(at: datetime) -> JobSummary:
    """Plan and send everything due at `at` (an aware datetime); commits as it goes."""
    at = instant(at)
    summary = JobSummary(at)
    with taking_turns_on_sqlite():
        # One statement says which jobs have anything to do; it fails as a whole, before any job,
        # when the database is unreachable or not upgraded.
        work = due_work(at)
        planned_any = False
        for name, plan in due_plans(work, at):
            try:
                planned = plan()
                record_planned(planned)
                planned_any = planned_any or bool(planned)
            except Exception:  # one broken job must not stop the others
                db.session.rollback()
                log.exception("background job %s failed at %s", name, at.isoformat())
                summary.errors.append(name)
        if not (work.waiting or planned_any):
            return summary
        settings = mail_settings()
        try:
            data = MessageData()
            delivery = deliver_waiting(still_due(at), lambda n: compose(n, settings, data), settings, at, data.load)
        except Exception:
            db.session.rollback()
            log.exception("sending notifications failed at %s", at.isoformat())
            summary.errors.append("deliver_waiting")
        else:
            summary.sent, summary.failed, summary.given_up = delivery.sent, delivery.failed, delivery.given_up
    if summary.sent or not summary.ok:
        log.info("%s", summary)
    return summary


def plans(work: DueWork, at: datetime) -> list[tuple[bool, str, Callable[[], list[Planned]]]]:
    """Every job as (whether it has something to do at `at`, its name, the job)."""
    associations = work.associations.values()
    return [
        (any(a.needs_reminders(at) for a in associations), "plan_reminders", lambda: plan_reminders(at)),
        (work.updates, "plan_updates", lambda: plan_updates(at)),
        (work.cancellations, "plan_cancellations", lambda: plan_cancellations(at)),
        (work.overdue, "plan_overdue_notices", lambda: plan_overdue_notices(at)),
        (
            any(a.certification_check(at) for a in associations),
            "plan_certification_notices",
            lambda: plan_certification_notices(at, work),
        ),
        (
            any(a.needs_renewals(at) for a in associations),
            "plan_renewal_notices",
            lambda: endorsement_notices.plan_renewal_notices(at, work),
        ),
    ]


def due_plans(work: DueWork, at: datetime) -> list[tuple[str, Callable[[], list[Planned]]]]:
    """The jobs that have something to do at `at`, each as (name, job)."""
    return [(name, plan) for due, name, plan in plans(work, at) if due]


def instant(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the moment for the jobs must carry a UTC offset")
    return at.astimezone(UTC)


@contextmanager
def taking_turns_on_sqlite():
    if db.session.get_bind().dialect.name != "sqlite":
        yield
        return
    with _sqlite_turns:
        yield


# ----------------------------------------------------------------------------- planning


def recipients(sessions) -> dict[int, list[Person]]:
    """Each session's roster and its facilitators (by session id), once each; deactivated people get
    no mail. A fixed number of queries whatever the number of sessions."""
    sessions = list(sessions)
    on_roster = rosters(sessions)
    out = {}
    for session in sessions:
        people = {p.id: p for p in on_roster[session.id]}
        people.update((f.id, f) for f in session.group.facilitators)
        out[session.id] = sorted((p for p in people.values() if p.active), key=lambda p: p.id)
    return out


def planned(kind: str, session: Session, person: Person) -> Planned:
    return Planned(
        session.group.organization_id, kind, f"session:{session.id}", person.id, session.sequence, session.id
    )


def sessions_query():
    return db.select(Session).options(selectinload(Session.group).selectinload(Group.facilitators))


def job_marks() -> dict[int, JobMark]:
    """Every association's mark, one made for those without (added to the session, saved with the plan)."""
    marks = {m.organization_id: m for m in db.session.scalars(db.select(JobMark))}
    for organization_id in db.session.scalars(db.select(Organization.id).where(Organization.id.not_in(marks))):
        marks[organization_id] = JobMark(organization_id=organization_id)
        db.session.add(marks[organization_id])
    return marks


def plan_reminders(at: datetime) -> list[Planned]:
    """Sessions entering their lead time since the last run, and those changed or joined since then.

    The mark remembers how far planning got, so an idle minute reads no roster and inserts nothing.
    A run for an earlier moment than the last (a clock set back) plans its whole lead time again.
    """
    leads = dict(db.session.execute(db.select(Organization.id, Organization.reminder_lead_minutes)).tuples().all())
    marks = job_marks()
    for mark in marks.values():
        if mark.reminders_at is not None and at < mark.reminders_at:
            mark.reminders_through = mark.reminders_checked_at = None
    db.session.flush()
    checked_at = clock.now()
    longest_lead = max(leads.values(), default=0)
    changed_since = JobMark.reminders_checked_at
    sessions = db.session.scalars(
        sessions_query()
        .join(Group, Group.id == Session.group_id)
        .join(JobMark, JobMark.organization_id == Group.organization_id)
        .where(
            Session.status == "scheduled",
            Session.starts_at > at,
            Session.starts_at <= at + timedelta(minutes=longest_lead),
            or_(
                JobMark.reminders_through.is_(None),
                JobMark.reminders_checked_at.is_(None),
                Session.starts_at > JobMark.reminders_through,
                Session.updated_at >= changed_since,
                exists().where(Enrollment.group_id == Session.group_id, Enrollment.placed_at >= changed_since),
            ),
        )
    )
    due = [s for s in sessions if s.starts_at <= at + timedelta(minutes=leads[s.group.organization_id])]
    for organization_id, mark in marks.items():
        through = at + timedelta(minutes=leads[organization_id])
        keep = mark.reminders_through is not None and mark.reminders_through > through
        mark.reminders_at, mark.reminders_checked_at = at, checked_at
        mark.reminders_through = mark.reminders_through if keep else through
    if not due:
        return []
    updated = told_of_current_version(due)
    people = recipients(due)
    return [
        planned(REMINDER, session, person)
        for session in due
        for person in people[session.id]
        if person.reminders_enabled and (session.id, person.id) not in updated
    ]


def told_of_current_version(sessions: list[Session]) -> set[tuple[int, int]]:
    """(session, person) pairs already sent (or about to be sent) an update at the session's current
    SEQUENCE: a reminder at that SEQUENCE would only repeat it."""
    if not sessions:
        return set()
    current = {s.id: s.sequence for s in sessions}
    rows = db.session.execute(
        db.select(Notification.session_id, Notification.recipient_id, Notification.sequence).where(
            Notification.kind == UPDATE, Notification.session_id.in_(current)
        )
    ).tuples()
    return {(session_id, person_id) for session_id, person_id, sequence in rows if sequence == current[session_id]}


def plan_updates(at: datetime) -> list[Planned]:
    pairs = db.session.execute(updates_wanted(at).distinct()).tuples().all()
    wanted: dict[int, set[int]] = {}
    for session_id, person_id in pairs:
        wanted.setdefault(session_id, set()).add(person_id)
    if not wanted:
        return []
    sessions = list(db.session.scalars(sessions_query().where(Session.id.in_(wanted))))
    people = recipients(sessions)
    return [
        planned(UPDATE, session, person)
        for session in sessions
        for person in people[session.id]
        if person.id in wanted[session.id]
    ]


def plan_cancellations(at: datetime) -> list[Planned]:
    sessions = list(db.session.scalars(sessions_query().where(*cancelled_untold(at))))
    people = recipients(sessions)
    return [planned(CANCELLATION, session, person) for session in sessions for person in people[session.id]]


def plan_overdue_notices(at: datetime) -> list[Planned]:
    sessions = db.session.scalars(sessions_query().where(*overdue_untold(at - OVERDUE_AFTER)))
    return [
        Planned(session.group.organization_id, OVERDUE, f"session:{session.id}", facilitator.id, 0, session.id)
        for session in sessions
        if session.ends_at + OVERDUE_AFTER < at
        for facilitator in session.group.facilitators
    ]


def plan_certification_notices(at: datetime, work: DueWork) -> list[Planned]:
    """People newly eligible for the category they pursue, judged from totals the database sums.

    Everyone is checked once per day of their association (the window moves with the date) and
    whenever its requirement sets change; in between, only people whose ledger grew since the last
    check (`AssociationState.certification_check`).
    """
    marks = job_marks()
    out = []
    for organization_id, state in sorted(work.associations.items()):
        check = state.certification_check(at)
        if check is None:
            continue  # nothing changed since the last check
        as_of, everyone = check
        people = (
            None
            if everyone
            else db.select(HourEntry.person_id).where(
                HourEntry.organization_id == organization_id, HourEntry.id > state.entries_through
            )
        )
        mark = marks[organization_id]
        mark.certified_on, mark.entries_through = as_of, state.newest_entry or 0
        mark.requirement_sets_through = state.newest_set or 0
        eligible = {
            eligibility_key(person_id, result.category): person_id
            for person_id, result in judged_by_totals(organization_id, as_of, people).items()
            if result.eligible
        }
        out += certification_notices(organization_id, eligible)
    return out


def certification_notices(organization_id: int, eligible: dict[str, int]) -> list[Planned]:
    """To each newly eligible person (by eligibility key) and every staff member: those not told yet."""
    if not eligible:
        return []
    told = set(
        db.session.scalars(
            db.select(Notification.subject_key).where(
                Notification.kind == CERTIFICATION, Notification.subject_key.in_(sorted(eligible))
            )
        )
    )
    newly = [(key, person_id) for key, person_id in sorted(eligible.items()) if key not in told]
    if not newly:
        return []
    staff = [p.id for p in staff_of(organization_id)]
    return [
        Planned(organization_id, CERTIFICATION, key, recipient_id)
        for key, person_id in newly
        for recipient_id in [person_id, *staff]
    ]


def eligibility_key(person_id: int, category: str) -> str:
    return f"eligible:{person_id}:{category}"


def staff_of(organization_id: int) -> list[Person]:
    return list(
        db.session.scalars(
            db.select(Person)
            .where(Person.organization_id == organization_id, Person.role == "staff", Person.active.is_(True))
            .order_by(Person.id)
        )
    )


# ----------------------------------------------------------------------------- times and links


def attendance_url(session: Session) -> str:
    return external_url("attendance.take", session_id=session.id)


def profile_url() -> str:
    return external_url("profile.edit")


# ----------------------------------------------------------------------------- messages


@dataclass
class MessageData:
    """What the waiting messages are composed from, loaded in a few queries before the first is sent
    (the people, sessions with their groups and facilitators, associations, and what each person was
    already sent about each session), so that each message costs only its claim and its record.

    What was sent is read once: two messages for one person and session in the same run (which the
    planners never make: a change supersedes the waiting message) would both read it as before either."""

    sent_before: dict[tuple[int, int], SentBefore] = field(default_factory=dict)
    loaded: list = field(default_factory=list)  # held here: the session only keeps what is referenced

    def load(self, ids: list[int]) -> None:
        rows = [
            row
            for chunk in chunks(ids)
            for row in db.session.execute(
                db.select(
                    Notification.recipient_id,
                    Notification.organization_id,
                    Notification.session_id,
                    Notification.subject_key,
                ).where(Notification.id.in_(chunk))
            ).tuples()
        ]
        people = {recipient for recipient, *_ in rows}
        people |= {int(key.split(":")[1]) for *_, key in rows if key.startswith("eligible:")}
        sessions = sorted({session_id for *_, session_id, _key in rows if session_id is not None})
        for chunk in chunks(sorted(people)):
            self.loaded += db.session.scalars(db.select(Person).where(Person.id.in_(chunk)))
        associations = {org for _, org, *_ in rows}
        self.loaded += db.session.scalars(db.select(Organization).where(Organization.id.in_(associations)))
        for chunk in chunks(sessions):
            self.loaded += db.session.scalars(sessions_query().where(Session.id.in_(chunk)))
            self.sent_before.update(sent_before(chunk))

    def before(self, notification: Notification) -> SentBefore:
        return self.sent_before.get((notification.session_id or 0, notification.recipient_id), SentBefore())


def chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """Ids in lists short enough for one IN (...) on any database."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def compose(notification: Notification, settings: MailSettings, data: MessageData) -> EmailMessage:
    if notification.kind == CERTIFICATION:
        return certification_message(notification, settings)
    if notification.kind in ENDORSEMENT_KINDS:
        return endorsement_notices.compose(notification, settings)
    session = db.session.get_one(Session, notification.session_id)
    if notification.kind == OVERDUE:
        return overdue_message(notification, session, settings)
    return invite_message(notification, session, settings, data.before(notification))


def invite_message(
    notification: Notification, session: Session, settings: MailSettings, before: SentBefore
) -> EmailMessage:
    """A reminder, change or cancellation: in words always, with an invite on the person's channel.
    It is a change when the last invite the person was sent for the session was an earlier SEQUENCE."""
    person, group = notification.recipient, session.group
    cancelled = notification.kind == CANCELLATION
    changed = not cancelled and before.newest_invite is not None and before.newest_invite < notification.sequence
    association = db.session.get_one(Organization, group.organization_id)
    with_invite = carries_invite(notification, before)
    invite = session_invite(notification, session, association, settings) if with_invite else None
    with force_locale(person.language):  # the date and the subject in the recipient's language
        when = local_period(session.starts_at, session.duration_minutes, session.group.timezone)
        at = local_time(session.starts_at, session.group.timezone)
        if cancelled:
            subject = _("Cancelled: %(group)s, %(when)s", group=group.name, when=at)
        elif changed:
            subject = _("Changed: %(group)s, %(when)s", group=group.name, when=at)
        else:
            subject = _("Reminder: %(group)s, %(when)s", group=group.name, when=at)
    context = {
        "person": person,
        "group": group,
        "when": when,
        "association": association,
        "changed": changed,
        "with_invite": invite is not None,
        "facilitators": ", ".join(f.name for f in group.facilitators),
        "profile_url": profile_url(),
    }
    template = "session_cancelled" if cancelled else "session_invite"
    return message(
        notification,
        settings,
        subject,
        template,
        context,
        invite,
    )


def session_invite(
    notification: Notification, session: Session, association: Organization, settings: MailSettings
) -> Invite:
    method = "CANCEL" if notification.kind == CANCELLATION else "REQUEST"
    person = notification.recipient
    ics = build_invite(
        series_info(session.group, language=person.language or "en"),
        occurrence(session),
        method=method,
        organizer_email=organizer_address(association, settings.mail_from),
        organizer_name=association.name,
        attendee_email=person.email,
        attendee_name=person.name,
        stamp=clock.now(),  # iTIP: when this message is made
    )
    return Invite(method, ics)


def overdue_message(notification: Notification, session: Session, settings: MailSettings) -> EmailMessage:
    with force_locale(notification.recipient.language):  # the date and the subject in the recipient's language
        when = local_period(session.starts_at, session.duration_minutes, session.group.timezone)
        at = local_time(session.starts_at, session.group.timezone)
        subject = _("Attendance to sign off: %(group)s, %(when)s", group=session.group.name, when=at)
    context = {
        "person": notification.recipient,
        "group": session.group,
        "when": when,
        "attendance_url": attendance_url(session),
    }
    return message(
        notification,
        settings,
        subject,
        "attendance_overdue",
        context,
    )


def certification_message(notification: Notification, settings: MailSettings) -> EmailMessage:
    _kind, person_id, category = notification.subject_key.split(":", 2)
    candidate = db.session.get_one(Person, int(person_id))
    recipient = notification.recipient
    context = {
        "person": recipient,
        "candidate": candidate,
        "category": category,
        "category_name": CATEGORY_NAMES.get(category, category),
        "association": db.session.get(Organization, candidate.organization_id),
    }
    with force_locale(recipient.language):
        mine = _("You have the reflective supervision hours for %(category)s", category=category)
        theirs = _("Ready to certify: %(name)s for %(category)s", name=candidate.name, category=category)
    if recipient.id == candidate.id:
        context["url"] = external_url("accounts.home")
        return message(
            notification,
            settings,
            mine,
            "certification_eligible",
            context,
        )
    context["url"] = external_url("endorsement.evidence", person_id=candidate.id)
    return message(notification, settings, theirs, "certification_ready", context)


def message(
    notification: Notification,
    settings: MailSettings,
    subject: str,
    template: str,
    context: dict,
    invite: Invite | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    person = notification.recipient
    # The same key from another deployment is another message: the public URL tells them apart.
    key = (
        f"{current_app.config['PUBLIC_URL']}|{notification.kind}:{notification.subject_key}:"
        f"{notification.recipient_id}:{notification.sequence}"
    )
    with force_locale(person.language):  # the recipient's language, not a request's
        text = render_template(f"notifications/{template}.txt", **context)
        html = render_template(f"notifications/{template}.html", **context)
    return build_message(
        to=address_header(person.name, person.email),
        subject=subject,
        text=text,
        html=html,
        invite=invite,
        mail_from=settings.mail_from,
        message_id_key=key,
        attachments=attachments,
    )  # a resend after a crash keeps its Message-ID, so mail clients see one message
