"""Peer supervision is recorded and shown, but apart from the minutes that can count."""

import csv
import io
from datetime import date

import pytest

from tests.factories import enroll, give_credential, log_in, make_group, make_org, make_person, token_for


def sign_off_first_session(api, group, facilitator, person):
    token = token_for(facilitator)
    session_id = api.get(f"/groups/{group.id}/sessions", token).get_json()[0]["id"]
    api.put(
        f"/sessions/{session_id}/attendance", token, json={"records": [{"person_id": person.id, "status": "present"}]}
    )
    assert api.post(f"/sessions/{session_id}/sign-off", token).status_code == 200


@pytest.fixture
def ana_in_rsc_and_peer_groups(api, app):
    """Ana attended one 90-minute RSC session and one 60-minute peer session, led by the same IMHM-C."""
    org = make_org("mi-aimh")
    mentor = make_person(org, "facilitator", name="Rosa Diaz")
    give_credential(mentor, "IMHM-C", date(2015, 1, 1))
    ana = make_person(org, name="Ana", pursuing_category="IFS")
    rsc = make_group(org, [mentor])
    peer = make_group(org, [mentor], name="Peer circle", kind="peer", duration_minutes=60, start_time="13:00")
    for group in (rsc, peer):
        enroll(group, ana)
        sign_off_first_session(api, group, mentor, ana)
    return org, ana


def test_peer_minutes_are_answered_apart_and_included_in_the_total(api, ana_in_rsc_and_peer_groups):
    _, ana = ana_in_rsc_and_peer_groups
    hours = api.get(f"/people/{ana.id}/hours", token_for(ana)).get_json()
    assert (hours["peer_minutes"], hours["group_minutes"], hours["individual_minutes"]) == (60, 90, 0)
    assert hours["total_minutes"] == 150
    assert sorted(e["peer"] for e in hours["entries"]) == [False, True]


def test_the_chart_and_the_progress_bar_show_only_minutes_that_count(client, ana_in_rsc_and_peer_groups):
    _, ana = ana_in_rsc_and_peer_groups
    log_in(client, ana)
    page = client.get("/my/hours").get_data(as_text=True)
    assert "1.50 h counted by Jan 6, 2026, toward 24.00 h required." in page  # the chart, in words
    assert "Hours counted toward IFS: 1.50 h of 24.00 h" in page  # the progress bar
    assert "Peer supervision (never counts)" in page and "1.00 h" in page
    assert "peer supervision never counts" in page.lower()  # the peer entry's line says why


def test_the_reports_counting_column_leaves_peer_supervision_out(client, ana_in_rsc_and_peer_groups):
    org, _ = ana_in_rsc_and_peer_groups
    log_in(client, make_person(org, "staff"))
    rows = list(csv.DictReader(io.StringIO(client.get("/hours/report?format=csv").get_data(as_text=True))))
    ana = next(r for r in rows if r["name"] == "Ana")
    assert (ana["group_hours"], ana["peer_hours"], ana["total_hours"], ana["counting_hours"]) == (
        "1.50",
        "1.00",
        "2.50",
        "1.50",
    )
    page = client.get("/hours/report").get_data(as_text=True)
    assert "Counting h" in page and "<strong>1.50</strong>" in page
