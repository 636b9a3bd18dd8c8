"""Changing a group after it is created: through PATCH /groups/{id} and the edit form, read back by
calendar parsers, the notification jobs over real SMTP, rosters and the waitlist."""

from datetime import UTC, date, datetime

import icalendar
import pytest
import recurring_ical_events
import time_machine

from rs_service.audit.models import AuditEvent
from rs_service.calendars.service import feed_url
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Session
from rs_service.groups.service import enroll as enroll_person
from rs_service.notifications.jobs import run_due_jobs
from tests.factories import csrf_token_from, enroll, log_in, make_group, make_person, token_for
from tests.notifications.conftest import mailbox  # noqa: F401  (the real SMTP server fixture)

# Tuesday 9 March 2027, 17:00 UTC: the 2027 cohort's sessions of 2 and 16 March are one past, one ahead.
NOW = datetime(2027, 3, 9, 17, 0, tzinfo=UTC)
MARCH_16 = datetime(2027, 3, 16, 14, 0, tzinfo=UTC)  # 10:00 EDT


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def group(org, facilitator):
    """1st and 3rd Tuesdays, 10:00-11:30 America/Detroit, January to June 2027."""
    return make_group(
        org, [facilitator], name="Group 2", first_date="2027-01-01", until="2027-06-30", location="Room 4"
    )


@pytest.fixture
def staff_token(staff):
    return token_for(staff)


def feed_events(client, person) -> list:
    """The person's subscription feed as a calendar app expands it, for 2027."""
    response = client.get(feed_url(person).replace("http://rs.test", ""))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    return recurring_ical_events.of(calendar).between(
        datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    )


def sequences(group) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.scalars(db.select(Session).where(Session.group_id == group.id).order_by(Session.starts_at))
    return {s.starts_at.date().isoformat(): s.sequence for s in rows}


# ----------------------------------------------------------------------------- what calendars see


def test_a_rename_reaches_the_feed_at_the_next_fetch_with_sequence_raised_ahead_only(
    api, client, now, org, group, staff_token
):
    member = make_person(org, name="Ana Ruiz")
    enroll(group, member, joined_on=date(2027, 1, 1))
    assert {e["SUMMARY"] for e in feed_events(client, member)} == {"Group 2"}

    response = api.patch(
        f"/groups/{group.id}",
        staff_token,
        json={"name": "Home visitors, group 2", "location": "Room 7", "description": "Bring a case to share."},
    )
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["name"], answer["location"], answer["description"]) == (
        "Home visitors, group 2",
        "Room 7",
        "Bring a case to share.",
    )

    events = feed_events(client, member)
    assert {e["SUMMARY"] for e in events} == {"Home visitors, group 2"}
    assert {e["LOCATION"] for e in events} == {"Room 7"}
    assert all("Bring a case to share." in e["DESCRIPTION"] for e in events)
    seq = sequences(group)
    assert seq["2027-03-02"] == 0 and seq["2027-03-16"] == 1 and seq["2027-06-15"] == 1
    assert max(e["SEQUENCE"] for e in events) == 1


def test_a_change_calendars_do_not_show_leaves_sequence_alone(api, now, group, staff_token):
    assert api.patch(f"/groups/{group.id}", staff_token, json={"capacity": 12}).status_code == 200
    assert set(sequences(group).values()) == {0}


def test_people_already_sent_an_invite_get_an_update_for_the_renamed_group(now, api, org, group, staff_token, mailbox):  # noqa: F811
    ana, ben = make_person(org, name="Ana Ruiz"), make_person(org, name="Ben Carter")
    enroll(group, ana, joined_on=date(2027, 1, 1))
    run_due_jobs(datetime(2027, 3, 15, 15, 0, tzinfo=UTC))  # the reminders for 16 March
    enroll(group, ben, joined_on=date(2027, 3, 15))  # joined after the reminders went out
    mailbox.clear()

    with time_machine.travel(datetime(2027, 3, 15, 16, 0, tzinfo=UTC), tick=False):
        response = api.patch(f"/groups/{group.id}", staff_token, json={"name": "Home visitors, group 2"})
        assert response.status_code == 200
        run_due_jobs(datetime(2027, 3, 15, 16, 1, tzinfo=UTC))

    subjects = {r.rcpt_tos[0]: " ".join(str(r.message["Subject"]).split()) for r in mailbox.received}
    assert len(mailbox.received) == 3
    for person in (ana, group.facilitators[0]):
        assert subjects[person.email].startswith("Changed: Home visitors, group 2, Tue, Mar 16, 2027")
    # Ben was never sent the old invite: his first one, due now, already carries the new name.
    assert subjects[ben.email].startswith("Reminder: Home visitors, group 2, Tue, Mar 16, 2027")
    [message] = mailbox.to(ana)
    invite = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    [event] = icalendar.Calendar.from_ical(invite.get_content()).walk("VEVENT")
    assert event["SUMMARY"] == "Home visitors, group 2" and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").astimezone(UTC) == MARCH_16


