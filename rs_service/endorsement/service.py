"""Requirement sets, eligibility from the hours ledger, the ready-to-certify queue, certificates.

Plain functions that flush and never commit. The rules themselves are pure (rules.py): this
module loads what they need in a fixed number of queries and records what was decided.
"""
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlalchemy.orm import joinedload, selectinload

from rs_service.accounts.models import Organization, Person
from rs_service.audit.models import AuditEvent
from rs_service.audit.service import record_event
from rs_service.database import utcnow
from rs_service.endorsement import rules
from rs_service.endorsement.baseline import BASELINE_REQUIREMENTS
from rs_service.endorsement.categories import CATEGORY_CODES, CATEGORY_NAMES
from rs_service.endorsement.models import Certificate, Requirement, RequirementSet, certificate_entries
from rs_service.endorsement.pdf import CertificateDocument, TranscriptLine, format_hours
from rs_service.errors import Conflict, InvalidInput
from rs_service.policy import MAX_ID
from rs_service.extensions import db
from rs_service.groups.models import Session
from rs_service.hours.ledger import standing_entries_query
from rs_service.hours.models import HourEntry
from rs_service.urls import external_url

# Endorsement began in 2002: no rule set or certificate is ever judged before 2000, and the bounds
# keep month arithmetic and database date types far from their limits.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
BASELINE_EFFECTIVE_FROM = EARLIEST_DATE
NEAR_MINUTES = 6 * 60  # "within a few hours" of eligibility, for the ready-to-certify queue
RENEWAL_WINDOW_MONTHS = 12
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")  # what new_certificate_code makes; others are never looked up
REQUIREMENT_FIELDS = ("rsc_required", "required_minutes", "window_months", "min_span_months",
                      "provider_categories", "max_sources", "majority_rule", "renewal_minutes")


class NotEligible(Conflict):
    """Refused because the rules are not met; `reasons` says every rule that failed."""

    def __init__(self, category: str, reasons: tuple[str, ...]):
        super().__init__(f"Not eligible for {category}: {'; '.join(reasons)}.", "reasons")
        self.reasons = list(reasons)


# ----------------------------------------------------------------------------- dates and lookups

def today_for(organization: Organization) -> date:
    """Today where the association works: eligibility is judged on its calendar, not the server's."""
    return datetime.now(ZoneInfo(organization.timezone)).date()


