"""One JSON line per request, and no password, API token or feed token in any log line."""

import json
import logging

import pytest

from rs_service.request_log import json_formatter
from tests.factories import PASSWORD, log_in, token_for


@pytest.fixture
def log_lines(caplog):
    caplog.set_level(logging.DEBUG)
    formatter = json_formatter()

    def lines():
        return [formatter.format(record) for record in caplog.records]

    return lines


def request_lines(lines) -> list[dict]:
    return [entry for entry in map(json.loads, lines()) if entry["logger"] == "rs_service.requests"]


def test_each_request_is_one_json_line_with_its_id_person_status_and_time(api, staff, log_lines):
    token = token_for(staff)
    response = api.get(f"/people/{staff.id}", token, headers={"X-Request-ID": "lb-7f3a"})
    api.get("/people/999999", token)
    first, second = request_lines(log_lines)
    assert response.headers["X-Request-ID"] == "lb-7f3a"
    assert first["request_id"] == "lb-7f3a" and first["person_id"] == staff.id
    assert first["status"] == 200 and first["method"] == "GET" and first["route"] == f"/api/v1/people/{staff.id}"
    assert isinstance(first["duration_ms"], float) and first["time"] and first["level"] == "INFO"
    assert second["status"] == 404 and len(second["request_id"]) == 32 and second["request_id"] != "lb-7f3a"


def test_an_anonymous_request_has_no_person(client, log_lines):
    client.get("/login")
    [line] = request_lines(log_lines)
    assert line["person_id"] is None and line["route"] == "/login"


def test_no_log_line_holds_a_password_an_api_token_or_a_feed_token(app, client, api, staff, log_lines):
    issued = api.post("/auth/tokens", json={"email": staff.email, "password": PASSWORD}).get_json()["token"]
    api.post("/auth/tokens", json={"email": staff.email, "password": "a wrong pass phrase"})
    api.get(f"/people/{staff.id}", issued)
    api.get("/people/1", "not-a-real-token-but-secret-looking")
    feed = api.get(f"/people/{staff.id}/calendar-feed", issued).get_json()["url"]
    feed_token = feed.rsplit("/", 1)[1].removesuffix(".ics")
    client.get(feed)
    client.get(feed.replace(feed_token, feed_token[:-3] + "abc"))  # a mistyped token answers 404
    log_in(client, staff)
    text = "\n".join(log_lines())
    assert len(request_lines(log_lines)) >= 8
    for secret in (PASSWORD, "a wrong pass phrase", issued, "not-a-real-token-but-secret-looking", feed_token):
        assert secret not in text
    assert feed_token[:-3] not in text
    assert "/calendar/<token>.ics" in text
