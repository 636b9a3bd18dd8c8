"""The hours ledger: append-only; a correction is a reversing row plus a new one."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.database import UTCDateTime, one_of
from rs_service.extensions import db

FORMATS = ("group", "individual")


class HourEntry(db.Model):
    __tablename__ = "hour_entries"
    __table_args__ = (
        CheckConstraint("minutes <> 0", name="minutes_not_zero"),
        CheckConstraint(one_of("format", FORMATS), name="format_known"),
        CheckConstraint("reverses_id IS NULL OR minutes < 0", name="reversal_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    entry_date: Mapped[date] = mapped_column(index=True)
    minutes: Mapped[int]
    format: Mapped[str] = mapped_column(String(20))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"), index=True)
    peer: Mapped[bool] = mapped_column(default=False)
    verified: Mapped[bool] = mapped_column(default=True)
    # The provider as it stood when the entry was recorded: a snapshot, never looked up again.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    provider_name: Mapped[str | None] = mapped_column(String(200))
    provider_category: Mapped[str | None] = mapped_column(String(10))
    provider_credential_number: Mapped[str | None] = mapped_column(String(50))
    provider_valid_from: Mapped[date | None]
    provider_valid_until: Mapped[date | None]
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("hour_entries.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class AppendOnly(RuntimeError):
    """A ledger or audit row was about to be changed or removed; corrections are new rows."""


def refuse_change(mapper, connection, target):
    raise AppendOnly(f"{type(target).__name__} {target.id} is append-only: record a correction instead")


event.listen(HourEntry, "before_update", refuse_change)
event.listen(HourEntry, "before_delete", refuse_change)
