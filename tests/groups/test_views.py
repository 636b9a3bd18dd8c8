"""The group pages, driven through the test client as staff, facilitators and participants would."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func

from rs_service import clock
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group, Session
from rs_service.groups.service import sessions_of
from tests.factories import QueryCounter, csrf_token_from, enroll, log_in, make_group, make_org, make_person


@pytest.fixture
def participant(org):
    return make_person(org, "participant", name="Priya Raman")


def submit(client, page, action, data):
    """Post `data` to `action` with the CSRF token of `page`, as a browser would after opening it."""
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def group_form(facilitators, **changes):
    """The create form filled in for a 1st-and-3rd-Tuesday group, 10:00-11:30 Detroit time, January to June 2026."""
    data = {
        "name": "RS Group 1",
        "facilitator_ids": [f.id for f in facilitators],
        "timezone": "America/Detroit",
        "first_date": "2026-01-01",
        "until": "2026-06-30",
        "start_time": "10:00",
        "duration_minutes": "90",
        "recurrence": "monthly",
        "weekday": "TU",
        "ordinals": ["1", "3"],
        "rrule": "",
        "blackout_dates": "",
        "capacity": "8",
        "kind": "rsc",
        "location": "",
        "join_url": "",
        "action": "create",
    }
    data.update(changes)
    return data


def group_count() -> int:
    return db.session.scalar(db.select(func.count(Group.id)))


def local_times(group) -> list[str]:
    return [s.starts_at.astimezone(ZoneInfo(group.timezone)).strftime("%a %d %b %H:%M") for s in sessions_of(group)]


# Creating a group ---------------------------------------------------------------------------------


def test_staff_creates_a_first_and_third_tuesday_group_through_the_form(client, staff, facilitator):
    log_in(client, staff)
    page = client.get("/groups/new")
    assert page.status_code == 200
    assert 'value="America/Detroit"' in page.get_data(as_text=True)  # the association's zone by default

    response = submit(
        client, "/groups/new", "/groups/new", group_form([facilitator], blackout_dates="2026-05-19", location="Zoom")
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    group = db.session.scalar(db.select(Group))
    assert response.headers["Location"] == f"/groups/{group.id}"
    assert group.rrule == "FREQ=MONTHLY;BYDAY=1TU,3TU" and [f.id for f in group.facilitators] == [facilitator.id]
    times = local_times(group)
    assert len(times) == 11  # twelve 1st and 3rd Tuesdays, less the skipped 19 May
    assert times[:3] == ["Tue 06 Jan 10:00", "Tue 20 Jan 10:00", "Tue 03 Feb 10:00"]
    assert {t[-5:] for t in times} == {"10:00"}  # before and after the March clock change
    assert "Tue 19 May 10:00" not in times

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is created with 11 sessions" in page
    assert "Tue, Jan 6, 2026" in page and "10:00 AM–11:30 AM EST" in page and "10:00 AM–11:30 AM EDT" in page
    assert "1st and 3rd Tuesday of the month, 10:00 AM for 90 minutes" in page and "FREQ=MONTHLY" not in page


def test_every_other_week_counts_from_the_first_date(client, staff, facilitator):
    log_in(client, staff)
    response = submit(
        client,
        "/groups/new",
        "/groups/new",
        group_form([facilitator], recurrence="biweekly", weekday="TU", until="2026-02-28"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    group = db.session.scalar(db.select(Group))
    # 1 January 2026 is a Thursday: the first session is the Tuesday after it, not the week after that.
    assert local_times(group) == ["Tue 06 Jan 10:00", "Tue 20 Jan 10:00", "Tue 03 Feb 10:00", "Tue 17 Feb 10:00"]


def test_advanced_rule_is_used_as_written(client, staff, facilitator):
    log_in(client, staff)
    response = submit(
        client,
        "/groups/new",
        "/groups/new",
        group_form([facilitator], recurrence="advanced", rrule="FREQ=WEEKLY;BYDAY=MO,TH", until="2026-01-10"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    group = db.session.scalar(db.select(Group))
    assert local_times(group) == ["Thu 01 Jan 10:00", "Mon 05 Jan 10:00", "Thu 08 Jan 10:00"]


def test_preview_shows_the_dates_and_saves_nothing(client, staff, facilitator):
    log_in(client, staff)
    response = submit(
        client,
        "/groups/new",
        "/groups/new",
        group_form([facilitator], recurrence="weekly", until="2026-03-31", action="preview"),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "13 sessions, not saved yet" in page
    assert "Tue, Jan 6, 2026" in page and "Tue, Mar 31, 2026" in page
    assert "Clocks changed this week (EST to EDT)" in page  # Tuesday 10 March, two days after the change
    assert 'value="RS Group 1"' in page  # the form keeps what was typed
    assert group_count() == 0


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"timezone": "America/Springfield"}, "timezone", "is not an IANA time zone"),
        ({"until": "2025-12-31"}, "until", "the end date is before the first date"),
        ({"start_time": "25:00"}, "start_time", "Not a valid time value"),
        ({"first_date": "2026-02-30"}, "first_date", "Not a valid date value"),
        ({"recurrence": "advanced", "rrule": "FREQ=SOMETIMES"}, "rrule", "Not an RFC 5545 rule"),
        ({"recurrence": "advanced", "rrule": "FREQ=WEEKLY;COUNT=4"}, "rrule", "Leave COUNT out of the rule"),
        ({"recurrence": "monthly", "ordinals": []}, "ordinals", "Choose at least one week of the month"),
        ({"blackout_dates": "2026-05-19, 2026-13-01"}, "blackout_dates", "“2026-13-01” is not a date"),
        ({"duration_minutes": "0"}, "duration_minutes", "A session lasts 1 to 720 minutes"),
        ({"facilitator_ids": []}, "facilitator_ids", "a group needs at least one facilitator"),
    ],
)
def test_bad_input_shows_the_field_error_with_422_and_saves_nothing(
    client, staff, facilitator, changes, field, message
):
    log_in(client, staff)
    response = submit(client, "/groups/new", "/groups/new", group_form([facilitator], **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">' in page and message in page.replace("&#39;", "'")
    assert "There is a problem" in page and "<title>Error: New group" in page
    assert group_count() == 0


def test_a_facilitators_double_booking_is_shown_as_the_clash(client, staff, facilitator, org):
    make_group(org, [facilitator])
    log_in(client, staff)
    response = submit(
        client,
        "/groups/new",
        "/groups/new",
        group_form([facilitator], name="RS Group 2", start_time="11:00", first_date="2026-03-01"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Maya Okafor already facilitates RS Group 1 on Tue, Mar 3, 2026, 10:00 AM EST" in page
    assert 'id="facilitator_ids-error"' in page
    assert group_count() == 1

    preview = submit(
        client,
        "/groups/new",
        "/groups/new",
        group_form([facilitator], name="RS Group 2", start_time="11:00", first_date="2026-03-01", action="preview"),
    )
    assert preview.status_code == 422 and "already facilitates RS Group 1" in preview.get_data(as_text=True)
    assert "sessions, not saved yet" in preview.get_data(as_text=True)  # the dates are still shown


# Enrollment ---------------------------------------------------------------------------------------


def test_staff_enrolls_and_withdraws_through_the_group_page(client, staff, facilitator, participant, org):
    group = make_group(org, [facilitator])
    page = f"/groups/{group.id}"
    log_in(client, staff)

    response = submit(client, page, f"{page}/enrollments", {"person_ids": participant.id, "joined_on": "2026-03-01"})
    assert response.status_code == 302, response.get_data(as_text=True)
    enrollment = db.session.scalar(db.select(Enrollment))
    assert (enrollment.person_id, enrollment.joined_on, enrollment.waitlisted) == (
        participant.id,
        date(2026, 3, 1),
        False,
    )
    html = client.get(page).get_data(as_text=True)
    assert "Priya Raman enrolled from Mar 1, 2026." in html and "Last day for Priya Raman" in html

    too_early = submit(
        client,
        page,
        f"{page}/enrollments/{participant.id}/withdraw",
        {f"withdraw-{participant.id}-left_on": "2026-02-01"},
    )
    assert too_early.status_code == 422
    assert f'id="withdraw-{participant.id}-left_on-error"' in too_early.get_data(as_text=True)

    response = submit(
        client,
        page,
        f"{page}/enrollments/{participant.id}/withdraw",
        {f"withdraw-{participant.id}-left_on": "2026-04-30"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(db.select(Enrollment)).left_on == date(2026, 4, 30)
    assert "Priya Raman leaves the group after Apr 30, 2026" in client.get(page).get_data(as_text=True)


def test_a_full_group_says_so_and_offers_the_waitlist(client, staff, facilitator, org):
    group = make_group(org, [facilitator], capacity=1)
    enroll(group, make_person(org, "participant"))
    late = make_person(org, "participant", name="Lee Late")
    page = f"/groups/{group.id}"
    log_in(client, staff)

    full = submit(client, page, f"{page}/enrollments", {"person_ids": late.id, "joined_on": "2026-01-01"})
    assert full.status_code == 422
    html = full.get_data(as_text=True)
    assert "RS Group 1 is full (1 places)" in html and 'id="person_ids-error"' in html

    waiting = submit(
        client, page, f"{page}/enrollments", {"person_ids": late.id, "joined_on": "2026-01-01", "waitlist": "y"}
    )
    assert waiting.status_code == 302
    assert db.session.scalar(db.select(Enrollment).where(Enrollment.person_id == late.id)).waitlisted
    assert "Waitlist" in client.get(page).get_data(as_text=True)


def test_members_see_who_is_in_the_group_but_not_the_management(client, facilitator, participant, org):
    group = make_group(org, [facilitator])
    enroll(group, participant)
    log_in(client, participant)
    page = client.get(f"/groups/{group.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Priya Raman" in html and "Maya Okafor" in html
    assert "Add a participant" not in html and "Withdraw" not in html and "Change the rest of the series" not in html
    assert f"/groups/{group.id}/calendar.ics" in html


def test_staff_change_the_rest_of_the_series(client, staff, facilitator, org):
    group = make_group(org, [facilitator], first_date="2027-01-01", until="2027-06-30")
    page = f"/groups/{group.id}"
    log_in(client, staff)
    response = submit(
        client, page, f"{page}/series", {"from_date": "2027-04-01", "start_time": "14:00", "duration_minutes": ""}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    times = local_times(db.session.get(Group, group.id))
    assert times[5] == "Tue 16 Mar 10:00" and times[6] == "Tue 06 Apr 14:00" and times[-1] == "Tue 15 Jun 14:00"

    nothing = submit(
        client, page, f"{page}/series", {"from_date": "2027-04-01", "start_time": "", "duration_minutes": ""}
    )
    assert nothing.status_code == 422
    assert "Give a new start time, a new length, or both" in nothing.get_data(as_text=True)


# One session --------------------------------------------------------------------------------------


def test_facilitator_reschedules_and_cancels_a_session(client, facilitator, org):
    group = make_group(org, [facilitator])
    session_id = sessions_of(group)[0].id
    page = f"/sessions/{session_id}"
    log_in(client, facilitator)
    assert client.get(page).status_code == 200

    response = submit(
        client, page, f"{page}/reschedule", {"day": "2026-01-07", "start_time": "13:00", "duration_minutes": "60"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session = db.session.get(Session, session_id)
    assert session.starts_at == datetime(2026, 1, 7, 18, 0, tzinfo=UTC)  # 13:00 EST
    assert session.original_starts_at == datetime(2026, 1, 6, 15, 0, tzinfo=UTC)
    assert (session.duration_minutes, session.sequence) == (60, 1)
    html = client.get(page).get_data(as_text=True)
    assert "Wed, Jan 7, 2026, 1:00 PM EST" in html and "Moved" in html

    no_reason = submit(client, page, f"{page}/cancel", {"reason": "  "})
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.get_data(as_text=True)
    assert db.session.get(Session, session_id).status == "scheduled"

    response = submit(client, page, f"{page}/cancel", {"reason": "Facilitator ill"})
    assert response.status_code == 302
    session = db.session.get(Session, session_id)
    assert (session.status, session.cancel_reason, session.sequence) == ("cancelled", "Facilitator ill", 2)
    html = client.get(page).get_data(as_text=True)
    assert "Cancelled" in html and "can no longer be moved" in html


def test_a_clash_when_moving_a_session_is_shown_on_the_form(client, facilitator, org):
    make_group(org, [facilitator], name="Tuesday group")
    other = make_group(org, [facilitator], name="Wednesday group", rrule="FREQ=WEEKLY;BYDAY=WE")
    session_id = sessions_of(other)[0].id
    log_in(client, facilitator)
    response = submit(
        client,
        f"/sessions/{session_id}",
        f"/sessions/{session_id}/reschedule",
        {"day": "2026-01-06", "start_time": "11:00", "duration_minutes": "90"},
    )
    assert response.status_code == 422
    assert "already facilitates Tuesday group on Tue, Jan 6, 2026, 10:00 AM EST" in response.get_data(as_text=True)
    assert db.session.get(Session, session_id).sequence == 0


def test_my_sessions_puts_today_first(client, facilitator, org):
    today = clock.today_in("America/Detroit")
    make_group(
        org,
        [facilitator],
        rrule="FREQ=WEEKLY",
        first_date=today.isoformat(),
        until=(today + timedelta(days=20)).isoformat(),
        start_time="00:00",
    )
    log_in(client, facilitator)
    html = client.get("/my/sessions").get_data(as_text=True)
    today_text = f"{today:%a}, {today:%b} {today.day}, {today:%Y}"
    next_week = today + timedelta(days=7)
    assert html.index("Today</h2>") < html.index(today_text) < html.index("Upcoming</h2>")
    assert html.index("Upcoming</h2>") < html.index(f"{next_week:%a}, {next_week:%b} {next_week.day}, {next_week:%Y}")


# A participant's schedule -------------------------------------------------------------------------


def test_my_schedule_lists_only_their_sessions_from_the_day_they_joined(client, facilitator, participant, org):
    theirs = make_group(org, [facilitator])
    make_group(org, [make_person(org, "facilitator")], name="Someone else's group")
    enroll(theirs, participant, joined_on=date(2026, 3, 1))
    log_in(client, participant)

    response = client.get("/my/schedule")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tue, Mar 3, 2026" in html and "Tue, Jun 16, 2026" in html
    assert "Tue, Feb 17, 2026" not in html and "Someone else" not in html
    assert html.count("RS Group 1<span") == 8  # March to June, 1st and 3rd Tuesdays
    token = db.session.get(type(participant), participant.id).calendar_token
    assert token and f"/calendar/{token}.ics" in html and f"webcal://rs.test/calendar/{token}.ics" in html
    assert "Settings › Add calendar › From URL" in html and "Subscribe from web" in html
    assert "New Calendar Subscription" in html


def test_a_new_calendar_link_replaces_the_old_one(client, participant):
    log_in(client, participant)
    client.get("/my/schedule")
    old = db.session.get(type(participant), participant.id).calendar_token
    response = submit(client, "/my/schedule", "/my/schedule/new-link", {})
    assert response.status_code == 302
    new = db.session.get(type(participant), participant.id).calendar_token
    assert new and new != old
    html = client.get("/my/schedule").get_data(as_text=True)
    assert "The old link no longer works" in html and new in html and old not in html


# Who may see what ---------------------------------------------------------------------------------


def test_another_associations_group_and_session_are_not_found(client, staff):
    elsewhere = make_org("ct-aimh")
    group = make_group(elsewhere, [make_person(elsewhere, "facilitator")])
    log_in(client, staff)
    assert client.get(f"/groups/{group.id}").status_code == 404
    assert client.get(f"/sessions/{sessions_of(group)[0].id}").status_code == 404
    token = csrf_token_from(client.get("/groups").get_data(as_text=True))
    assert client.post(f"/groups/{group.id}/enrollments", data={"csrf_token": token}).status_code == 404


def test_a_participant_cannot_manage_groups_or_open_someone_elses(client, participant, facilitator, org):
    group = make_group(org, [facilitator])
    log_in(client, participant)
    assert client.get("/groups/new").status_code == 403
    assert client.get("/groups").status_code == 403
    assert client.get(f"/groups/{group.id}").status_code == 403
    assert client.get(f"/sessions/{sessions_of(group)[0].id}").status_code == 403


def test_pages_need_a_login(client):
    assert client.get("/groups").headers["Location"].startswith("/login")
    assert client.get("/my/schedule").headers["Location"].startswith("/login")


def test_the_groups_list_costs_the_same_queries_for_2_and_10_groups(client, app, staff, org):
    def add_groups(count):
        for _ in range(count):
            group = make_group(org, [make_person(org, "facilitator")], name=f"Group {group_count() + 1:02}")
            enroll(group, make_person(org, "participant"))

    def queries_for_list():
        with QueryCounter() as queries:
            response = client.get("/groups")
        assert response.status_code == 200
        return response.get_data(as_text=True), queries.count

    log_in(client, staff)
    add_groups(2)
    html, with_two = queries_for_list()
    assert html.count("1 of 8") == 2
    add_groups(8)
    html, with_ten = queries_for_list()
    assert html.count("1 of 8") == 10 and "Group 10" in html
    assert with_ten == with_two


@pytest.mark.parametrize(
    "changes, field_error",
    [
        ({"first_date": "0001-01-01", "until": "0001-03-01", "action": "preview"}, "between 1900-01-01 and 2200-12-31"),
        ({"first_date": "9999-12-25", "until": "9999-12-25", "action": "preview"}, "between 1900-01-01 and 2200-12-31"),
        ({"blackout_dates": "0001-01-02", "action": "preview"}, "between 1900-01-01 and 2200-12-31"),
        ({"until": "2040-01-01", "action": "preview"}, "span at most 10 years"),
    ],
)
def test_a_preview_far_outside_the_calendar_is_a_form_error_not_a_crash(
    client, staff, facilitator, changes, field_error
):
    log_in(client, staff)
    response = submit(client, "/groups/new", "/groups/new", group_form([facilitator], **changes))
    assert response.status_code == 422
    assert field_error in response.get_data(as_text=True)
    assert group_count() == 0
