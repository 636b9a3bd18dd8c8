"""Groups, their sessions and enrollments: plain functions that flush and never commit."""

from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, func, or_

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.attendance.models import AttendanceRecord
from rs_service.audit.models import AuditEvent
from rs_service.date_bounds import check_day
from rs_service.domain_errors import Conflict
from rs_service.extensions import db
from rs_service.groups import schedule
from rs_service.groups.models import (
    LONGEST_SESSION_MINUTES,
    BlackoutDate,
    Enrollment,
    Group,
    Session,
    group_facilitators,
)
from rs_service.groups.schedule import ScheduleError, Series
from rs_service.hours.models import HourEntry
from rs_service.listing import PER_PAGE, Page, contains, natural_key, page_of_list
from rs_service.local_times import local_time
from rs_service.notifications.models import Notification


class SchedulingConflict(Conflict):
    """The change would double-book a facilitator, overfill a group, or touch a closed session."""


@dataclass(frozen=True)
class GroupPlan:
    name: str
    timezone: str
    rrule: str
    first_date: date
    until: date
    start_time: time
    duration_minutes: int
    capacity: int
    facilitator_ids: tuple[int, ...]
    kind: str = "rsc"
    location: str | None = None
    join_url: str | None = None
    blackout_dates: frozenset[date] = frozenset()
    provider_id: int | None = None  # the provider of record; None: the first facilitator

    def series(self) -> Series:
        return Series(self.rrule, self.timezone, self.first_date, self.until, self.start_time, self.blackout_dates)


def check_plan(plan: GroupPlan) -> list[datetime]:
    """The plan's session starts, or ScheduleError naming the field at fault."""
    if not clock.is_time_zone(plan.timezone):
        raise ScheduleError(
            field="timezone",
            message=_("%(zone)s is not an IANA time zone such as America/Detroit", zone=repr(plan.timezone)),
        )
    check_day(plan.first_date, "first_date")
    check_day(plan.until, "until")
    if plan.until < plan.first_date:
        raise ScheduleError(field="until", message=_("the end date is before the first date"))
    if plan.until > plan.first_date + relativedelta(years=schedule.MAX_SPAN_YEARS):
        raise ScheduleError(
            field="until",
            message=ngettext(
                "a group's sessions span at most %(num)d year",
                "a group's sessions span at most %(num)d years",
                schedule.MAX_SPAN_YEARS,
            ),
        )
    if not 0 < plan.duration_minutes <= LONGEST_SESSION_MINUTES:
        raise ScheduleError(
            field="duration_minutes",
            message=_("a session lasts between 1 and %(longest)d minutes", longest=LONGEST_SESSION_MINUTES),
        )
    if plan.capacity < 1:
        raise ScheduleError(field="capacity", message=_("capacity must be at least 1"))
    starts = schedule.session_starts(plan.series())
    if not starts:
        raise ScheduleError(
            field="rrule", message=_("the rule gives no session between the first date and the end date")
        )
    return starts


def facilitators_for(organization_id: int, ids) -> list[Person]:
    ids = set(ids)
    people = list(
        db.session.scalars(db.select(Person).where(Person.organization_id == organization_id, Person.id.in_(ids)))
    )
    missing = ids - {p.id for p in people}
    if missing:
        raise ScheduleError(
            field="facilitator_ids", message=_("no such person in this association: %(ids)s", ids=sorted(missing))
        )
    if any(p.role == "participant" for p in people):
        raise ScheduleError(
            field="facilitator_ids",
            message=_("participants cannot facilitate; give them a facilitator or staff role"),
        )
    return people


def create_group(organization_id: int, plan: GroupPlan) -> Group:
    starts = check_plan(plan)
    if not plan.facilitator_ids:
        raise ScheduleError(field="facilitator_ids", message=_("a group needs at least one facilitator"))
    facilitators = facilitators_for(organization_id, plan.facilitator_ids)
    provider_id = provider_of_record(plan)
    ensure_no_double_booking(facilitators, [(s, plan.duration_minutes) for s in starts])
    group = Group(
        organization_id=organization_id,
        name=plan.name.strip(),
        timezone=plan.timezone,
        rrule=schedule.validate_rule(plan.rrule),
        first_date=plan.first_date,
        until=plan.until,
        start_time=plan.start_time,
        duration_minutes=plan.duration_minutes,
        capacity=plan.capacity,
        kind=plan.kind,
        location=plan.location,
        join_url=plan.join_url,
        facilitators=facilitators,
        provider_id=provider_id,
        blackout_dates=[BlackoutDate(day=d) for d in sorted(plan.blackout_dates)],
    )
    db.session.add(group)
    db.session.flush()
    add_sessions(group, starts, plan.duration_minutes)
    return group


