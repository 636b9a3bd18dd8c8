"""The hours ledger: entries are appended, never edited; a correction reverses and replaces.

Each entry carries a stamp of its provider's credentials as they stood on the entry's date, so
eligibility never depends on credentials edited later; a credential recorded late reaches past
entries only through a restamp, itself a reversal and a new entry.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists
from sqlalchemy.orm import aliased

from rs_service.accounts.models import Person
from rs_service.extensions import db
from rs_service.hours.models import EntryCredential, HourEntry


@dataclass(frozen=True)
class CredentialStamp:
    category: str
    number: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class ProviderSnapshot:
    provider_id: int | None
    name: str | None
    credentials: tuple[CredentialStamp, ...] = ()

    @classmethod
    def external(
        cls,
        name: str,
        category: str | None,
        number: str | None,
        valid_from: date | None = None,
        valid_until: date | None = None,
    ) -> "ProviderSnapshot":
        """A provider without an account, with the credential typed in for them."""
        stamp = (CredentialStamp(category, number, valid_from, valid_until),) if category else ()
        return cls(None, name, stamp)


def credentials_held(provider: Person, on: date) -> tuple[CredentialStamp, ...]:
    """Every credential valid on `on`; if none, the latest one started before it (lapsed, so eligibility can say so)."""
    valid = [c for c in provider.credentials if c.is_valid_on(on)]
    if not valid:
        lapsed = provider.credential_as_of(on)
        valid = [lapsed] if lapsed else []
    return tuple(
        CredentialStamp(c.category, c.number, c.valid_from, c.valid_until)
        for c in sorted(valid, key=lambda c: (c.valid_from, c.id))
    )


def provider_snapshot(provider: Person | None, on: date) -> ProviderSnapshot:
    """The provider with every credential they held on `on` (the session's date, not the sign-off's)."""
    if provider is None:
        return ProviderSnapshot(None, None)
    return ProviderSnapshot(provider.id, provider.name, credentials_held(provider, on))


def snapshot_of(entry: HourEntry) -> ProviderSnapshot:
    """The entry's own stamp, for a reversal or a correction that keeps it."""
    return ProviderSnapshot(
        entry.provider_id,
        entry.provider_name,
        tuple(CredentialStamp(c.category, c.number, c.valid_from, c.valid_until) for c in entry.credentials),
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
        credentials=[
            EntryCredential(category=c.category, number=c.number, valid_from=c.valid_from, valid_until=c.valid_until)
            for c in provider.credentials
        ],
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
