"""What makes a background job due, and the one statement that asks, every minute, whether anything is.

The conditions are written once, here, and used twice: by the jobs to find their work (jobs.py)
and by `due_work`, which reads all of them in one statement before any job runs, so that an idle
minute costs that statement whatever the size of the data. A job runs only when its condition
holds; the conditions are the jobs' own, so nothing a job would have found is skipped:

* Reminders, per association: no mark yet, the clock set back behind the last run, the first
  scheduled session after the planned horizon entering the lead time, or any session changed or
  place gained since the last planning (a superset of what the planner looks at: it then finds
  what, if anything, changed inside the lead time).
* Updates, cancellations and overdue notices: the planners' own queries, asked for their first row.
* Certification and renewals, per association: their date, ledger, credentials or requirement
  sets moved since the last check (the same inputs the checks were remembered by).
* Delivery: a message waiting whose next attempt has come and that still holds.

Constants in these conditions are written into the SQL (`inline`), not bound, so PostgreSQL and
SQLite can answer them from the partial indexes declared on sessions and notifications.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Exists,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
)
from sqlalchemy.orm import aliased

from rs_service import clock
from rs_service.accounts.models import Credential, Organization, Person
from rs_service.database import UTCDateTime
from rs_service.endorsement.models import RequirementSet
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group, Session, group_facilitators
from rs_service.hours.models import HourEntry
from rs_service.notifications.models import (
    CANCELLATION,
    CERTIFICATION,
    ENDORSEMENT_KINDS,
    INVITES,
    OVERDUE,
    JobMark,
    Notification,
)
from rs_service.notifications.service import waiting_query

OVERDUE_AFTER = timedelta(hours=24)


def inline(value: str | int) -> ColumnElement:
    """One of our own constants written into the statement, so the database can match it against a
    partial index (a bound value cannot be)."""
    if isinstance(value, str):
        assert value.isidentifier(), value  # our status names only: nothing to escape
        return literal_column(f"'{value}'", String())
    return literal_column(str(int(value)), Integer())


def inline_all(values: tuple[str, ...]) -> list[ColumnElement]:
    return [inline(value) for value in values]


# ----------------------------------------------------------------------------- the jobs' conditions


def one_by_one(condition: Exists, *, holds: bool) -> ColumnElement[bool]:
    """`EXISTS (...) IS true|false`: asked for each candidate row through the index on its id. A bare
    (NOT) EXISTS may be turned into a join, and a plan kept for the prepared statement may then read
    every matching notification ever sent: that table only grows, the candidate sessions do not."""
    return condition.is_(holds)


def changed_ahead(at) -> list[ColumnElement[bool]]:
    """Sessions that have not started and were changed since first published (SEQUENCE raised)."""
    return [Session.sequence > inline(0), Session.status == inline("scheduled"), Session.starts_at > at]


def outdated_invite(sent, current) -> list[ColumnElement[bool]]:
    """`sent` is an invite for the session at an older SEQUENCE, and no invite at its current SEQUENCE
    is recorded for that person yet (`current`, another alias of notifications)."""
    return [
        sent.session_id == Session.id,
        sent.kind.in_(inline_all(INVITES)),
        sent.sent_at.is_not(None),
        sent.sequence < Session.sequence,
        one_by_one(
            exists()
            .where(
                current.session_id == Session.id,
                current.recipient_id == sent.recipient_id,
                current.kind.in_(inline_all(INVITES)),
                current.sequence == Session.sequence,
            )
            .correlate_except(current),
            holds=False,
        ),
    ]


def updates_wanted(at) -> Select:
    """(session, person) pairs: the person was sent an invite at an older SEQUENCE of a session that
    has not started, and no invite at its current SEQUENCE is recorded yet."""
    sent, current = aliased(Notification), aliased(Notification)
    return db.select(Session.id, sent.recipient_id).where(*changed_ahead(at), *outdated_invite(sent, current))


def updates_untold(at) -> list[ColumnElement[bool]]:
    """Sessions for which `updates_wanted` has a pair."""
    sent, current = aliased(Notification), aliased(Notification)
    outdated = db.select(sent.id).where(*outdated_invite(sent, current)).exists()
    return [*changed_ahead(at), one_by_one(outdated, holds=True)]


def cancelled_untold(at) -> list[ColumnElement[bool]]:
    """Cancelled sessions that have not started and whose cancellation was not sent."""
    told = exists().where(Notification.session_id == Session.id, Notification.kind == inline(CANCELLATION))
    return [Session.status == inline("cancelled"), Session.starts_at > at, one_by_one(told, holds=False)]


def overdue_untold(started_before) -> list[ColumnElement[bool]]:
    """Sessions not signed off that started before `started_before` (a day ago), have a facilitator
    to tell and whose notice was not sent; the job keeps those that also ended a day ago."""
    told = exists().where(Notification.session_id == Session.id, Notification.kind == inline(OVERDUE))
    return [
        Session.status == inline("scheduled"),
        Session.signed_off_at.is_(None),
        Session.starts_at < started_before,
        exists().where(group_facilitators.c.group_id == Session.group_id),
        one_by_one(told, holds=False),
    ]


def still_due(at) -> ColumnElement[bool]:
    """Which waiting rows are still worth sending at `at` (Session is outer-joined by the outbox)."""
    return or_(
        and_(
            Notification.kind.in_(inline_all(INVITES)),
            Session.status == inline("scheduled"),
            Session.sequence == Notification.sequence,
            Session.starts_at > at,
        ),
        and_(Notification.kind == inline(CANCELLATION), Session.starts_at > at),
        and_(
            Notification.kind == inline(OVERDUE), Session.status == inline("scheduled"), Session.signed_off_at.is_(None)
        ),
        Notification.kind == inline(CERTIFICATION),
        Notification.kind.in_(inline_all(ENDORSEMENT_KINDS)),
    )


# ----------------------------------------------------------------------------- the one question


@dataclass(frozen=True)
class AssociationState:
    """What an association's jobs depend on at a moment, and where they got to (its JobMark; all
    None before its first run, which then plans and checks everything)."""

    organization_id: int
    zone: str
    lead: timedelta
    reminders_at: datetime | None
    reminders_through: datetime | None
    reminders_checked_at: datetime | None
    certified_on: date | None
    entries_through: int | None
    requirement_sets_through: int | None
    renewals_checked: str | None
    newest_entry: int | None
    newest_set: int | None
    credentials: tuple  # their count, newest id and latest end
    next_session: datetime | None  # the first scheduled session after `reminders_through`
    latest_change: datetime | None  # the last change to a session, or the last place gained

    def needs_reminders(self, at: datetime) -> bool:
        if self.reminders_at is None or self.reminders_through is None or self.reminders_checked_at is None:
            return True
        if at < self.reminders_at:  # a clock set back: plan the whole lead time again
            return True
        if self.latest_change is not None and self.latest_change >= self.reminders_checked_at:
            return True  # the planner looks at what changed: a superset is only a little work
        return self.next_session is not None and self.next_session <= at + self.lead

    def certification_check(self, at: datetime) -> tuple[date, bool] | None:
        """(the association's date, whether everyone is judged) when eligibility must be judged again:
        everyone on a new day or with new requirements, else only people whose ledger grew."""
        as_of = clock.local_date(at, self.zone)
        everyone = (
            self.entries_through is None
            or self.certified_on != as_of
            or self.requirement_sets_through != (self.newest_set or 0)
        )
        if not everyone and self.entries_through is not None and self.entries_through >= (self.newest_entry or 0):
            return None
        return as_of, everyone

    def renewal_inputs(self, at: datetime) -> str:
        """What its renewals depend on besides the rules' code: its date, newest ledger entry,
        credentials and newest requirement set."""
        inputs = (self.newest_entry, *self.credentials, self.newest_set)
        return repr((clock.local_date(at, self.zone).isoformat(), *(str(value) for value in inputs)))

    def needs_renewals(self, at: datetime) -> bool:
        return self.renewals_checked != self.renewal_inputs(at)


@dataclass(frozen=True)
class DueWork:
    associations: dict[int, AssociationState]
    updates: bool
    cancellations: bool
    overdue: bool
    waiting: bool


def due_work(at: datetime) -> DueWork:
    """Everything the jobs depend on at `at`, in one statement."""
    moments = {"at": at, "started_before": at - OVERDUE_AFTER}
    # One read needs no transaction: no BEGIN and no COMMIT for an idle minute.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        rows = connection.execute(_due_statement(), moments).all()
    associations = {
        row.id: AssociationState(
            organization_id=row.id,
            zone=row.timezone,
            lead=timedelta(minutes=row.reminder_lead_minutes),
            reminders_at=row.reminders_at,
            reminders_through=row.reminders_through,
            reminders_checked_at=row.reminders_checked_at,
            certified_on=row.certified_on,
            entries_through=row.entries_through,
            requirement_sets_through=row.requirement_sets_through,
            renewals_checked=row.renewals_checked,
            newest_entry=row.newest_entry,
            newest_set=row.newest_set,
            credentials=(row.credentials, row.newest_credential, row.latest_credential_end),
            next_session=row.next_session,
            latest_change=max(filter(None, (row.latest_session_change, row.latest_placement)), default=None),
        )
        for row in rows
    }
    first = rows[0] if rows else None
    return DueWork(
        associations,
        updates=first is not None and first.updates is not None,
        cancellations=first is not None and first.cancellations is not None,
        overdue=first is not None and first.overdue is not None,
        waiting=first is not None and first.waiting is not None,
    )


@functools.cache
def _due_statement() -> Select:
    """Built once with bound moments, so an idle minute pays only for running it.

    Each question is asked as "the first matching row, in the order of an index", so the database
    stops at the first row and no plan depends on guessing how many rows match.
    """
    at = bindparam("at", type_=UTCDateTime())
    started_before = bindparam("started_before", type_=UTCDateTime())

    def first_of(query: Select, column, order_by):
        return query.with_only_columns(column).order_by(order_by).limit(inline(1)).scalar_subquery()

    def first_session(*conditions):
        return first_of(db.select(Session.id).where(*conditions), Session.id, Session.starts_at)

    credentials = (
        db.select(
            Person.organization_id,
            func.count(Credential.id).label("count"),
            func.max(Credential.id).label("newest"),
            func.max(Credential.valid_until).label("latest_end"),
        )
        .join(Person, Person.id == Credential.person_id)
        .group_by(Person.organization_id)
        .subquery()
    )
    association = Group.organization_id == Organization.id
    its_sessions = db.select(Session.id).join(Group, Group.id == Session.group_id).where(association)
    its_places = db.select(Enrollment.id).join(Group, Group.id == Enrollment.group_id).where(association)
    ahead = (Session.status == inline("scheduled"), Session.starts_at > JobMark.reminders_through)
    return (
        db.select(
            Organization.id,
            Organization.timezone,
            Organization.reminder_lead_minutes,
            JobMark.reminders_at,
            JobMark.reminders_through,
            JobMark.reminders_checked_at,
            JobMark.certified_on,
            JobMark.entries_through,
            JobMark.requirement_sets_through,
            JobMark.renewals_checked,
            db.select(func.max(HourEntry.id))
            .where(HourEntry.organization_id == Organization.id)
            .scalar_subquery()
            .label("newest_entry"),
            db.select(func.max(RequirementSet.id))
            .where(RequirementSet.organization_id == Organization.id)
            .scalar_subquery()
            .label("newest_set"),
            func.coalesce(credentials.c.count, 0).label("credentials"),
            credentials.c.newest.label("newest_credential"),
            credentials.c.latest_end.label("latest_credential_end"),
            first_of(its_sessions.where(*ahead), Session.starts_at, Session.starts_at).label("next_session"),
            first_of(its_sessions, Session.updated_at, Session.updated_at.desc()).label("latest_session_change"),
            first_of(
                its_places.where(Enrollment.placed_at.is_not(None)), Enrollment.placed_at, Enrollment.placed_at.desc()
            ).label("latest_placement"),
            first_session(*updates_untold(at)).label("updates"),
            first_session(*cancelled_untold(at)).label("cancellations"),
            first_session(*overdue_untold(started_before)).label("overdue"),
            first_of(waiting_query(still_due(at), at), Notification.id, Notification.id).label("waiting"),
        )
        .outerjoin(JobMark, JobMark.organization_id == Organization.id)
        .outerjoin(credentials, credentials.c.organization_id == Organization.id)
        .order_by(Organization.id)
    )