def provider_of_record(plan: GroupPlan) -> int:
    """The facilitator whose credentials stand behind the group's hours: the one chosen, else the first given."""
    if plan.provider_id is None:
        return plan.facilitator_ids[0]
    if plan.provider_id not in plan.facilitator_ids:
        raise ScheduleError(
            field="provider_id", message=_("the provider of record must be one of the group's facilitators")
        )
    return plan.provider_id


def add_sessions(group: Group, starts: list[datetime], duration_minutes: int) -> None:
    now = clock.now()
    db.session.add_all(
        Session(
            group_id=group.id,
            original_starts_at=start,
            starts_at=start,
            duration_minutes=duration_minutes,
            updated_at=now,
        )
        for start in starts
    )
    db.session.flush()


def ensure_no_double_booking(
    facilitators: list[Person], slots: list[tuple[datetime, int]], ignore_session_ids: Set[int] = frozenset()
) -> None:
    """SchedulingConflict naming the first clash between the slots and the facilitators' sessions."""
    if not facilitators or not slots:
        return
    earliest = min(start for start, _ in slots) - timedelta(minutes=LONGEST_SESSION_MINUTES)
    latest = max(start + timedelta(minutes=minutes) for start, minutes in slots)
    booked = db.session.execute(
        db.select(Session, Group.name, Group.timezone, group_facilitators.c.person_id)
        .join(Group, Session.group_id == Group.id)
        .join(group_facilitators, group_facilitators.c.group_id == Group.id)
        .where(
            group_facilitators.c.person_id.in_([f.id for f in facilitators]),
            Session.status == "scheduled",
            Session.starts_at >= earliest,
            Session.starts_at < latest,
        )
        .order_by(Session.starts_at)
    ).all()
    names = {f.id: f.name for f in facilitators}
    for session, group_name, zone, person_id in booked:
        if session.id in ignore_session_ids:
            continue
        for start, minutes in slots:
            if schedule.overlaps(start, minutes, session.starts_at, session.duration_minutes):
                raise SchedulingConflict(
                    message=_(
                        "%(name)s already facilitates %(group)s on %(when)s (session %(session)s), "
                        "which overlaps %(start)s",
                        name=names[person_id],
                        group=group_name,
                        when=local_time(session.starts_at, zone),
                        session=session.id,
                        start=local_time(start, zone),
                    ),
                    field="facilitator_ids",
                )


def sessions_of(group: Group) -> list[Session]:
    return list(
        db.session.scalars(
            db.select(Session).where(Session.group_id == group.id).order_by(Session.starts_at, Session.id)
        )
    )


def session_count(group_id: int) -> int:
    return db.session.scalar(db.select(func.count(Session.id)).where(Session.group_id == group_id))


def ensure_open(session: Session) -> None:
    if session.signed_off:
        raise SchedulingConflict(message=_("the session's attendance is signed off; it can no longer be changed"))
    if session.status == "cancelled":
        raise SchedulingConflict(message=_("the session is cancelled"))


def reschedule_session(
    session: Session, starts_at: datetime | None = None, duration_minutes: int | None = None
) -> Session:
    ensure_open(session)
    new_start = starts_at or session.starts_at
    new_duration = duration_minutes or session.duration_minutes
    if (new_start, new_duration) == (session.starts_at, session.duration_minutes):
        return session
    ensure_no_double_booking(session.group.facilitators, [(new_start, new_duration)], {session.id})
    session.starts_at, session.duration_minutes = new_start, new_duration
    session.individually_changed = True
    touch(session)
    return session


def cancel_session(session: Session, reason: str) -> Session:
    ensure_open(session)
    session.status, session.cancel_reason = "cancelled", reason.strip()
    session.individually_changed = True
    touch(session)
    return session


