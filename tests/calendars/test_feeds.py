"""Feeds served by the app, read by two independent real parsers, instant by instant."""

from datetime import UTC, date, datetime

import icalendar
import pytest
import recurring_ical_events
import time_machine

from rs_service.extensions import db
from tests.calendars.icaljs import expand_with_icaljs
from tests.factories import enroll, log_in, make_group, make_org, make_person, token_for

WINDOW = (datetime(2025, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))


def python_instants(ics: bytes) -> list[datetime]:
    calendar = icalendar.Calendar.from_ical(ics)
    events = recurring_ical_events.of(calendar).between(*WINDOW)
    return sorted(e["DTSTART"].dt.astimezone(UTC) for e in events)


def icaljs_instants(ics: bytes) -> list[datetime]:
    return sorted(o["start"] for o in expand_with_icaljs(ics, *WINDOW))


def expected_instants(api, token, group_id, joined_on=date.min) -> list[datetime]:
    sessions = api.get(f"/groups/{group_id}/sessions", token).get_json()
    return sorted(
        datetime.fromisoformat(s["starts_at"]).astimezone(UTC)
        for s in sessions
        if s["status"] == "scheduled" and datetime.fromisoformat(s["original_starts_at"]).date() >= joined_on
    )


@pytest.fixture
def cohort(app):
    org = make_org("mi-aimh")
    staff, facilitator = make_person(org, "staff"), make_person(org, "facilitator")
    detroit = make_group(org, [facilitator], location="Zoom", join_url="https://zoom.example/j/123")
    perth = make_group(
        org,
        [make_person(org, "facilitator")],
        name="WA evening group",
        timezone="Australia/Perth",
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        start_time="18:30",
    )
    return org, token_for(staff), detroit, perth


def test_participant_feed_shows_exactly_their_sessions_in_both_parsers(api, client, cohort):
    org, staff_token, detroit, perth = cohort
    participant = make_person(org)
    enroll(detroit, participant, joined_on=date(2026, 2, 1))  # mid-cohort joiner
    enroll(perth, participant, joined_on=date(2026, 1, 1))
    sessions = api.get(f"/groups/{detroit.id}/sessions", staff_token).get_json()
    api.post(f"/sessions/{sessions[5]['id']}/cancel", staff_token, json={"reason": "Holiday"})
    api.patch(f"/sessions/{sessions[7]['id']}", staff_token, json={"starts_at": "2026-04-22T13:00:00-04:00"})

    url = api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"]
    response = client.get(url.replace("http://localhost", ""))
    assert response.status_code == 200 and response.content_type.startswith("text/calendar")
    expected = sorted(
        expected_instants(api, staff_token, detroit.id, date(2026, 2, 1))
        + expected_instants(api, staff_token, perth.id)
    )
    assert datetime(2026, 4, 22, 17, 0, tzinfo=UTC) in expected
    assert python_instants(response.data) == expected
    assert icaljs_instants(response.data) == expected


def test_moved_session_keeps_recurrence_id_at_its_original_time(api, client, cohort):
    org, staff_token, detroit, _ = cohort
    participant = make_person(org)
    enroll(detroit, participant)
    session = api.get(f"/groups/{detroit.id}/sessions", staff_token).get_json()[7]  # 21 April, 10:00 EDT
    api.patch(f"/sessions/{session['id']}", staff_token, json={"starts_at": "2026-04-22T13:00:00-04:00"})
    url = api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"]
    moved = [o for o in expand_with_icaljs(client.get(url).data, *WINDOW) if o["recurrence_id"] != o["start"]]
    assert len(moved) == 1
    assert moved[0]["recurrence_id"] == datetime(2026, 4, 21, 14, 0, tzinfo=UTC)
    assert moved[0]["start"] == datetime(2026, 4, 22, 17, 0, tzinfo=UTC)
    assert moved[0]["sequence"] == 1


def test_feed_is_identical_between_fetches_and_answers_304_to_its_etag(api, client, cohort):
    org, _, detroit, _ = cohort
    participant = make_person(org)
    enroll(detroit, participant)
    url = api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"]
    first, second = client.get(url), client.get(url)
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert "private" in first.headers["Cache-Control"]
    cached = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304 and cached.data == b""
    assert b"METHOD:" not in first.data and b"REFRESH-INTERVAL;VALUE=DURATION:" in first.data


def test_a_weak_etag_sent_back_also_answers_304(api, client, cohort):
    org, _, detroit, _ = cohort
    participant = make_person(org)
    enroll(detroit, participant)
    url = api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"]
    tag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": f"W/{tag}"}).status_code == 304
    assert client.get(url, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200


def test_someone_in_no_group_gets_a_valid_calendar_with_no_events(api, client, cohort):
    org = cohort[0]
    newcomer = make_person(org)
    response = client.get(api.get(f"/people/{newcomer.id}/calendar-feed", token_for(newcomer)).get_json()["url"])
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]  # RFC 5545: at least one component
    assert str(calendar.subcomponents[0]["TZID"]) == org.timezone
    assert icaljs_instants(response.data) == [] and python_instants(response.data) == []


def test_rotating_the_feed_retires_the_old_url(api, client, cohort):
    org, _, _detroit, _ = cohort
    participant = make_person(org)
    token = token_for(participant)
    old = api.get(f"/people/{participant.id}/calendar-feed", token).get_json()["url"]
    new = api.post(f"/people/{participant.id}/calendar-feed", token).get_json()
    assert new["url"] != old and new["webcal_url"].startswith("webcal://")
    assert client.get(old).status_code == 404
    assert client.get(new["url"]).status_code == 200
    assert len(new["url"].rsplit("/", 1)[1].removesuffix(".ics")) >= 32  # at least 192 bits, url-safe


