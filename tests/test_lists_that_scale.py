"""The long lists staff work from: groups, the hours report and the ready-to-certify queue.
Each pages, sorts and searches, and costs the same SQL statements for 3 rows as for 30."""

import re
from datetime import date

import pytest

from rs_service.listing import natural_key
from tests.endorsement.helpers import provider, recent_year
from tests.factories import QueryCounter, log_in, make_group, make_person, signed_off_hours


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff)
    return client


def statements_for(client, path: str) -> tuple[str, int]:
    client.get(path)  # warm up: the login and caches are not what is counted
    with QueryCounter() as queries:
        response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True), queries.count


def one_session_group(org, facilitator, name):
    """A group with a single session, so that many groups stay quick to make."""
    return make_group(org, [facilitator], name=name, first_date="2027-01-05", until="2027-01-05", rrule="FREQ=WEEKLY")


def linked_names(html: str, path: str, end: str = "") -> list[str]:
    return re.findall(rf'<a href="{path}/\d+{end}">([^<]+)</a>', html)


def report_names(html: str) -> list[str]:
    return linked_names(html, "/people", "/hours")


# ----------------------------------------------------------------------------- natural order


def test_names_sort_as_people_count():
    names = ["Group 10", "group 2", "Group 1", "Group 2b", "Alpha"]
    assert sorted(names, key=natural_key) == ["Alpha", "Group 1", "group 2", "Group 2b", "Group 10"]


# ----------------------------------------------------------------------------- groups


def test_groups_sort_naturally_and_page(staff_client, org):
    for n in (10, 2, 1, 11, 3):
        one_session_group(org, make_person(org, "facilitator"), f"Group {n}")
    html = staff_client.get("/groups").get_data(as_text=True)
    assert linked_names(html, "/groups") == ["Group 1", "Group 2", "Group 3", "Group 10", "Group 11"]
    backwards = staff_client.get("/groups?sort=-name").get_data(as_text=True)
    assert linked_names(backwards, "/groups")[0] == "Group 11"


def test_more_groups_than_a_page_come_in_pages(staff_client, org, facilitator):
    for n in range(1, 53):
        one_session_group(org, make_person(org, "facilitator"), f"Group {n}")
    first = staff_client.get("/groups").get_data(as_text=True)
    assert len(linked_names(first, "/groups")) == 50 and "1–50 of 52" in first and 'rel="next"' in first
    second = staff_client.get("/groups?page=2").get_data(as_text=True)
    assert linked_names(second, "/groups") == ["Group 51", "Group 52"]


def test_groups_are_found_by_their_name_or_a_facilitators(staff_client, org):
    one_session_group(org, make_person(org, "facilitator", name="Maya Okafor"), "Tuesday mornings")
    one_session_group(org, make_person(org, "facilitator", name="Sam Lee"), "Home visitors")
    assert linked_names(staff_client.get("/groups?q=tues").get_data(as_text=True), "/groups") == ["Tuesday mornings"]
    assert linked_names(staff_client.get("/groups?q=SAM").get_data(as_text=True), "/groups") == ["Home visitors"]


def test_the_groups_list_costs_the_same_for_3_and_30_groups(staff_client, org):
    for n in range(3):
        one_session_group(org, make_person(org, "facilitator"), f"Group {n}")
    html, few = statements_for(staff_client, "/groups")
    assert len(linked_names(html, "/groups")) == 3
    for n in range(3, 30):
        one_session_group(org, make_person(org, "facilitator"), f"Group {n}")
    html, many = statements_for(staff_client, "/groups")
    assert len(linked_names(html, "/groups")) == 30 and many == few
    _, by_next = statements_for(staff_client, "/groups?sort=next&q=group")
    assert by_next == few + 1  # sorting by the next session looks every group's up: once


# ----------------------------------------------------------------------------- the hours report


@pytest.fixture
def rosa(org):
    return provider(org, "IMHM-C", name="Rosa Diaz")


def test_the_report_refuses_a_from_after_to_with_a_message(staff_client):
    response = staff_client.get("/hours/report?start=2026-06-30&end=2026-03-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="end-error"' in html
    assert "“To” is before “From”" in html


def test_the_report_searches_sorts_and_pages(staff_client, org, rosa):
    for n in range(55):
        person = make_person(org, name=f"Participant {n:02}", email=f"p{n:02}@example.org")
        signed_off_hours(person, rosa, 30 + n, date(2026, 5, 5))
    first = staff_client.get("/hours/report").get_data(as_text=True)
    names = report_names(first)
    assert len(names) == 50 and names[0] == "Participant 00" and "1–50 of 55" in first
    assert report_names(staff_client.get("/hours/report?page=2").get_data(as_text=True)) == [
        f"Participant {n}" for n in range(50, 55)
    ]
    most = report_names(staff_client.get("/hours/report?sort=-total").get_data(as_text=True))
    assert most[:2] == ["Participant 54", "Participant 53"]
    assert report_names(staff_client.get("/hours/report?q=P07@").get_data(as_text=True)) == ["Participant 07"]


def test_the_csv_takes_the_search_but_not_the_page(staff_client, org, rosa):
    for n in range(55):
        make_person(org, name=f"Participant {n:02}")
    rows = staff_client.get("/hours/report?format=csv&page=2").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 56  # the header and everyone
    found = staff_client.get("/hours/report?format=csv&q=participant 1").get_data(as_text=True).strip().splitlines()
    assert len(found) == 11


def test_the_report_costs_the_same_for_3_and_30_participants(staff_client, org, rosa):
    def add(count):
        for _ in range(count):
            signed_off_hours(make_person(org), rosa, 90, date(2026, 5, 5))

    add(3)
    html, few = statements_for(staff_client, "/hours/report?sort=-total")
    assert len(report_names(html)) == 3
    add(27)
    html, many = statements_for(staff_client, "/hours/report?sort=-total")
    assert len(report_names(html)) == 30 and many == few


# ----------------------------------------------------------------------------- the ready-to-certify queue


def evidence_links(html: str) -> list[str]:
    return re.findall(r'aria-label="Evidence packet for ([^"]+)"', html)


def candidates(org, source, count, start=0):
    for n in range(start, start + count):
        person = make_person(org, name=f"Candidate {n:02}", pursuing_category="IFS")
        recent_year(person, source)


def test_the_queue_searches_sorts_and_pages(staff_client, org):
    source = provider(org, "IMHS")
    candidates(org, source, 53)
    first = staff_client.get("/endorsement/queue").get_data(as_text=True)
    assert len(evidence_links(first)) == 50 and "1–50 of 53" in first
    assert len(evidence_links(staff_client.get("/endorsement/queue?page=2").get_data(as_text=True))) == 3
    backwards = evidence_links(staff_client.get("/endorsement/queue?sort=-name").get_data(as_text=True))
    assert backwards[:2] == ["Candidate 52", "Candidate 51"]
    assert evidence_links(staff_client.get("/endorsement/queue?q=date 07").get_data(as_text=True)) == ["Candidate 07"]
    nobody = staff_client.get("/endorsement/queue?q=zzz").get_data(as_text=True)
    assert "Nobody on the list matches “zzz”." in nobody


def test_the_queue_costs_the_same_for_3_and_30_candidates(staff_client, org):
    source = provider(org, "IMHS")
    candidates(org, source, 3)
    html, few = statements_for(staff_client, "/endorsement/queue")
    assert len(evidence_links(html)) == 3
    candidates(org, source, 27, start=3)
    html, many = statements_for(staff_client, "/endorsement/queue")
    assert len(evidence_links(html)) == 30 and many == few
