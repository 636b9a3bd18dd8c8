"""Requirement sets, eligibility from the hours ledger, the ready-to-certify queue, certificates.

Plain functions that flush and never commit. The rules themselves are pure (rules.py): this
module loads what they need in a fixed number of queries and records what was decided.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, null, or_, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, subqueryload

from rs_service import clock
from rs_service.accounts.models import Organization, Person
from rs_service.audit.models import AuditEvent
from rs_service.audit.service import record_event
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement import renewal, rules
from rs_service.endorsement.categories import CATEGORY_NAMES
from rs_service.endorsement.models import Certificate, Requirement, certificate_entries
from rs_service.endorsement.pdf import CertificateDocument, TranscriptLine, format_hours
from rs_service.endorsement.requirements import (
    requirement_in_force,
    requirement_set_in_force,
    rules_requirement,
    today_for,
)
from rs_service.endorsement.status_list import free_status_index
from rs_service.extensions import db
from rs_service.groups.models import Session
from rs_service.hours.ledger import standing_entries_query
from rs_service.hours.models import EntryCredential, HourEntry
from rs_service.urls import external_url

NEAR_MINUTES = 6 * 60  # "within a few hours" of eligibility, for the ready-to-certify queue
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")  # what new_certificate_code makes; others are never looked up


class AlreadyCertified(Conflict):
    """Refused because a valid certificate already certifies this judgement: `certificate` is that one."""

    def __init__(self, certificate: Certificate):
        super().__init__(
            message=_(
                "%(name)s already holds a valid %(category)s certificate for the window %(start)s to %(end)s; "
                "revoke it first to issue another.",
                name=certificate.person.name,
                category=certificate.category,
                start=certificate.window_start.isoformat(),
                end=certificate.window_end.isoformat(),
            ),
            field="category",
        )
        self.certificate = certificate


class NotEligible(Conflict):
    """Refused because the rules are not met; `reasons` says every rule that failed."""

    def __init__(self, category: str, reasons: tuple[str, ...]):
        super().__init__(
            message=_("Not eligible for %(category)s: %(reasons)s.", category=category, reasons="; ".join(reasons)),
            field="reasons",
        )
        self.reasons = list(reasons)


# ----------------------------------------------------------------------------- the ledger, as the rules see it


def provider_key(entry: HourEntry) -> rules.ProviderKey | None:
    """Who the hours came from, for the source rule: an account, else the external provider's details."""
    if entry.provider_id is not None:
        return rules.ProviderKey.account(entry.provider_id)
    return outside_key(entry.provider_name, entry.provider_category, entry.provider_credential_number)


def outside_key(name: str | None, category: str | None, number: str | None) -> rules.ProviderKey | None:
    """An external provider's identity from their details (None without a name)."""
    if not name:
        return None
    # Case and spacing differences in a typed name must not split one provider into two sources.
    parts = (name, category or "", number or "")
    return rules.ProviderKey.outside("|".join(" ".join(part.split()).casefold() for part in parts))


def ledger_entry(entry: HourEntry) -> rules.LedgerEntry:
    return rules.LedgerEntry(
        id=entry.id,
        date=entry.entry_date,
        minutes=entry.minutes,
        format=entry.format,
        peer=entry.peer,
        verified=entry.verified,
        provider_key=provider_key(entry),
        provider_name=entry.provider_name,
        credentials=tuple(c.stamp for c in entry.credentials),
    )


def _standing_entries(organization_id: int, start: date, end: date, people) -> list[HourEntry]:
    """Two queries for any number of people (the entries, then every stamp of theirs, however many):
    `people` is a list of ids or a subquery of them."""
    return list(
        db.session.scalars(
            standing_entries_query(organization_id)
            .where(HourEntry.person_id.in_(people), HourEntry.entry_date >= start, HourEntry.entry_date <= end)
            .order_by(HourEntry.person_id, HourEntry.entry_date, HourEntry.id)
            .options(subqueryload(HourEntry.credentials))
        )
    )


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


def renewal_for(person: Person, as_of: date) -> renewal.Renewal | None:
    """Renewal of the endorsement the person holds, if they hold one (renewal_service has the rule)."""
    from rs_service.endorsement import renewal_service  # it builds on this module's ledger view

    try:
        answer = renewal_service.renewal_of(person, as_of)
    except Conflict:
        return None  # no rule set in force: nothing to measure renewal against
    return None if answer.status == renewal.NOT_ENDORSED else answer


