"""Every message the service sends, keyed so that no job plans it twice."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.database import UTCDateTime, partial_index
from rs_service.extensions import db

# What a notification is about (its `kind`).
REMINDER = "session_reminder"
UPDATE = "session_update"
CANCELLATION = "session_cancel"
OVERDUE = "attendance_overdue"
CERTIFICATION = "certification"
CERTIFICATE_ISSUED = "certificate_issued"
RENEWAL = "renewal_notice"
INVITES = (REMINDER, UPDATE)
ENDORSEMENT_KINDS = (CERTIFICATE_ISSUED, RENEWAL)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("kind", "subject_key", "recipient_id", "sequence"),
        # The outbox's waiting rows, which the scheduler looks for every minute.
        partial_index("ix_notifications_waiting", "id", where="sent_at IS NULL AND given_up_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject_key: Mapped[str] = mapped_column(String(100))  # e.g. "session:12" or "eligible:IFS"
    recipient_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    sequence: Mapped[int] = mapped_column(default=0)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Retrying: a failed message waits until next_attempt_at, for up to a time span from its first failure.
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    given_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    given_up_reason: Mapped[str | None] = mapped_column(Text)
    # Whether the message carried a calendar invite (session messages only): a person whose
    # calendar holds an invite for a session must get its updates and cancellation as invites too.
    with_invite: Mapped[bool | None]

    recipient: Mapped[Person] = relationship()


class JobMark(db.Model):
    """How far the background jobs have got for an association, so an idle minute redoes nothing.

    Reminders: sessions starting up to `reminders_through` were planned at the job run for
    `reminders_at` (wall clock `reminders_checked_at`); later runs plan only sessions starting after
    it, and those changed or joined since. Certification: eligibility was checked on the association's
    date `certified_on`, through ledger entry `entries_through` and requirement set `requirement_sets_through`;
    later runs that day check only people with newer entries. Renewals: judged again only when their
    inputs (`renewals_checked`) changed.
    """

    __tablename__ = "job_marks"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    reminders_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_through: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certified_on: Mapped[date | None]
    entries_through: Mapped[int | None]
    requirement_sets_through: Mapped[int | None]
    # Renewals: what they were last judged from (`endorsement_notices.renewal_inputs`).
    renewals_checked: Mapped[str | None] = mapped_column(String(300))