def test_a_renamed_group_still_takes_a_new_time_for_the_rest_of_its_series(api, now, group, staff_token):
    api.patch(f"/groups/{group.id}", staff_token, json={"name": "Renamed"})
    response = api.post(
        f"/groups/{group.id}/series", staff_token, json={"from_date": "2027-04-01", "start_time": "14:00"}
    )
    assert response.status_code == 200
    starts = sorted(s["starts_at"] for s in response.get_json() if s["starts_at"] >= "2027-04")
    assert starts[0] == "2027-04-06T14:00:00-04:00" and all("T14:00" in s for s in starts)


# ----------------------------------------------------------------------------- places and the waitlist


def test_capacity_never_goes_below_the_people_enrolled(api, now, org, group, staff_token):
    for _ in range(3):
        enroll(group, make_person(org), joined_on=date(2027, 1, 1))
    response = api.patch(f"/groups/{group.id}", staff_token, json={"capacity": 2})
    assert response.status_code == 409 and "3 people are enrolled" in response.get_json()["errors"]["capacity"][0]
    assert api.patch(f"/groups/{group.id}", staff_token, json={"capacity": 3}).status_code == 200


def test_more_places_move_people_off_the_waitlist_in_the_order_they_joined_it(api, now, org, facilitator, staff_token):
    group = make_group(org, [facilitator], name="Small", first_date="2027-01-01", until="2027-06-30", capacity=1)
    enroll(group, make_person(org, name="In"), joined_on=date(2027, 1, 1))
    for name in ("First", "Second", "Third"):
        enroll_person(group, make_person(org, name=name), date(2027, 1, 1), waitlist=True)
        db.session.commit()

    assert api.patch(f"/groups/{group.id}", staff_token, json={"capacity": 3}).status_code == 200
    db.session.expire_all()
    rows = db.session.scalars(db.select(Enrollment).where(Enrollment.group_id == group.id)).all()
    state = {e.person.name: (e.waitlisted, e.joined_on) for e in rows}
    assert state["First"] == (False, date(2027, 3, 9)) and state["Second"] == (False, date(2027, 3, 9))
    assert state["Third"][0] is True


# ----------------------------------------------------------------------------- facilitators


def test_staff_hand_a_group_to_another_facilitator_who_becomes_provider_of_record(
    api, now, org, group, facilitator, staff_token
):
    successor = make_person(org, "facilitator", name="Sam Lee")
    response = api.patch(
        f"/groups/{group.id}", staff_token, json={"facilitator_ids": [successor.id], "provider_id": successor.id}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["facilitator_ids"] == [successor.id]
    assert response.get_json()["provider_id"] == successor.id
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "group.changed"))
    assert event.before["facilitator_ids"] == [facilitator.id] and event.after["facilitator_ids"] == [successor.id]


def test_the_provider_of_record_must_facilitate_the_group(api, now, org, group, facilitator, staff_token):
    other = make_person(org, "facilitator")
    not_facilitating = api.patch(f"/groups/{group.id}", staff_token, json={"provider_id": other.id})
    assert not_facilitating.status_code == 422 and "provider_id" in not_facilitating.get_json()["errors"]
    assert api.patch(f"/groups/{group.id}", staff_token, json={"provider_id": facilitator.id}).status_code == 200
    dropped = api.patch(f"/groups/{group.id}", staff_token, json={"facilitator_ids": [other.id]})
    assert dropped.status_code == 422 and "provider_id" in dropped.get_json()["errors"]


