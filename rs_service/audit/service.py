"""Append to the audit trail; nothing here is ever updated or deleted."""

from sqlalchemy import or_

from rs_service.accounts.models import Person
from rs_service.audit.describe import EventFacts, describe, people_in
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


def readable_trail(events: list[AuditEvent]) -> list[tuple[AuditEvent, list[str]]]:
    """Each event with its sentences; every name the trail mentions comes from one query."""
    facts = [
        EventFacts(
            e.action,
            e.actor_id,
            e.person_id,
            e.before if isinstance(e.before, dict) else None,
            e.after if isinstance(e.after, dict) else None,
            e.reason,
        )
        for e in events
    ]
    ids = people_in(facts)
    rows = db.session.execute(db.select(Person.id, Person.name).where(Person.id.in_(ids))).all() if ids else []
    names = {row.id: row.name for row in rows}
    return [(event, describe(fact, names)) for event, fact in zip(events, facts, strict=True)]
