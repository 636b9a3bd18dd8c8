"""Correcting and voiding individual and external RSC: reversal plus replacement, reason and audit."""

from datetime import date

import pytest

from rs_service.audit.models import AuditEvent
from rs_service.endorsement import service as endorsement
from rs_service.extensions import db
from rs_service.hours.models import HourEntry
from tests.endorsement.helpers import make_session
from tests.factories import csrf_token_from, give_credential, log_in, make_org, make_person, token_for


@pytest.fixture
def people(app):
    org = make_org("mi-aimh")
    staff = make_person(org, "staff", name="Dana Whitfield")
    rosa = make_person(org, "facilitator", name="Rosa Diaz")
    give_credential(rosa, "IMHS", date(2021, 1, 1), date(2025, 6, 30), number="MI-9")
    give_credential(rosa, "IMHM-C", date(2025, 7, 1), number="MI-10")
    return staff, token_for(staff), rosa, make_person(org, name="Ana", pursuing_category="IFS")


def record(api, token, person, provider, minutes=600, day="2025-03-02"):
    response = api.post(
        f"/people/{person.id}/rsc-hours",
        token,
        json={"date": day, "minutes": minutes, "format": "individual", "provider_id": provider.id},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def correct(api, token, person, entry_id, body):
    return api.post(f"/people/{person.id}/rsc-hours/{entry_id}/correct", token, json=body)


def ledger_minutes(person):
    return db.session.scalars(
        db.select(HourEntry.minutes).where(HourEntry.person_id == person.id).order_by(HourEntry.id)
    ).all()


def test_a_600_typed_for_60_is_corrected_with_a_reason_and_an_audit_trail(api, people):
    staff, token, rosa, ana = people
    entry_id = record(api, token, ana, rosa, minutes=600)
    response = correct(api, token, ana, entry_id, {"minutes": 60, "reason": "Typed 600 for 60"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["corrected_entry_id"] == entry_id and body["entry"]["minutes"] == 60
    assert api.get(f"/people/{ana.id}/hours", token).get_json()["total_minutes"] == 60
    assert ledger_minutes(ana) == [600, -600, 60]  # nothing edited or deleted
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "hours.corrected"))
    assert (event.actor_id, event.person_id, event.reason) == (staff.id, ana.id, "Typed 600 for 60")
    assert event.before == {"entry_id": entry_id, "date": "2025-03-02", "minutes": 600}
    assert event.after == {"entry_id": body["entry"]["id"], "date": "2025-03-02", "minutes": 60}
    assert event.at is not None


def test_a_voided_entry_leaves_the_total_and_stays_in_the_ledger(api, people):
    _, token, rosa, ana = people
    entry_id = record(api, token, ana, rosa, minutes=60)
    response = correct(api, token, ana, entry_id, {"void": True, "reason": "Recorded twice"})
    assert response.status_code == 200 and response.get_json()["entry"] is None
    assert api.get(f"/people/{ana.id}/hours", token).get_json()["total_minutes"] == 0
    assert ledger_minutes(ana) == [60, -60]
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "hours.voided"))
    assert event.before["minutes"] == 60 and event.after["voided"] is True and event.reason == "Recorded twice"


def test_a_new_date_is_stamped_with_the_credentials_held_then(api, people):
    _, token, rosa, ana = people
    entry_id = record(api, token, ana, rosa, minutes=60, day="2025-03-02")
    moved = correct(api, token, ana, entry_id, {"date": "2025-08-04", "reason": "Wrong month"}).get_json()["entry"]
    assert (moved["date"], moved["provider_categories"]) == ("2025-08-04", ["IMHM-C"])


def test_a_correction_flags_the_certificates_that_counted_the_entry(api, people):
    staff, token, rosa, ana = people
    ids = [record(api, token, ana, rosa, minutes=120, day=f"2024-{m:02d}-10") for m in range(7, 13)]
    ids += [record(api, token, ana, rosa, minutes=120, day=f"2025-{m:02d}-10") for m in range(1, 7)]
    certificate = endorsement.issue_certificate(ana, "IFS", staff, as_of=date(2025, 6, 30))
    db.session.commit()
    correct(api, token, ana, ids[0], {"minutes": 90, "reason": "Left early"})
    db.session.refresh(certificate)
    assert certificate.review_flagged_at is not None and "Left early" in certificate.review_reason


