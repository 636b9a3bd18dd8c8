"""Requirement sets: each association's versioned Endorsement rules, seeded with the Alliance baseline.

A version in use is never edited: a change is a new version with its own effective date.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from rs_service import clock
from rs_service.accounts.models import Organization, Person
from rs_service.audit.service import record_event
from rs_service.database import MAX_ID
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.endorsement import rules
from rs_service.endorsement.baseline import BASELINE_REQUIREMENTS
from rs_service.endorsement.categories import CATEGORY_CODES, CATEGORY_NAMES
from rs_service.endorsement.models import Requirement, RequirementSet
from rs_service.endorsement.renewal import due_date_problem
from rs_service.extensions import db

# Endorsement began in 2002: no rule set or certificate is ever judged before 2000, and the bounds
# keep month arithmetic and database date types far from their limits.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
BASELINE_EFFECTIVE_FROM = EARLIEST_DATE
REQUIREMENT_FIELDS = (
    "rsc_required",
    "required_minutes",
    "window_months",
    "min_span_months",
    "provider_categories",
    "max_sources",
    "majority_rule",
    "renewal_minutes",
    "renewal_due",
)


# ----------------------------------------------------------------------------- dates and lookups


def today_for(organization: Organization) -> date:
    """Today where the association works: eligibility is judged on its calendar, not the server's."""
    return clock.today_in(organization.timezone)


