"""The transcript an Endorsement application is backed by: every ledger entry in the window, and why it counted or not.

Rows are the person's entries dated inside the window of the category's requirement as of a
date: those still standing (counted, or left out with the rule's reason) and those a correction
replaced or voided (never counted, with the correction's reason). The reversing rows themselves
are bookkeeping and are not listed. The CSV has exactly the columns of the public interface.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import aliased

from rs_service.accounts.models import Person
from rs_service.endorsement import service
from rs_service.endorsement.categories import CATEGORY_NAMES
from rs_service.endorsement.downloads import csv_text
from rs_service.extensions import db
from rs_service.hours.models import EntryCredential, HourEntry

CSV_COLUMNS = (
    "date",
    "minutes",
    "format",
    "group",
    "provider_name",
    "provider_credential",
    "provider_number",
    "counted",
    "reason",
)


@dataclass(frozen=True)
class TranscriptRow:
    entry_id: int
    date: date
    minutes: int
    format: str
    group: str | None
    provider_name: str | None
    provider_credential: str | None
    provider_number: str | None
    counted: bool
    reason: str | None  # why it did not count; None when it did

    def csv_cells(self) -> tuple:
        return (
            self.date,
            self.minutes,
            self.format,
            self.group or "",
            self.provider_name or "",
            self.provider_credential or "",
            self.provider_number or "",
            "yes" if self.counted else "no",
            self.reason or "",
        )


@dataclass(frozen=True)
class Transcript:
    association_name: str
    person_name: str
    category: str
    category_name: str
    as_of: date
    window_start: date
    window_end: date
    eligible: bool
    counted_minutes: int
    required_minutes: int
    rule_version: int
    rows: tuple[TranscriptRow, ...]

    def csv(self) -> str:
        return csv_text(CSV_COLUMNS, (row.csv_cells() for row in self.rows))

    def file_name(self, extension: str) -> str:
        holder = service.safe_file_part(self.person_name)
        return f"{holder} - {self.category} RSC transcript {self.as_of.isoformat()}.{extension}"


def transcript_for(person: Person, category: str, as_of: date) -> Transcript:
    """A fixed number of queries: the requirement, the standing entries, the corrected ones, their sessions."""
    assessment = service.assess(person, category, as_of)
    result = assessment.result
    reasons = dict(result.excluded)
    corrected = _corrected_entries(person, result.window_start, result.window_end)
    entries = sorted([*assessment.entries.values(), *corrected], key=lambda e: (e.entry_date, e.id))
    sessions = service.sessions_by_id(entries)
    counted = set(result.counted_entry_ids)
    rows = tuple(
        TranscriptRow(
            entry_id=entry.id,
            date=entry.entry_date,
            minutes=entry.minutes,
            format=entry.format,
            group=sessions[entry.session_id].group.name if entry.session_id in sessions else None,
            provider_name=entry.provider_name,
            provider_credential="; ".join(c.category for c in stamped(entry)) or None,
            provider_number="; ".join(c.number or "" for c in stamped(entry)) or None,
            counted=entry.id in counted,
            reason=None if entry.id in counted else corrected.get(entry) or reasons.get(entry.id),
        )
        for entry in entries
    )
    return Transcript(
        association_name=person.organization.name,
        person_name=person.name,
        category=category,
        category_name=CATEGORY_NAMES[category],
        as_of=as_of,
        window_start=result.window_start,
        window_end=result.window_end,
        eligible=result.eligible,
        counted_minutes=result.counted_minutes,
        required_minutes=result.required_minutes,
        rule_version=assessment.requirement.requirement_set.version,
        rows=rows,
    )


def _corrected_entries(person: Person, start: date, end: date) -> dict[HourEntry, str]:
    """Entries in the window that a correction reversed, with the reason it gave."""
    reversal = aliased(HourEntry)
    found = db.session.execute(
        db.select(HourEntry, reversal.reason)
        .join(reversal, reversal.reverses_id == HourEntry.id)
        .where(
            HourEntry.organization_id == person.organization_id,
            HourEntry.person_id == person.id,
            HourEntry.minutes > 0,
            HourEntry.entry_date >= start,
            HourEntry.entry_date <= end,
        )
    ).tuples()
    return {entry: f"corrected: {why}" if why else "corrected" for entry, why in found}


def stamped(entry: HourEntry) -> list[EntryCredential]:
    """The credentials a reviewer checks the entry against: those valid on its date, else every one
    stamped (a lapsed credential is shown so the reason reads right)."""
    return entry.valid_credentials or list(entry.credentials)
