"""The certificate register: every certificate an association issued, found again by holder,
category, status or review flag, sorted and paged in two queries whatever the page holds."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.orm import contains_eager, joinedload

from rs_service.accounts.models import Organization, Person
from rs_service.clock_hours import clock_hours
from rs_service.endorsement import service
from rs_service.endorsement.models import Certificate, Requirement
from rs_service.extensions import db

STATUSES = ("valid", "revoked")
# Sort keys as the page and API name them; a leading "-" reverses. Ties go to the newest id.
SORTS = {
    "issued": (Certificate.issued_at,),
    "holder": (func.lower(Person.name), Person.name),
    "category": (Certificate.category,),
    "hours": (Certificate.counted_minutes,),
    "window": (Certificate.window_end,),
}
DEFAULT_SORT = "-issued"
SORT_CHOICES = tuple(key for name in SORTS for key in (name, f"-{name}"))
CSV_COLUMNS = (
    "code",
    "holder",
    "holder_email",
    "category",
    "hours",
    "counted_minutes",
    "window_start",
    "window_end",
    "issued_at",
    "status",
    "revoked_at",
    "under_review",
    "review_since",
    "rule_version",
    "verify_url",
)


@dataclass(frozen=True)
class RegisterQuery:
    person_id: int | None = None
    category: str | None = None
    status: str | None = None  # "valid" or "revoked"
    under_review: bool | None = None
    holder: str | None = None  # part of the holder's name or email, any case
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class RegisterPage:
    items: list[Certificate]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(organization_id: int, query: RegisterQuery):
    statement = db.select(Certificate).join(Certificate.person).where(Certificate.organization_id == organization_id)
    if query.person_id is not None:
        statement = statement.where(Certificate.person_id == query.person_id)
    if query.category:
        statement = statement.where(Certificate.category == query.category)
    if query.status == "valid":
        statement = statement.where(Certificate.revoked_at.is_(None))
    elif query.status == "revoked":
        statement = statement.where(Certificate.revoked_at.is_not(None))
    if query.under_review is not None:
        flagged = Certificate.review_flagged_at.is_not(None) & Certificate.revoked_at.is_(None)
        statement = statement.where(flagged if query.under_review else ~flagged)
    if query.holder:
        holder = query.holder.lower()
        statement = statement.where(
            func.lower(Person.name).contains(holder, autoescape=True)
            | func.lower(Person.email).contains(holder, autoescape=True)
        )
    return statement


def _ordered(statement, sort: str):
    descending = sort.startswith("-")
    columns = SORTS[sort.lstrip("-")]
    order = [c.desc() if descending else c.asc() for c in columns]
    return statement.order_by(*order, Certificate.id.desc())


def _loaded(statement):
    return statement.options(
        contains_eager(Certificate.person),
        joinedload(Certificate.requirement).joinedload(Requirement.requirement_set),
    )


def register_page(organization_id: int, query: RegisterQuery) -> RegisterPage:
    filtered = _filtered(organization_id, query)
    total = db.session.scalar(filtered.with_only_columns(func.count(Certificate.id)).order_by(None)) or 0
    items = db.session.scalars(
        _loaded(_ordered(filtered, query.sort)).limit(query.per_page).offset((query.page - 1) * query.per_page)
    )
    return RegisterPage(list(items), total, query.page, query.per_page)


def register_all(organization_id: int, query: RegisterQuery) -> list[Certificate]:
    """Every certificate matching the filters, for the CSV export: one query."""
    return list(db.session.scalars(_loaded(_ordered(_filtered(organization_id, query), query.sort))))


def under_review(certificate: Certificate) -> bool:
    """The existing review flag: an entry the certificate counted was corrected and staff have not decided."""
    return certificate.review_flagged_at is not None and certificate.revoked_at is None


def review_since(certificate: Certificate, zone: ZoneInfo) -> date | None:
    flagged = certificate.review_flagged_at
    return flagged.astimezone(zone).date() if flagged is not None and under_review(certificate) else None


def register_record(certificate: Certificate, organization: Organization) -> dict:
    zone = ZoneInfo(organization.timezone)
    return {
        "code": certificate.code,
        "verify_url": service.verify_url(certificate),
        "person_id": certificate.person_id,
        "holder": certificate.person.name,
        "holder_email": certificate.person.email,
        "category": certificate.category,
        "counted_minutes": certificate.counted_minutes,
        "hours": clock_hours(certificate.counted_minutes),
        "window_start": certificate.window_start,
        "window_end": certificate.window_end,
        "issued_at": certificate.issued_at.astimezone(zone),
        "status": certificate.status,
        "revoked_at": certificate.revoked_at.astimezone(zone) if certificate.revoked_at else None,
        "under_review": under_review(certificate),
        "review_since": review_since(certificate, zone),
        "rule_version": certificate.requirement.requirement_set.version,
    }


def csv_row(record: dict) -> tuple:
    return tuple(record[column] for column in CSV_COLUMNS)
