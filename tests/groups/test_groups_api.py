from datetime import datetime

import pytest

from tests.factories import enroll, group_body, make_group, make_org, make_person, token_for


@pytest.fixture
def staff_token(org):
    return token_for(make_person(org, "staff"))


def test_first_and_third_tuesday_stays_at_ten_local_across_dst(api, staff_token, facilitator):
    response = api.post("/groups", staff_token, json=group_body([facilitator.id]))
    assert response.status_code == 201, response.get_json()
    group = response.get_json()
    assert group["session_count"] == 12 and group["facilitator_ids"] == [facilitator.id]
    sessions = api.get(f"/groups/{group['id']}/sessions", staff_token).get_json()
    starts = [datetime.fromisoformat(s["starts_at"]) for s in sessions]
    assert [s.strftime("%a %d %H:%M") for s in starts[:6]] == [
        "Tue 06 10:00",
        "Tue 20 10:00",
        "Tue 03 10:00",
        "Tue 17 10:00",
        "Tue 03 10:00",
        "Tue 17 10:00",
    ]
    assert {s.utcoffset().total_seconds() / 3600 for s in starts} == {-5, -4}  # before and after 8 March
    assert sessions[0]["ends_at"].endswith("11:30:00-05:00")
    assert all(s["status"] == "scheduled" and s["sequence"] == 0 and not s["signed_off"] for s in sessions)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;COUNT=4"}, "rrule"),
        ({"rrule": "FREQ=HOURLY"}, "rrule"),
        ({"timezone": "America/Springfield"}, "timezone"),
        ({"start_time": "25:00"}, "start_time"),
        ({"start_time": "10am"}, "start_time"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"until": "2025-12-31"}, "until"),
        ({"capacity": 0}, "capacity"),
        ({"kind": "social"}, "kind"),
        ({"facilitator_ids": []}, "facilitator_ids"),
        ({"facilitator_ids": [999999]}, "facilitator_ids"),
        ({"first_date": "2026-02-30"}, "first_date"),
    ],
)
def test_bad_group_is_422_naming_the_field_and_creates_nothing(api, staff_token, facilitator, changes, field):
    response = api.post("/groups", staff_token, json=group_body([facilitator.id], **changes))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert api.get("/groups", staff_token).get_json() == []


def test_participant_cannot_facilitate(api, staff_token, org):
    participant = make_person(org, "participant")
    response = api.post("/groups", staff_token, json=group_body([participant.id]))
    assert response.status_code == 422 and "facilitator_ids" in response.get_json()["errors"]


def test_facilitator_cannot_be_double_booked(api, staff_token, facilitator):
    assert api.post("/groups", staff_token, json=group_body([facilitator.id])).status_code == 201
    clash = group_body([facilitator.id], name="RS Group 2", start_time="11:00", first_date="2026-03-01")
    response = api.post("/groups", staff_token, json=clash)
    assert response.status_code == 409
    assert "Maya Okafor already facilitates RS Group 1" in response.get_json()["message"]
    assert len(api.get("/groups", staff_token).get_json()) == 1
    later = group_body([facilitator.id], name="RS Group 2", start_time="11:30")
    assert api.post("/groups", staff_token, json=later).status_code == 201  # back to back is fine


def test_reschedule_keeps_the_original_start_and_raises_sequence(api, facilitator, org):
    group = make_group(org, [facilitator])
    token = token_for(facilitator)
    first = api.get(f"/groups/{group.id}/sessions", token).get_json()[0]
    response = api.patch(
        f"/sessions/{first['id']}", token, json={"starts_at": "2026-01-07T13:00:00-05:00", "duration_minutes": 60}
    )
    assert response.status_code == 200, response.get_json()
    moved = response.get_json()
    assert moved["starts_at"] == "2026-01-07T13:00:00-05:00" and moved["duration_minutes"] == 60
    assert moved["original_starts_at"] == first["starts_at"] and moved["sequence"] == 1


def test_reschedule_needs_an_offset_and_a_change(api, facilitator, org):
    group = make_group(org, [facilitator])
    token = token_for(facilitator)
    session_id = api.get(f"/groups/{group.id}/sessions", token).get_json()[0]["id"]
    assert (
        "starts_at"
        in api.patch(f"/sessions/{session_id}", token, json={"starts_at": "2026-01-07T13:00:00"}).get_json()["errors"]
    )
    assert api.patch(f"/sessions/{session_id}", token, json={}).status_code == 422


