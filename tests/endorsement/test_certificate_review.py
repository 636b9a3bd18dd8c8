"""A certificate whose counted hours were corrected is under review until staff confirm or revoke it,
and every date and time on a certificate reads the same wherever it is shown."""

import html
import io
import re
from datetime import UTC, datetime

import pypdf
import pytest
import time_machine

from rs_service.endorsement import service
from rs_service.extensions import db
from tests.endorsement.helpers import AS_OF, full_year, provider
from tests.factories import csrf_token_from, log_in, make_org, make_person, token_for

ISSUED = datetime(2026, 3, 3, 2, 11, tzinfo=UTC)  # Monday 2 March, 9:11 PM in Detroit
CORRECTED = datetime(2026, 3, 10, 3, 30, tzinfo=UTC)  # Monday 9 March, 11:30 PM in Detroit


@pytest.fixture
def certified(org, staff):
    """Jordan's IFS certificate, issued at ISSUED on a year of Alice's sessions."""
    jordan = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    entries = full_year(jordan, provider(org, "IMHS", name="Alice Adams"))
    with time_machine.travel(ISSUED, tick=False):
        certificate = service.issue_certificate(jordan, "IFS", staff, as_of=AS_OF)
        db.session.commit()
    return jordan, entries, certificate


def correct_a_counted_entry(api, staff, jordan, entries):
    """Staff correct an individual entry the certificate counted (in the ledger, group RSC without a session)."""
    with time_machine.travel(CORRECTED, tick=False):
        response = api.post(
            f"/people/{jordan.id}/rsc-hours/{entries[0].id}/correct",
            token_for(staff),
            json={"minutes": 30, "reason": "Left after half an hour"},
        )
    assert response.status_code == 200, response.get_json()


def text_of(response) -> str:
    """The page's words, as a reader sees them."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))).strip()


def test_a_correction_puts_the_certificate_under_review_until_staff_confirm_it(api, staff, certified):
    jordan, entries, certificate = certified
    public = api.get(f"/certificates/{certificate.code}").get_json()
    assert (public["under_review"], public["review_since"]) == (False, None)
    correct_a_counted_entry(api, staff, jordan, entries)
    public = api.get(f"/certificates/{certificate.code}").get_json()
    assert (public["status"], public["under_review"], public["review_since"]) == ("valid", True, "2026-03-09")

    token = token_for(staff)
    url = f"/certificates/{certificate.code}/confirm"
    assert "reason" in api.post(url, token, json={}).get_json()["errors"]
    assert "reason" in api.post(url, token, json={"reason": "   "}).get_json()["errors"]
    assert api.post(url, token_for(jordan), json={"reason": "mine"}).status_code == 403
    assert api.post(url, token_for(make_person(make_org(), "staff")), json={"reason": "x"}).status_code == 404
    confirmed = api.post(url, token, json={"reason": "Still 23.50 h of 24? No: 24.00 h after a make-up session"})
    assert confirmed.status_code == 200 and confirmed.get_json()["under_review"] is False
    assert api.get(f"/certificates/{certificate.code}").get_json()["under_review"] is False
    assert api.post(url, token, json={"reason": "again"}).status_code == 409


def test_revoking_ends_the_review(api, staff, certified):
    jordan, entries, certificate = certified
    correct_a_counted_entry(api, staff, jordan, entries)
    api.post(f"/certificates/{certificate.code}/revoke", token_for(staff), json={"reason": "below 24 h"})
    public = api.get(f"/certificates/{certificate.code}").get_json()
    assert (public["status"], public["under_review"], public["review_since"]) == ("revoked", False, None)
    confirm = api.post(f"/certificates/{certificate.code}/confirm", token_for(staff), json={"reason": "x"})
    assert confirm.status_code == 409


def test_the_public_page_tells_a_reviewer_when_a_certificate_is_under_review(client, api, staff, certified):
    jordan, entries, certificate = certified
    assert "under review" not in text_of(client.get(f"/verify/{certificate.code}")).lower()
    correct_a_counted_entry(api, staff, jordan, entries)
    page = text_of(client.get(f"/verify/{certificate.code}"))
    assert "Under review since Mon, Mar 9, 2026, 11:30 PM EDT" in page
    assert "Valid, under review since Mon, Mar 9, 2026, 11:30 PM EDT" in page
    assert "Left after half an hour" not in page  # the reason stays with the association


def test_every_time_on_a_certificate_is_the_associations_wall_clock(client, api, staff, certified):
    _, _, certificate = certified
    shown = "Mon, Mar 2, 2026, 9:11 PM EST"  # not 3 March, not 02:11 UTC
    assert api.get(f"/certificates/{certificate.code}").get_json()["issued_at"] == "2026-03-02T21:11:00-05:00"
    assert f"Issued on {shown}" in text_of(client.get(f"/verify/{certificate.code}"))
    log_in(client, staff)
    assert f"Issued {shown}" in text_of(client.get(f"/endorsement/certificates/{certificate.code}"))
    pdf = client.get(f"/endorsement/certificates/{certificate.code}.pdf")
    first_page = re.sub(r"\s+", " ", pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text())
    assert f"Issued: {shown}" in first_page and "UTC" not in first_page


def test_staff_see_and_confirm_the_review_on_the_certificate_page(client, api, staff, certified):
    jordan, entries, certificate = certified
    correct_a_counted_entry(api, staff, jordan, entries)
    log_in(client, staff)
    page = client.get(f"/endorsement/certificates/{certificate.code}").get_data(as_text=True)
    assert "Under review since" in page and "Left after half an hour" in page
    response = client.post(
        f"/endorsement/certificates/{certificate.code}/review",
        data={"csrf_token": csrf_token_from(page), "note": "Still meets 24 h with the make-up session"},
    )
    assert response.status_code == 302
    assert api.get(f"/certificates/{certificate.code}").get_json()["under_review"] is False