def touch(session: Session) -> None:
    """Every change a calendar must notice raises SEQUENCE and moves DTSTAMP."""
    session.sequence += 1
    session.updated_at = clock.now()
    db.session.flush()


def change_series_from(
    group: Group,
    from_date: date,
    *,
    start_time: time | None = None,
    duration_minutes: int | None = None,
    rrule: str | None = None,
    until: date | None = None,
) -> list[Session]:
    """New times for the rest of a series: regenerate the future, untouched sessions from `from_date` on.

    Past sessions, and future ones already moved, cancelled, with attendance or announced by
    email, keep what was done to them.
    """
    plan = GroupPlan(
        group.name,
        group.timezone,
        rrule or group.rrule,
        from_date,
        until or group.until,
        start_time or group.start_time,
        duration_minutes or group.duration_minutes,
        group.capacity,
        tuple(f.id for f in group.facilitators),
        blackout_dates=frozenset(b.day for b in group.blackout_dates),
    )
    cutoff = max(schedule.to_instant(datetime.combine(from_date, time.min), group.timezone), clock.now())
    starts = [start for start in check_plan(plan) if start >= cutoff]
    future = [s for s in sessions_of(group) if s.original_starts_at >= cutoff and s.starts_at >= cutoff]
    in_use = sessions_in_use([s.id for s in future])
    untouched = [s for s in future if not s.individually_changed and s.id not in in_use]
    # A kept session still stands for its day: the new rule adds no second session that day.
    kept_days = {clock.local_date(s.original_starts_at, group.timezone) for s in future if s not in untouched}
    new_starts = [s for s in starts if clock.local_date(s, group.timezone) not in kept_days]
    ensure_no_double_booking(
        group.facilitators, [(s, plan.duration_minutes) for s in new_starts], {s.id for s in untouched}
    )
    # The series changes: its master's SEQUENCE goes above anything a calendar has seen for it.
    group.sequence = max([group.sequence, *(s.sequence for s in sessions_of(group))]) + 1
    for session in untouched:
        db.session.delete(session)
    db.session.flush()
    group.rrule, group.until = schedule.validate_rule(plan.rrule), plan.until
    group.start_time, group.duration_minutes = plan.start_time, plan.duration_minutes
    add_sessions(group, new_starts, plan.duration_minutes)
    return sessions_of(group)


def sessions_in_use(session_ids: list[int]) -> set[int]:
    """Sessions something refers to (attendance, ledger, audit, sent mail): never regenerated."""
    if not session_ids:
        return set()
    references = [
        db.select(model.session_id).where(model.session_id.in_(session_ids))
        for model in (AttendanceRecord, HourEntry, AuditEvent, Notification)
    ]
    return set(db.session.scalars(references[0].union(*references[1:])))


# Enrollment ------------------------------------------------------------------------------------


def enrolled_count(group: Group, on: date) -> int:
    return db.session.scalar(
        db.select(func.count(Enrollment.id)).where(Enrollment.group_id == group.id, Enrollment.holds_place_on_sql(on))
    )


def lock_group(group: Group) -> None:
    """Serialise enrollments in one group (PostgreSQL row lock), so capacity holds under concurrency."""
    db.session.execute(db.select(Group.id).where(Group.id == group.id).with_for_update())


def enroll(group: Group, person: Person, joined_on: date, *, waitlist: bool = False) -> Enrollment:
    if person.organization_id != group.organization_id:
        raise ScheduleError(field="person_id", message=_("no such person in this association"))
    lock_group(group)
    existing = db.session.scalar(
        db.select(Enrollment).where(Enrollment.group_id == group.id, Enrollment.person_id == person.id)
    )
    if existing is not None and (existing.left_on is None or existing.waitlisted):
        raise SchedulingConflict(
            message=(
                _("%(name)s is already waitlisted in %(group)s", name=person.name, group=group.name)
                if existing.waitlisted
                else _("%(name)s is already enrolled in %(group)s", name=person.name, group=group.name)
            ),
            field="person_id",
        )
    full = enrolled_count(group, joined_on) >= group.capacity
    if full and not waitlist:
        raise SchedulingConflict(
            message=_(
                "%(group)s is full (%(capacity)d places); add them to the waitlist instead",
                group=group.name,
                capacity=group.capacity,
            ),
            field="person_id",
        )
    if existing is not None:  # re-joining after having left
        existing.joined_on, existing.left_on, existing.waitlisted = joined_on, None, full
        existing.placed_at = None if full else clock.now()
        enrollment = existing
    else:
        enrollment = Enrollment(
            group_id=group.id,
            person_id=person.id,
            joined_on=joined_on,
            waitlisted=full,
            placed_at=None if full else clock.now(),
        )
        db.session.add(enrollment)
    db.session.flush()
    return enrollment