def test_cancel_needs_a_reason_and_happens_once(api, facilitator, org):
    group = make_group(org, [facilitator])
    token = token_for(facilitator)
    session_id = api.get(f"/groups/{group.id}/sessions", token).get_json()[0]["id"]
    assert "reason" in api.post(f"/sessions/{session_id}/cancel", token, json={}).get_json()["errors"]
    response = api.post(f"/sessions/{session_id}/cancel", token, json={"reason": "Facilitator ill"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled" and response.get_json()["sequence"] == 1
    assert api.post(f"/sessions/{session_id}/cancel", token, json={"reason": "again"}).status_code == 409


def test_other_groups_facilitator_and_participants_cannot_change_sessions(api, org, facilitator):
    group = make_group(org, [facilitator])
    session_id = api.get(f"/groups/{group.id}/sessions", token_for(facilitator)).get_json()[0]["id"]
    for person in (make_person(org, "facilitator"), make_person(org, "participant")):
        assert api.post(f"/sessions/{session_id}/cancel", token_for(person), json={"reason": "x"}).status_code == 403


def test_capacity_waitlist_and_withdrawal(api, staff_token, org, facilitator):
    group = make_group(org, [facilitator], capacity=2)
    people = [make_person(org) for _ in range(4)]
    for person in people[:2]:
        assert (
            api.post(
                f"/groups/{group.id}/enrollments", staff_token, json={"person_id": person.id, "joined_on": "2026-01-01"}
            ).status_code
            == 201
        )
    full = api.post(f"/groups/{group.id}/enrollments", staff_token, json={"person_id": people[2].id})
    assert full.status_code == 409 and "full" in full.get_json()["message"]
    waiting = api.post(
        f"/groups/{group.id}/enrollments", staff_token, json={"person_id": people[2].id, "waitlist": True}
    )
    assert waiting.status_code == 201 and waiting.get_json()["waitlisted"] is True
    left = api.post(
        f"/groups/{group.id}/enrollments/{people[0].id}/withdraw", staff_token, json={"left_on": "2026-02-10"}
    )
    assert left.status_code == 200 and left.get_json()["left_on"] == "2026-02-10"
    enrollments = {e["person_id"]: e for e in api.get(f"/groups/{group.id}/enrollments", staff_token).get_json()}
    assert enrollments[people[2].id]["waitlisted"] is False
    assert enrollments[people[2].id]["joined_on"] == "2026-02-11"


def test_enrolling_twice_or_someone_unknown(api, staff_token, org, facilitator):
    group = make_group(org, [facilitator])
    person = make_person(org)
    body = {"person_id": person.id}
    assert api.post(f"/groups/{group.id}/enrollments", staff_token, json=body).status_code == 201
    assert api.post(f"/groups/{group.id}/enrollments", staff_token, json=body).status_code == 409
    stranger = make_person(make_org())
    response = api.post(f"/groups/{group.id}/enrollments", staff_token, json={"person_id": stranger.id})
    assert response.status_code == 422 and "person_id" in response.get_json()["errors"]


def test_mid_cohort_joiner_is_only_on_later_rosters(app, org, facilitator):
    from rs_service.groups.service import roster, sessions_of

    group = make_group(org, [facilitator])
    early, late = make_person(org, name="Early"), make_person(org, name="Late")
    enroll(group, early)
    enroll(group, late, joined_on=datetime(2026, 3, 3).date())
    sessions = sessions_of(group)
    assert [p.name for p in roster(sessions[3])] == ["Early"]  # 17 February
    assert [p.name for p in roster(sessions[4])] == ["Early", "Late"]  # 3 March


def test_changing_the_rest_of_the_series_regenerates_only_untouched_future_sessions(api, staff_token, org, facilitator):
    group = make_group(org, [facilitator], first_date="2027-01-01", until="2027-06-30")
    sessions = api.get(f"/groups/{group.id}/sessions", staff_token).get_json()
    moved = sessions[8]  # 4 May 2027
    api.patch(f"/sessions/{moved['id']}", staff_token, json={"starts_at": "2027-05-05T10:00:00-04:00"})
    response = api.post(
        f"/groups/{group.id}/series", staff_token, json={"from_date": "2027-04-01", "start_time": "14:00"}
    )
    assert response.status_code == 200, response.get_json()
    after = {s["id"]: s for s in response.get_json()}
    assert all(after[s["id"]]["starts_at"] == s["starts_at"] for s in sessions[:6])  # before April: as they were
    assert after[moved["id"]]["starts_at"] == "2027-05-05T10:00:00-04:00"  # the moved one keeps its move
    regenerated = sorted(s["starts_at"] for s in after.values() if s["starts_at"] >= "2027-04")
    assert regenerated == [
        "2027-04-06T14:00:00-04:00",
        "2027-04-20T14:00:00-04:00",
        "2027-05-05T10:00:00-04:00",
        "2027-05-18T14:00:00-04:00",
        "2027-06-01T14:00:00-04:00",
        "2027-06-15T14:00:00-04:00",
    ]


def test_a_series_change_never_rewrites_the_past_or_announced_sessions(api, staff_token, org, facilitator):
    from rs_service.extensions import db
    from rs_service.notifications.models import Notification

    past = make_group(org, [facilitator])  # January to June 2026: already over
    before = api.get(f"/groups/{past.id}/sessions", staff_token).get_json()
    response = api.post(
        f"/groups/{past.id}/series", staff_token, json={"from_date": "2026-01-01", "start_time": "14:00"}
    )
    assert response.status_code == 200 and response.get_json() == before

    future = make_group(org, [facilitator], name="2027", first_date="2027-01-01", until="2027-02-28")
    announced = api.get(f"/groups/{future.id}/sessions", staff_token).get_json()[0]
    db.session.add(
        Notification(
            organization_id=org.id,
            kind="reminder",
            subject_key=f"session:{announced['id']}",
            recipient_id=facilitator.id,
            session_id=announced["id"],
        )
    )
    db.session.commit()
    response = api.post(
        f"/groups/{future.id}/series", staff_token, json={"from_date": "2027-01-01", "start_time": "14:00"}
    )
    assert response.status_code == 200, response.get_json()
    starts = sorted(s["starts_at"] for s in response.get_json())
    assert starts[0] == announced["starts_at"] and all("T14:00" in s for s in starts[1:])


def test_groups_are_walled_by_association_and_membership(api, org, facilitator):
    group = make_group(org, [facilitator])
    member, outsider = make_person(org), make_person(org)
    enroll(group, member)
    assert api.get(f"/groups/{group.id}", token_for(member)).status_code == 200
    assert api.get(f"/groups/{group.id}", token_for(outsider)).status_code == 403
    other_staff = make_person(make_org(), "staff")
    assert api.get(f"/groups/{group.id}", token_for(other_staff)).status_code == 404
    assert api.get(f"/groups/{group.id}/sessions", token_for(other_staff)).status_code == 404
    assert (
        api.post(f"/groups/{group.id}/enrollments", token_for(member), json={"person_id": member.id}).status_code == 403
    )
