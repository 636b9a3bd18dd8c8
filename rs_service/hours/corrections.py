"""Changes to the ledger after the fact: correcting or voiding individual and external RSC, and
restamping a provider's entries with a credential recorded late.

Nothing is edited: each change appends a reversing entry (and a replacement unless voided),
records who, when, before, after and why in the audit trail, and flags for review every
certificate that counted the entry it reversed.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, or_

from rs_service import policy
from rs_service.accounts.models import Person
from rs_service.audit.service import record_event
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement.service import flag_certificates_for_entries
from rs_service.extensions import db
from rs_service.hours import ledger
from rs_service.hours.models import EntryCredential, HourEntry
from rs_service.hours.service import refuse_future_date


@dataclass(frozen=True)
class Correction:
    corrected: HourEntry  # the entry as it stood, now reversed
    reversal: HourEntry
    replacement: HourEntry | None  # None when voided


def entry_of(person: Person, entry_id: int) -> HourEntry | None:
    """One of the person's own ledger entries, else None (callers answer 404)."""
    entry = policy.find_in_association(HourEntry, entry_id, person.organization_id)
    return entry if entry is not None and entry.person_id == person.id else None


def is_reversed(entry: HourEntry) -> bool:
    return db.session.scalar(db.select(HourEntry.id).where(HourEntry.reverses_id == entry.id)) is not None


def check_correctable(entry: HourEntry) -> None:
    if entry.minutes < 0:
        raise Conflict(
            message=_("This entry reverses another; correct the entry it reverses instead."), field="entry_id"
        )
    if entry.session_id is not None:
        raise Conflict(
            message=_("These hours come from a group session: correct the session's attendance instead."),
            field="entry_id",
        )
    if is_reversed(entry):
        raise Conflict(
            message=_("This entry was already corrected or voided; correct the entry that replaced it."),
            field="entry_id",
        )


def required_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(field="reason", message=_("Say why, in a few words."))
    return reason


def correct_rsc_hours(
    entry: HourEntry,
    actor: Person,
    reason: str,
    *,
    minutes: int | None = None,
    entry_date: date | None = None,
) -> Correction:
    """Replace the entry with one of other minutes or another date (a 600 typed for 60)."""
    reason = required_reason(reason)
    check_correctable(entry)
    minutes = entry.minutes if minutes is None else minutes
    entry_date = entry_date or entry.entry_date
    if not 0 < minutes <= 24 * 60:
        raise InvalidInput(field="minutes", message=_("Give between 1 and 1440 minutes."))
    if (minutes, entry_date) == (entry.minutes, entry.entry_date):
        raise InvalidInput(
            field="minutes", message=_("The correction changes nothing: give other minutes or another date.")
        )
    refuse_future_date(entry.person, entry_date)
    reversal = ledger.reverse_entry(entry, reason=reason, recorded_by=actor)
    replacement = ledger.record_entry(
        organization_id=entry.organization_id,
        person_id=entry.person_id,
        entry_date=entry_date,
        minutes=minutes,
        format=entry.format,
        provider=stamp_for(entry, entry_date),
        recorded_by=actor,
        verified=entry.verified,
        reason=reason,
    )
    return recorded(Correction(entry, reversal, replacement), actor, reason)


def void_rsc_hours(entry: HourEntry, actor: Person, reason: str) -> Correction:
    """Take the entry out of the ledger's total: it was never received."""
    reason = required_reason(reason)
    check_correctable(entry)
    reversal = ledger.reverse_entry(entry, reason=reason, recorded_by=actor)
    return recorded(Correction(entry, reversal, None), actor, reason)


def stamp_for(entry: HourEntry, entry_date: date) -> ledger.ProviderSnapshot:
    """The same stamp on the same date; on another date, what the provider held then (typed-in ones stay)."""
    if entry_date == entry.entry_date or entry.provider_id is None:
        return ledger.snapshot_of(entry)
    return ledger.provider_snapshot(db.session.get(Person, entry.provider_id), entry_date)


def recorded(correction: Correction, actor: Person, reason: str) -> Correction:
    old, new = correction.corrected, correction.replacement
    record_event(
        old.organization_id,
        actor,
        "hours.corrected" if new is not None else "hours.voided",
        person_id=old.person_id,
        before={"entry_id": old.id, "date": old.entry_date.isoformat(), "minutes": old.minutes},
        after=(
            {"entry_id": new.id, "date": new.entry_date.isoformat(), "minutes": new.minutes}
            if new is not None
            else {"voided": True, "reversal_id": correction.reversal.id}
        ),
        reason=reason,
    )
    flag_certificates_for_entries([old.id], f"hours {'corrected' if new is not None else 'voided'}: {reason}", actor)
    return correction


# ----------------------------------------------------------------------------- restamp


def restamp_candidates(provider: Person) -> list[HourEntry]:
    """Entries the person provided whose stamp has no credential valid on their date, but whose date a
    credential now on record covers: what a restamp would change (a credential, or its renewal, recorded late).
    """
    valid_stamp = exists().where(
        EntryCredential.hour_entry_id == HourEntry.id,
        EntryCredential.valid_from <= HourEntry.entry_date,
        or_(EntryCredential.valid_until.is_(None), EntryCredential.valid_until >= HourEntry.entry_date),
    )
    unstamped = db.session.scalars(
        ledger.standing_entries_query(provider.organization_id)
        .where(HourEntry.provider_id == provider.id, ~valid_stamp)
        .order_by(HourEntry.entry_date, HourEntry.id)
    )
    return [e for e in unstamped if any(c.is_valid_on(e.entry_date) for c in provider.credentials)]


def restamp(provider: Person, actor: Person, reason: str) -> list[HourEntry]:
    """Reverse each candidate and add it again, stamped with the credentials now recorded for its date."""
    reason = required_reason(reason)
    replaced = {entry: restamped(entry, provider, actor, reason) for entry in restamp_candidates(provider)}
    by_person: dict[int, list[tuple[HourEntry, HourEntry]]] = {}
    for old, new in replaced.items():
        by_person.setdefault(old.person_id, []).append((old, new))
    for person_id, pairs in by_person.items():
        record_event(
            provider.organization_id,
            actor,
            "hours.restamped",
            person_id=person_id,
            before={"provider": provider.name, "entries": {str(old.id): stamp_text(old) for old, _new in pairs}},
            after={"provider": provider.name, "entries": {str(new.id): stamp_text(new) for _old, new in pairs}},
            reason=reason,
        )
    record_event(
        provider.organization_id,
        actor,
        "hours.restamped_as_provider",
        person_id=provider.id,
        after={"restamped": len(replaced)},
        reason=reason,
    )
    flag_certificates_for_entries([e.id for e in replaced], f"hours restamped: {reason}", actor)
    return list(replaced.values())


def restamped(entry: HourEntry, provider: Person, actor: Person, reason: str) -> HourEntry:
    ledger.reverse_entry(entry, reason=reason, recorded_by=actor)
    return ledger.record_entry(
        organization_id=entry.organization_id,
        person_id=entry.person_id,
        entry_date=entry.entry_date,
        minutes=entry.minutes,
        format=entry.format,
        provider=ledger.provider_snapshot(provider, entry.entry_date),
        recorded_by=actor,
        session_id=entry.session_id,
        peer=entry.peer,
        verified=entry.verified,
        reason=reason,
    )


def stamp_text(entry: HourEntry) -> str:
    return ", ".join(c.category for c in entry.credentials) or "none"
