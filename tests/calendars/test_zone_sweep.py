"""Every client shows every session at the instant the API answers, DST edges included.

Thirteen zones in both hemispheres (half-hour and midnight changes, a negative-DST zone, one that
suspends DST for Ramadan, zones without DST), with sessions at 00:30, 01:30, 02:30, 10:00 and
23:30 local every Sunday of the months in which the clocks change (February to April, September
to November) for three years, some moved, resized or cancelled: 65 groups in one person's feed,
fetched once, and read by five independent clients (one of them a CalDAV server, started once for
the module). Expected instants come from the API's `starts_at` and `duration_minutes`, never from
the feed builder. The one difference allowed is node-ical's own bug, named in its test.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rs_service.extensions import db
from rs_service.groups.service import GroupPlan, cancel_session, create_group, reschedule_session, sessions_of
from tests.calendars import clients
from tests.conftest import empty_all_tables
from tests.factories import ApiClient, api_feed_url, enroll, make_org, make_person, token_for

ZONES = [
    "America/Detroit",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Santiago",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Perth",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "Africa/Casablanca",
]
WALL_TIMES = [time(0, 30), time(1, 30), time(2, 30), time(10, 0), time(23, 30)]
FIRST, LAST = date(2025, 1, 1), date(2027, 12, 31)
WINDOW = (datetime(2024, 12, 1, tzinfo=UTC), datetime(2028, 2, 1, tzinfo=UTC))
MINUTES = 90
# Every Sunday of the months with a change of offset in these zones (Ramadan moves Casablanca's).
RULE = "FREQ=WEEKLY;BYDAY=SU;BYMONTH=2,3,4,9,10,11"


def build_sweep(org, member) -> tuple[list, list]:
    """The 65 groups, and the sessions moved or resized from a wall time in a repeated hour (with
    the start and end the rule gave them)."""
    groups, moved_from_edges = [], []
    for n, zone in enumerate(ZONES):
        for wall in WALL_TIMES:
            facilitator = make_person(org, "facilitator", name=f"Facilitator {zone} {wall:%H%M}")
            plan = GroupPlan(
                name=f"{zone} {wall:%H:%M}",
                timezone=zone,
                rrule=RULE,
                first_date=FIRST,
                until=LAST,
                start_time=wall,
                duration_minutes=MINUTES,
                capacity=4,
                facilitator_ids=(facilitator.id,),
            )
            group = create_group(org.id, plan)
            sessions = sessions_of(group)
            # Some sessions cancelled (an EXDATE) and some moved (an override), at every wall time.
            cancel_session(sessions[10 + n], "Holiday")
            for session, change in (
                (sessions[30 + n], {"starts_at": sessions[30 + n].starts_at + timedelta(days=1, minutes=30)}),
                (sessions[50 + n], {"duration_minutes": MINUTES + 30}),
            ):
                if in_repeated_hour(session.original_starts_at, wall, zone):
                    start = session.original_starts_at
                    moved_from_edges.append((group.name, start, start + timedelta(minutes=MINUTES)))
                reschedule_session(session, **change)
            groups.append(group)
    db.session.commit()
    for group in groups:
        enroll(group, member, joined_on=FIRST)
    return groups, moved_from_edges


def in_repeated_hour(instant: datetime, wall: time, zone: str) -> bool:
    """Does the rule's wall time on this session's day come twice (clocks going back)?"""
    tz = ZoneInfo(zone)
    local = datetime.combine(instant.astimezone(tz).date(), wall)
    return local.replace(tzinfo=tz, fold=0).utcoffset() > local.replace(tzinfo=tz, fold=1).utcoffset()


@pytest.fixture(scope="module")
def sweep(session_app, tmp_path_factory):
    """The feed of a member of all 65 groups, the instants the API answers, and a Radicale server."""
    with session_app.app_context():
        try:
            org = make_org("sweep")
            member = make_person(org, name="Sam Sweep")
            staff_token = token_for(make_person(org, "staff"))
            groups, moved_from_edges = build_sweep(org, member)
            api = ApiClient(session_app.test_client())
            expected = sorted(
                (group.name, start, start + timedelta(minutes=s["duration_minutes"]))
                for group in groups
                for s in api.get(f"/groups/{group.id}/sessions", staff_token).get_json()
                if s["status"] == "scheduled"
                for start in [datetime.fromisoformat(s["starts_at"]).astimezone(UTC)]
            )
            response = session_app.test_client().get(api_feed_url(api, member))
            assert response.status_code == 200
            feed = response.data
        finally:
            db.session.remove()
            empty_all_tables()
    with clients.radicale_server(tmp_path_factory.mktemp("radicale")) as radicale:
        yield Sweep(feed, expected, moved_from_edges, radicale)


@dataclass
class Sweep:
    feed: bytes
    expected: list  # (group name, start, end) from the API, for every scheduled session
    moved_from_edges: list  # (group name, start, end) where the rule put sessions moved from a repeated hour
    radicale: clients.Radicale


def test_the_sweep_holds_sessions_in_skipped_and_repeated_hours_and_across_changes(sweep):
    expected = sweep.expected
    starts = {start for _name, start, _end in expected}
    assert len(expected) > 65 * 70
    assert datetime(2025, 3, 9, 7, 30, tzinfo=UTC) in starts  # Detroit 02:30, skipped: 03:30 EDT
    assert datetime(2025, 11, 2, 5, 30, tzinfo=UTC) in starts  # Detroit 01:30, repeated: the first one
    assert datetime(2025, 3, 30, 1, 30, tzinfo=UTC) in starts  # London 01:30, skipped: 02:30 BST
    assert datetime(2025, 4, 5, 15, 30, tzinfo=UTC) in starts  # Sydney 02:30, repeated: AEDT
    detroit = ZoneInfo("America/Detroit")
    assert (
        "America/Detroit 00:30",
        datetime(2025, 3, 9, 5, 30, tzinfo=UTC),
        datetime(2025, 3, 9, 7, tzinfo=UTC),
    ) in expected
    assert datetime(2025, 3, 9, 7, 0, tzinfo=UTC).astimezone(detroit).hour == 3  # 00:30 EST to 03:00 EDT


@pytest.mark.parametrize(
    "client",
    [clients.with_recurring_ical_events, clients.with_icaljs, clients.with_vobject],
    ids=["recurring-ical-events", "ical.js", "vobject"],
)
def test_every_client_shows_every_session_where_the_api_says(sweep, client):
    shown = client(sweep.feed, WINDOW)
    assert missing_and_extra(shown, sweep.expected) == ([], [])


def test_a_caldav_server_answers_a_time_range_report_with_the_apis_instants(sweep):
    shown = clients.with_radicale(sweep.radicale, sweep.feed, WINDOW)
    assert missing_and_extra(shown, sweep.expected) == ([], [])


def test_node_ical_agrees_everywhere_but_where_it_resolves_one_wall_time_two_ways(sweep):
    """node-ical expands a rule's wall time in a repeated hour with the first offset, as RFC 5545
    says, but reads the same wall time in a RECURRENCE-ID with the second: the override of a
    session moved or resized from such a time never meets its instance, so node-ical shows the
    session where the rule put it. No encoding serves both readings (ical.js takes the second
    for both, so only a RECURRENCE-ID in wall time reaches it); every other session, including
    those in repeated hours that were not moved, must be where the API says."""
    moved = {(name, start) for name, start, _end in sweep.moved_from_edges}
    assert moved, "the sweep should hold such a session"
    wanted = [s for s in sweep.expected if (s[0], s[1]) not in moved] + sweep.moved_from_edges
    shown = clients.with_node_ical(sweep.feed, WINDOW)
    assert missing_and_extra(shown, wanted) == ([], [])


def missing_and_extra(shown, expected) -> tuple[list, list]:
    """What a client fails to show and what it shows that the API does not (first few of each)."""
    shown_set, expected_set = set(shown), set(expected)
    assert len(shown) == len(shown_set), "a session is shown twice"
    return sorted(expected_set - shown_set)[:5], sorted(shown_set - expected_set)[:5]