@dataclass(frozen=True)
class Progress:
    """What templates/endorsement/_progress.html shows on a participant's own pages."""

    eligibility: rules.Eligibility | None  # toward the category the person pursues
    renewal: renewal.Renewal | None  # for a credential already held
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


# ----------------------------------------------------------------------------- totals, summed by the database


def _principal_credential_id():
    """The id of the entry's principal credential (HourEntry.principal_credential, in SQL): the latest
    started of those nothing says were invalid on its date, else the latest started of all. (SQLite cannot
    order a subquery by the outer row's columns, so the two choices are two subqueries.)"""

    def latest_started(*where):
        cred = aliased(EntryCredential)
        return (
            db.select(cred.id)
            .where(cred.hour_entry_id == HourEntry.id, *[condition(cred) for condition in where])
            .order_by(case((cred.valid_from.is_(None), 1), else_=0), cred.valid_from.desc(), cred.id.desc())
            .limit(1)
            .correlate(HourEntry)
            .scalar_subquery()
        )

    def possibly_valid(cred):
        return and_(
            or_(cred.valid_from.is_(None), cred.valid_from <= HourEntry.entry_date),
            or_(cred.valid_until.is_(None), cred.valid_until >= HourEntry.entry_date),
        )

    return func.coalesce(latest_started(possibly_valid), latest_started())


def source_totals(
    organization_id: int, requirement: rules.Requirement, as_of: date, people
) -> dict[int, list[rules.SourceTotal]]:
    """Per person and source, the minutes of the entries that pass the rules' steps 1 and 2, in one query.

    Mirrors rules.assess_eligibility entry by entry: standing entries in the window, not peer, verified,
    of an allowed format, with a stamped credential of a qualifying category valid on the entry's date.
    An external provider is told apart by their name and principal credential, as `provider_key` does.
    `people` is a list of ids or a subquery of them. Rows: one per person and source, never per entry.
    """
    start = rules.window_start(as_of, requirement.window_months)
    qualifying = EntryCredential
    entries = (
        standing_entries_query(organization_id)
        .with_only_columns(
            HourEntry.person_id,
            HourEntry.provider_id,
            HourEntry.provider_name,
            HourEntry.minutes,
            HourEntry.entry_date,
            case((HourEntry.provider_id.is_(None), _principal_credential_id())).label("principal_id"),
        )
        .where(
            HourEntry.person_id.in_(people),
            HourEntry.entry_date >= start,
            HourEntry.entry_date <= as_of,
            HourEntry.peer.is_(False),
            HourEntry.verified.is_(True),
            HourEntry.format.in_(sorted(requirement.allowed_formats)),
            exists().where(
                qualifying.hour_entry_id == HourEntry.id,
                qualifying.category.in_(sorted(requirement.provider_categories)),
                qualifying.valid_from.is_not(None),
                qualifying.valid_from <= HourEntry.entry_date,
                or_(qualifying.valid_until.is_(None), qualifying.valid_until >= HourEntry.entry_date),
            ),
        )
        .cte("counted_entries")
    )
    by_source = (entries.c.person_id, entries.c.provider_id, entries.c.provider_name)
    sums = (func.sum(entries.c.minutes), func.min(entries.c.entry_date), func.max(entries.c.entry_date))
    # Accounts are told apart by id; only the few external providers need their principal credential.
    accounts = (
        db.select(*by_source, null(), null(), *sums).where(entries.c.provider_id.is_not(None)).group_by(*by_source)
    )
    principal = aliased(EntryCredential)
    details = (principal.category, principal.number)
    outside = (
        db.select(*by_source, *details, *sums)
        .outerjoin(principal, principal.id == entries.c.principal_id)
        .where(entries.c.provider_id.is_(None))
        .group_by(*by_source, *details)
    )
    rows = db.session.execute(union_all(accounts, outside)).tuples()
    totals: dict[int, list[rules.SourceTotal]] = {}
    for person_id, provider_id, name, category, number, minutes, first, last in rows:
        key = rules.ProviderKey.account(provider_id) if provider_id is not None else outside_key(name, category, number)
        totals.setdefault(person_id, []).append(
            rules.SourceTotal(key, name, int(minutes), _as_date(first), _as_date(last))
        )
    return totals


