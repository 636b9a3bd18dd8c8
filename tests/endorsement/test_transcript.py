"""The application transcript: every ledger entry in the window, counted or not and why, as CSV and PDF."""

import csv
import io
from datetime import date

import pypdf
import pytest

from rs_service.extensions import db
from rs_service.hours.ledger import ProviderSnapshot, reverse_entry
from tests.endorsement.helpers import AS_OF, add_hours, full_year, make_session, provider
from tests.factories import QueryCounter, log_in, make_org, make_person, token_for

COLUMNS = ["date", "minutes", "format", "group", "provider_name", "provider_credential", "provider_number"]
COLUMNS += ["counted", "reason"]


@pytest.fixture
def imhs(org):
    return provider(org, "IMHS", name="Alice Adams")


@pytest.fixture
def applicant(org, imhs):
    """A full year with Alice, one group session, one peer session, one entry corrected away,
    one from an external provider with a name a spreadsheet would run, and one outside the window."""
    person = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    full_year(person, imhs)
    session = make_session(org, "Tuesday RS group")
    add_hours(person, imhs, [date(2025, 3, 4)], 90, session_id=session.id)
    add_hours(person, provider(org, "IMHM-C", name="Pat Peer"), [date(2025, 3, 5)], 90, peer=True)
    mistaken = add_hours(person, imhs, [date(2025, 4, 1)], 120)[0]
    reverse_entry(mistaken, reason="entered twice", recorded_by=None)
    sly = ProviderSnapshot.external('=HYPERLINK("http://evil.example")', "IFA", "+42", date(2020, 1, 1), None)
    add_hours(person, sly, [date(2025, 5, 5)], 60, fmt="individual")
    add_hours(person, imhs, [date(2023, 6, 1)], 60)  # before the 2-year window
    db.session.commit()
    return person


def rows_of(response) -> list[dict]:
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def test_the_transcript_csv_lists_every_entry_in_the_window_and_why(api, staff, applicant):
    response = api.get(f"/people/{applicant.id}/transcript.csv?category=IFS&as_of=2025-12-31", token_for(staff))
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    assert "Jordan Avery - IFS RSC transcript 2025-12-31.csv" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert len(rows) == 24 + 4  # the full year, the session, the peer, the corrected one, the external one
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows) and min(r["date"] for r in rows) >= "2024-01-01"
    counted = [r for r in rows if r["counted"] == "yes"]
    assert len(counted) == 25 and all(r["reason"] == "" for r in counted)
    session_row = next(r for r in rows if r["date"] == "2025-03-04")
    assert session_row | {"provider_number": ""} == {
        "date": "2025-03-04",
        "minutes": "90",
        "format": "group",
        "group": "Tuesday RS group",
        "provider_name": "Alice Adams",
        "provider_credential": "IMHS",
        "provider_number": "",
        "counted": "yes",
        "reason": "",
    }
    assert session_row["provider_number"].startswith("IMHS-")
    by_date = {r["date"]: r for r in rows}
    assert (by_date["2025-03-05"]["counted"], by_date["2025-03-05"]["reason"]) == (
        "no",
        "peer supervision never counts",
    )
    assert (by_date["2025-04-01"]["counted"], by_date["2025-04-01"]["reason"]) == ("no", "corrected: entered twice")
    external = by_date["2025-05-05"]
    assert external["provider_name"] == '\'=HYPERLINK("http://evil.example")'  # no formula runs
    assert external["provider_number"] == "'+42" and external["counted"] == "no"
    assert "does not qualify for IFS" in external["reason"]


def test_the_person_may_read_their_own_transcript_and_nobody_elses(api, org, applicant):
    own = api.get(f"/people/{applicant.id}/transcript.csv?as_of=2025-12-31", token_for(applicant))
    assert own.status_code == 200 and len(rows_of(own)) == 28  # the category pursued is the default
    other = make_person(org, "participant")
    assert api.get(f"/people/{applicant.id}/transcript.csv", token_for(other)).status_code == 403
    stranger = token_for(make_person(make_org("ct-aimh"), "staff"))
    assert api.get(f"/people/{applicant.id}/transcript.csv", stranger).status_code == 404
    assert api.get(f"/people/{applicant.id}/transcript.csv").status_code == 401


def test_bad_transcript_queries_are_422(api, staff, org):
    token = token_for(staff)
    nobody = make_person(org, "participant")
    response = api.get(f"/people/{nobody.id}/transcript.csv", token)
    assert response.status_code == 422 and "category" in response.get_json()["errors"]
    assert api.get(f"/people/{nobody.id}/transcript.csv?category=NOPE", token).status_code == 422
    assert api.get(f"/people/{nobody.id}/transcript.csv?category=IFS&as_of=1899-01-01", token).status_code == 422


def pdf_text(response) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)


def test_the_transcript_pdf_for_staff_from_the_evidence_packet(client, staff, applicant):
    log_in(client, staff)
    packet = client.get(f"/endorsement/people/{applicant.id}?category=IFS&as_of=2025-12-31").get_data(as_text=True)
    link = f"/people/{applicant.id}/transcript.pdf?category=IFS&amp;as_of=2025-12-31"
    assert link in packet
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Jordan Avery - IFS RSC transcript 2025-12-31.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response)
    assert "Transcript of reflective supervision/consultation" in text and "Jordan Avery" in text
    assert "Tuesday RS group" in text and "peer supervision never counts" in text and "corrected: entered twice" in text


def test_the_person_downloads_their_transcript_from_my_hours(client, org, applicant):
    log_in(client, applicant)
    page = client.get("/my/hours").get_data(as_text=True)
    assert f"/people/{applicant.id}/transcript.pdf?category=IFS" in page
    assert client.get(f"/people/{applicant.id}/transcript.csv?category=IFS&as_of=2025-12-31").status_code == 200
    assert client.get(f"/people/{applicant.id}/transcript.pdf?category=IFS&as_of=2025-12-31").status_code == 200
    other = make_person(org, "participant")
    assert client.get(f"/people/{other.id}/transcript.pdf?category=IFS").status_code == 403
    assert client.get(f"/people/{applicant.id}/transcript.pdf?category=NOPE").status_code == 422


def transcript_queries(api, token, person, imhs, entries: int) -> int:
    add_hours(person, imhs, [date(2025, 1 + n % 12, 1 + n // 12) for n in range(entries)], 30)
    with QueryCounter() as queries:
        assert api.get(f"/people/{person.id}/transcript.csv?category=IFS&as_of={AS_OF}", token).status_code == 200
    return queries.count


def test_the_transcript_takes_the_same_number_of_queries_for_3_and_30_entries(api, org, staff, imhs):
    token = token_for(staff)
    api.get(f"/people/{staff.id}", token)  # a token's first use records it; later ones need not write
    few = transcript_queries(api, token, make_person(org, "participant"), imhs, 3)
    many = transcript_queries(api, token, make_person(org, "participant"), imhs, 30)
    assert few == many