def enroll_many(group: Group, people: list[Person], joined_on: date, *, waitlist: bool = False) -> list[Enrollment]:
    """Several people at once, in the order given: all of them, or (if one cannot join) none.

    Without `waitlist`, more people than free places is refused; with it, those beyond go on the waitlist.
    """
    lock_group(group)
    inactive = [p.name for p in people if not p.active]
    if inactive:
        raise ScheduleError(
            field="person_ids",
            message=_("Deactivated people cannot join a group: %(names)s.", names=", ".join(inactive)),
        )
    free = max(group.capacity - enrolled_count(group, joined_on), 0)
    if len(people) > free and not waitlist:
        if free == 0:
            message = _(
                "%(group)s is full (%(capacity)d places): put them on the waitlist or raise its capacity.",
                group=group.name,
                capacity=group.capacity,
            )
        else:
            message = ngettext(
                "%(group)s has room for %(num)d more: choose fewer people, raise its capacity, "
                "or put the rest on the waitlist.",
                "%(group)s has room for %(num)d more: choose fewer people, raise its capacity, "
                "or put the rest on the waitlist.",
                free,
                group=group.name,
            )
        raise SchedulingConflict(message=message, field="person_ids")
    return [enroll(group, person, joined_on, waitlist=waitlist) for person in people]


def enrollment_candidates(group: Group, search: str = "") -> Select:
    """Active participants of the association who are neither in the group nor waiting for it, by name."""
    taken = db.select(Enrollment.person_id).where(
        Enrollment.group_id == group.id, or_(Enrollment.left_on.is_(None), Enrollment.waitlisted.is_(True))
    )
    query = db.select(Person).where(
        Person.organization_id == group.organization_id,
        Person.role == "participant",
        Person.active.is_(True),
        Person.id.not_in(taken),
    )
    if search.strip():
        query = query.where(contains(search, Person.name, Person.email))
    return query.order_by(Person.name, Person.id)


def withdraw(group: Group, person_id: int, left_on: date) -> Enrollment:
    enrollment = db.session.scalar(
        db.select(Enrollment).where(Enrollment.group_id == group.id, Enrollment.person_id == person_id)
    )
    if enrollment is None or enrollment.left_on is not None:
        raise SchedulingConflict(message=_("that person is not enrolled in this group"), field="person_id")
    if enrollment.waitlisted:
        db.session.delete(enrollment)
        db.session.flush()
        return enrollment
    if left_on < enrollment.joined_on:
        raise ScheduleError(
            field="left_on",
            message=_("must not be before the day they joined (%(day)s)", day=enrollment.joined_on.isoformat()),
        )
    enrollment.left_on = left_on
    db.session.flush()
    promote_from_waitlist(group, left_on + timedelta(days=1))
    return enrollment


def promote_from_waitlist(group: Group, joined_on: date) -> Enrollment | None:
    """Give a freed place to whoever has waited longest."""
    if enrolled_count(group, joined_on) >= group.capacity:
        return None
    waiting = db.session.scalar(
        db.select(Enrollment)
        .where(Enrollment.group_id == group.id, Enrollment.waitlisted.is_(True))
        .order_by(Enrollment.created_at, Enrollment.id)
    )
    if waiting is not None:
        waiting.waitlisted, waiting.joined_on, waiting.placed_at = False, joined_on, clock.now()
        db.session.flush()
    return waiting


def waitlist_counts(group_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        db.select(Enrollment.group_id, func.count(Enrollment.id))
        .where(Enrollment.group_id.in_(group_ids), Enrollment.waitlisted.is_(True))
        .group_by(Enrollment.group_id)
    )
    return dict(rows.tuples().all())


