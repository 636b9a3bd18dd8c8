"""The people of an association through /api/v1: find, change, deactivate and reactivate, credentials."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from rs_service.audit.models import AuditEvent
from rs_service.extensions import db
from rs_service.groups.models import Enrollment
from rs_service.groups.service import roster, sessions_of
from tests.factories import (
    PASSWORD,
    QueryCounter,
    enroll,
    give_credential,
    make_group,
    make_org,
    make_person,
    signed_off_hours,
    token_for,
)

ERROR_KEYS = {"code", "status", "message", "errors"}


@pytest.fixture
def token(staff):
    return token_for(staff)


# ----------------------------------------------------------------------------- finding people


def test_staff_find_people_by_part_of_a_name_or_email_whatever_the_case(api, org, staff, token):
    make_person(org, name="Ana Ruiz", email="ana.ruiz@example.org")
    make_person(org, name="Ben Carter", email="bcarter@clinic.example.org")
    make_person(org, name="Carla Anand", email="carla@example.org")

    names = [p["name"] for p in api.get("/people?q=AN", token).get_json()["items"]]
    assert names == ["Ana Ruiz", "Carla Anand", "Dana Whitfield"]
    by_email = api.get("/people?q=CLINIC.example", token).get_json()
    assert [p["name"] for p in by_email["items"]] == ["Ben Carter"] and by_email["total"] == 1


def test_people_come_in_pages_with_their_total(api, org, staff, token):
    for n in range(7):
        make_person(org, name=f"Participant {n}")
    first = api.get("/people?role=participant&per_page=3", token).get_json()
    assert (first["total"], first["page"], first["per_page"]) == (7, 1, 3)
    assert [p["name"] for p in first["items"]] == ["Participant 0", "Participant 1", "Participant 2"]
    last = api.get("/people?role=participant&per_page=3&page=3", token).get_json()
    assert [p["name"] for p in last["items"]] == ["Participant 6"]
    assert api.get("/people?role=participant&per_page=3&page=4", token).get_json()["items"] == []


def test_a_person_answer_carries_active_pursuing_and_language(api, org, token):
    person = make_person(org, name="Ana Ruiz", pursuing_category="IFS")
    [answer] = api.get("/people?q=ruiz", token).get_json()["items"]
    assert answer == {
        "id": person.id,
        "email": person.email,
        "name": "Ana Ruiz",
        "role": "participant",
        "pursuing_category": "IFS",
        "pursuing": "IFS",
        "language": "en",
        "active": True,
        "calendar_invites": True,  # nobody has fetched their feed yet: session mail carries invites
    }
    assert api.get(f"/people/{person.id}", token).get_json()["pursuing"] == "IFS"


def test_percent_and_underscore_in_a_search_match_only_themselves(api, org, token):
    make_person(org, name="Ana", email="a_b@example.org")
    make_person(org, name="Ben", email="axb@example.org")
    assert [p["name"] for p in api.get("/people?q=a_b", token).get_json()["items"]] == ["Ana"]
    assert api.get("/people?q=%25", token).get_json()["total"] == 0


@pytest.mark.parametrize(
    "query, field",
    [("per_page=201", "per_page"), ("per_page=0", "per_page"), ("page=0", "page"), ("role=admin", "role")],
)
def test_bad_list_parameters_are_422_naming_them(api, token, query, field):
    response = api.get(f"/people?{query}", token)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_only_staff_list_people_and_only_their_own_association(api, org, staff, token):
    participant = make_person(org)
    assert api.get("/people", token_for(participant)).status_code == 403
    make_person(make_org("ct-aimh"), name="Someone Elsewhere")
    assert "Someone Elsewhere" not in [p["name"] for p in api.get("/people?per_page=200", token).get_json()["items"]]


def test_listing_people_costs_the_same_queries_for_3_and_30(api, org, token):
    def queries() -> int:
        with QueryCounter() as counter:
            assert api.get("/people?per_page=200", token).status_code == 200
        return counter.count

    for _ in range(3):
        make_person(org)
    queries()  # a token's first use records it; later ones need not write
    few = queries()
    for _ in range(27):
        make_person(org)
    assert queries() == few


# ----------------------------------------------------------------------------- changing a record


def test_staff_change_name_email_role_category_and_language(api, org, token):
    person = make_person(org, name="Ana Ruis")
    response = api.patch(
        f"/people/{person.id}",
        token,
        json={
            "name": "Ana Ruiz",
            "email": "Ana.Ruiz@Example.org",
            "role": "facilitator",
            "pursuing": "IMHS",
            "language": "es",
        },
    )
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["name"], answer["email"], answer["role"], answer["pursuing"], answer["language"]) == (
        "Ana Ruiz",
        "ana.ruiz@example.org",
        "facilitator",
        "IMHS",
        "es",
    )
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "person.changed"))
    assert event.before["name"] == "Ana Ruis" and event.after["name"] == "Ana Ruiz"
    assert api.patch(f"/people/{person.id}", token, json={"pursuing": None}).get_json()["pursuing"] is None


def test_a_person_changes_their_own_name_and_language_but_nothing_else(api, org):
    person = make_person(org, name="Ana Ruis")
    own = token_for(person)
    response = api.patch(f"/people/{person.id}", own, json={"name": "Ana Ruiz", "language": "es"})
    assert response.status_code == 200 and response.get_json()["language"] == "es"
    assert api.patch(f"/people/{person.id}", own, json={"role": "staff"}).status_code == 403
    assert api.patch(f"/people/{person.id}", own, json={"pursuing": "IMHS"}).status_code == 403
    other = make_person(org)
    assert api.patch(f"/people/{other.id}", own, json={"name": "Mallory"}).status_code == 403
    db.session.expire_all()
    assert (person.role, person.pursuing_category, other.name) == ("participant", None, other.name)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "Ana\nRuiz"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"role": "admin"}, "role"),
        ({"pursuing": "XYZ"}, "pursuing"),
        ({"language": "fr"}, "language"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_changes_are_422_naming_the_field_and_change_nothing(api, org, token, body, field):
    person = make_person(org, name="Ana Ruiz")
    response = api.patch(f"/people/{person.id}", token, json=body)
    assert response.status_code == 422
    assert set(response.get_json()) == ERROR_KEYS and field in response.get_json()["errors"]
    db.session.expire_all()
    assert person.name == "Ana Ruiz"


def test_an_email_already_in_use_is_a_conflict(api, org, token):
    ana, ben = make_person(org, email="ana@example.org"), make_person(org, email="ben@example.org")
    response = api.patch(f"/people/{ben.id}", token, json={"email": "ANA@example.org"})
    assert response.status_code == 409 and "email" in response.get_json()["errors"]
    assert api.patch(f"/people/{ana.id}", token, json={"email": "ana@example.org"}).status_code == 200


def test_a_facilitator_of_a_group_cannot_become_a_participant(api, org, facilitator, token):
    make_group(org, [facilitator], name="Tuesday group")
    response = api.patch(f"/people/{facilitator.id}", token, json={"role": "participant"})
    assert response.status_code == 409
    assert "Tuesday group" in response.get_json()["errors"]["role"][0]


def test_staff_cannot_change_their_own_role(api, staff, token):
    response = api.patch(f"/people/{staff.id}", token, json={"role": "participant"})
    assert response.status_code == 409 and "role" in response.get_json()["errors"]


def test_another_associations_person_is_404(api, token):
    stranger = make_person(make_org("ct-aimh"))
    assert api.patch(f"/people/{stranger.id}", token, json={"name": "X"}).status_code == 404
    assert api.post(f"/people/{stranger.id}/deactivate", token, json={"reason": "x"}).status_code == 404


# ----------------------------------------------------------------------------- deactivation


def test_a_deactivated_person_cannot_log_in_and_their_tokens_answer_401(api, org, token):
    person = make_person(org)
    own = token_for(person)
    assert api.get(f"/people/{person.id}", own).status_code == 200

    response = api.post(f"/people/{person.id}/deactivate", token, json={"reason": "Left the program"})
    assert response.status_code == 200 and response.get_json()["active"] is False

    assert api.get(f"/people/{person.id}", own).status_code == 401
    assert api.post("/auth/tokens", json={"email": person.email, "password": PASSWORD}).status_code == 401
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "person.deactivated"))
    assert event.reason == "Left the program" and event.person_id == person.id

    assert api.post(f"/people/{person.id}/reactivate", token).status_code == 200
    assert api.get(f"/people/{person.id}", own).status_code == 401  # a token from before stays revoked
    fresh = api.post("/auth/tokens", json={"email": person.email, "password": PASSWORD})
    assert fresh.status_code == 201
    assert api.get(f"/people/{person.id}", fresh.get_json()["token"]).status_code == 200


def test_deactivation_needs_a_reason_and_happens_once(api, org, token):
    person = make_person(org)
    missing = api.post(f"/people/{person.id}/deactivate", token, json={})
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    assert api.post(f"/people/{person.id}/deactivate", token, json={"reason": "moved"}).status_code == 200
    assert api.post(f"/people/{person.id}/deactivate", token, json={"reason": "again"}).status_code == 409
    assert api.post(f"/people/{person.id}/reactivate", token, json={"reason": "back"}).status_code == 200
    assert api.post(f"/people/{person.id}/reactivate", token).status_code == 409


def test_only_staff_deactivate_and_never_themselves(api, org, staff, token):
    person = make_person(org)
    assert api.post(f"/people/{person.id}/deactivate", token_for(person), json={"reason": "x"}).status_code == 403
    assert api.post(f"/people/{staff.id}/deactivate", token, json={"reason": "x"}).status_code == 409


def test_deactivated_people_leave_rosters_from_that_day_in_the_groups_zone_and_keep_their_hours(
    api, org, facilitator, token
):
    give_credential(facilitator, "IMHM-C", date(2019, 1, 1))
    group = make_group(org, [facilitator], capacity=1)  # 1st and 3rd Tuesdays, 10:00 Detroit time
    ana, ben = make_person(org, name="Ana Ruiz"), make_person(org, name="Ben Carter")
    enroll(group, ana)
    from rs_service.groups.service import enroll as enroll_person

    enroll_person(group, ben, date(2026, 1, 1), waitlist=True)
    db.session.commit()
    signed_off_hours(ana, facilitator, 90, date(2026, 1, 6))
    sessions = sessions_of(group)

    # 02:30 UTC on Wednesday 4 March is still Tuesday 3 March in Detroit: that is the day she leaves.
    with time_machine.travel(datetime(2026, 3, 4, 2, 30, tzinfo=UTC), tick=False):
        assert api.post(f"/people/{ana.id}/deactivate", token, json={"reason": "Left"}).status_code == 200

    db.session.expire_all()
    on_roster = {s.starts_at.date().isoformat(): [p.name for p in roster(s)] for s in sessions}
    assert on_roster["2026-02-17"] == ["Ana Ruiz"]  # before that day: history stays
    assert on_roster["2026-03-03"] == ["Ben Carter"]  # from that day on: gone, and the waitlist moved up
    assert on_roster["2026-03-17"] == ["Ben Carter"]
    ana_enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.person_id == ana.id))
    assert ana_enrollment.left_on == date(2026, 3, 2)
    hours = api.get(f"/people/{ana.id}/hours", token).get_json()
    assert hours["total_minutes"] == 90


# ----------------------------------------------------------------------------- credentials


def test_credentials_are_listed_and_one_can_be_ended(api, org, facilitator, token):
    old = give_credential(facilitator, "IMHS", date(2020, 1, 1), number="MI-1")
    give_credential(facilitator, "IMHM-C", date(2024, 1, 1), number="MI-2")
    listed = api.get(f"/people/{facilitator.id}/credentials", token).get_json()
    assert [c["number"] for c in listed] == ["MI-2", "MI-1"]

    response = api.post(f"/people/{facilitator.id}/credentials/{old.id}/end", token, json={"valid_until": "2023-12-31"})
    assert response.status_code == 200 and response.get_json()["valid_until"] == "2023-12-31"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "credential.ended"))
    assert event.before["valid_until"] is None and event.after["valid_until"] == "2023-12-31"

    before_start = api.post(
        f"/people/{facilitator.id}/credentials/{old.id}/end", token, json={"valid_until": "2019-01-01"}
    )
    assert before_start.status_code == 422 and "valid_until" in before_start.get_json()["errors"]


def test_a_credential_of_someone_else_is_404(api, org, facilitator, token):
    other = make_person(org, "facilitator")
    credential = give_credential(other, "IMHS")
    response = api.post(
        f"/people/{facilitator.id}/credentials/{credential.id}/end", token, json={"valid_until": "2030-01-01"}
    )
    assert response.status_code == 404 and set(response.get_json()) == ERROR_KEYS