def check_date(field: str, value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(field, f"must be between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


def check_category(category: str) -> str:
    if category not in CATEGORY_CODES:
        raise InvalidInput("category", f"{category!r} is not an Endorsement category ({', '.join(CATEGORY_CODES)})")
    return category


# ----------------------------------------------------------------------------- requirement sets

def seed_baseline(organization: Organization) -> RequirementSet:
    """Version 1 of the association's rules: the Alliance baseline. Does nothing when a set exists."""
    existing = db.session.scalar(db.select(RequirementSet).where(
        RequirementSet.organization_id == organization.id).order_by(RequirementSet.version).limit(1))
    if existing is not None:
        return existing
    return _add_requirement_set(organization.id, 1, BASELINE_EFFECTIVE_FROM, "Alliance baseline",
                                BASELINE_REQUIREMENTS, actor=None)


def _add_requirement_set(organization_id: int, version: int, effective_from: date, note: str | None,
                         rows, actor: Person | None) -> RequirementSet:
    requirement_set = RequirementSet(
        organization_id=organization_id, version=version, effective_from=effective_from, note=note,
        created_by_id=actor.id if actor else None,
        requirements=[Requirement(category=row["category"], name=CATEGORY_NAMES[row["category"]],
                                  **{key: _copy(row[key]) for key in REQUIREMENT_FIELDS}) for row in rows])
    db.session.add(requirement_set)
    db.session.flush()
    return requirement_set


def _copy(value):
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else value


def requirement_sets(organization_id: int) -> list[RequirementSet]:
    """Every version, newest first (requirements not loaded: the listing does not need them)."""
    return list(db.session.scalars(db.select(RequirementSet).where(
        RequirementSet.organization_id == organization_id).order_by(RequirementSet.version.desc())))


def requirement_set_version(organization_id: int, version: int) -> RequirementSet | None:
    if not 0 < version <= MAX_ID:
        return None
    return db.session.scalar(db.select(RequirementSet).options(selectinload(RequirementSet.requirements)).where(
        RequirementSet.organization_id == organization_id, RequirementSet.version == version))


def requirement_set_in_force(organization_id: int, as_of: date) -> RequirementSet | None:
    """The latest-starting set effective on `as_of`; of two starting the same day, the newer version."""
    return db.session.scalar(
        db.select(RequirementSet).options(selectinload(RequirementSet.requirements))
        .where(RequirementSet.organization_id == organization_id, RequirementSet.effective_from <= as_of)
        .order_by(RequirementSet.effective_from.desc(), RequirementSet.version.desc()).limit(1))


def requirement_in_force(organization_id: int, category: str, as_of: date) -> Requirement:
    check_category(category)
    requirement_set = requirement_set_in_force(organization_id, check_date("as_of", as_of))
    row = next((r for r in requirement_set.requirements if r.category == category), None) if requirement_set else None
    if row is None:
        raise Conflict(f"The association has no requirement for {category} in force on {as_of.isoformat()}; "
                       "staff can add one on the Requirements page.", "category")
    return row


def requirement_values(row: Requirement) -> dict:
    return {"category": row.category, **{key: _copy(getattr(row, key)) for key in REQUIREMENT_FIELDS}}


def new_requirement_set_version(organization: Organization, actor: Person, *, effective_from: date,
                                changes: dict[str, dict], note: str | None = None) -> RequirementSet:
    """A new version: the set in force on `effective_from`, copied with `changes` applied.

    Sets are never edited, so certificates keep meaning what they meant when they were judged.
    `changes` maps a category to the fields that change (any of REQUIREMENT_FIELDS).
    """
    check_date("effective_from", effective_from)
    base = requirement_set_in_force(organization.id, effective_from) or _latest_set(organization.id)
    rows = ({r.category: requirement_values(r) for r in base.requirements} if base
            else {row["category"]: {"category": row["category"], **row} for row in BASELINE_REQUIREMENTS})
    applied = {}
    for category, values in changes.items():
        difference = _apply_change(rows, category, values)
        if difference:
            applied[category] = difference
    if not applied:
        raise InvalidInput("requirements", "nothing changed: a new version needs at least one different value")
    version = _latest_version(organization.id) + 1
    requirement_set = _add_requirement_set(organization.id, version, effective_from, note,
                                           [rows[code] for code in CATEGORY_CODES if code in rows], actor)
    record_event(organization.id, actor, "requirements.new_version", reason=note, after={
        "version": version, "effective_from": effective_from.isoformat(),
        "based_on_version": base.version if base else None, "changes": applied})
    return requirement_set


def _latest_set(organization_id: int) -> RequirementSet | None:
    return db.session.scalar(db.select(RequirementSet).options(selectinload(RequirementSet.requirements)).where(
        RequirementSet.organization_id == organization_id).order_by(RequirementSet.version.desc()).limit(1))


def _latest_version(organization_id: int) -> int:
    return db.session.scalar(db.select(db.func.max(RequirementSet.version)).where(
        RequirementSet.organization_id == organization_id)) or 0


def _apply_change(rows: dict, category: str, values: dict) -> dict:
    """Validate and apply one category's changes in place; return {field: [old, new]} that differ."""
    if category not in rows:
        raise InvalidInput("category", f"{category!r} is not an Endorsement category")
    unknown = set(values) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise InvalidInput(f"{category}.{sorted(unknown)[0]}", "is not a requirement field")
    old = {**rows[category], "provider_categories": _in_catalogue_order(rows[category]["provider_categories"])}
    candidate = {**old, **values}
    candidate["provider_categories"] = _in_catalogue_order(candidate["provider_categories"])
    for field, message in requirement_problems(candidate):
        raise InvalidInput(f"{category}.{field}", message)
    difference = {key: [old[key], candidate[key]] for key in REQUIREMENT_FIELDS if old[key] != candidate[key]}
    rows[category] = candidate
    return difference


def _in_catalogue_order(providers):
    """The same providers listed in another order are no change; anything else is left for validation."""
    if isinstance(providers, (list, tuple, set)) and set(providers) <= set(CATEGORY_CODES):
        return sorted(set(providers), key=CATEGORY_CODES.index)
    return providers


def requirement_problems(values: dict):
    """(field, message) for every value a requirement cannot hold; the first one is reported."""
    for switch in ("rsc_required", "majority_rule"):
        if not isinstance(values[switch], bool):
            yield switch, "must be true or false"
    if not _whole(values["required_minutes"], 0, 500 * 60):
        yield "required_minutes", "must be a whole number of minutes from 0 to 30000"
    elif values["rsc_required"] and values["required_minutes"] == 0:
        yield "required_minutes", "must be more than 0 when RSC is required"
    if not _whole(values["window_months"], 1, 120):
        yield "window_months", "must be a whole number of months from 1 to 120"
    if not _whole(values["min_span_months"], 0, 120):
        yield "min_span_months", "must be a whole number of months from 0 to 120"
    elif _whole(values["window_months"], 1, 120) and values["min_span_months"] > values["window_months"]:
        yield "min_span_months", "cannot be longer than the window"
    providers = values["provider_categories"]
    if not isinstance(providers, list) or not set(providers) <= set(CATEGORY_CODES):
        yield "provider_categories", f"must be a list of category codes ({', '.join(CATEGORY_CODES)})"
    elif values["rsc_required"] and not providers:
        yield "provider_categories", "needs at least one qualifying provider category when RSC is required"
    if values["max_sources"] is not None and not _whole(values["max_sources"], 1, 20):
        yield "max_sources", "must be empty (no limit) or a whole number from 1 to 20"
    if values["renewal_minutes"] is not None and not _whole(values["renewal_minutes"], 1, 500 * 60):
        yield "renewal_minutes", "must be empty (no renewal RSC) or a whole number of minutes from 1 to 30000"


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def rules_requirement(row: Requirement) -> rules.Requirement:
    requirement_set = row.requirement_set
    return rules.Requirement.from_dict(
        {"name": row.name, **requirement_values(row)},
        version=requirement_set.version, effective_from=requirement_set.effective_from)


# ----------------------------------------------------------------------------- the ledger, as the rules see it

def provider_key(entry: HourEntry) -> str | None:
    """Who the hours came from, for the source rule: an account, else the external provider's details."""
    if entry.provider_id is not None:
        return f"person:{entry.provider_id}"
    if not entry.provider_name:
        return None
    # Case and spacing differences in a typed name must not split one provider into two sources.
    parts = (entry.provider_name, entry.provider_category or "", entry.provider_credential_number or "")
    return "external:" + "|".join(" ".join(part.split()).casefold() for part in parts)


def ledger_entry(entry: HourEntry) -> rules.LedgerEntry:
    return rules.LedgerEntry(
        id=entry.id, date=entry.entry_date, minutes=entry.minutes, format=entry.format, peer=entry.peer,
        verified=entry.verified, provider_key=provider_key(entry), provider_name=entry.provider_name,
        provider_category=entry.provider_category, provider_valid_from=entry.provider_valid_from,
        provider_valid_until=entry.provider_valid_until)


def _standing_entries(organization_id: int, start: date, end: date, people) -> list[HourEntry]:
    """One query for any number of people: `people` is a list of ids or a subquery of them."""
    return list(db.session.scalars(standing_entries_query(organization_id).where(
        HourEntry.person_id.in_(people), HourEntry.entry_date >= start, HourEntry.entry_date <= end)
        .order_by(HourEntry.person_id, HourEntry.entry_date, HourEntry.id)))


# ----------------------------------------------------------------------------- eligibility

@dataclass(frozen=True)
class Assessment:
    """An eligibility result with the rows behind it: the requirement judged under and the entries."""

    person: Person
    requirement: Requirement
    result: rules.Eligibility
    entries: dict[int, HourEntry]  # every standing entry in the window, by id

    @property
    def counted_entries(self) -> list[HourEntry]:
        return [self.entries[i] for i in self.result.counted_entry_ids]

    @property
    def excluded_entries(self) -> list[HourEntry]:
        return [self.entries[i] for i, _ in self.result.excluded]

    @property
    def exclusion_reasons(self) -> dict[int, str]:
        return dict(self.result.excluded)


def assess(person: Person, category: str, as_of: date) -> Assessment:
    requirement = requirement_in_force(person.organization_id, category, as_of)
    start = rules.window_start(as_of, requirement.window_months)
    entries = _standing_entries(person.organization_id, start, as_of, [person.id])
    result = rules.assess_eligibility(rules_requirement(requirement), [ledger_entry(e) for e in entries], as_of)
    return Assessment(person, requirement, result, {e.id: e for e in entries})


def eligibility_for(person: Person, category: str, as_of: date) -> rules.Eligibility:
    return assess(person, category, as_of).result


def renewal_for(person: Person, as_of: date) -> rules.Eligibility | None:
    """Yearly renewal progress for someone holding a credential whose category asks renewal RSC."""
    credential = person.credential_on(as_of)
    if credential is None:
        return None
    requirement_set = requirement_set_in_force(person.organization_id, as_of)
    row = next((r for r in requirement_set.requirements if r.category == credential.category), None) \
        if requirement_set else None
    if row is None or not row.renewal_minutes:
        return None
    start = rules.window_start(as_of, RENEWAL_WINDOW_MONTHS)
    entries = _standing_entries(person.organization_id, start, as_of, [person.id])
    return rules.assess_renewal(row.renewal_minutes, frozenset(row.provider_categories),
                                [ledger_entry(e) for e in entries], as_of, category=credential.category,
                                window_months=RENEWAL_WINDOW_MONTHS)


@dataclass(frozen=True)
class Progress:
    """What templates/endorsement/_progress.html shows on a participant's own pages."""

    eligibility: rules.Eligibility | None  # toward the category the person pursues
    renewal: rules.Eligibility | None  # for a credential already held
    certificates: list[Certificate]


def progress_for(person: Person, as_of: date | None = None) -> Progress:
    as_of = as_of or today_for(person.organization)
    eligibility = None
    if person.pursuing_category:
        try:
            eligibility = eligibility_for(person, person.pursuing_category, as_of)
        except Conflict:
            eligibility = None  # no rule set in force: nothing to measure progress against
    return Progress(eligibility, renewal_for(person, as_of), certificates_of(person))


# ----------------------------------------------------------------------------- ready to certify

@dataclass(frozen=True)
class Candidate:
    person: Person
    result: rules.Eligibility

    @property
    def shortfall_minutes(self) -> int:
        return max(0, self.result.required_minutes - self.result.counted_minutes)


def ready_to_certify(organization: Organization, as_of: date | None = None,
                     within_minutes: int = NEAR_MINUTES) -> list[Candidate]:
    """People eligible, or within `within_minutes` of it, for the category they pursue.

    People already holding a valid certificate for that category are done and left out.
    A fixed number of queries whatever the number of people: all entries load in one.
    """
    as_of = as_of or today_for(organization)
    requirement_set = requirement_set_in_force(organization.id, as_of)
    if requirement_set is None:
        return []
    rows = {r.category: r for r in requirement_set.requirements if r.rsc_required}
    pursuing = db.select(Person.id).where(Person.organization_id == organization.id,
                                          Person.pursuing_category.in_(rows))
    people = db.session.scalars(db.select(Person).where(Person.id.in_(pursuing)).order_by(Person.name, Person.id))
    certified = set(db.session.execute(db.select(Certificate.person_id, Certificate.category).where(
        Certificate.organization_id == organization.id, Certificate.revoked_at.is_(None))).tuples())
    earliest = min((rules.window_start(as_of, r.window_months) for r in rows.values()), default=as_of)
    by_person: dict[int, list[rules.LedgerEntry]] = {}
    for entry in _standing_entries(organization.id, earliest, as_of, pursuing):
        by_person.setdefault(entry.person_id, []).append(ledger_entry(entry))
    candidates = []
    for person in people:
        if (person.id, person.pursuing_category) in certified:
            continue
        result = rules.assess_eligibility(rules_requirement(rows[person.pursuing_category]),
                                          by_person.get(person.id, []), as_of)
        candidate = Candidate(person, result)
        if result.eligible or candidate.shortfall_minutes <= within_minutes:
            candidates.append(candidate)
    return sorted(candidates, key=lambda c: (not c.result.eligible, c.shortfall_minutes, c.person.name))


# ----------------------------------------------------------------------------- certificates

def new_certificate_code() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits: unguessable, and altering it finds nothing


def issue_certificate(person: Person, category: str, actor: Person, as_of: date | None = None) -> Certificate:
    """Certify the hours counted toward `category` as of `as_of` (default today), or refuse with the reasons."""
    today = today_for(person.organization)
    as_of = as_of or today
    if as_of > today:
        raise InvalidInput("as_of", "hours cannot be certified as of a future date")
    assessment = assess(person, category, as_of)
    if not assessment.requirement.rsc_required:
        raise Conflict(f"{category} requires no reflective supervision hours, so there is nothing to certify.",
                       "category")
    if not assessment.result.eligible:
        raise NotEligible(category, assessment.result.reasons)
    _refuse_duplicate(person, category, as_of)
    result = assessment.result
    certificate = Certificate(
        organization_id=person.organization_id, code=new_certificate_code(), person_id=person.id,
        category=category, requirement_id=assessment.requirement.id, counted_minutes=result.counted_minutes,
        window_start=result.window_start, window_end=result.window_end, issued_by_id=actor.id)
    db.session.add(certificate)
    db.session.flush()
    db.session.execute(certificate_entries.insert(),
                       [{"certificate_id": certificate.id, "hour_entry_id": i} for i in result.counted_entry_ids])
    record_event(person.organization_id, actor, "certificate.issued", person_id=person.id, after={
        "certificate_id": certificate.id, "category": category, "counted_minutes": result.counted_minutes,
        "window_start": result.window_start.isoformat(), "window_end": result.window_end.isoformat(),
        "requirement_version": assessment.requirement.requirement_set.version,
        "counted_entry_ids": list(result.counted_entry_ids)})
    return certificate


def _refuse_duplicate(person: Person, category: str, as_of: date) -> None:
    """A second click on Issue must not make a second certificate for the same judgement."""
    existing = db.session.scalar(db.select(Certificate.id).where(
        Certificate.person_id == person.id, Certificate.category == category,
        Certificate.window_end == as_of, Certificate.revoked_at.is_(None)))
    if existing is not None:
        raise Conflict(f"{person.name} already holds a valid {category} certificate judged as of "
                       f"{as_of.isoformat()}; revoke it first to issue another.", "category")


def certificate_by_code(code: str) -> Certificate | None:
    """Any association's certificate: verification is public. Malformed codes are not looked up."""
    if not CODE_PATTERN.fullmatch(code or ""):
        return None
    return db.session.scalar(db.select(Certificate).options(joinedload(Certificate.person))
                             .where(Certificate.code == code))


def certificate_in_association(code: str, organization_id: int) -> Certificate | None:
    certificate = certificate_by_code(code)
    return certificate if certificate and certificate.organization_id == organization_id else None


def issuer_of(certificate: Certificate) -> Organization:
    return db.session.get(Organization, certificate.organization_id)


def certificates_of(person: Person) -> list[Certificate]:
    return list(db.session.scalars(db.select(Certificate).where(Certificate.person_id == person.id)
                                   .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def certificates_for_review(organization_id: int) -> list[Certificate]:
    """Valid certificates that relied on an entry corrected since: staff decide whether they stand."""
    return list(db.session.scalars(db.select(Certificate).options(joinedload(Certificate.person)).where(
        Certificate.organization_id == organization_id, Certificate.review_flagged_at.is_not(None),
        Certificate.revoked_at.is_(None)).order_by(Certificate.review_flagged_at, Certificate.id)))


def certified_entries(certificate: Certificate) -> list[HourEntry]:
    """The entries the certificate counted when it was issued, whatever has happened to them since."""
    return list(db.session.scalars(
        db.select(HourEntry).join(certificate_entries, certificate_entries.c.hour_entry_id == HourEntry.id)
        .where(certificate_entries.c.certificate_id == certificate.id)
        .order_by(HourEntry.entry_date, HourEntry.id)))


def revoke_certificate(certificate: Certificate, actor: Person, reason: str) -> Certificate:
    reason = _reason("reason", reason)
    if certificate.revoked_at is not None:
        raise Conflict(f"The certificate was already revoked on {certificate.revoked_at:%Y-%m-%d}.", "reason")
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    db.session.flush()
    record_event(certificate.organization_id, actor, "certificate.revoked", person_id=certificate.person_id,
                 before={"certificate_id": certificate.id, "status": "valid"},
                 after={"certificate_id": certificate.id, "status": "revoked"}, reason=reason)
    return certificate


def flag_certificates_for_entries(entry_ids, reason: str, actor: Person | None = None) -> list[Certificate]:
    """Mark for staff review every valid certificate that counted one of these (now corrected) entries."""
    entry_ids = sorted(set(entry_ids))
    if not entry_ids:
        return []
    relied_on = db.select(certificate_entries.c.certificate_id).where(
        certificate_entries.c.hour_entry_id.in_(entry_ids))
    certificates = list(db.session.scalars(db.select(Certificate).where(
        Certificate.id.in_(relied_on), Certificate.revoked_at.is_(None)).order_by(Certificate.id)))
    now = utcnow()
    for certificate in certificates:
        reasons = [r for r in (certificate.review_reason, reason) if r]
        certificate.review_reason = "; ".join(dict.fromkeys(reasons))[:500] or None
        certificate.review_flagged_at = certificate.review_flagged_at or now
        record_event(certificate.organization_id, actor, "certificate.flagged", person_id=certificate.person_id,
                     after={"certificate_id": certificate.id, "entry_ids": entry_ids}, reason=reason)
    db.session.flush()
    return certificates


def clear_review_flag(certificate: Certificate, actor: Person, note: str) -> Certificate:
    """Staff reviewed a flagged certificate and it stands; the note says why."""
    note = _reason("note", note)
    if certificate.review_flagged_at is None:
        raise Conflict("The certificate is not flagged for review.", "note")
    record_event(certificate.organization_id, actor, "certificate.review_cleared", person_id=certificate.person_id,
                 before={"certificate_id": certificate.id, "review_reason": certificate.review_reason},
                 after={"certificate_id": certificate.id}, reason=note)
    certificate.review_flagged_at = None
    certificate.review_reason = None
    db.session.flush()
    return certificate


def _reason(field: str, text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(field, "say why, in a few words")
    if len(text) > 500:
        raise InvalidInput(field, "must be at most 500 characters")
    return text


# ----------------------------------------------------------------------------- evidence and documents

def sessions_by_id(entries) -> dict[int, Session]:
    ids = {e.session_id for e in entries if e.session_id is not None}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(
        db.select(Session).options(joinedload(Session.group)).where(Session.id.in_(ids)))}


def session_label(session: Session | None) -> str | None:
    if session is None:
        return None
    local = session.starts_at.astimezone(ZoneInfo(session.group.timezone))
    return f"{session.group.name}, {local:%Y-%m-%d %H:%M} ({session.duration_minutes} min)"


def credential_snapshot(entry: HourEntry) -> str:
    """The provider credential recorded on the entry, as a reviewer reads it."""
    if not entry.provider_category:
        return "no credential recorded"
    number = f" #{entry.provider_credential_number}" if entry.provider_credential_number else ""
    since = entry.provider_valid_from.isoformat() if entry.provider_valid_from else "?"
    until = entry.provider_valid_until.isoformat() if entry.provider_valid_until else "open-ended"
    return f"{entry.provider_category}{number} (valid {since} to {until})"


def evidence_trail(person: Person, session_ids, limit: int = 500) -> list[AuditEvent]:
    """The person's own events, and the session-wide ones (sign-off, reschedule) of the sessions counted.

    Other attendees' events in those sessions stay out: the packet is about this person.
    """
    about_session = and_(AuditEvent.session_id.in_(sorted(session_ids)), AuditEvent.person_id.is_(None)) \
        if session_ids else None
    condition = or_(AuditEvent.person_id == person.id, about_session) if about_session is not None \
        else AuditEvent.person_id == person.id
    return list(db.session.scalars(
        db.select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.organization_id == person.organization_id, condition)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def certificate_document(certificate: Certificate, verify_url: str) -> CertificateDocument:
    entries = certified_entries(certificate)
    sessions = sessions_by_id(entries)
    lines = tuple(TranscriptLine(
        date=e.entry_date, minutes=e.minutes, format=e.format, provider_name=e.provider_name or "unnamed",
        provider_credential=credential_snapshot(e), session_label=session_label(sessions.get(e.session_id)))
        for e in entries)
    return CertificateDocument(
        code=certificate.code, verify_url=verify_url, association_name=issuer_of(certificate).name,
        person_name=certificate.person.name, category=certificate.category,
        category_name=CATEGORY_NAMES[certificate.category], counted_minutes=certificate.counted_minutes,
        window_start=certificate.window_start, window_end=certificate.window_end, issued_at=certificate.issued_at,
        rule_version=certificate.requirement.requirement_set.version, status=certificate.status,
        revoked_at=certificate.revoked_at, lines=lines)


def verify_url(certificate: Certificate) -> str:
    return external_url("endorsement.verify", code=certificate.code)


def public_record(certificate: Certificate) -> dict:
    """Only what a reviewer needs; times in the issuing association's zone. No reason, no transcript."""
    issuer = issuer_of(certificate)
    zone = ZoneInfo(issuer.timezone)
    return {
        "code": certificate.code, "status": certificate.status, "person_name": certificate.person.name,
        "category": certificate.category, "category_name": CATEGORY_NAMES[certificate.category],
        "counted_minutes": certificate.counted_minutes, "hours": format_hours(certificate.counted_minutes),
        "window_start": certificate.window_start, "window_end": certificate.window_end,
        "issued_at": certificate.issued_at.astimezone(zone),
        "revoked_at": certificate.revoked_at.astimezone(zone) if certificate.revoked_at else None,
        "issuer": issuer.name,
    }


def staff_record(certificate: Certificate) -> dict:
    zone = ZoneInfo(issuer_of(certificate).timezone)
    return {
        "code": certificate.code, "verify_url": verify_url(certificate), "person_id": certificate.person_id,
        "category": certificate.category, "counted_minutes": certificate.counted_minutes,
        "window_start": certificate.window_start, "window_end": certificate.window_end,
        "issued_at": certificate.issued_at.astimezone(zone), "status": certificate.status,
        "revoked_at": certificate.revoked_at.astimezone(zone) if certificate.revoked_at else None,
        "rule_version": certificate.requirement.requirement_set.version,
    }