def waitlisted_groups(person_id: int) -> list[Group]:
    return list(
        db.session.scalars(
            db.select(Group)
            .join(Enrollment)
            .where(Enrollment.person_id == person_id, Enrollment.waitlisted.is_(True))
            .order_by(Group.name)
        )
    )


def possible_facilitators(organization_id: int) -> list[Person]:
    return list(
        db.session.scalars(
            db.select(Person)
            .where(Person.organization_id == organization_id, Person.role.in_(("facilitator", "staff")))
            .options(db.selectinload(Person.credentials))
            .order_by(Person.name, Person.id)
        )
    )


def enrollments_of(group: Group) -> list[Enrollment]:
    return list(
        db.session.scalars(
            db.select(Enrollment)
            .where(Enrollment.group_id == group.id)
            .options(db.joinedload(Enrollment.person))
            .order_by(Enrollment.waitlisted, Enrollment.joined_on, Enrollment.id)
        )
    )


def schedule_day(session: Session) -> date:
    """The day a session belongs to for enrolment: its current start's local date in the group's zone.

    The one rule for "is this session in this person's schedule" (feed, roster, reminders and
    every job): a member whose enrolment covers this day (joined_on <= day <= left_on, not
    waitlisted). A session moved across a join or leave date follows its new date.
    """
    return clock.local_date(session.starts_at, session.group.timezone)


def roster(session: Session) -> list[Person]:
    """Everyone enrolled on the session's day; a later joiner is not on earlier rosters."""
    day = schedule_day(session)
    enrollments = db.session.scalars(
        db.select(Enrollment)
        .where(Enrollment.group_id == session.group_id, Enrollment.waitlisted.is_(False))
        .options(db.joinedload(Enrollment.person))
    )
    people = [e.person for e in enrollments if e.covers(day)]
    return sorted(people, key=lambda p: (p.name, p.id))


def rosters(sessions: list[Session]) -> dict[int, list[Person]]:
    """`roster` of each session (by id), in one query whatever their number."""
    group_ids = sorted({s.group_id for s in sessions})
    if not group_ids:
        return {}
    by_group: dict[int, list[Enrollment]] = {}
    for enrollment in db.session.scalars(
        db.select(Enrollment)
        .where(Enrollment.group_id.in_(group_ids), Enrollment.waitlisted.is_(False))
        .options(db.joinedload(Enrollment.person))
    ):
        by_group.setdefault(enrollment.group_id, []).append(enrollment)
    out = {}
    for session in sessions:
        day = schedule_day(session)
        people = [e.person for e in by_group.get(session.group_id, []) if e.covers(day)]
        out[session.id] = sorted(people, key=lambda p: (p.name, p.id))
    return out


def next_sessions(group_ids: list[int], after: datetime) -> dict[int, Session]:
    """The next scheduled session of each group, in one query."""
    first = (
        db.select(Session.group_id, func.min(Session.starts_at).label("starts_at"))
        .where(Session.group_id.in_(group_ids), Session.status == "scheduled", Session.starts_at >= after)
        .group_by(Session.group_id)
        .subquery()
    )
    rows = db.session.scalars(
        db.select(Session).join(
            first, (Session.group_id == first.c.group_id) & (Session.starts_at == first.c.starts_at)
        )
    )
    return {s.group_id: s for s in rows}


def fill_counts(group_ids: list[int], on: date) -> dict[int, int]:
    rows = db.session.execute(
        db.select(Enrollment.group_id, func.count(Enrollment.id))
        .where(Enrollment.group_id.in_(group_ids), Enrollment.holds_place_on_sql(on))
        .group_by(Enrollment.group_id)
    )
    return dict(rows.tuples().all())


def groups_of(organization_id: int) -> list[Group]:
    return list(
        db.session.scalars(
            db.select(Group)
            .where(Group.organization_id == organization_id)
            .options(db.selectinload(Group.facilitators), db.selectinload(Group.blackout_dates))
            .order_by(Group.name, Group.id)
        )
    )


GROUP_SORTS = ("name", "-name", "next", "newest")