def check_date(field: str, value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(
            field=field,
            message=_(
                "must be between %(start)s and %(end)s", start=EARLIEST_DATE.isoformat(), end=LATEST_DATE.isoformat()
            ),
        )
    return value


def check_category(category: str) -> str:
    if category not in CATEGORY_CODES:
        raise InvalidInput(
            field="category",
            message=_(
                "%(category)s is not an Endorsement category (%(codes)s)",
                category=repr(category),
                codes=", ".join(CATEGORY_CODES),
            ),
        )
    return category


# ----------------------------------------------------------------------------- requirement sets


def seed_baseline(organization: Organization) -> RequirementSet:
    """Version 1 of the association's rules: the Alliance baseline. Does nothing when a set exists."""
    existing = db.session.scalar(
        db.select(RequirementSet)
        .where(RequirementSet.organization_id == organization.id)
        .order_by(RequirementSet.version)
        .limit(1)
    )
    if existing is not None:
        return existing
    return _add_requirement_set(
        organization.id, 1, BASELINE_EFFECTIVE_FROM, "Alliance baseline", BASELINE_REQUIREMENTS, actor=None
    )


def _add_requirement_set(
    organization_id: int, version: int, effective_from: date, note: str | None, rows, actor: Person | None
) -> RequirementSet:
    requirement_set = RequirementSet(
        organization_id=organization_id,
        version=version,
        effective_from=effective_from,
        note=note,
        created_by_id=actor.id if actor else None,
        requirements=[
            Requirement(
                category=row["category"],
                name=CATEGORY_NAMES[row["category"]],
                **{key: _copy(row[key]) for key in REQUIREMENT_FIELDS},
            )
            for row in rows
        ],
    )
    db.session.add(requirement_set)
    db.session.flush()
    return requirement_set


def _copy(value):
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else value


def requirement_sets(organization_id: int) -> list[RequirementSet]:
    """Every version, newest first (requirements not loaded: the listing does not need them)."""
    return list(
        db.session.scalars(
            db.select(RequirementSet)
            .where(RequirementSet.organization_id == organization_id)
            .order_by(RequirementSet.version.desc())
        )
    )


def requirement_set_version(organization_id: int, version: int) -> RequirementSet | None:
    if not 0 < version <= MAX_ID:
        return None
    return db.session.scalar(
        db.select(RequirementSet)
        .options(selectinload(RequirementSet.requirements))
        .where(RequirementSet.organization_id == organization_id, RequirementSet.version == version)
    )


def requirement_set_in_force(organization_id: int, as_of: date) -> RequirementSet | None:
    """The latest-starting set effective on `as_of`; of two starting the same day, the newer version."""
    return db.session.scalar(
        db.select(RequirementSet)
        .options(selectinload(RequirementSet.requirements))
        .where(RequirementSet.organization_id == organization_id, RequirementSet.effective_from <= as_of)
        .order_by(RequirementSet.effective_from.desc(), RequirementSet.version.desc())
        .limit(1)
    )


def requirement_in_force(organization_id: int, category: str, as_of: date) -> Requirement:
    check_category(category)
    requirement_set = requirement_set_in_force(organization_id, check_date("as_of", as_of))
    row = next((r for r in requirement_set.requirements if r.category == category), None) if requirement_set else None
    if row is None:
        raise Conflict(
            message=_(
                "The association has no requirement for %(category)s in force on %(date)s; "
                "staff can add one on the Requirements page.",
                category=category,
                date=as_of.isoformat(),
            ),
            field="category",
        )
    return row


def requirement_values(row: Requirement) -> dict:
    return {"category": row.category, **{key: _copy(getattr(row, key)) for key in REQUIREMENT_FIELDS}}


def new_requirement_set_version(
    organization: Organization,
    actor: Person,
    *,
    effective_from: date,
    changes: dict[str, dict],
    note: str | None = None,
) -> RequirementSet:
    """A new version: the set in force on `effective_from`, copied with `changes` applied.

    Sets are never edited, so certificates keep meaning what they meant when they were judged.
    `changes` maps a category to the fields that change (any of REQUIREMENT_FIELDS).
    """
    check_date("effective_from", effective_from)
    base = requirement_set_in_force(organization.id, effective_from) or _latest_set(organization.id)
    rows = (
        {r.category: requirement_values(r) for r in base.requirements}
        if base
        else {row["category"]: {"category": row["category"], **row} for row in BASELINE_REQUIREMENTS}
    )
    applied = {}
    for category, values in changes.items():
        difference = _apply_change(rows, category, values)
        if difference:
            applied[category] = difference
    if not applied:
        raise InvalidInput(
            field="requirements", message=_("nothing changed: a new version needs at least one different value")
        )
    version = _latest_version(organization.id) + 1
    requirement_set = _add_requirement_set(
        organization.id, version, effective_from, note, [rows[code] for code in CATEGORY_CODES if code in rows], actor
    )
    record_event(
        organization.id,
        actor,
        "requirements.new_version",
        reason=note,
        after={
            "version": version,
            "effective_from": effective_from.isoformat(),
            "based_on_version": base.version if base else None,
            "changes": applied,
        },
    )
    return requirement_set


def _latest_set(organization_id: int) -> RequirementSet | None:
    return db.session.scalar(
        db.select(RequirementSet)
        .options(selectinload(RequirementSet.requirements))
        .where(RequirementSet.organization_id == organization_id)
        .order_by(RequirementSet.version.desc())
        .limit(1)
    )


def _latest_version(organization_id: int) -> int:
    return (
        db.session.scalar(
            db.select(db.func.max(RequirementSet.version)).where(RequirementSet.organization_id == organization_id)
        )
        or 0
    )


def _apply_change(rows: dict, category: str, values: dict) -> dict:
    """Validate and apply one category's changes in place; return {field: [old, new]} that differ."""
    if category not in rows:
        raise InvalidInput(
            field="category", message=_("%(category)s is not an Endorsement category", category=repr(category))
        )
    unknown = set(values) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise InvalidInput(field=f"{category}.{sorted(unknown)[0]}", message=_("is not a requirement field"))
    old = {**rows[category], "provider_categories": _in_catalogue_order(rows[category]["provider_categories"])}
    candidate = {**old, **values}
    candidate["provider_categories"] = _in_catalogue_order(candidate["provider_categories"])
    for field, message in requirement_problems(candidate):
        raise InvalidInput(field=f"{category}.{field}", message=message)
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
            yield switch, _("must be true or false")
    if not _whole(values["required_minutes"], 0, 500 * 60):
        yield "required_minutes", _("must be a whole number of minutes from 0 to 30000")
    elif values["rsc_required"] and values["required_minutes"] == 0:
        yield "required_minutes", _("must be more than 0 when RSC is required")
    if not _whole(values["window_months"], 1, 120):
        yield "window_months", _("must be a whole number of months from 1 to 120")
    if not _whole(values["min_span_months"], 0, 120):
        yield "min_span_months", _("must be a whole number of months from 0 to 120")
    elif _whole(values["window_months"], 1, 120) and values["min_span_months"] > values["window_months"]:
        yield "min_span_months", _("cannot be longer than the window")
    providers = values["provider_categories"]
    if not isinstance(providers, list) or not set(providers) <= set(CATEGORY_CODES):
        yield "provider_categories", _("must be a list of category codes (%(codes)s)", codes=", ".join(CATEGORY_CODES))
    elif values["rsc_required"] and not providers:
        yield "provider_categories", _("needs at least one qualifying provider category when RSC is required")
    if values["max_sources"] is not None and not _whole(values["max_sources"], 1, 20):
        yield "max_sources", _("must be empty (no limit) or a whole number from 1 to 20")
    if values["renewal_minutes"] is not None and not _whole(values["renewal_minutes"], 1, 500 * 60):
        yield "renewal_minutes", _("must be empty (no renewal RSC) or a whole number of minutes from 1 to 30000")
    due_problem = due_date_problem(values["renewal_due"])
    if due_problem is not None:
        yield "renewal_due", due_problem


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def rules_requirement(row: Requirement) -> rules.Requirement:
    requirement_set = row.requirement_set
    return rules.Requirement.from_dict(
        {"name": row.name, **requirement_values(row)},
        version=requirement_set.version,
        effective_from=requirement_set.effective_from,
    )
