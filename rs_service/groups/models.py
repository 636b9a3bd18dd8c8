"""Reflective supervision groups, their sessions (one row per occurrence) and enrollments."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import CheckConstraint, Column, ColumnElement, ForeignKey, String, Table, UniqueConstraint, and_, or_
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.database import UTCDateTime, one_of, partial_index
from rs_service.extensions import db

GROUP_KINDS = ("rsc", "peer")
# A session lasts at most 12 hours: longer is a typing mistake, and the limit bounds overlap checks.
LONGEST_SESSION_MINUTES = 720
DURATION_RANGE = f"duration_minutes > 0 AND duration_minutes <= {LONGEST_SESSION_MINUTES}"
SESSION_STATUSES = ("scheduled", "cancelled")

group_facilitators = Table(
    "group_facilitators",
    db.metadata,
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("people.id"), primary_key=True),
)


class Group(db.Model):
    __tablename__ = "groups"
    __table_args__ = (
        CheckConstraint(one_of("kind", GROUP_KINDS), name="kind_known"),
        CheckConstraint(DURATION_RANGE, name="duration_range"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("until >= first_date", name="until_after_first_date"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    rrule: Mapped[str] = mapped_column(String(500))
    first_date: Mapped[date]
    until: Mapped[date]
    start_time: Mapped[time]
    duration_minutes: Mapped[int]
    capacity: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10), default="rsc")
    location: Mapped[str | None] = mapped_column(String(300))
    join_url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(2000))
    # The facilitator whose credentials stand behind the group's hours (default: the first facilitator).
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Raised by every change of the series itself (its rule or times), so the feed's series
    # master never goes back to a lower SEQUENCE, even when regenerated sessions start at 0.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    facilitators: Mapped[list[Person]] = relationship(secondary=group_facilitators, order_by=Person.name)
    provider: Mapped[Person | None] = relationship(foreign_keys=[provider_id])
    blackout_dates: Mapped[list["BlackoutDate"]] = relationship(
        order_by="BlackoutDate.day", cascade="all, delete-orphan"
    )

    @property
    def provider_of_record(self) -> Person | None:
        """Whose credentials sign-off stamps on the group's hours, whichever facilitator signs off."""
        return self.provider or (self.facilitators[0] if self.facilitators else None)


class BlackoutDate(db.Model):
    """A date (e.g. a holiday) on which the group's rule produces no session."""

    __tablename__ = "group_blackout_dates"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)


class Session(db.Model):
    """One occurrence of a group; `original_starts_at` is where the rule put it, for RECURRENCE-ID."""

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("group_id", "original_starts_at"),
        CheckConstraint(one_of("status", SESSION_STATUSES), name="status_known"),
        CheckConstraint(DURATION_RANGE, name="duration_range"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint("attendance_version >= 0", name="attendance_version_not_negative"),
        # What the scheduler looks for every minute, kept small: sessions not signed off, cancelled
        # sessions, and sessions changed since first published (SEQUENCE raised).
        partial_index("ix_sessions_unsigned", "starts_at", where="status = 'scheduled' AND signed_off_at IS NULL"),
        partial_index("ix_sessions_cancelled", "starts_at", where="status = 'cancelled'"),
        partial_index("ix_sessions_resequenced", "starts_at", where="sequence > 0"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    original_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    sequence: Mapped[int] = mapped_column(default=0)
    # Moved, resized or cancelled on its own; a change to the whole group raises SEQUENCE without this.
    individually_changed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    attendance_version: Mapped[int] = mapped_column(default=0)

    group: Mapped[Group] = relationship()
    signed_off_by: Mapped[Person | None] = relationship()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def signed_off(self) -> bool:
        return self.signed_off_at is not None


class Enrollment(db.Model):
    """A participant's place in a group from `joined_on` to `left_on` (inclusive), or a waitlist spot."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("group_id", "person_id"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="left_after_joined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    waitlisted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # When the person last gained a place (joined, re-joined or left the waitlist): reminders plan anew from it.
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    group: Mapped[Group] = relationship()
    person: Mapped[Person] = relationship()

    # Each rule is written twice, side by side: for a loaded row and as SQL for a query.
    def open_on(self, day: date) -> bool:
        """Not left before `day`: on the roster, the waitlist or joining later, from `day` on."""
        return self.left_on is None or self.left_on >= day

    @classmethod
    def open_on_sql(cls, day: date) -> ColumnElement[bool]:
        return or_(cls.left_on.is_(None), cls.left_on >= day)

    def holds_place_on(self, day: date) -> bool:
        """Holds one of the group's places on `day` or from a later day (never from the waitlist)."""
        return not self.waitlisted and self.open_on(day)

    @classmethod
    def holds_place_on_sql(cls, day: date) -> ColumnElement[bool]:
        return and_(cls.waitlisted.is_(False), cls.open_on_sql(day))

    def covers(self, day: date) -> bool:
        """On the roster of `day`: a place held, joined on or before it."""
        return self.joined_on <= day and self.holds_place_on(day)
