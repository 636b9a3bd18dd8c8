"""The OpenAPI document declares the error answers integrators must handle, with the body they get."""

import re

import pytest

ERROR_KEYS = {"code", "status", "message", "errors"}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def declared(spec, path, method):
    return set(spec["paths"][f"/api/v1{path}"][method]["responses"])


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS & set(item):
            yield path, method, item[method]


def test_every_declared_error_has_the_error_body(spec):
    schema = spec["components"]["schemas"]["Error"]
    assert set(schema["properties"]) == ERROR_KEYS and set(schema["required"]) == ERROR_KEYS
    responses = spec["components"]["responses"]
    for path, method, operation in operations(spec):
        for status, answer in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                name = answer["$ref"].rsplit("/", 1)[1]
                content = responses[name]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_the_error_body_declared_is_the_one_answered(spec, client):
    body = client.get("/api/v1/groups").get_json()
    assert set(body) == set(spec["components"]["schemas"]["Error"]["properties"])


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("get", "/people/{person_id}", {"401", "403", "404"}),
        ("post", "/certificates", {"401", "403", "404", "409", "422"}),
        ("post", "/auth/tokens", {"401", "422", "429"}),
        ("get", "/certificates/{code}", {"404", "429"}),
        ("post", "/people/import", {"401", "403", "413", "415"}),
        ("put", "/sessions/{session_id}/attendance", {"401", "403", "404", "409", "422"}),
    ],
)
def test_operations_declare_their_errors(spec, method, path, statuses):
    assert statuses <= declared(spec, path, method)


def test_the_public_certificate_check_declares_no_token_error(spec):
    assert "401" not in declared(spec, "/certificates/{code}", "get")


def test_every_operation_that_wants_a_token_declares_401_and_those_with_ids_404(spec, client):
    for path, method, operation in operations(spec):
        url = re.sub(r"\{[^}]+\}", "1", path)
        answer = client.open(url, method=method.upper(), json={})
        if answer.status_code == 401:
            assert "401" in operation["responses"], (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)
