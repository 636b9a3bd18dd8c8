"""The demo association shows the messy records the service keeps right."""

from datetime import date

import pytest
from sqlalchemy import text

from rs_service.accounts.models import Person
from rs_service.demo import DEMO_PASSWORD, DUAL_ENDORSED, RENEWED_LATE, STAFF, seed_demo
from rs_service.endorsement.service import assess
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, group_facilitators
from rs_service.hours import corrections
from tests.factories import log_in

TODAY = date(2026, 11, 30)


def person_named(name: str) -> Person:
    return db.session.scalar(db.select(Person).where(Person.name == name))


def test_the_demo_has_a_dual_endorsed_mentor_and_a_renewal_recorded_late(app, client):
    seed_demo(TODAY)  # seeded once: it is a large cohort
    db.session.commit()

    # The dual-endorsed mentor's IMHS applicants count his sessions, through his IMHM-C.
    mentor = person_named(DUAL_ENDORSED)
    assert sorted(c.category for c in mentor.credentials) == ["ECMHS", "IMHM-C"]
    his_groups = db.select(group_facilitators.c.group_id).where(group_facilitators.c.person_id == mentor.id)
    applicants = db.session.scalars(
        db.select(Person)
        .join(Enrollment, Enrollment.person_id == Person.id)
        .where(Enrollment.group_id.in_(his_groups), Person.pursuing_category == "IMHS")
    ).all()
    assert applicants
    for applicant in applicants:
        from_him = [e for e in assess(applicant, "IMHS", TODAY).counted_entries if e.provider_id == mentor.id]
        assert from_him and all(e.provider_categories == ["ECMHS", "IMHM-C"] for e in from_him)

    # The facilitator whose renewal was recorded late: her page offers the restamp, with its count.
    facilitator = person_named(RENEWED_LATE)
    waiting = len(corrections.restamp_candidates(facilitator))
    assert waiting > 0
    log_in(client, db.session.scalar(db.select(Person).where(Person.email == STAFF[0])), password=DEMO_PASSWORD)
    page = client.get(f"/people/{facilitator.id}/hours").get_data(as_text=True)
    assert f"A restamp would change {waiting} entries" in page


@pytest.mark.postgresql
def test_the_demo_leaves_planner_statistics_behind(app):
    """A freshly seeded database must not be planned as empty tables (the report took 10x longer)."""
    seed_demo(TODAY)
    db.session.commit()
    for table in ("people", "sessions", "hour_entries", "attendance_records"):
        counted = db.session.scalar(text(f"SELECT count(*) FROM {table}"))
        estimated = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": table})
        assert counted > 0 and estimated == counted, table
