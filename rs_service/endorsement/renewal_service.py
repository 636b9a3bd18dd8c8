"""Renewal of endorsements already held: one person's answer, and the association's list.

Loads what the pure rule (renewal.py) needs in a fixed number of queries and never writes.
The requirement set in force on the as-of date says how many minutes a year and when they are due.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from rs_service.accounts.models import Credential, Organization, Person
from rs_service.domain_errors import Conflict
from rs_service.endorsement import renewal, rules
from rs_service.endorsement.models import Requirement
from rs_service.endorsement.requirements import check_category, check_date, requirement_set_in_force
from rs_service.endorsement.service import ledger_entry
from rs_service.extensions import db
from rs_service.hours.ledger import standing_entries_query
from rs_service.hours.models import HourEntry

# Status order for lists: who needs attention first.
STATUS_ORDER = {renewal.OVERDUE: 0, renewal.DUE: 1, renewal.MET: 2, renewal.NOT_ENDORSED: 3}


@dataclass(frozen=True)
class EndorsedPerson:
    person: Person
    renewal: renewal.Renewal


def renewal_rule(row: Requirement) -> renewal.RenewalRule:
    return renewal.RenewalRule(
        category=row.category,
        renewal_minutes=row.renewal_minutes or 0,
        due=renewal.DueDate.parse(row.renewal_due),
        provider_categories=frozenset(row.provider_categories),
    )


def held(credentials: Iterable[Credential]) -> list[renewal.HeldCredential]:
    return [renewal.HeldCredential(c.category, c.valid_from, c.valid_until) for c in credentials]


def renewal_category(credentials: Iterable[Credential], rows: dict[str, Requirement], as_of: date) -> str | None:
    """The endorsement a person renews: of those valid on `as_of`, one whose category asks renewal RSC
    if any does, else any; the most recently started first."""
    valid = [c for c in credentials if c.is_valid_on(as_of)]
    if not valid:
        return None
    best = max(valid, key=lambda c: (bool(rows.get(c.category) and rows[c.category].renewal_minutes), c.valid_from))
    return best.category


def _rows_in_force(organization_id: int, as_of: date) -> dict[str, Requirement]:
    requirement_set = requirement_set_in_force(organization_id, as_of)
    if requirement_set is None:
        raise Conflict(
            message=_(
                "The association has no requirements in force on %(date)s; "
                "staff can add them on the Requirements page.",
                date=as_of.isoformat(),
            ),
            field="as_of",
        )
    return {row.category: row for row in requirement_set.requirements}


def _judge(
    person: Person, category: str | None, rows: dict[str, Requirement], entries: list[rules.LedgerEntry], as_of: date
) -> renewal.Renewal:
    if category is None:
        return renewal.Renewal("", renewal.NOT_ENDORSED, as_of, None, None, 0, 0, None, None, (), ())
    row = rows.get(category)
    if row is None:
        raise Conflict(
            message=_(
                "The requirements in force on %(date)s say nothing of %(category)s.",
                date=as_of.isoformat(),
                category=category,
            ),
            field="category",
        )
    return renewal.assess_renewal_status(renewal_rule(row), held(person.credentials), entries, as_of)


def renewal_of(person: Person, as_of: date, category: str | None = None) -> renewal.Renewal:
    """The person's renewal in `category`, or in the endorsement they renew when none is named."""
    check_date("as_of", as_of)
    rows = _rows_in_force(person.organization_id, as_of)
    category = check_category(category) if category else renewal_category(person.credentials, rows, as_of)
    entries = [ledger_entry(e) for e in _entries(person.organization_id, [person.id], as_of)]
    return _judge(person, category, rows, entries, as_of)


def renewals(organization: Organization, as_of: date, status: str | None = None) -> list[EndorsedPerson]:
    """Everyone in the association endorsed on `as_of`, with their renewal; overdue first, then due.

    A fixed number of queries whatever the number of people: the rules, the people with their
    credentials, and all their entries at once.
    """
    check_date("as_of", as_of)
    rows = _rows_in_force(organization.id, as_of)
    endorsed = (
        Person.organization_id == organization.id,
        Person.credentials.any(
            (Credential.valid_from <= as_of) & or_(Credential.valid_until.is_(None), Credential.valid_until >= as_of)
        ),
    )
    people = list(
        db.session.scalars(
            db.select(Person)
            .options(selectinload(Person.credentials))
            .where(*endorsed)
            .order_by(Person.name, Person.id)
        )
    )
    by_person: dict[int, list[rules.LedgerEntry]] = {}
    for entry in _entries(organization.id, [p.id for p in people], as_of):
        by_person.setdefault(entry.person_id, []).append(ledger_entry(entry))
    answers = []
    for person in people:
        category = renewal_category(person.credentials, rows, as_of)
        answer = _judge(person, category, rows, by_person.get(person.id, []), as_of)
        if status is None or answer.status == status:
            answers.append(EndorsedPerson(person, answer))
    return sorted(
        answers,
        key=lambda a: (STATUS_ORDER[a.renewal.status], a.renewal.due_on or date.max, a.person.name, a.person.id),
    )


def _entries(organization_id: int, person_ids: list[int], as_of: date) -> list[HourEntry]:
    """Every standing entry a renewal judged on `as_of` may count, for all these people in one query."""
    if not person_ids:
        return []
    return list(
        db.session.scalars(
            standing_entries_query(organization_id)
            .where(
                HourEntry.person_id.in_(person_ids),
                HourEntry.entry_date >= as_of - renewal.EARLIEST_ENTRY_NEEDED,
                HourEntry.entry_date <= as_of,
            )
            .order_by(HourEntry.person_id, HourEntry.entry_date, HourEntry.id)
        )
    )
