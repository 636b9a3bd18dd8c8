"""Only the group's current members see it: not the waitlist, not someone who has left."""

from datetime import date, timedelta

import pytest

from rs_service import clock
from rs_service.extensions import db
from rs_service.groups.service import enroll as enroll_in
from rs_service.groups.service import withdraw
from tests.factories import enroll, log_in, make_group, make_person, token_for


@pytest.fixture
def small_group(org, facilitator):
    """One place, taken; a second participant waits for it."""
    group = make_group(org, [facilitator], capacity=1, first_date="2026-01-01", until="2026-12-31")
    member = make_person(org, name="Priya Raman")
    enroll(group, member)
    waiting = make_person(org, name="Zoë Lindqvist")
    enroll_in(group, waiting, date(2026, 1, 1), waitlist=True)
    db.session.commit()
    return group, member, waiting


def pages(group):
    return [f"/groups/{group.id}", f"/groups/{group.id}/calendar.ics"]


def api_paths(group):
    return [f"/groups/{group.id}", f"/groups/{group.id}/sessions"]


def test_a_current_member_sees_the_group_page_members_and_calendar(client, api, small_group):
    group, member, _ = small_group
    log_in(client, member)
    for path in pages(group):
        assert client.get(path).status_code == 200
    for path in api_paths(group):
        assert api.get(path, token_for(member)).status_code == 200


def test_a_waitlisted_person_sees_neither_the_group_nor_its_members_nor_its_calendar(client, api, small_group):
    group, _, waiting = small_group
    log_in(client, waiting)
    for path in pages(group):
        assert client.get(path).status_code == 403
    for path in api_paths(group):
        assert api.get(path, token_for(waiting)).status_code == 403


def test_a_member_who_left_no_longer_sees_the_group(client, api, small_group):
    group, member, _ = small_group
    yesterday = clock.today_in(group.timezone) - timedelta(days=1)
    withdraw(group, member.id, max(yesterday, date(2026, 1, 1)))
    db.session.commit()
    log_in(client, member)
    for path in pages(group):
        assert client.get(path).status_code == 403
    for path in api_paths(group):
        assert api.get(path, token_for(member)).status_code == 403
