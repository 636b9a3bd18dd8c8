"""The provider of record: the facilitator whose credentials stand behind a group's hours."""

from datetime import date

import pytest

from rs_service.extensions import db
from rs_service.groups.models import Group
from tests.factories import csrf_token_from, give_credential, group_body, log_in, make_person, token_for


@pytest.fixture
def co_facilitators(org):
    """A mentor endorsed IMHM-C and a co-facilitator whose IFS does not qualify anyone for IMHS."""
    mentor = make_person(org, "facilitator", name="Zoe Mentor")
    give_credential(mentor, "IMHM-C", date(2015, 1, 1), number="MI-15")
    co = make_person(org, "facilitator", name="Amy Colleague")
    give_credential(co, "IFS", date(2020, 1, 1), number="MI-20")
    return mentor, co


@pytest.fixture
def staff_token(staff):
    return token_for(staff)


def create(api, token, facilitators, **changes):
    return api.post("/groups", token, json=group_body([f.id for f in facilitators], **changes))


def test_the_provider_of_record_defaults_to_the_first_facilitator_given(api, staff_token, co_facilitators):
    mentor, co = co_facilitators
    created = create(api, staff_token, [mentor, co])  # given first, though not first by name
    assert created.status_code == 201 and created.get_json()["provider_id"] == mentor.id
    assert api.get(f"/groups/{created.get_json()['id']}", staff_token).get_json()["provider_id"] == mentor.id


def test_the_provider_of_record_is_stored_and_answered(api, staff_token, co_facilitators):
    mentor, co = co_facilitators
    created = create(api, staff_token, [co, mentor], provider_id=mentor.id)
    assert created.status_code == 201, created.get_json()
    assert db.session.get(Group, created.get_json()["id"]).provider_id == mentor.id
    assert api.get(f"/groups/{created.get_json()['id']}", staff_token).get_json()["provider_id"] == mentor.id


def test_the_provider_of_record_must_facilitate_the_group(api, staff_token, co_facilitators):
    mentor, co = co_facilitators  # the mentor facilitates in the association, but not this group
    for provider_id in (mentor.id, 0, "1"):
        response = create(api, staff_token, [co], provider_id=provider_id)
        assert response.status_code == 422 and "provider_id" in response.get_json()["errors"]
    assert api.get("/groups", staff_token).get_json() == []


def test_a_co_facilitator_signing_off_stamps_the_provider_of_records_credentials(
    api, staff_token, co_facilitators, org
):
    mentor, co = co_facilitators
    group = create(api, staff_token, [co, mentor], provider_id=mentor.id).get_json()
    ana = make_person(org, name="Ana", pursuing_category="IMHS")
    api.post(f"/groups/{group['id']}/enrollments", staff_token, json={"person_id": ana.id, "joined_on": "2026-01-01"})
    co_token = token_for(co)
    session_id = api.get(f"/groups/{group['id']}/sessions", co_token).get_json()[0]["id"]
    api.put(
        f"/sessions/{session_id}/attendance", co_token, json={"records": [{"person_id": ana.id, "status": "present"}]}
    )
    assert api.post(f"/sessions/{session_id}/sign-off", co_token).status_code == 200
    entry = api.get(f"/people/{ana.id}/hours", staff_token).get_json()["entries"][0]
    assert (entry["provider_id"], entry["provider_name"], entry["provider_categories"]) == (
        mentor.id,
        "Zoe Mentor",
        ["IMHM-C"],
    )
    eligibility = api.get(f"/people/{ana.id}/eligibility?category=IMHS&as_of=2026-06-30", staff_token).get_json()
    assert eligibility["counted_entry_ids"] == [entry["id"]]


def test_the_create_form_offers_the_provider_of_record(client, staff, co_facilitators):
    mentor, co = co_facilitators
    log_in(client, staff)
    page = client.get("/groups/new").get_data(as_text=True)
    assert "Provider of record" in page and "Zoe Mentor (facilitator, IMHM-C)" in page
    form = {
        "csrf_token": csrf_token_from(page),
        "name": "RS Group 1",
        "facilitator_ids": [co.id, mentor.id],
        "provider_id": str(mentor.id),
        "timezone": "America/Detroit",
        "first_date": "2026-01-01",
        "until": "2026-06-30",
        "start_time": "10:00",
        "duration_minutes": "90",
        "recurrence": "monthly",
        "weekday": "TU",
        "ordinals": ["1", "3"],
        "capacity": "8",
        "kind": "rsc",
        "action": "create",
    }
    response = client.post("/groups/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    group = db.session.scalar(db.select(Group))
    assert group.provider_id == mentor.id
    assert "Zoe Mentor" in client.get(f"/groups/{group.id}").get_data(as_text=True)
    refused = client.post("/groups/new", data=form | {"facilitator_ids": [co.id], "name": "RS Group 2"})
    assert refused.status_code == 422 and "Choose one of the group" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Group.id))) == 1
