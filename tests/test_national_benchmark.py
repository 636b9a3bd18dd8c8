"""The national benchmark's dataset, built at a tiny scale: it fits the schema and the rules."""

from datetime import date

import pytest

from benchmarks import national_data
from rs_service.accounts.models import Person
from rs_service.endorsement.service import assess
from rs_service.extensions import db
from rs_service.hours.service import hours_of, hours_report

pytestmark = pytest.mark.postgresql

TODAY = date(2026, 11, 30)


def test_the_dataset_builds_and_follows_the_rules(app):
    organization = national_data.build(
        national_data.Scale(participants=25, groups=3, facilitators=2, months=14, future_weeks=2), TODAY
    )
    db.session.commit()
    rows = national_data.counts()
    assert rows["people"] == 1 + 2 + 25 and rows["groups"] == 3 and rows["enrollments"] == 25
    assert rows["hour_entry_credentials"] == rows["hour_entries"] > rows["attendance_records"] / 2
    reversals = db.session.scalar(db.text("SELECT count(*) FROM hour_entries WHERE reverses_id IS NOT NULL"))
    assert 0 < reversals < rows["hour_entries"] / 50

    pursuing = db.session.scalars(db.select(Person).where(Person.pursuing_category == "IFS")).all()
    assert 0.5 <= rows["certificates"] / len(pursuing) <= 0.7
    someone = pursuing[0]
    assert assess(someone, "IFS", TODAY).counted_entries  # stamped providers whose hours count
    report = {row.person_id: row for row in hours_report(organization.id, None, None)}
    assert len(report) == 25
    assert report[someone.id].counting_minutes == hours_of(someone).countable_minutes > 0