def _as_date(value) -> date:
    """SQLite returns min() and max() of a date column as text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def uncertified_pursuers(organization_id: int, categories, people=None):
    """(person id, category) of everyone pursuing one of `categories` without a valid certificate for it."""
    query = db.select(Person.id, Person.pursuing_category).where(
        Person.organization_id == organization_id,
        Person.pursuing_category.in_(sorted(categories)),
        ~exists().where(
            Certificate.person_id == Person.id,
            Certificate.category == Person.pursuing_category,
            Certificate.revoked_at.is_(None),
        ),
    )
    return query if people is None else query.where(Person.id.in_(people))


def judged_by_totals(organization_id: int, as_of: date, people=None) -> dict[int, rules.Eligibility]:
    """Eligibility, toward the category each pursues, of everyone (or of `people`, ids or a subquery) who
    holds no valid certificate for it yet: one query per category pursued, memory per person, not per entry."""
    requirement_set = requirement_set_in_force(organization_id, as_of)
    if requirement_set is None:
        return {}
    rows = {r.category: rules_requirement(r) for r in requirement_set.requirements if r.rsc_required}
    pursuers = uncertified_pursuers(organization_id, rows, people).subquery()
    by_category: dict[str, list[int]] = {}
    for person_id, category in db.session.execute(db.select(pursuers.c.id, pursuers.c.pursuing_category)).tuples():
        by_category.setdefault(category, []).append(person_id)
    results: dict[int, rules.Eligibility] = {}
    for category, person_ids in sorted(by_category.items()):
        requirement = rows[category]
        whose = db.select(pursuers.c.id).where(pursuers.c.pursuing_category == category)
        totals = source_totals(organization_id, requirement, as_of, whose)
        nothing = rules.assess_totals(requirement, (), as_of)
        for person_id in person_ids:
            found = totals.get(person_id)
            results[person_id] = rules.assess_totals(requirement, found, as_of) if found else nothing
    return results


# ----------------------------------------------------------------------------- ready to certify


@dataclass(frozen=True)
class Candidate:
    person: Person
    result: rules.Eligibility

    @property
    def shortfall_minutes(self) -> int:
        return max(0, self.result.required_minutes - self.result.counted_minutes)


def ready_to_certify(
    organization: Organization, as_of: date | None = None, within_minutes: int = NEAR_MINUTES
) -> list[Candidate]:
    """People eligible, or within `within_minutes` of it, for the category they pursue.

    People already holding a valid certificate for that category are done and left out.
    A fixed number of queries whatever the number of people, and the database does the summing:
    no entry is loaded (the evidence packet shows them, one person at a time).
    """
    as_of = as_of or today_for(organization)
    results = judged_by_totals(organization.id, as_of)
    near = {
        person_id: result
        for person_id, result in results.items()
        if result.eligible or result.required_minutes - result.counted_minutes <= within_minutes
    }
    if not near:
        return []
    people = db.session.scalars(db.select(Person).where(Person.id.in_(sorted(near))))
    candidates = [Candidate(person, near[person.id]) for person in people]
    return sorted(candidates, key=lambda c: (not c.result.eligible, c.shortfall_minutes, c.person.name, c.person.id))


# ----------------------------------------------------------------------------- certificates


def new_certificate_code() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits: unguessable, and altering it finds nothing


class EvidenceChanged(Conflict):
    """The evidence staff confirmed is no longer what the rules count (an entry was added or corrected since)."""

    def __init__(self):
        super().__init__(
            message=_("The evidence changed since it was shown: review it again before issuing."), field="evidence"
        )


def evidence_fingerprint(assessment: Assessment) -> str:
    """Names what a confirmation page showed: the requirement and the entries counted."""
    shown = f"{assessment.requirement.id}:{','.join(map(str, assessment.result.counted_entry_ids))}"
    return hashlib.sha256(shown.encode()).hexdigest()[:32]


def issue_certificate(
    person: Person, category: str, actor: Person, as_of: date | None = None, evidence: str | None = None
) -> Certificate:
    """Certify the hours counted toward `category` as of `as_of` (default today), or refuse with the reasons.

    `evidence`, from the confirmation page, must still name what the rules count now.
    """
    today = today_for(person.organization)
    as_of = as_of or today
    if as_of > today:
        raise InvalidInput(field="as_of", message=_("hours cannot be certified as of a future date"))
    hold_person(person)
    assessment = assess(person, category, as_of)
    if not assessment.requirement.rsc_required:
        raise Conflict(
            message=_(
                "%(category)s requires no reflective supervision hours, so there is nothing to certify.",
                category=category,
            ),
            field="category",
        )
    if not assessment.result.eligible:
        raise NotEligible(category, assessment.result.reasons)
    if evidence is not None and evidence != evidence_fingerprint(assessment):
        raise EvidenceChanged()
    result = assessment.result
    _refuse_duplicate(person, category, result.window_start, result.window_end)
    certificate = Certificate(
        organization_id=person.organization_id,
        code=new_certificate_code(),
        person_id=person.id,
        category=category,
        requirement_id=assessment.requirement.id,
        counted_minutes=result.counted_minutes,
        window_start=result.window_start,
        window_end=result.window_end,
        issued_by_id=actor.id,
        status_index=free_status_index(person.organization_id),
    )
    _add_certificate(certificate)
    db.session.execute(
        certificate_entries.insert(),
        [{"certificate_id": certificate.id, "hour_entry_id": i} for i in result.counted_entry_ids],
    )
    record_event(
        person.organization_id,
        actor,
        "certificate.issued",
        person_id=person.id,
        after={
            "certificate_id": certificate.id,
            "category": category,
            "counted_minutes": result.counted_minutes,
            "window_start": result.window_start.isoformat(),
            "window_end": result.window_end.isoformat(),
            "requirement_version": assessment.requirement.requirement_set.version,
            "counted_entry_ids": list(result.counted_entry_ids),
        },
    )
    from rs_service.notifications.endorsement_notices import notify_holder  # it composes from this module

    notify_holder(certificate)
    return certificate


def hold_person(person: Person) -> None:
    """Lock the person's row until the request ends, so two requests issuing to them take turns.

    The second one waits here for the first to commit, then finds its certificate and is refused.
    SQLite has no row locks; there the unique index on valid certificates settles the race.
    """
    db.session.execute(db.select(Person.id).where(Person.id == person.id).with_for_update())


def _add_certificate(certificate: Certificate) -> None:
    """Insert, turning a lost race (the database's one-valid-certificate index) into AlreadyCertified.

    The failed insert spoils the transaction, so it is rolled back here: nothing else of this
    request may be committed after a refusal anyway.
    """
    db.session.add(certificate)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _valid_certificate(
            certificate.person_id, certificate.category, certificate.window_start, certificate.window_end
        )
        if existing is None:
            raise
        raise AlreadyCertified(existing) from None


def _valid_certificate(person_id: int, category: str, window_start: date, window_end: date) -> Certificate | None:
    return db.session.scalar(
        db.select(Certificate)
        .options(joinedload(Certificate.person))
        .where(
            Certificate.person_id == person_id,
            Certificate.category == category,
            Certificate.window_start == window_start,
            Certificate.window_end == window_end,
            Certificate.revoked_at.is_(None),
        )
    )


def _refuse_duplicate(person: Person, category: str, window_start: date, window_end: date) -> None:
    """A second click on Issue must not make a second certificate for the same judgement."""
    existing = _valid_certificate(person.id, category, window_start, window_end)
    if existing is not None:
        raise AlreadyCertified(existing)


def certificate_by_code(code: str) -> Certificate | None:
    """Any association's certificate: verification is public. Malformed codes are not looked up."""
    if not CODE_PATTERN.fullmatch(code or ""):
        return None
    return db.session.scalar(
        db.select(Certificate).options(joinedload(Certificate.person)).where(Certificate.code == code)
    )


def certificate_in_association(code: str, organization_id: int) -> Certificate | None:
    certificate = certificate_by_code(code)
    return certificate if certificate and certificate.organization_id == organization_id else None


def issuer_of(certificate: Certificate) -> Organization:
    return db.session.get_one(Organization, certificate.organization_id)


def certificates_of(person: Person) -> list[Certificate]:
    return list(
        db.session.scalars(
            db.select(Certificate)
            .where(Certificate.person_id == person.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def certificates_for_review(organization_id: int) -> list[Certificate]:
    """Valid certificates that relied on an entry corrected since: staff decide whether they stand."""
    return list(
        db.session.scalars(
            db.select(Certificate)
            .options(joinedload(Certificate.person))
            .where(
                Certificate.organization_id == organization_id,
                Certificate.review_flagged_at.is_not(None),
                Certificate.revoked_at.is_(None),
            )
            .order_by(Certificate.review_flagged_at, Certificate.id)
        )
    )


def certified_entries(certificate: Certificate) -> list[HourEntry]:
    """The entries the certificate counted when it was issued, whatever has happened to them since."""
    return list(
        db.session.scalars(
            db.select(HourEntry)
            .join(certificate_entries, certificate_entries.c.hour_entry_id == HourEntry.id)
            .where(certificate_entries.c.certificate_id == certificate.id)
            .order_by(HourEntry.entry_date, HourEntry.id)
        )
    )


def revoke_certificate(certificate: Certificate, actor: Person, reason: str) -> Certificate:
    reason = _reason("reason", reason)
    if certificate.revoked_at is not None:
        raise Conflict(
            message=_(
                "The certificate was already revoked on %(date)s.", date=certificate.revoked_at.strftime("%Y-%m-%d")
            ),
            field="reason",
        )
    certificate.revoked_at = clock.now()
    certificate.revoked_reason = reason
    db.session.flush()
    record_event(
        certificate.organization_id,
        actor,
        "certificate.revoked",
        person_id=certificate.person_id,
        before={"certificate_id": certificate.id, "status": "valid"},
        after={"certificate_id": certificate.id, "status": "revoked"},
        reason=reason,
    )
    return certificate


def flag_certificates_for_entries(entry_ids, reason: str, actor: Person | None = None) -> list[Certificate]:
    """Mark for staff review every valid certificate that counted one of these (now corrected) entries."""
    entry_ids = sorted(set(entry_ids))
    if not entry_ids:
        return []
    relied_on = db.select(certificate_entries.c.certificate_id).where(
        certificate_entries.c.hour_entry_id.in_(entry_ids)
    )
    certificates = list(
        db.session.scalars(
            db.select(Certificate)
            .where(Certificate.id.in_(relied_on), Certificate.revoked_at.is_(None))
            .order_by(Certificate.id)
        )
    )
    now = clock.now()
    for certificate in certificates:
        reasons = [r for r in (certificate.review_reason, reason) if r]
        certificate.review_reason = "; ".join(dict.fromkeys(reasons))[:500] or None
        certificate.review_flagged_at = certificate.review_flagged_at or now
        record_event(
            certificate.organization_id,
            actor,
            "certificate.flagged",
            person_id=certificate.person_id,
            after={"certificate_id": certificate.id, "entry_ids": entry_ids},
            reason=reason,
        )
    db.session.flush()
    return certificates


def clear_review_flag(certificate: Certificate, actor: Person, note: str, field: str = "note") -> Certificate:
    """Staff reviewed a flagged certificate and it stands (they confirm it); the note says why."""
    note = _reason(field, note)
    if not certificate.under_review:
        raise Conflict(message=_("The certificate is not under review."), field=field)
    record_event(
        certificate.organization_id,
        actor,
        "certificate.review_cleared",
        person_id=certificate.person_id,
        before={"certificate_id": certificate.id, "review_reason": certificate.review_reason},
        after={"certificate_id": certificate.id},
        reason=note,
    )
    certificate.review_flagged_at = None
    certificate.review_reason = None
    db.session.flush()
    return certificate


def _reason(field: str, text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(field=field, message=_("say why, in a few words"))
    if len(text) > 500:
        raise InvalidInput(field=field, message=_("must be at most 500 characters"))
    return text


# ----------------------------------------------------------------------------- evidence and documents


def sessions_by_id(entries) -> dict[int | None, Session]:
    """The sessions of the entries by id, to look up by an entry's session_id (None finds none)."""
    ids = {e.session_id for e in entries if e.session_id is not None}
    if not ids:
        return {}
    return {
        s.id: s
        for s in db.session.scalars(db.select(Session).options(joinedload(Session.group)).where(Session.id.in_(ids)))
    }


def session_label(session: Session | None) -> str | None:
    if session is None:
        return None
    local = session.starts_at.astimezone(ZoneInfo(session.group.timezone))
    return _(
        "%(group)s, %(start)s (%(minutes)s min)",
        group=session.group.name,
        start=local.strftime("%Y-%m-%d %H:%M"),
        minutes=session.duration_minutes,
    )


def credential_snapshot(entry: HourEntry) -> str:
    """The provider credentials stamped on the entry, as a reviewer reads them."""
    if not entry.credentials:
        return _("no credential recorded")
    return "; ".join(credential_text(c) for c in entry.credentials)


def credential_text(credential: EntryCredential) -> str:
    name = f"{credential.category} #{credential.number}" if credential.number else credential.category
    if credential.valid_from is None:
        return _("%(credential)s (validity dates not recorded)", credential=name)
    until = credential.valid_until.isoformat() if credential.valid_until else _("open-ended")
    return _(
        "%(credential)s (valid %(start)s to %(end)s)",
        credential=name,
        start=credential.valid_from.isoformat(),
        end=until,
    )


def evidence_trail(person: Person, session_ids, limit: int = 500) -> list[AuditEvent]:
    """The person's own events, and the session-wide ones (sign-off, reschedule) of the sessions counted.

    Other attendees' events in those sessions stay out: the packet is about this person.
    """
    about_session = (
        and_(AuditEvent.session_id.in_(sorted(session_ids)), AuditEvent.person_id.is_(None)) if session_ids else None
    )
    condition = (
        or_(AuditEvent.person_id == person.id, about_session)
        if about_session is not None
        else AuditEvent.person_id == person.id
    )
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .options(joinedload(AuditEvent.actor))
            .where(AuditEvent.organization_id == person.organization_id, condition)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def certificate_document(certificate: Certificate, verify_url: str) -> CertificateDocument:
    entries = certified_entries(certificate)
    sessions = sessions_by_id(entries)
    lines = tuple(
        TranscriptLine(
            date=e.entry_date,
            minutes=e.minutes,
            format=e.format,
            provider_name=e.provider_name or _("unnamed"),
            provider_credential=credential_snapshot(e),
            session_label=session_label(sessions.get(e.session_id)),
        )
        for e in entries
    )
    issuer = issuer_of(certificate)
    return CertificateDocument(
        code=certificate.code,
        verify_url=verify_url,
        association_name=issuer.name,
        person_name=certificate.person.name,
        category=certificate.category,
        category_name=CATEGORY_NAMES[certificate.category],
        counted_minutes=certificate.counted_minutes,
        window_start=certificate.window_start,
        window_end=certificate.window_end,
        issued_at=certificate.issued_at,
        rule_version=certificate.requirement.requirement_set.version,
        status=certificate.status,
        revoked_at=certificate.revoked_at,
        lines=lines,
        timezone=issuer.timezone,
        under_review_since=certificate.review_flagged_at if certificate.under_review else None,
    )


def document_name(certificate: Certificate, kind: str, extension: str) -> str:
    """A file name that says whose and what it is: "Zoë Lindqvist - IFS RSC certificate.pdf"."""
    return f"{safe_file_part(certificate.person.name)} - {certificate.category} RSC {kind}.{extension}"


def safe_file_part(name: str) -> str:
    """Only letters, digits, spaces and a few marks of a name: no path, quote or control character
    reaches a Content-Disposition header or an attachment."""
    return " ".join(re.sub(r"[^\w .'-]", " ", name).split()) or "holder"


def verify_url(certificate: Certificate) -> str:
    return external_url("endorsement.verify", code=certificate.code)


def review_since(certificate: Certificate, zone: str) -> date | None:
    """The association's date on which the certificate came under review, if it is."""
    if certificate.review_flagged_at is None or not certificate.under_review:
        return None
    return clock.local_date(certificate.review_flagged_at, zone)


def public_record(certificate: Certificate) -> dict:
    """Only what a reviewer needs; times in the issuing association's zone. No reason, no transcript."""
    issuer = issuer_of(certificate)
    zone = ZoneInfo(issuer.timezone)
    return {
        "code": certificate.code,
        "status": certificate.status,
        "under_review": certificate.under_review,
        "review_since": review_since(certificate, issuer.timezone),
        "review_flagged_at": certificate.review_flagged_at if certificate.under_review else None,
        "timezone": issuer.timezone,
        "person_name": certificate.person.name,
        "category": certificate.category,
        "category_name": CATEGORY_NAMES[certificate.category],
        "counted_minutes": certificate.counted_minutes,
        "hours": format_hours(certificate.counted_minutes),
        "window_start": certificate.window_start,
        "window_end": certificate.window_end,
        "issued_at": certificate.issued_at.astimezone(zone),
        "revoked_at": certificate.revoked_at.astimezone(zone) if certificate.revoked_at else None,
        "issuer": issuer.name,
    }


def staff_record(certificate: Certificate) -> dict:
    zone = ZoneInfo(issuer_of(certificate).timezone)
    return {
        "under_review": certificate.under_review,
        "review_since": review_since(certificate, zone.key),
        "code": certificate.code,
        "verify_url": verify_url(certificate),
        "person_id": certificate.person_id,
        "category": certificate.category,
        "counted_minutes": certificate.counted_minutes,
        "window_start": certificate.window_start,
        "window_end": certificate.window_end,
        "issued_at": certificate.issued_at.astimezone(zone),
        "status": certificate.status,
        "revoked_at": certificate.revoked_at.astimezone(zone) if certificate.revoked_at else None,
        "rule_version": certificate.requirement.requirement_set.version,
    }
