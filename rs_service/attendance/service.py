"""Attendance: save a roster, sign it off into the ledger, correct it afterwards.

Nothing signed off is ever edited in place: a correction appends a reversing ledger entry and a
new one, and every step is in the audit trail.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.attendance.models import STATUSES, AttendanceRecord
from rs_service.attendance.rules import check_minutes, credited_minutes
from rs_service.audit.service import record_event
from rs_service.clock import local_date
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement.service import flag_certificates_for_entries
from rs_service.extensions import db
from rs_service.groups.models import Group, Session
from rs_service.groups.service import roster
from rs_service.hours import ledger
from rs_service.hours.models import HourEntry
from rs_service.local_times import local_time


@dataclass(frozen=True)
class Mark:
    person_id: int
    status: str
    minutes: int | None = None


def lock_session(session: Session) -> Session:
    """Serialise attendance changes to one session (a row lock on PostgreSQL)."""
    db.session.execute(db.select(Session.id).where(Session.id == session.id).with_for_update())
    db.session.refresh(session)
    return session


def records_of(session: Session) -> dict[int, AttendanceRecord]:
    return {
        r.person_id: r
        for r in db.session.scalars(db.select(AttendanceRecord).where(AttendanceRecord.session_id == session.id))
    }


def snapshot(record: AttendanceRecord | None) -> dict | None:
    return None if record is None else {"status": record.status, "minutes": record.minutes}


def mark_problems(session: Session, marks: list[Mark]) -> list[InvalidInput]:
    """Every problem with the marks, each naming its record and field, in roster order (all, not the first)."""
    enrolled = {p.id for p in roster(session)}
    seen = set()
    problems = []
    for index, mark in enumerate(marks):
        if mark.person_id not in enrolled:
            problems.append(
                InvalidInput(
                    field=f"records.{index}.person_id",
                    message=_("person %(id)s is not enrolled in this group on the session's date", id=mark.person_id),
                )
            )
            continue
        if mark.person_id in seen:
            problems.append(
                InvalidInput(
                    field=f"records.{index}.person_id", message=_("person %(id)s appears twice", id=mark.person_id)
                )
            )
            continue
        seen.add(mark.person_id)
        if mark.status not in STATUSES:
            problems.append(
                InvalidInput(
                    field=f"records.{index}.status",
                    message=_("Choose a status: present, late, left early, absent or excused."),
                )
            )
            continue
        try:
            check_minutes(mark.status, mark.minutes, session.duration_minutes, f"records.{index}.minutes")
        except InvalidInput as problem:
            problems.append(problem)
    return problems


def validate_marks(session: Session, marks: list[Mark]) -> list[Mark]:
    """Every mark checked before anything is written; the first problem names its record and field."""
    problems = mark_problems(session, marks)
    if problems:
        raise problems[0]
    return [Mark(m.person_id, m.status, check_minutes(m.status, m.minutes, session.duration_minutes)) for m in marks]


def save_attendance(session: Session, marks: list[Mark], actor: Person, expected_version: int | None = None) -> Session:
    lock_session(session)
    if session.signed_off:
        raise Conflict(message=_("Attendance is signed off; change it with a correction and a reason."))
    if session.status == "cancelled":
        raise Conflict(message=_("The session was cancelled; there is no attendance to take."))
    if expected_version is not None and expected_version != session.attendance_version:
        raise Conflict(message=_("Someone else saved this roster meanwhile; reload it and try again."), field="version")
    marks = validate_marks(session, marks)
    existing = records_of(session)
    before, after = {}, {}
    for mark in marks:
        record = existing.get(mark.person_id)
        if record is not None and (record.status, record.minutes) == (mark.status, mark.minutes):
            continue
        before[str(mark.person_id)] = snapshot(record)
        if record is None:
            record = AttendanceRecord(session_id=session.id, person_id=mark.person_id)
            db.session.add(record)
        record.status, record.minutes = mark.status, mark.minutes
        record.updated_at, record.updated_by_id = clock.now(), actor.id
        after[str(mark.person_id)] = snapshot(record)
    if after:
        session.attendance_version += 1
        record_event(
            session.group.organization_id, actor, "attendance.saved", session_id=session.id, before=before, after=after
        )
    db.session.flush()
    return session


def sign_off(session: Session, actor: Person, now: datetime | None = None) -> list[HourEntry]:
    """Close the roster and credit its minutes to the ledger.

    Whichever facilitator signs off, the entries are stamped with every credential the group's
    provider of record held on the session's date (not on the day of sign-off).
    """
    lock_session(session)
    now = now or clock.now()
    if session.signed_off:
        raise Conflict(message=_("Attendance is already signed off."))
    if session.status == "cancelled":
        raise Conflict(message=_("The session was cancelled."))
    if now < session.starts_at:
        raise Conflict(
            message=_(
                "The session has not started yet (it starts %(start)s).",
                start=local_time(session.starts_at, session.group.timezone),
            )
        )
    records = records_of(session)
    missing = [p.name for p in roster(session) if p.id not in records]
    if missing:
        raise Conflict(message=_("Record attendance for everyone first; missing: %(names)s.", names=", ".join(missing)))
    session.signed_off_at, session.signed_off_by_id = now, actor.id
    provider = provider_stamp(session)
    entries = [credit(session, record, provider, actor) for record in records.values()]
    record_event(
        session.group.organization_id,
        actor,
        "attendance.signed_off",
        session_id=session.id,
        after={str(r.person_id): snapshot(r) for r in records.values()},
    )
    db.session.flush()
    return [e for e in entries if e is not None]


def credit(
    session: Session,
    record: AttendanceRecord,
    provider: ledger.ProviderSnapshot,
    actor: Person,
    reason: str | None = None,
) -> HourEntry | None:
    minutes = credited_minutes(record.status, record.minutes, session.duration_minutes)
    if minutes == 0:
        return None
    group: Group = session.group
    return ledger.record_entry(
        organization_id=group.organization_id,
        person_id=record.person_id,
        entry_date=local_date(session.starts_at, group.timezone),
        minutes=minutes,
        format="group",
        session_id=session.id,
        peer=group.kind == "peer",
        provider=provider,
        recorded_by=actor,
        reason=reason,
    )


def correct(
    session: Session, person_id: int, status: str, minutes: int | None, reason: str, actor: Person
) -> HourEntry | None:
    """Change a signed-off record: reverse what it earned, credit what it should have."""
    lock_session(session)
    if not session.signed_off:
        raise Conflict(message=_("Attendance is not signed off yet; save the roster instead."))
    if not (reason or "").strip():
        raise InvalidInput(field="reason", message=_("A correction needs a reason."))
    record = records_of(session).get(person_id)
    if record is None:
        raise InvalidInput(field="person_id", message=_("That person has no attendance record in this session."))
    minutes = check_minutes(status, minutes, session.duration_minutes)
    before = snapshot(record)
    record.status, record.minutes = status, minutes
    record.updated_at, record.updated_by_id = clock.now(), actor.id
    reversed_entries = reverse_session_entries(session, person_id, reason, actor)
    entry = credit(session, record, provider_at_sign_off(session, reversed_entries), actor, reason.strip())
    record_event(
        session.group.organization_id,
        actor,
        "attendance.corrected",
        session_id=session.id,
        person_id=person_id,
        before=before,
        after=snapshot(record),
        reason=reason.strip(),
    )
    if reversed_entries:
        flag_certificates_for_entries([e.id for e in reversed_entries], f"attendance corrected: {reason.strip()}")
    db.session.flush()
    return entry


def reverse_session_entries(session: Session, person_id: int, reason: str, actor: Person) -> list[HourEntry]:
    standing = list(
        db.session.scalars(
            ledger.standing_entries_query(session.group.organization_id).where(
                HourEntry.session_id == session.id, HourEntry.person_id == person_id
            )
        )
    )
    for entry in standing:
        ledger.reverse_entry(entry, reason=reason, recorded_by=actor)
    return standing


def provider_stamp(session: Session) -> ledger.ProviderSnapshot:
    """The group's provider of record with every credential they held on the session's date."""
    return ledger.provider_snapshot(
        session.group.provider_of_record, local_date(session.starts_at, session.group.timezone)
    )


def provider_at_sign_off(session: Session, earlier_entries: list[HourEntry]) -> ledger.ProviderSnapshot:
    """A correction keeps the stamp taken at sign-off; a credential recorded since reaches it only by a restamp."""
    if earlier_entries:
        return ledger.snapshot_of(earlier_entries[0])
    return provider_stamp(session)


def people_with_records(session: Session, records: dict[int, AttendanceRecord]) -> list[Person]:
    if not records:
        return []
    return list(db.session.scalars(db.select(Person).where(Person.id.in_(list(records)))))
