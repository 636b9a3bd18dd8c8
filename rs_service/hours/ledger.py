"""The hours ledger: entries are appended, never edited; a correction reverses and replaces.

Each entry carries a snapshot of its provider's credential as it stood on the entry's date, so
eligibility never depends on credentials edited later.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists
from sqlalchemy.orm import aliased

from rs_service.accounts.models import Person
from rs_service.extensions import db
from rs_service.hours.models import HourEntry


@dataclass(frozen=True)
class ProviderSnapshot:
    provider_id: int | None
    name: str | None
    category: str | None = None
    number: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


def provider_snapshot(provider: Person | None, on: date) -> ProviderSnapshot:
    """The provider with their credential as of `on`: valid then, or lapsed (so eligibility can say so)."""
    if provider is None:
        return ProviderSnapshot(None, None)
    credential = provider.credential_as_of(on)
    if credential is None:
        return ProviderSnapshot(provider.id, provider.name)
    return ProviderSnapshot(
        provider.id,
        provider.name,
        credential.category,
        credential.number,
        credential.valid_from,
        credential.valid_until,
    )


def snapshot_of(entry: HourEntry) -> ProviderSnapshot:
    return ProviderSnapshot(
        entry.provider_id,
        entry.provider_name,
        entry.provider_category,
        entry.provider_credential_number,
        entry.provider_valid_from,
        entry.provider_valid_until,
    )


def record_entry(
    *,
    organization_id: int,
    person_id: int,
    entry_date: date,
    minutes: int,
    format: str,
    provider: ProviderSnapshot,
    recorded_by: Person | None,
    session_id: int | None = None,
    peer: bool = False,
    reason: str | None = None,
    reverses_id: int | None = None,
    verified: bool = True,
) -> HourEntry:
    entry = HourEntry(
        organization_id=organization_id,
        person_id=person_id,
        entry_date=entry_date,
        minutes=minutes,
        format=format,
        session_id=session_id,
        peer=peer,
        verified=verified,
        provider_id=provider.provider_id,
        provider_name=provider.name,
        provider_category=provider.category,
        provider_credential_number=provider.number,
        provider_valid_from=provider.valid_from,
        provider_valid_until=provider.valid_until,
        reason=reason,
        reverses_id=reverses_id,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def reverse_entry(entry: HourEntry, *, reason: str, recorded_by: Person | None) -> HourEntry:
    """Append the entry's negative twin; the pair nets to zero and both stay in the ledger."""
    return record_entry(
        organization_id=entry.organization_id,
        person_id=entry.person_id,
        entry_date=entry.entry_date,
        minutes=-entry.minutes,
        format=entry.format,
        provider=snapshot_of(entry),
        recorded_by=recorded_by,
        session_id=entry.session_id,
        peer=entry.peer,
        reason=reason,
        reverses_id=entry.id,
    )


def standing_entries_query(organization_id: int):
    """Entries still in force: positive and not reversed (reversals themselves drop out too)."""
    reversal = aliased(HourEntry)
    return db.select(HourEntry).where(
        HourEntry.organization_id == organization_id,
        HourEntry.minutes > 0,
        ~exists().where(reversal.reverses_id == HourEntry.id),
    )


def standing_entries(
    organization_id: int, person_id: int, start: date | None = None, end: date | None = None
) -> list[HourEntry]:
    query = standing_entries_query(organization_id).where(HourEntry.person_id == person_id)
    if start is not None:
        query = query.where(HourEntry.entry_date >= start)
    if end is not None:
        query = query.where(HourEntry.entry_date <= end)
    return list(db.session.scalars(query.order_by(HourEntry.entry_date, HourEntry.id)))
