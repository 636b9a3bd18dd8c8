"""Login throttling: 10 failures for one email in 15 minutes refuse that email for 15 minutes.

Every test runs with Flask-Limiter's memory storage and with Redis (RS_TEST_REDIS_URL, default
database 8 on 127.0.0.1), the two storages a deployment may configure.
"""

import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from rs_service.extensions import limiter
from tests.factories import PASSWORD, csrf_token_from, make_org, make_person

REDIS_URL = os.environ.get("RS_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
ERROR_KEYS = {"code", "status", "message", "errors"}


def use_storage(app, uri: str) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = uri
    limiter.init_app(app)  # the same app: its hooks stay registered once, the storage is rebuilt
    limiter.reset()


@pytest.fixture(params=["memory://", REDIS_URL], ids=["memory", "redis"])
def storage(request, app):
    saved = app.config["RATELIMIT_STORAGE_URI"]
    use_storage(app, request.param)
    yield request.param
    limiter.reset()  # leave nothing behind in Redis
    use_storage(app, saved)


@pytest.fixture
def person(app):
    return make_person(make_org("mi-aimh"), "participant")


def token_attempt(api, email, password, address="192.0.2.10"):
    return api.post("/auth/tokens", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def fail(api, email, times, address="192.0.2.10"):
    for _ in range(times):
        assert token_attempt(api, email, "a wrong guess", address).status_code == 401


def test_ten_failures_refuse_the_email_for_fifteen_minutes_even_with_the_right_password(api, person, storage):
    with time_machine.travel(NOON, tick=False) as clock:
        fail(api, person.email, 10)
        refused = token_attempt(api, person.email, PASSWORD)
        assert refused.status_code == 429
        assert set(refused.get_json()) == ERROR_KEYS and refused.get_json()["code"] == 429
        assert "Wait 15 minutes" in refused.get_json()["message"]
        assert refused.headers["Retry-After"] == "900"
        clock.shift(timedelta(minutes=14, seconds=59))
        refused = token_attempt(api, person.email, PASSWORD)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        clock.shift(timedelta(seconds=2))
        assert token_attempt(api, person.email, PASSWORD).status_code == 201


def test_nine_failures_still_let_the_right_password_in(api, person, storage):
    fail(api, person.email, 9)
    assert token_attempt(api, person.email, PASSWORD).status_code == 201


def test_the_refusal_runs_from_the_tenth_failure_within_fifteen_minutes(api, person, storage):
    with time_machine.travel(NOON, tick=False) as clock:
        fail(api, person.email, 1)
        clock.shift(timedelta(minutes=10))
        fail(api, person.email, 9)  # ten within 15 minutes: the tenth starts the refusal
        clock.shift(timedelta(minutes=10))  # the first failure has aged out, the refusal has not
        assert token_attempt(api, person.email, PASSWORD).headers["Retry-After"] == str(5 * 60)


def test_failures_spread_over_more_than_fifteen_minutes_never_refuse(api, person, storage):
    with time_machine.travel(NOON, tick=False) as clock:
        for _ in range(12):
            fail(api, person.email, 1)
            clock.shift(timedelta(minutes=2))  # never 10 within 15 minutes
        assert token_attempt(api, person.email, PASSWORD).status_code == 201


def test_one_email_refused_leaves_other_emails_alone(api, person, storage):
    other = make_person(person.organization)
    fail(api, person.email, 10)
    assert token_attempt(api, person.email, PASSWORD).status_code == 429
    assert token_attempt(api, other.email, PASSWORD).status_code == 201


def test_an_unknown_email_is_refused_the_same_way(api, storage):
    fail(api, "nobody@example.org", 10)
    assert token_attempt(api, "Nobody@Example.org", "anything").status_code == 429


def test_the_email_is_refused_whatever_address_the_attempts_come_from(api, person, storage):
    for n in range(10):
        fail(api, person.email, 1, address=f"198.51.100.{n}")
    assert token_attempt(api, person.email, PASSWORD, address="203.0.113.7").status_code == 429


def test_one_address_failing_for_fifty_emails_is_refused_for_every_email(api, person, storage):
    for n in range(50):
        fail(api, f"guess{n}@example.org", 1, address="192.0.2.66")
    refused = token_attempt(api, person.email, PASSWORD, address="192.0.2.66")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert token_attempt(api, person.email, PASSWORD, address="192.0.2.67").status_code == 201


def test_the_login_page_says_to_wait(client, person, storage):
    with time_machine.travel(NOON, tick=False):
        for _ in range(10):
            page = client.get("/login").get_data(as_text=True)
            client.post(
                "/login", data={"email": person.email, "password": "wrong", "csrf_token": csrf_token_from(page)}
            )
        page = client.get("/login").get_data(as_text=True)
        response = client.post(
            "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)}
        )
    assert response.status_code == 429 and response.headers["Retry-After"] == "900"
    html = response.get_data(as_text=True)
    assert "Too many failed attempts to log in. Wait 15 minutes, then try again." in html
    assert client.get("/").headers["Location"].startswith("/login")  # not logged in


def test_failures_on_the_page_and_the_api_count_together(client, api, person, storage):
    for _ in range(5):
        page = client.get("/login").get_data(as_text=True)
        client.post("/login", data={"email": person.email, "password": "wrong", "csrf_token": csrf_token_from(page)})
    fail(api, person.email, 5, address="127.0.0.1")
    assert token_attempt(api, person.email, PASSWORD, address="127.0.0.1").status_code == 429


def test_an_unreachable_counter_store_answers_503_not_500(api, app, person):
    saved = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    limiter.init_app(app)
    try:
        response = token_attempt(api, person.email, PASSWORD)
    finally:
        use_storage(app, saved)
    assert response.status_code == 503
    assert set(response.get_json()) == ERROR_KEYS
