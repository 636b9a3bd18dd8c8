from datetime import date

import pytest

from tests.factories import give_credential, make_org, make_person, token_for


@pytest.fixture
def people(app):
    org = make_org("mi-aimh")
    staff = make_person(org, "staff")
    supervisor = make_person(org, "facilitator", name="Rosa Diaz")
    give_credential(supervisor, "IMHS", date(2021, 1, 1), date(2026, 6, 30), number="MI-9")
    return org, token_for(staff), supervisor, make_person(org, name="Ana")


def test_individual_rsc_with_a_provider_who_has_an_account(api, people):
    _, staff_token, supervisor, ana = people
    response = api.post(
        f"/people/{ana.id}/rsc-hours",
        staff_token,
        json={"date": "2026-03-02", "minutes": 60, "format": "individual", "provider_id": supervisor.id},
    )
    assert response.status_code == 201, response.get_json()
    entry = response.get_json()
    assert (entry["provider_name"], entry["provider_category"], entry["provider_valid_until"]) == (
        "Rosa Diaz",
        "IMHS",
        "2026-06-30",
    )


def test_external_provider_and_totals_by_format(api, people):
    _, staff_token, supervisor, ana = people
    api.post(
        f"/people/{ana.id}/rsc-hours",
        staff_token,
        json={
            "date": "2026-03-02",
            "minutes": 60,
            "format": "individual",
            "provider": {"name": "Dr. Lee", "category": "IMHM-C", "number": "WA-12"},
        },
    )
    api.post(
        f"/people/{ana.id}/rsc-hours",
        staff_token,
        json={"date": "2026-04-02", "minutes": 90, "format": "group", "provider_id": supervisor.id},
    )
    hours = api.get(f"/people/{ana.id}/hours", token_for(ana)).get_json()
    assert (hours["total_minutes"], hours["group_minutes"], hours["individual_minutes"]) == (150, 90, 60)
    assert api.get(f"/people/{ana.id}/hours?from=2026-04-01", staff_token).get_json()["total_minutes"] == 90
    assert api.get(f"/people/{ana.id}/hours?to=2026-03-31", staff_token).get_json()["total_minutes"] == 60


@pytest.mark.parametrize(
    "body, field",
    [
        ({"date": "2026-03-02", "minutes": 0, "format": "individual", "provider_id": 1}, "minutes"),
        ({"date": "2026-03-02", "minutes": 60, "format": "telepathy", "provider_id": 1}, "format"),
        ({"date": "2026-03-02", "minutes": 60, "format": "individual"}, "provider_id"),
        (
            {
                "date": "2026-03-02",
                "minutes": 60,
                "format": "individual",
                "provider": {"name": "X", "category": "NOPE", "number": "1"},
            },
            "provider",
        ),
        ({"date": "yesterday", "minutes": 60, "format": "individual", "provider_id": 1}, "date"),
    ],
)
def test_bad_hours_are_422_and_record_nothing(api, people, body, field):
    _, staff_token, _, ana = people
    response = api.post(f"/people/{ana.id}/rsc-hours", staff_token, json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert api.get(f"/people/{ana.id}/hours", staff_token).get_json()["entries"] == []


def test_provider_of_another_association_is_unknown(api, people):
    _, staff_token, _, ana = people
    stranger = make_person(make_org(), "facilitator")
    response = api.post(
        f"/people/{ana.id}/rsc-hours",
        staff_token,
        json={"date": "2026-03-02", "minutes": 60, "format": "individual", "provider_id": stranger.id},
    )
    assert response.status_code == 422 and "provider_id" in response.get_json()["errors"]


def test_hours_are_private_to_the_person_and_their_staff(api, people):
    org, staff_token, _, ana = people
    other = make_person(org)
    assert api.get(f"/people/{ana.id}/hours", token_for(other)).status_code == 403
    assert (
        api.post(
            f"/people/{ana.id}/rsc-hours",
            token_for(ana),
            json={"date": "2026-03-02", "minutes": 60, "format": "individual", "provider_id": other.id},
        ).status_code
        == 403
    )
    assert api.get(f"/people/{ana.id}/hours?from=2026-05-01&to=2026-04-01", staff_token).status_code == 422
    assert api.get(f"/people/{ana.id}/hours?from=soon", staff_token).status_code == 422


def test_the_ledger_and_audit_trail_refuse_edits_and_deletions(api, people):
    from rs_service.audit.models import AuditEvent
    from rs_service.extensions import db
    from rs_service.hours.models import AppendOnly, EntryCredential, HourEntry

    _, staff_token, supervisor, ana = people
    api.post(
        f"/people/{ana.id}/rsc-hours",
        staff_token,
        json={"date": "2026-03-02", "minutes": 60, "format": "individual", "provider_id": supervisor.id},
    )
    entry = db.session.scalar(db.select(HourEntry))
    event = db.session.scalar(db.select(AuditEvent))
    stamp = db.session.scalar(db.select(EntryCredential))
    for change in (
        lambda: setattr(entry, "minutes", 600),
        lambda: db.session.delete(entry),
        lambda: setattr(event, "reason", "rewritten"),
        lambda: db.session.delete(event),
        lambda: setattr(stamp, "category", "IMHM-C"),
        lambda: db.session.delete(stamp),
    ):
        change()
        with pytest.raises(AppendOnly):
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(db.select(HourEntry.minutes)) == 60
    assert db.session.scalar(db.select(EntryCredential.category)) == "IMHS"
