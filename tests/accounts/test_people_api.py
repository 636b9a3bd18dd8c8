import pytest

from tests.factories import PASSWORD, make_org, make_person, token_for

ERROR_KEYS = {"code", "status", "message", "errors"}


@pytest.fixture
def staff(app):
    return make_person(make_org("mi-aimh"), "staff")


def test_token_from_email_and_password(api, staff):
    response = api.post("/auth/tokens", json={"email": staff.email, "password": PASSWORD})
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert api.get(f"/people/{staff.id}", token).status_code == 200


def test_wrong_password_gets_401_in_the_error_shape(api, staff):
    response = api.post("/auth/tokens", json={"email": staff.email, "password": "nope"})
    assert response.status_code == 401
    assert set(response.get_json()) == ERROR_KEYS


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}])
def test_missing_or_bad_token_is_401(api, staff, headers):
    response = api.get(f"/people/{staff.id}", headers=headers)
    assert response.status_code == 401
    body = response.get_json()
    assert set(body) == ERROR_KEYS and body["code"] == 401 and body["status"] == "Unauthorized"


def test_staff_creates_a_person_and_reads_it_back(api, staff):
    token = token_for(staff)
    response = api.post("/people", token, json={"email": "Ana@Example.org", "name": "Ana Ruiz", "role": "participant"})
    assert response.status_code == 201
    person = response.get_json()
    assert person["email"] == "ana@example.org" and person["role"] == "participant"
    assert api.get(f"/people/{person['id']}", token).get_json()["name"] == "Ana Ruiz"


def test_the_same_email_twice_is_a_conflict(api, staff):
    token = token_for(staff)
    body = {"email": "ana@example.org", "name": "Ana", "role": "participant"}
    assert api.post("/people", token, json=body).status_code == 201
    response = api.post("/people", token, json=body)
    assert response.status_code == 409
    assert "email" in response.get_json()["errors"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "not-an-email", "name": "Ana", "role": "participant"}, "email"),
        ({"email": "a@example.org", "name": "Ana", "role": "admin"}, "role"),
        ({"email": "a@example.org", "role": "participant"}, "name"),
        ({"email": "a@example.org", "name": "Ana", "role": "participant", "colour": "blue"}, "colour"),
    ],
)
def test_invalid_fields_are_422_naming_the_field_and_create_nothing(api, staff, body, field):
    token = token_for(staff)
    response = api.post("/people", token, json=body)
    assert response.status_code == 422
    payload = response.get_json()
    assert set(payload) == ERROR_KEYS and field in payload["errors"]
    assert api.get(f"/people/{staff.id + 1}", token).status_code == 404


def test_malformed_json_is_400(api, staff):
    response = api.post("/people", token_for(staff), data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.get_json()) == ERROR_KEYS


def test_participant_may_not_create_people_but_may_read_themselves(api, staff):
    participant = make_person(staff.organization, "participant")
    other = make_person(staff.organization, "participant")
    token = token_for(participant)
    assert api.post("/people", token, json={"email": "x@example.org", "name": "X", "role": "staff"}).status_code == 403
    assert api.get(f"/people/{participant.id}", token).status_code == 200
    assert api.get(f"/people/{other.id}", token).status_code == 403


def test_another_associations_person_is_404_even_for_staff(api, staff):
    other_staff = make_person(make_org("ct-aimh"), "staff")
    response = api.get(f"/people/{staff.id}", token_for(other_staff))
    assert response.status_code == 404
    assert (
        api.post(
            f"/people/{staff.id}/credentials",
            token_for(other_staff),
            json={"category": "IFS", "number": "1", "valid_from": "2024-01-01"},
        ).status_code
        == 404
    )


def test_staff_records_a_credential(api, staff):
    facilitator = make_person(staff.organization, "facilitator")
    response = api.post(
        f"/people/{facilitator.id}/credentials",
        token_for(staff),
        json={"category": "IMHM-C", "number": "MI-1234", "valid_from": "2021-07-01", "valid_until": None},
    )
    assert response.status_code == 201
    assert response.get_json()["category"] == "IMHM-C" and response.get_json()["valid_until"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"category": "XYZ", "number": "1", "valid_from": "2024-01-01"}, "category"),
        ({"category": "IFS", "number": "1", "valid_from": "2024-13-01"}, "valid_from"),
        ({"category": "IFS", "number": "1", "valid_from": "2024-01-01", "valid_until": "2023-01-01"}, "valid_until"),
    ],
)
def test_bad_credentials_are_422(api, staff, body, field):
    response = api.post(f"/people/{staff.id}/credentials", token_for(staff), json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_unknown_api_path_answers_in_the_error_shape(api, staff):
    response = api.get("/no-such-thing", token_for(staff))
    assert response.status_code == 404 and set(response.get_json()) == ERROR_KEYS


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and "/api/v1/people" in response.get_json()["paths"]


@pytest.mark.parametrize(
    "path", ["/people/99999999999999999999", "/groups/4294967296", "/sessions/0/attendance", "/people/2147483648/hours"]
)
def test_ids_too_large_for_the_database_are_404_not_500(api, staff, path):
    assert api.get(path, token_for(staff)).status_code == 404


def test_body_ids_too_large_are_422(api, staff):
    response = api.post(
        "/groups",
        token_for(staff),
        json={
            "name": "G",
            "facilitator_ids": [2**40],
            "timezone": "America/Detroit",
            "first_date": "2027-01-01",
            "until": "2027-02-01",
            "start_time": "10:00",
            "duration_minutes": 90,
            "rrule": "FREQ=WEEKLY",
            "capacity": 5,
        },
    )
    assert response.status_code == 422 and "facilitator_ids" in response.get_json()["errors"]
