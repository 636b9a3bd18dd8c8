"""What sign-off stamps on the ledger: every credential the group's provider held on the session's date."""

from datetime import date

import pytest

from tests.factories import enroll, give_credential, make_group, make_org, make_person, token_for


@pytest.fixture
def cohort(app):
    org = make_org("mi-aimh")
    staff_token = token_for(make_person(org, "staff"))
    people = [make_person(org, name=name, pursuing_category="IMHS") for name in ("Ana", "Ben")]
    return org, staff_token, people


def sign_off_first_session(api, group, people, facilitator):
    token = token_for(facilitator)
    session_id = api.get(f"/groups/{group.id}/sessions", token).get_json()[0]["id"]
    records = [{"person_id": p.id, "status": "present"} for p in people]
    assert api.put(f"/sessions/{session_id}/attendance", token, json={"records": records}).status_code == 200
    signed = api.post(f"/sessions/{session_id}/sign-off", token)
    assert signed.status_code == 200, signed.get_json()
    return session_id


def only_entry(api, staff_token, person):
    entries = api.get(f"/people/{person.id}/hours", staff_token).get_json()["entries"]
    assert len(entries) == 1
    return entries[0]


def test_a_dual_endorsed_mentor_is_stamped_with_both_endorsements(api, cohort):
    org, staff_token, people = cohort
    mentor = make_person(org, "facilitator", name="Grace Mensah")
    give_credential(mentor, "IMHM-C", date(2015, 3, 1), number="MI-1500")
    give_credential(mentor, "ECMHS", date(2023, 5, 1), number="MI-2300")
    group = make_group(org, [mentor])
    for person in people:
        enroll(group, person)
    sign_off_first_session(api, group, people, mentor)
    entry = only_entry(api, staff_token, people[0])
    assert entry["provider_categories"] == ["ECMHS", "IMHM-C"]
    assert [(c["category"], c["number"]) for c in entry["provider_credentials"]] == [
        ("IMHM-C", "MI-1500"),
        ("ECMHS", "MI-2300"),
    ]
    # IMHS applicants count the session through the IMHM-C (the ECMHS alone would not qualify).
    body = api.get(f"/people/{people[0].id}/eligibility?category=IMHS&as_of=2026-06-30", staff_token).get_json()
    assert body["counted_entry_ids"] == [entry["id"]] and body["counted_minutes"] == 90


def test_the_stamp_is_for_the_sessions_date_not_the_sign_off_date(api, cohort):
    org, staff_token, people = cohort
    facilitator = make_person(org, "facilitator", name="Owen Brooks")
    # Endorsed IMHS until the day after the first session (6 January 2026); signed off much later.
    give_credential(facilitator, "IMHS", date(2019, 1, 1), date(2026, 1, 7), number="MI-19")
    give_credential(facilitator, "IFS", date(2026, 2, 1), number="MI-26")
    group = make_group(org, [facilitator])
    enroll(group, people[0])
    sign_off_first_session(api, group, people[:1], facilitator)
    entry = only_entry(api, staff_token, people[0])
    assert entry["date"] == "2026-01-06" and entry["provider_categories"] == ["IMHS"]
