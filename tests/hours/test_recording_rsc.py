"""Individual and external RSC as recorded: no future dates, and external providers' credential dates."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import csrf_token_from, log_in, make_org, make_person, token_for

DETROIT_EVENING = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)  # still 2 March in America/Detroit


@pytest.fixture
def people(app):
    org = make_org("mi-aimh")
    staff = make_person(org, "staff")
    return staff, token_for(staff), make_person(org, name="Ana", pursuing_category="IFS")


def external(**credential):
    return {"name": "Dr. Lee", "category": "IMHM-C", "number": "WA-12"} | credential


def record(api, token, person, day, provider, minutes=120):
    return api.post(
        f"/people/{person.id}/rsc-hours",
        token,
        json={"date": day, "minutes": minutes, "format": "individual", "provider": provider},
    )


def test_a_date_after_today_in_the_associations_zone_is_refused(api, people):
    _, token, ana = people
    with time_machine.travel(DETROIT_EVENING, tick=False):
        tomorrow = record(api, token, ana, "2026-03-03", external(valid_from="2020-01-01"))
        assert tomorrow.status_code == 422 and "date" in tomorrow.get_json()["errors"]
        assert "2026-03-02" in tomorrow.get_json()["message"]
        assert record(api, token, ana, "2030-01-01", external(valid_from="2020-01-01")).status_code == 422
        assert api.get(f"/people/{ana.id}/hours", token).get_json()["entries"] == []
        assert record(api, token, ana, "2026-03-02", external(valid_from="2020-01-01")).status_code == 201


def test_an_external_providers_number_and_validity_are_recorded(api, people):
    _, token, ana = people
    created = record(api, token, ana, "2025-03-02", external(valid_from="2019-05-01", valid_until="2027-04-30"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["provider_credentials"] == [
        {"category": "IMHM-C", "number": "WA-12", "valid_from": "2019-05-01", "valid_until": "2027-04-30"}
    ]
    backwards = record(api, token, ana, "2025-03-02", external(valid_from="2027-05-01", valid_until="2027-04-30"))
    assert backwards.status_code == 422 and "provider" in backwards.get_json()["errors"]


def test_hours_from_an_external_provider_without_a_start_date_are_recorded_but_do_not_count(api, people, client):
    staff, token, ana = people
    undated = [record(api, token, ana, f"2025-{month:02d}-10", external()).get_json()["id"] for month in range(1, 13)]
    hours = api.get(f"/people/{ana.id}/hours", token).get_json()
    assert hours["total_minutes"] == 12 * 120  # recorded
    body = api.get(f"/people/{ana.id}/eligibility?category=IFS&as_of=2025-12-31", token).get_json()
    assert body["counted_minutes"] == 0 and body["eligible"] is False
    assert {x["entry_id"]: x["reason"] for x in body["excluded"]} == dict.fromkeys(
        undated, "provider credential dates not recorded"
    )
    assert "12 sessions with Dr. Lee do not count: provider credential dates not recorded" in body["reasons"]
    log_in(client, staff)
    page = client.get(f"/people/{ana.id}/hours").get_data(as_text=True)
    assert "do not count: provider credential dates not recorded" in page


def test_the_form_refuses_a_future_date_on_the_date_field(client, people):
    staff, _, ana = people
    with time_machine.travel(DETROIT_EVENING, tick=False):
        log_in(client, staff)
        page = client.get(f"/people/{ana.id}/hours").get_data(as_text=True)
        response = client.post(
            f"/people/{ana.id}/hours",
            data={
                "csrf_token": csrf_token_from(page),
                "entry_date": "2026-03-03",
                "minutes": "60",
                "format": "individual",
                "provider_id": "0",
                "external_name": "Dr. Lee",
                "external_category": "IMHM-C",
                "external_number": "WA-1",
                "external_valid_from": "2020-01-01",
            },
        )
    assert response.status_code == 422
    assert 'id="entry_date-error"' in response.get_data(as_text=True)
