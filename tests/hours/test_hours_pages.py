import csv
import io
from datetime import date

import pytest

from tests.factories import (
    QueryCounter,
    csrf_token_from,
    enroll,
    give_credential,
    log_in,
    make_group,
    make_org,
    make_person,
    signed_off_hours,
)


@pytest.fixture
def org_with_hours(app):
    org = make_org("mi-aimh")
    provider = make_person(org, "facilitator", name="Rosa Diaz")
    give_credential(provider, "IMHM-C", date(2020, 1, 1))
    ana = make_person(org, name="Ana", pursuing_category="IFS")
    for month in range(1, 7):
        signed_off_hours(ana, provider, 90, date(2026, month, 6))
    signed_off_hours(ana, provider, 60, date(2026, 6, 20), format="individual")
    return org, provider, ana


def test_my_hours_shows_totals_entries_and_a_chart(client, org_with_hours):
    _, _, ana = org_with_hours
    log_in(client, ana)
    html = client.get("/my/hours").get_data(as_text=True)
    assert "10.00 h" in html and "9.00 h" in html and "1.00 h" in html  # total, group, individual
    assert "<svg" in html and "<polyline" in html and "Rosa Diaz" in html
    assert "Infant Family Specialist" in html  # progress toward the category pursued


def test_staff_report_and_csv_export(client, org_with_hours):
    org, _, _ana = org_with_hours
    log_in(client, make_person(org, "staff"))
    html = client.get("/hours/report?start=2026-03-01&end=2026-06-30").get_data(as_text=True)
    assert "Ana" in html and "7.00" in html  # 4 sessions of 1.5 h and 1 h individual
    response = client.get("/hours/report?start=2026-03-01&format=csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    ana_row = next(r for r in rows if r["name"] == "Ana")
    assert (ana_row["group_hours"], ana_row["individual_hours"], ana_row["total_minutes"]) == ("6.00", "1.00", "420")
    assert response.headers["Content-Type"].startswith("text/csv")


def test_report_filters_by_group(client, org_with_hours):
    org, provider, _ana = org_with_hours
    group = make_group(org, [provider])
    ben = make_person(org, name="Ben")
    enroll(group, ben)
    log_in(client, make_person(org, "staff"))
    html = client.get(f"/hours/report?group={group.id}").get_data(as_text=True)
    assert "Ben" in html and ">Ana<" not in html


def test_report_query_count_does_not_grow_with_participants(client, org_with_hours):
    org, provider, _ = org_with_hours
    log_in(client, make_person(org, "staff"))

    def queries():
        with QueryCounter() as counter:
            assert client.get("/hours/report").status_code == 200
        return counter.count

    before = queries()
    for n in range(10):
        signed_off_hours(make_person(org, name=f"P{n}"), provider, 45, date(2026, 5, 5))
    assert queries() == before


def test_bad_report_dates_get_a_message(client, org_with_hours):
    org, _, _ = org_with_hours
    log_in(client, make_person(org, "staff"))
    response = client.get("/hours/report?start=not-a-date")
    assert response.status_code == 422 and "Not a valid date" in response.get_data(as_text=True)


def test_staff_records_external_rsc_from_the_person_page(client, org_with_hours):
    org, _, ana = org_with_hours
    log_in(client, make_person(org, "staff"))
    page = client.get(f"/people/{ana.id}/hours").get_data(as_text=True)
    response = client.post(
        f"/people/{ana.id}/hours",
        data={
            "csrf_token": csrf_token_from(page),
            "entry_date": "2026-07-01",
            "minutes": "50",
            "format": "individual",
            "provider_id": "0",
            "external_name": "Dr. Lee",
            "external_category": "IMHM-C",
            "external_number": "WA-1",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/people/{ana.id}/hours").get_data(as_text=True)
    assert (
        "Dr. Lee" in html and f" recorded 0.83 h for {ana.name}, received Jul 1, 2026" in html
    )  # and in the audit trail


def test_participants_cannot_see_the_report_or_others(client, org_with_hours):
    _org, _, ana = org_with_hours
    log_in(client, ana)
    assert client.get("/hours/report").status_code == 403
    assert client.get(f"/people/{ana.id}/hours").status_code == 403


def test_the_report_nets_reversals_and_corrections_like_the_persons_own_totals(client, org_with_hours):
    from rs_service.extensions import db
    from rs_service.hours import corrections, ledger
    from rs_service.hours.service import hours_of
    from tests.endorsement.helpers import make_session

    org, provider, ana = org_with_hours
    staff = make_person(org, "staff")
    first, second = (make_session(org, name=f"Group {n}") for n in (1, 2))
    kept = signed_off_hours(ana, provider, 90, date(2026, 7, 7), session_id=first.id)
    undone = signed_off_hours(ana, provider, 90, date(2026, 7, 14), session_id=second.id)
    ledger.reverse_entry(undone, reason="signed off by mistake", recorded_by=staff)
    individual = signed_off_hours(ana, provider, 600, date(2026, 7, 1), format="individual")
    corrections.correct_rsc_hours(individual, staff, "600 typed for 60", minutes=60, entry_date=date(2026, 7, 2))
    db.session.commit()
    summary = hours_of(ana, date(2026, 6, 1), date(2026, 7, 31))
    assert (summary.group_minutes, summary.individual_minutes) == (180, 120)  # June and July 7; two of 60

    log_in(client, staff)
    response = client.get("/hours/report?start=2026-06-01&end=2026-07-31&format=csv")
    ana_row = next(r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True))) if r["name"] == "Ana")
    assert (ana_row["group_hours"], ana_row["individual_hours"], ana_row["total_minutes"]) == ("3.00", "2.00", "300")
    assert ana_row["sessions"] == "1" and kept.session_id == first.id  # the reversed session no longer counts
    html = client.get("/hours/report?start=2026-06-01&end=2026-07-31").get_data(as_text=True)
    assert f'<a href="/people/{ana.id}/hours">Ana</a>' in html and "5.00" in html


def test_the_csv_of_a_large_association_is_whole_and_escaped(client, org_with_hours):
    org, _provider, _ana = org_with_hours
    for n in range(1203):  # more rows than one chunk of the stream, and not a multiple of it
        make_person(org, name=f'=HYPERLINK("x","{n:04d}")' if n == 1202 else f"Person {n:04d}")
    log_in(client, make_person(org, "staff"))
    response = client.get("/hours/report?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1204  # and Ana
    names = [r["name"] for r in rows]
    assert len(set(names)) == 1204 and "Ana" in names and "Person 0600" in names
    hostile = next(r for r in rows if "HYPERLINK" in r["name"])
    assert hostile["name"] == '\'=HYPERLINK("x","1202")' and hostile["total_minutes"] == "0"
