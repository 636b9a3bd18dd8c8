"""Append to the audit trail; nothing here is ever updated or deleted."""

from sqlalchemy import or_

from rs_service.audit.models import AuditEvent
from rs_service.extensions import db


def record_event(
    organization_id: int,
    actor,
    action: str,
    *,
    session_id: int | None = None,
    person_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        organization_id=organization_id,
        actor_id=actor.id if actor else None,
        action=action,
        session_id=session_id,
        person_id=person_id,
        before=before,
        after=after,
        reason=reason,
    )
    db.session.add(event)
    db.session.flush()
    return event


def trail(
    organization_id: int, *, session_id: int | None = None, person_id: int | None = None, limit: int = 500
) -> list[AuditEvent]:
    """Newest first: the events about a session, or about a person (including their attendance)."""
    query = db.select(AuditEvent).where(AuditEvent.organization_id == organization_id)
    conditions = []
    if session_id is not None:
        conditions.append(AuditEvent.session_id == session_id)
    if person_id is not None:
        conditions.append(AuditEvent.person_id == person_id)
    if conditions:
        query = query.where(or_(*conditions))
    query = query.options(db.joinedload(AuditEvent.actor)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    return list(db.session.scalars(query.limit(limit)))