def group_directory(
    organization_id: int, search: str = "", sort: str = "name", number: int = 1, per_page: int = PER_PAGE
) -> Page:
    """One page of the association's groups, found by their name or a facilitator's, in a fixed number of
    queries. Names sort naturally ("Group 2" before "Group 10"), which SQL cannot do, so the names are
    sorted here and only the page's groups are loaded."""
    query = db.select(Group.id, Group.name, Group.created_at).where(Group.organization_id == organization_id)
    if search.strip():
        led_by_match = (
            db.select(group_facilitators.c.group_id)
            .join(Person, Person.id == group_facilitators.c.person_id)
            .where(contains(search, Person.name))
        )
        query = query.where(or_(contains(search, Group.name), Group.id.in_(led_by_match)))
    rows = list(db.session.execute(query))
    if sort == "next":
        upcoming = next_sessions([r.id for r in rows], clock.now())
        far = datetime.max.replace(tzinfo=UTC)  # groups with nothing ahead come last
        rows.sort(key=lambda r: (upcoming[r.id].starts_at if r.id in upcoming else far, natural_key(r.name)))
    elif sort == "newest":
        rows.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    else:
        rows.sort(key=lambda r: (natural_key(r.name), r.id), reverse=sort == "-name")
    page = page_of_list([r.id for r in rows], number, per_page)
    loaded = {
        g.id: g
        for g in db.session.scalars(
            db.select(Group)
            .where(Group.id.in_(page.items))
            .options(db.selectinload(Group.facilitators), db.selectinload(Group.blackout_dates))
        )
    }
    return Page([loaded[i] for i in page.items], page.total, page.number, page.per_page)


def group_choices(organization_id: int) -> list[tuple[int, str]]:
    """(id, name) of every group of the association, names in natural order: one query."""
    rows = db.session.execute(db.select(Group.id, Group.name).where(Group.organization_id == organization_id))
    return sorted(((r.id, r.name) for r in rows), key=lambda pair: (natural_key(pair[1]), pair[0]))


def session_counts(group_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        db.select(Session.group_id, func.count(Session.id))
        .where(Session.group_id.in_(group_ids))
        .group_by(Session.group_id)
    )
    return dict(rows.tuples().all())


def schedule_of(person: Person) -> list[tuple[Group, list[Session]]]:
    """Each group the person belongs to with the sessions that are theirs, in three queries.

    Members get the sessions whose day (`schedule_day`) their enrolment covers; facilitators get
    every session of the groups they facilitate.
    """
    enrollments = list(
        db.session.scalars(
            db.select(Enrollment).where(Enrollment.person_id == person.id, Enrollment.waitlisted.is_(False))
        )
    )
    facilitated = set(
        db.session.scalars(db.select(group_facilitators.c.group_id).where(group_facilitators.c.person_id == person.id))
    )
    group_ids = {e.group_id for e in enrollments} | facilitated
    if not group_ids:
        return []
    groups = {
        g.id: g
        for g in db.session.scalars(
            db.select(Group).where(Group.id.in_(group_ids)).options(db.selectinload(Group.facilitators))
        )
    }
    sessions = db.session.scalars(
        db.select(Session).where(Session.group_id.in_(group_ids)).order_by(Session.original_starts_at, Session.id)
    )
    membership = {e.group_id: e for e in enrollments}
    chosen: dict[int, list[Session]] = {group_id: [] for group_id in group_ids}
    for session in sessions:
        if session.group_id in facilitated or membership[session.group_id].covers(schedule_day(session)):
            chosen[session.group_id].append(session)
    return [(groups[group_id], chosen[group_id]) for group_id in sorted(group_ids, key=lambda i: groups[i].name)]


def awaiting_sign_off(organization_id: int, now: datetime, facilitator_id: int | None = None) -> list[Session]:
    """Sessions that have started and whose attendance nobody has signed off yet, oldest first."""
    query = (
        db.select(Session)
        .join(Group)
        .where(
            Group.organization_id == organization_id,
            Session.status == "scheduled",
            Session.signed_off_at.is_(None),
            Session.starts_at <= now,
        )
        .options(db.contains_eager(Session.group))
        .order_by(Session.starts_at)
    )
    if facilitator_id is not None:
        query = query.join(group_facilitators, group_facilitators.c.group_id == Group.id).where(
            group_facilitators.c.person_id == facilitator_id
        )
    return list(db.session.scalars(query.limit(50)))
