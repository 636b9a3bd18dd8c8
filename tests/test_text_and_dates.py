"""Text and dates a client sends: one line without control characters, and years 1900 to 2200."""

import pytest

from rs_service.accounts.models import Person
from rs_service.extensions import db
from rs_service.groups.models import Group
from tests.factories import group_body, make_group, make_org, make_person, token_for


@pytest.fixture
def staff_token(app):
    return token_for(make_person(make_org("mi-aimh"), "staff"))


@pytest.mark.parametrize(
    "name",
    ["Ana\nRuiz", "Ana\rRuiz", "Ana\tRuiz", "Ana\x00Ruiz", "Ana\x1bRuiz", "Ana\u2028Ruiz", "Ana\x85Ruiz", "Ana\ud800"],
)
def test_a_name_with_a_control_character_or_a_lone_surrogate_is_refused(api, staff_token, name):
    people_before = db.session.scalar(db.select(db.func.count(Person.id)))
    response = api.post("/people", staff_token, json={"email": "ana@example.org", "name": name, "role": "participant"})
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(Person.id))) == people_before


def test_names_in_any_script_with_punctuation_are_welcome(api, staff_token):
    name = "José Ñúñez-O'Brien; «Infant, Early» 🙂"
    response = api.post("/people", staff_token, json={"email": "jose@example.org", "name": name, "role": "participant"})
    assert response.status_code == 201 and response.get_json()["name"] == name


def test_a_group_name_with_a_newline_is_refused(api, staff_token, app):
    facilitator = make_person(db.session.scalars(db.select(Person)).first().organization, "facilitator")
    body = group_body([facilitator.id], name="Infant, Early; Childhood\nGroup")
    response = api.post("/groups", staff_token, json=body)
    assert response.status_code == 422 and "name" in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(Group.id))) == 0


@pytest.mark.parametrize("field, value", [("first_date", "1899-12-31"), ("until", "9999-12-25")])
def test_group_dates_outside_1900_to_2200_are_refused(api, staff_token, field, value):
    facilitator = make_person(db.session.scalars(db.select(Person)).first().organization, "facilitator")
    response = api.post("/groups", staff_token, json=group_body([facilitator.id], **{field: value}))
    assert response.status_code == 422 and field in response.get_json()["errors"]


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:00:00+00:00", "0001-01-01T00:30:00+05:00"])
def test_a_session_moved_to_year_9999_or_year_1_is_refused(api, staff_token, starts_at):
    staff = db.session.scalars(db.select(Person)).first()
    group = make_group(staff.organization, [make_person(staff.organization, "facilitator")])
    session_id = api.get(f"/groups/{group.id}/sessions", staff_token).get_json()[0]["id"]
    response = api.patch(f"/sessions/{session_id}", staff_token, json={"starts_at": starts_at})
    assert response.status_code == 422 and "starts_at" in response.get_json()["errors"]