def test_a_new_facilitator_already_busy_at_those_times_is_refused(api, now, org, group, staff_token):
    busy = make_person(org, "facilitator", name="Busy Bee")
    make_group(org, [busy], name="Clash", first_date="2027-03-16", until="2027-03-16", rrule="FREQ=WEEKLY")
    response = api.patch(f"/groups/{group.id}", staff_token, json={"facilitator_ids": [busy.id]})
    assert response.status_code == 409 and "Busy Bee already facilitates Clash" in response.get_json()["message"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": "Group\n2"}, "name"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "8"}, "capacity"),
        ({"facilitator_ids": []}, "facilitator_ids"),
        ({"join_url": "javascript:alert(1)"}, "join_url"),
        ({"description": "x" * 2001}, "description"),
        ({"timezone": "Europe/Paris"}, "timezone"),
    ],
)
def test_bad_changes_are_422_naming_the_field_and_change_nothing(api, now, group, staff_token, body, field):
    response = api.patch(f"/groups/{group.id}", staff_token, json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    db.session.expire_all()
    assert (group.name, group.capacity) == ("Group 2", 8)


def test_a_participant_cannot_facilitate(api, now, org, group, staff_token):
    participant = make_person(org)
    response = api.patch(f"/groups/{group.id}", staff_token, json={"facilitator_ids": [participant.id]})
    assert response.status_code == 422 and "facilitator_ids" in response.get_json()["errors"]


def test_only_staff_of_the_association_edit_groups(api, now, org, group, facilitator):
    assert api.patch(f"/groups/{group.id}", token_for(facilitator), json={"name": "Mine"}).status_code == 403
    from tests.factories import make_org

    stranger = make_person(make_org("ct-aimh"), "staff")
    assert api.patch(f"/groups/{group.id}", token_for(stranger), json={"name": "Theirs"}).status_code == 404


# ----------------------------------------------------------------------------- the form


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff)
    return client


def edit_form(group, facilitators, **changes):
    data = {
        "name": group.name,
        "capacity": str(group.capacity),
        "facilitator_ids": [f.id for f in facilitators],
        "provider_id": "0",
        "location": group.location or "",
        "join_url": group.join_url or "",
        "description": group.description or "",
    }
    data.update(changes)
    return data


def submit_edit(client, group, data):
    page = f"/groups/{group.id}/edit"
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(page, data={"csrf_token": token, **data})


def test_the_edit_form_shows_the_group_and_saves_a_handover(now, staff_client, org, group, facilitator):
    successor = make_person(org, "facilitator", name="Sam Lee")
    page = staff_client.get(f"/groups/{group.id}/edit").get_data(as_text=True)
    assert 'value="Group 2"' in page and 'value="Room 4"' in page and "Sam Lee" in page

    response = submit_edit(
        staff_client,
        group,
        edit_form(group, [successor], name="Group 2 (evenings)", description="Second line\nThird line"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    html = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved." in html and "Subscribed calendars show the change at their next refresh." in html
    db.session.expire_all()
    assert [f.name for f in group.facilitators] == ["Sam Lee"] and group.description == "Second line\nThird line"


def test_the_form_says_why_fewer_places_are_refused(now, staff_client, org, group, facilitator):
    for _ in range(3):
        enroll(group, make_person(org), joined_on=date(2027, 1, 1))
    response = submit_edit(staff_client, group, edit_form(group, [facilitator], capacity="2"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="capacity-error"' in html and "3 people are enrolled" in html


def test_the_form_moves_the_waitlist_and_says_who(now, staff_client, org, facilitator):
    group = make_group(org, [facilitator], name="Small", first_date="2027-01-01", until="2027-06-30", capacity=1)
    enroll(group, make_person(org, name="In"), joined_on=date(2027, 1, 1))
    enroll_person(group, make_person(org, name="Waiting Wanda"), date(2027, 1, 1), waitlist=True)
    db.session.commit()
    response = submit_edit(staff_client, group, edit_form(group, [facilitator], capacity="2"))
    html = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Off the waitlist and enrolled from today: Waiting Wanda." in html


def test_only_staff_open_the_edit_form(now, client, group, facilitator):
    log_in(client, facilitator)
    assert client.get(f"/groups/{group.id}/edit").status_code == 403
