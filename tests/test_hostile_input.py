"""Nothing a client sends answers 500: hostile JSON, impossible dates, a commit that fails after the view."""

import pytest
from sqlalchemy.exc import OperationalError

from rs_service.accounts.models import Person
from rs_service.extensions import db
from rs_service.groups.models import Group
from tests.factories import enroll, group_body, log_in, make_group, make_person, token_for

ERROR_SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture
def token(staff):
    return token_for(staff)


def people_count() -> int:
    return db.session.scalar(db.select(db.func.count(Person.id)))


def post_raw(api, path, body: str, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return api.client.post(f"/api/v1{path}", data=body, headers=headers)


def test_json_nested_100000_deep_is_a_400_not_a_recursion_error(api, token):
    for path in ("/people", "/auth/tokens"):
        response = post_raw(api, path, "[" * 100_000 + "]" * 100_000, token)
        assert response.status_code == 400
        assert set(response.get_json()) == ERROR_SHAPE and "deeper than 32" in response.get_json()["message"]


def test_json_nested_just_too_deep_inside_a_field_is_refused(api, token):
    body = '{"email": "a@example.org", "name": ' + "[" * 40 + "]" * 40 + ', "role": "participant"}'
    assert post_raw(api, "/people", body, token).status_code == 400


def test_a_lone_surrogate_in_a_name_is_a_422_naming_the_field(api, token):
    before = people_count()
    body = '{"email": "nadia@example.org", "name": "Nadia \\ud800", "role": "participant"}'
    response = post_raw(api, "/people", body, token)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["name"]
    assert people_count() == before


def test_a_surrogate_pair_is_ordinary_text(api, token):
    body = '{"email": "nadia@example.org", "name": "Nadia \\ud83c\\udf3b", "role": "participant"}'
    response = post_raw(api, "/people", body, token)
    assert response.status_code == 201 and response.get_json()["name"] == "Nadia 🌻"


@pytest.mark.parametrize(
    "starts_at", ["9999-12-31T10:00:00+00:00", "9999-12-31T23:59:00-05:00", "0001-01-01T00:00:00Z"]
)
def test_moving_a_session_to_year_9999_or_year_1_is_a_422(api, token, org, facilitator, starts_at):
    group = make_group(org, [facilitator])
    session_id = api.get(f"/groups/{group.id}/sessions", token).get_json()[0]["id"]
    response = api.patch(f"/sessions/{session_id}", token, {"starts_at": starts_at})
    assert response.status_code == 422 and "starts_at" in response.get_json()["errors"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"first_date": "9999-12-25", "until": "9999-12-25", "rrule": "FREQ=DAILY"}, "first_date"),
        ({"first_date": "0001-01-01", "until": "0001-01-03", "rrule": "FREQ=DAILY"}, "first_date"),
        ({"first_date": "1899-12-31"}, "first_date"),
        ({"until": "2201-01-01"}, "until"),
        ({"until": "2036-01-02"}, "until"),  # more than 10 years after the first date
        ({"blackout_dates": ["9999-12-25"]}, "blackout_dates"),
    ],
)
def test_a_group_dated_outside_1900_to_2200_or_spanning_decades_is_a_422(api, token, facilitator, changes, field):
    response = api.post("/groups", token, group_body([facilitator.id], **changes))
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(Group.id))) == 0


def test_a_group_on_the_edges_of_the_range_is_fine(api, token, facilitator):
    for first, until in (("1900-01-01", "1900-03-01"), ("2200-10-01", "2200-12-31")):
        body = group_body([facilitator.id], first_date=first, until=until, name=f"Edge {first}")
        assert api.post("/groups", token, body).status_code == 201


@pytest.mark.parametrize(
    "path, body",
    [
        ("/people/{person}/credentials", {"category": "IMHS", "number": "1", "valid_from": "0001-01-01"}),
        ("/people/{person}/rsc-hours", {"date": "0001-01-01", "minutes": 60, "format": "individual", "provider_id": 1}),
        ("/groups/{group}/enrollments", {"person_id": 1, "joined_on": "9999-12-31"}),
        ("/groups/{group}/enrollments/{person}/withdraw", {"left_on": "9999-12-31"}),
    ],
)
def test_every_date_in_a_request_body_is_bounded(api, token, org, facilitator, path, body):
    person = make_person(org)
    group = make_group(org, [facilitator])
    enroll(group, person)
    response = api.post(path.format(person=person.id, group=group.id), token, body)
    assert response.status_code == 422
    assert "between 1900-01-01 and 2200-12-31" in str(response.get_json()["errors"])


def test_an_hours_query_far_in_the_past_is_a_422(api, token, org):
    person = make_person(org)
    response = api.get(f"/people/{person.id}/hours?from=0001-01-01", token)
    assert response.status_code == 422 and "from" in response.get_json()["errors"]


def failing_commit(*args, **kwargs):
    raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))


def test_a_commit_that_fails_after_the_view_is_a_503_and_saves_nothing(api, token, monkeypatch):
    before = people_count()
    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = api.post("/people", token, {"email": "nadia@example.org", "name": "Nadia", "role": "participant"})
    monkeypatch.undo()
    assert response.status_code == 503 and set(response.get_json()) == ERROR_SHAPE
    db.session.rollback()
    assert people_count() == before


def test_a_page_whose_commit_fails_says_to_try_again(client, staff, monkeypatch):
    log_in(client, staff)
    from tests.factories import csrf_token_from

    html = client.get("/profile").get_data(as_text=True)
    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = client.post("/profile", data={"csrf_token": csrf_token_from(html)})
    monkeypatch.undo()
    assert response.status_code == 503 and "try again" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Person, staff.id).reminders_enabled is True
