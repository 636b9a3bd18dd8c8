"""Who changed what, when, and why: attendance saves, sign-offs, corrections, certificates."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.database import UTCDateTime
from rs_service.extensions import db
from rs_service.hours.models import refuse_change


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(50))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)

    actor: Mapped[Person | None] = relationship(foreign_keys=[actor_id])


event.listen(AuditEvent, "before_update", refuse_change)
event.listen(AuditEvent, "before_delete", refuse_change)