def test_feed_url_is_only_for_the_person_and_their_staff(api, cohort):
    org, staff_token, _, _ = cohort
    participant, other = make_person(org), make_person(org)
    assert api.get(f"/people/{participant.id}/calendar-feed", staff_token).status_code == 200
    assert api.get(f"/people/{participant.id}/calendar-feed", token_for(other)).status_code == 403
    assert (
        api.get(f"/people/{participant.id}/calendar-feed", token_for(make_person(make_org(), "staff"))).status_code
        == 404
    )


def test_group_download_needs_a_login_and_membership(client, api, cohort):
    org, staff_token, detroit, _ = cohort
    assert client.get(f"/groups/{detroit.id}/calendar.ics").status_code == 302
    outsider = make_person(org)
    log_in(client, outsider)
    assert client.get(f"/groups/{detroit.id}/calendar.ics").status_code == 403
    member = make_person(org)
    enroll(detroit, member)
    with client.application.test_client() as member_client:
        log_in(member_client, member)
        response = member_client.get(f"/groups/{detroit.id}/calendar.ics")
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
        assert icaljs_instants(response.data) == expected_instants(api, staff_token, detroit.id)
        assert b"BEGIN:VTIMEZONE" in response.data and b"TZID:America/Detroit" in response.data


def test_unknown_feed_token_is_404(client, app):
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_names_with_line_breaks_already_stored_never_break_a_feed(api, client, cohort):
    org, staff_token, detroit, _ = cohort
    participant = make_person(org)
    enroll(detroit, participant)
    # Written before entry refused control characters (or by hand): output must cope anyway.
    detroit.name = "Infant, Early; Childhood\nGroup"
    participant.name = "Dana\r\nMüller 🌱"
    db.session.commit()
    feed = client.get(api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"])
    assert feed.status_code == 200
    calendar = icalendar.Calendar.from_ical(feed.data)
    assert str(calendar["X-WR-CALNAME"]) == "Reflective supervision: Dana Müller 🌱"
    assert {o["summary"] for o in expand_with_icaljs(feed.data, *WINDOW)} == {"Infant, Early; Childhood Group"}
    assert icaljs_instants(feed.data) == expected_instants(api, staff_token, detroit.id)
    log_in(client, participant)
    assert client.get(f"/groups/{detroit.id}/calendar.ics").status_code == 200


def master_sequence(feed: bytes) -> int:
    (master,) = [e for e in icalendar.Calendar.from_ical(feed).walk("VEVENT") if "RRULE" in e]
    return int(master["SEQUENCE"])


@time_machine.travel(datetime(2025, 12, 15, 12, tzinfo=UTC), tick=False)
def test_the_series_sequence_never_goes_back(api, client, cohort):
    org, staff_token, detroit, _ = cohort
    participant = make_person(org)
    enroll(detroit, participant)
    url = api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"]
    seen = [master_sequence(client.get(url).data)]
    sessions = api.get(f"/groups/{detroit.id}/sessions", staff_token).get_json()
    api.post(f"/sessions/{sessions[6]['id']}/cancel", staff_token, json={"reason": "Holiday"})
    seen.append(master_sequence(client.get(url).data))
    changed = api.post(
        f"/groups/{detroit.id}/series", staff_token, json={"from_date": "2026-03-01", "start_time": "13:00"}
    )
    assert changed.status_code == 200
    seen.append(master_sequence(client.get(url).data))
    withdrawn = api.post(
        f"/groups/{detroit.id}/enrollments/{participant.id}/withdraw", staff_token, json={"left_on": "2026-03-20"}
    )
    assert withdrawn.status_code == 200
    seen.append(master_sequence(client.get(url).data))
    assert seen[0] == 0 and seen[1] >= 1 and seen[2] > seen[1] and seen[3] >= seen[2], seen


def test_a_changed_session_or_group_retires_the_old_etag(api, client, cohort):
    """The 304 is answered before the feed is built: its tag must still move with the feed's bytes."""
    from rs_service.extensions import db
    from rs_service.groups import service as groups
    from rs_service.groups.models import Session

    org, _, detroit, _ = cohort
    participant = make_person(org)
    enroll(detroit, participant)
    url = api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"]

    def fetch(tag: str | None = None):
        return client.get(url, headers={"If-None-Match": tag} if tag else {})

    first = fetch()
    assert fetch(first.headers["ETag"]).status_code == 304
    session = db.session.scalar(db.select(Session).where(Session.group_id == detroit.id).order_by(Session.id))
    groups.cancel_session(session, "snow day")
    db.session.commit()
    cancelled = fetch(first.headers["ETag"])
    assert cancelled.status_code == 200 and cancelled.data != first.data
    assert cancelled.headers["ETag"] != first.headers["ETag"]
    assert fetch(cancelled.headers["ETag"]).status_code == 304

    detroit.location = "Room 2"  # a change the calendar shows, though SEQUENCE does not move
    db.session.commit()
    moved = fetch(cancelled.headers["ETag"])
    assert moved.status_code == 200 and b"Room 2" in moved.data
    assert fetch(moved.headers["ETag"]).data == b""

    participant.language = "es"  # the feed's own words change language
    db.session.commit()
    spoken = fetch(moved.headers["ETag"])
    assert spoken.status_code == 200 and spoken.data != moved.data


def test_an_unchanged_feed_is_answered_304_from_one_statement(api, client, cohort):
    from tests.factories import QueryCounter

    org, _, detroit, _ = cohort
    participant = make_person(org)
    enroll(detroit, participant)
    url = api.get(f"/people/{participant.id}/calendar-feed", token_for(participant)).get_json()["url"]
    tag = client.get(url).headers["ETag"]
    with QueryCounter() as queries:
        again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["ETag"] == tag and queries.count == 1
