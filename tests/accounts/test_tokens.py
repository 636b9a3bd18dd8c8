"""API tokens expire, can be revoked by their holder, and record their use without a write per request."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from rs_service.accounts.models import ApiToken
from rs_service.extensions import db
from tests.factories import PASSWORD, csrf_token_from, log_in, make_org, make_person, token_for

MORNING = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def person(app):
    return make_person(make_org("mi-aimh"), "participant", name="Priya Raman")


def test_a_token_from_email_and_password_expires_in_90_days(api, person):
    with time_machine.travel(MORNING, tick=False):
        response = api.post("/auth/tokens", json={"email": person.email, "password": PASSWORD})
    assert response.status_code == 201
    assert datetime.fromisoformat(response.get_json()["expires_at"]) == MORNING + timedelta(days=90)


def test_an_expired_token_is_401_and_says_so(api, person):
    with time_machine.travel(MORNING, tick=False) as clock:
        token = api.post("/auth/tokens", json={"email": person.email, "password": PASSWORD}).get_json()["token"]
        clock.move_to(MORNING + timedelta(days=90) - timedelta(seconds=1))
        assert api.get(f"/people/{person.id}", token).status_code == 200
        clock.move_to(MORNING + timedelta(days=90))
        response = api.get(f"/people/{person.id}", token)
    assert response.status_code == 401
    assert "expired" in response.get_json()["message"]


def test_deleting_the_current_token_revokes_only_that_token(api, person):
    revoked, other = token_for(person), token_for(person)
    response = api.call("DELETE", "/auth/tokens/current", revoked)
    assert response.status_code == 204 and response.get_data() == b""
    assert api.get(f"/people/{person.id}", revoked).status_code == 401
    assert api.call("DELETE", "/auth/tokens/current", revoked).status_code == 401
    assert api.get(f"/people/{person.id}", other).status_code == 200


def test_last_used_is_written_at_most_every_five_minutes(api, person):
    token = token_for(person)

    def last_used():
        db.session.expire_all()
        return db.session.scalar(db.select(ApiToken.last_used_at))

    with time_machine.travel(MORNING, tick=False) as clock:
        api.get(f"/people/{person.id}", token)
        assert last_used() == MORNING
        clock.shift(timedelta(minutes=4, seconds=59))
        api.get(f"/people/{person.id}", token)
        assert last_used() == MORNING
        clock.shift(timedelta(seconds=1))
        api.get(f"/people/{person.id}", token)
        assert last_used() == MORNING + timedelta(minutes=5)


def test_revoke_tokens_from_the_command_line(runner, api, person):
    tokens = [token_for(person), token_for(person)]
    result = runner.invoke(args=["rs", "revoke-tokens", person.email.upper()])
    assert result.exit_code == 0, result.output
    assert "Revoked 2 API tokens of Priya Raman" in result.output
    assert [api.get(f"/people/{person.id}", t).status_code for t in tokens] == [401, 401]


def test_revoke_tokens_for_an_unknown_email_is_an_error_message(runner, app):
    result = runner.invoke(args=["rs", "revoke-tokens", "nobody@example.org"])
    assert result.exit_code != 0
    assert "no person with the email" in result.output and "Traceback" not in result.output


def test_create_token_prints_its_expiry_and_the_token_last(runner, api, person):
    with time_machine.travel(MORNING, tick=False):
        result = runner.invoke(args=["rs", "create-token", person.email])
        assert result.exit_code == 0, result.output
        assert "valid until 2026-05-31T14:00:00+00:00" in result.output
        token = result.output.strip().splitlines()[-1]
        assert api.get(f"/people/{person.id}", token).status_code == 200


def test_the_profile_lists_ones_own_tokens_and_revokes_one(client, api, person):
    with time_machine.travel(MORNING, tick=False):
        kept, revoked = token_for(person), token_for(person)
        token_for(make_person(person.organization))  # someone else's: not on this profile
        log_in(client, person)
        page = client.get("/profile").get_data(as_text=True)
        assert page.count("Revoke the token created Mon, Mar 2, 2026, 9:00 AM EST") == 2
        assert "Sun, May 31, 2026, 10:00 AM EDT" in page  # 90 days later, in the association's zone
        revoked_id = db.session.scalar(
            db.select(ApiToken.id).where(ApiToken.person_id == person.id).order_by(ApiToken.id.desc())
        )
        response = client.post(f"/profile/tokens/{revoked_id}/revoke", data={"csrf_token": csrf_token_from(page)})
        assert response.status_code == 302
        assert api.get(f"/people/{person.id}", revoked).status_code == 401
        assert api.get(f"/people/{person.id}", kept).status_code == 200
        assert client.get("/profile").get_data(as_text=True).count("Revoke the token created") == 1


def test_nobody_revokes_another_persons_token_from_their_profile(client, api, person):
    other = make_person(person.organization, "staff")
    token = token_for(other)
    other_token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.person_id == other.id))
    log_in(client, person)
    page = client.get("/profile").get_data(as_text=True)
    for token_id in (other_token_id, 2**40):
        response = client.post(f"/profile/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(page)})
        assert response.status_code == 404
    assert api.get(f"/people/{other.id}", token).status_code == 200


def test_a_password_with_a_lone_surrogate_is_422_not_500(client, person):
    body = json.dumps({"email": person.email, "password": "x\ud800"})  # json escapes the surrogate as \ud800
    response = client.post("/api/v1/auth/tokens", data=body, content_type="application/json")
    assert response.status_code == 422
    assert "password" in response.get_json()["errors"]


def test_reading_through_the_api_or_a_feed_writes_nothing(api, client, person):
    """Reads share no row: between stamps of a token's use, a request sends only SELECTs."""
    from sqlalchemy import event

    from rs_service.calendars.service import feed_url

    token = token_for(person)
    feed = feed_url(person).removeprefix("http://rs.test")
    db.session.commit()
    paths = [f"/people/{person.id}", f"/people/{person.id}/hours", f"/people/{person.id}/eligibility?category=IFS"]
    for path in paths:  # the first use of the token is stamped, the first fetch of the feed remembered
        assert api.get(path, token).status_code == 200
    assert client.get(feed).status_code == 200
    sent: list[str] = []

    def record(conn, cursor, statement, *args):
        sent.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for path in paths:
            assert api.get(path, token).status_code == 200
        assert client.get(feed).status_code == 200
        assert client.get("/healthz").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert sent and set(sent) <= {"SELECT", "WITH"}  # WITH: a feed's tag reads through a common table expression
