"""Enrolling several participants at once from a group's page, found with a search rather than a long list."""

import re
from datetime import date

import pytest

from rs_service.extensions import db
from rs_service.groups.models import Enrollment
from tests.factories import QueryCounter, csrf_token_from, enroll, log_in, make_group, make_person


@pytest.fixture
def group(org, facilitator):
    return make_group(org, [facilitator], name="Group 2", capacity=4)


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff)
    return client


def offered(html: str) -> list[str]:
    """The names the page offers to tick."""
    return re.findall(r'name="person_ids" value="\d+"(?: checked)?>\s*<span>([^<]+?) <span', html)


def add(client, group, people, **fields):
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "person_ids": [p.id for p in people], "joined_on": "2026-03-01"}
    return client.post(f"/groups/{group.id}/enrollments", data={**data, **fields})


def enrolled(group) -> dict[str, tuple]:
    rows = db.session.execute(
        db.select(Enrollment).where(Enrollment.group_id == group.id).options(db.joinedload(Enrollment.person))
    ).scalars()
    return {e.person.name: (e.joined_on, e.waitlisted) for e in rows}


def test_a_search_narrows_who_is_offered(staff_client, org, group):
    for n in range(60):
        make_person(org, name=f"Participant {n:02}")
    make_person(org, name="Zoë Lindqvist", email="zoe@example.org")
    make_person(org, "facilitator", name="Zora Facilitator")
    everyone = staff_client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert len(offered(everyone)) == 50 and "61 participants are not in this group." in everyone
    assert "Showing the first 50: search to find others." in everyone

    found = staff_client.get(f"/groups/{group.id}?q=zo").get_data(as_text=True)
    assert offered(found) == ["Zoë Lindqvist"]  # participants only, by name or email


def test_staff_tick_several_and_enroll_them_in_one_step(staff_client, org, group):
    ana, ben, carla = (make_person(org, name=n) for n in ("Ana Ruiz", "Ben Carter", "Carla Anand"))
    response = add(staff_client, group, [ana, ben, carla])
    assert response.status_code == 302, response.get_data(as_text=True)
    assert enrolled(group) == {n: (date(2026, 3, 1), False) for n in ("Ana Ruiz", "Ben Carter", "Carla Anand")}
    html = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ana Ruiz, Ben Carter, Carla Anand enrolled from Mar 1, 2026." in html
    assert offered(html) == []  # nobody left to add


def test_more_people_than_places_is_refused_whole_unless_the_rest_may_wait(staff_client, org, group):
    people = [make_person(org, name=f"Person {n}") for n in range(6)]
    enroll(group, make_person(org, name="Already In"))

    refused = add(staff_client, group, people)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Group 2 has room for 3 more" in html
    assert 'id="person_ids-error"' in html and len(re.findall(r'value="\d+" checked', html)) == 6  # still ticked
    assert list(enrolled(group)) == ["Already In"]

    response = add(staff_client, group, people, waitlist="y")
    assert response.status_code == 302
    waiting = {name for name, (_, waitlisted) in enrolled(group).items() if waitlisted}
    assert waiting == {"Person 3", "Person 4", "Person 5"}


def test_someone_already_in_the_group_or_deactivated_or_elsewhere_is_not_a_choice(staff_client, org, group):
    member = make_person(org, name="Member")
    enroll(group, member)
    gone = make_person(org, name="Gone")
    gone.active = False
    db.session.commit()
    response = add(staff_client, group, [member, gone])
    assert response.status_code == 422 and "already in the group, deactivated" in response.get_data(as_text=True)
    assert list(enrolled(group)) == ["Member"]


def test_the_group_page_costs_the_same_queries_for_3_and_30_people_to_pick_from(staff_client, org, group):
    def queries():
        with QueryCounter() as counter:
            assert staff_client.get(f"/groups/{group.id}").status_code == 200
        return counter.count

    for n in range(3):
        make_person(org, name=f"P {n}")
    few = queries()
    for n in range(27):
        make_person(org, name=f"Q {n}")
    assert queries() == few
