"""The database refuses to rewrite history, whoever asks: raw SQL, the ORM's bulk update, anyone."""

from datetime import date

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import IntegrityError

from rs_service.audit.service import record_event
from rs_service.endorsement.models import Certificate, Requirement
from rs_service.extensions import db
from rs_service.hours.models import HourEntry
from tests.conftest import empty_all_tables
from tests.factories import make_org, make_person, signed_off_hours


@pytest.fixture
def participant(org):
    return make_person(org, "participant", name="Priya Raman")


@pytest.fixture
def entry(participant, facilitator):
    return signed_off_hours(participant, facilitator, 90, date(2026, 1, 6))


@pytest.fixture
def audit_event(org, staff, participant):
    record_event(org.id, staff, "attendance.saved", person_id=participant.id, after={"status": "present"})
    db.session.commit()
    return db.session.scalar(db.select(text("max(id)")).select_from(text("audit_events")))


def refused(statement, **params):
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement) if isinstance(statement, str) else statement, params)
    db.session.rollback()


def test_raw_sql_cannot_change_or_delete_an_hour_entry(entry):
    refused("UPDATE hour_entries SET minutes = 900 WHERE id = :id", id=entry.id)
    refused("DELETE FROM hour_entries WHERE id = :id", id=entry.id)
    assert db.session.scalar(text("SELECT minutes FROM hour_entries WHERE id = :id"), {"id": entry.id}) == 90


def test_the_orms_bulk_update_and_delete_are_refused_too(entry):
    refused(update(HourEntry).where(HourEntry.id == entry.id).values(minutes=1))
    refused(delete(HourEntry).where(HourEntry.id == entry.id))
    assert db.session.scalar(text("SELECT count(*) FROM hour_entries")) == 1


def test_raw_sql_cannot_change_or_delete_the_audit_trail(audit_event):
    refused("UPDATE audit_events SET reason = 'nothing happened' WHERE id = :id", id=audit_event)
    refused("DELETE FROM audit_events")
    assert db.session.scalar(text("SELECT reason FROM audit_events WHERE id = :id"), {"id": audit_event}) is None


def test_new_rows_are_still_welcome(entry, participant, facilitator):
    signed_off_hours(participant, facilitator, 60, date(2026, 1, 20))
    assert db.session.scalar(text("SELECT sum(minutes) FROM hour_entries")) == 150


@pytest.fixture
def certificate(org, participant, staff):
    db.session.add(
        Certificate(
            organization_id=org.id,
            code="CERT-1",
            person_id=participant.id,
            category="IFS",
            requirement_id=db.session.scalar(db.select(Requirement.id).limit(1)),
            counted_minutes=1440,
            window_start=date(2025, 1, 1),
            window_end=date(2026, 1, 1),
            issued_by_id=staff.id,
            status_index=1,
        )
    )
    db.session.commit()
    return "CERT-1"


def revoked_at(code):
    return db.session.scalar(text("SELECT revoked_at FROM certificates WHERE code = :code"), {"code": code})


def test_a_revoked_certificate_cannot_be_revived(certificate):
    db.session.execute(
        text("UPDATE certificates SET revoked_at = CURRENT_TIMESTAMP, revoked_reason = 'withdrawn' WHERE code = :code"),
        {"code": certificate},
    )
    db.session.commit()
    refused("UPDATE certificates SET revoked_at = NULL WHERE code = :code", code=certificate)
    refused(update(Certificate).where(Certificate.code == certificate).values(revoked_at=None))
    assert revoked_at(certificate) is not None


def test_a_valid_certificate_can_still_be_flagged_for_review(certificate):
    db.session.execute(
        text("UPDATE certificates SET review_reason = 'entry corrected' WHERE code = :code"), {"code": certificate}
    )
    db.session.commit()
    assert revoked_at(certificate) is None


def test_emptying_the_tables_between_tests_leaves_the_protection_in_place(entry):
    db.session.remove()
    empty_all_tables()
    assert db.session.scalar(text("SELECT count(*) FROM hour_entries")) == 0
    organization = make_org()
    again = signed_off_hours(make_person(organization), make_person(organization, "facilitator"), 30, date(2026, 1, 6))
    refused("UPDATE hour_entries SET minutes = 1 WHERE id = :id", id=again.id)
    refused("DELETE FROM hour_entries WHERE id = :id", id=again.id)