@pytest.mark.parametrize(
    "body, field",
    [
        ({"minutes": 60}, "reason"),
        ({"minutes": 60, "reason": ""}, "reason"),
        ({"reason": "nothing given"}, "minutes"),
        ({"void": True, "minutes": 60, "reason": "both"}, "void"),
        ({"minutes": 0, "reason": "zero"}, "minutes"),
        ({"minutes": "sixty", "reason": "text"}, "minutes"),
        ({"minutes": 600, "reason": "the same"}, "minutes"),
        ({"date": "2999-01-01", "reason": "future"}, "date"),
        ({"date": "2030-01-01", "reason": "future"}, "date"),
        ({"minutes": 60, "reason": "x", "note": "unknown field"}, "note"),
    ],
)
def test_bad_corrections_are_422_and_change_nothing(api, people, body, field):
    _, token, rosa, ana = people
    entry_id = record(api, token, ana, rosa)
    response = correct(api, token, ana, entry_id, body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert ledger_minutes(ana) == [600]


def test_what_cannot_be_corrected_here(api, people):
    _, token, rosa, ana = people
    entry_id = record(api, token, ana, rosa)
    correct(api, token, ana, entry_id, {"minutes": 60, "reason": "typo"})
    again = correct(api, token, ana, entry_id, {"minutes": 90, "reason": "typo again"})
    assert again.status_code == 409  # correct the entry that replaced it
    session = make_session(ana.organization)
    from_session = HourEntry(
        organization_id=ana.organization_id,
        person_id=ana.id,
        entry_date=date(2025, 3, 4),
        minutes=90,
        format="group",
        session_id=session.id,
    )
    db.session.add(from_session)
    db.session.commit()
    refused = correct(api, token, ana, from_session.id, {"minutes": 60, "reason": "late"})
    assert refused.status_code == 409 and "attendance" in refused.get_json()["message"]
    other = make_person(ana.organization, name="Ben")
    assert correct(api, token, other, entry_id, {"minutes": 60, "reason": "x"}).status_code == 404
    assert correct(api, token, ana, 2**40, {"minutes": 60, "reason": "x"}).status_code == 404
    assert correct(api, token_for(ana), ana, entry_id, {"minutes": 60, "reason": "x"}).status_code == 403
    stranger = token_for(make_person(make_org(), "staff"))
    assert correct(api, stranger, ana, entry_id, {"minutes": 60, "reason": "x"}).status_code == 404


def test_staff_correct_and_void_from_the_persons_page(client, api, people):
    staff, token, rosa, ana = people
    entry_id = record(api, token, ana, rosa, minutes=600)
    other_id = record(api, token, ana, rosa, minutes=45, day="2025-04-02")
    log_in(client, staff)
    page = client.get(f"/people/{ana.id}/hours").get_data(as_text=True)
    link = f"/people/{ana.id}/hours/{entry_id}/correct"
    assert link in page and "IMHS #MI-9" in page  # each entry's stamped credentials
    form_page = client.get(link).get_data(as_text=True)
    assert 'value="600"' in form_page
    token_ = csrf_token_from(form_page)
    missing_reason = client.post(link, data={"csrf_token": token_, "minutes": "60", "entry_date": "2025-03-02"})
    assert missing_reason.status_code == 422 and ledger_minutes(ana) == [600, 45]
    done = client.post(
        link, data={"csrf_token": token_, "minutes": "60", "entry_date": "2025-03-02", "reason": "Typed 600 for 60"}
    )
    assert done.status_code == 302
    voided = client.post(
        f"/people/{ana.id}/hours/{other_id}/void", data={"csrf_token": token_, "reason": "Never took place"}
    )
    assert voided.status_code == 302
    page = client.get(f"/people/{ana.id}/hours").get_data(as_text=True)
    assert (
        f"corrected {ana.name}&#39;s hours from 10.00 h on Mar 2, 2025 to 1.00 h on Mar 2, 2025"
        " — reason: Typed 600 for 60" in page
    )
    assert f"voided {ana.name}&#39;s 0.75 h of Apr 2, 2025 — reason: Never took place" in page
    assert ledger_minutes(ana) == [600, 45, -600, 60, -45]
    assert "already corrected" in client.get(link).get_data(as_text=True)
