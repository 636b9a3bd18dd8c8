"""The endorsement pages: queue, evidence packet, certificates, requirement versions, public verification."""

import html
import io
import re
from datetime import date

import pypdf
import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from rs_service.endorsement import requirements, service
from rs_service.endorsement.models import RequirementSet
from rs_service.extensions import db
from rs_service.local_times import local_time
from tests.endorsement.helpers import AS_OF, add_hours, full_year, make_session, monthly, provider, recent_year
from tests.factories import QueryCounter, csrf_token_from, give_credential, log_in, make_org, make_person


@pytest.fixture
def imhs(org):
    return provider(org, "IMHS", name="Alice Adams")


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff)
    return client


@pytest.fixture
def eligible(org, imhs):
    person = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    full_year(person, imhs)
    return person


@pytest.fixture
def certificate(eligible, staff):
    certificate = service.issue_certificate(eligible, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    return certificate


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# ----------------------------------------------------------------------------- who may see what


@pytest.mark.parametrize(
    "path",
    [
        "/endorsement/queue",
        "/endorsement/requirements",
        "/endorsement/requirements/new",
        "/endorsement/requirements/1",
        "/endorsement/people/1",
    ],
)
def test_staff_pages_need_login_and_staff(client, org, path):
    assert client.get(path).status_code == 302
    log_in(client, make_person(org, "participant"))
    assert client.get(path).status_code == 403


def test_another_associations_staff_get_404(client, certificate, eligible):
    log_in(client, make_person(make_org("ct-aimh"), "staff"))
    assert client.get(f"/endorsement/people/{eligible.id}").status_code == 404
    assert client.get(f"/endorsement/certificates/{certificate.code}").status_code == 404
    assert client.get(f"/endorsement/certificates/{certificate.code}.pdf").status_code == 404
    page = client.get("/endorsement/queue").get_data(as_text=True)
    token = csrf_token_from(page)
    response = client.post(
        f"/endorsement/certificates/{certificate.code}/revoke", data={"csrf_token": token, "reason": "not ours"}
    )
    assert response.status_code == 404
    response = client.post(
        f"/endorsement/people/{eligible.id}/certificates",
        data={"csrf_token": token, "category": "IFS", "as_of": "2025-12-31"},
    )
    assert response.status_code == 404
    assert certificate.status == "valid"


# ----------------------------------------------------------------------------- queue


def test_the_queue_lists_who_is_ready_and_who_is_close(staff_client, org, imhs, certificate):
    ready = make_person(org, "participant", name="Ready Rae", pursuing_category="IFS")
    near = make_person(org, "participant", name="Near Ned", pursuing_category="IFS")
    far = make_person(org, "participant", name="Far Fay", pursuing_category="IFS")
    recent_year(ready, imhs)
    recent_year(near, imhs, minutes=50)  # 20 h
    recent_year(far, imhs, minutes=20)
    service.flag_certificates_for_entries([service.certified_entries(certificate)[0].id], "attendance corrected")
    db.session.commit()
    response = staff_client.get("/endorsement/queue")
    assert response.status_code == 200
    page = text_of(response)
    assert "Ready Rae" in page and "Near Ned" in page and "Far Fay" not in page
    assert "Needs 24.00 h of qualifying RSC, has 20.00 h." in page
    assert 'role="img"' in page and "<svg" in page and "<script" not in page
    assert 'data-label="Person"' in page
    assert "Certificates to review" in page and "attendance corrected" in page
    assert f"/endorsement/people/{ready.id}" in page
    assert "Far Fay" in text_of(staff_client.get("/endorsement/queue?within_hours=20"))


def queue_queries(client, org, imhs, people: int) -> int:
    for n in range(people):
        person = make_person(org, "participant", pursuing_category="IFS" if n % 2 else "IMHS")
        recent_year(person, imhs, minutes=60 + n)
    client.get("/endorsement/queue")  # warm up: the login and caches are not what is counted
    with QueryCounter() as queries:
        response = client.get("/endorsement/queue")
    assert response.status_code == 200
    return queries.count


def test_the_queue_issues_the_same_number_of_queries_for_3_and_12_people(staff_client, app, staff, imhs):
    few = queue_queries(staff_client, staff.organization, imhs, 3)
    other_org = make_org("ct-aimh")
    other_client = app.test_client()
    log_in(other_client, make_person(other_org, "staff"))
    many = queue_queries(other_client, other_org, provider(other_org, "IMHS"), 12)
    assert few == many


# ----------------------------------------------------------------------------- evidence and issuing


def test_the_evidence_packet_shows_every_counted_entry_and_the_trail(staff_client, org, eligible, imhs, staff):
    session = make_session(org, "Tuesday RS group")
    add_hours(eligible, imhs, [date(2025, 3, 4)], 90, session_id=session.id)
    peer = add_hours(eligible, provider(org, "IMHM-C", name="Pat Peer"), [date(2025, 3, 5)], 90, peer=True)[0]
    from rs_service.audit.service import record_event

    record_event(org.id, imhs, "session.signed_off", session_id=session.id)
    db.session.commit()
    response = staff_client.get(f"/endorsement/people/{eligible.id}?category=IFS&as_of=2025-12-31")
    assert response.status_code == 200
    page = text_of(response)
    assert "Evidence packet: Jordan Avery" in page and "Eligible" in page
    assert "25.50 h of 24.00 h" in page
    assert "Alice Adams" in page and "IMHS #IMHS-" in page and "(valid 2020-01-01 to open-ended)" in page
    assert "Tuesday RS group, 2025-03-04 10:00 (90 min)" in page
    assert "Peer supervision never counts" in page and peer.entry_date.isoformat() in page
    assert "session: signed off" in page
    assert "requirement version 1" in page
    assert "Issue certificate" in page


def test_the_packet_defaults_to_the_pursued_category_and_lets_staff_choose(staff_client, org, eligible):
    page = text_of(staff_client.get(f"/endorsement/people/{eligible.id}"))
    assert "Infant Family Specialist" in page
    nobody = make_person(org, "participant", name="Sam Nopursuit")
    page = text_of(staff_client.get(f"/endorsement/people/{nobody.id}"))
    assert "Evidence packet: Sam Nopursuit" in page and "Counted entries" not in page
    assert staff_client.get(f"/endorsement/people/{nobody.id}?category=IMHS").status_code == 200
    assert staff_client.get(f"/endorsement/people/{nobody.id}?category=NOPE").status_code == 422
    assert staff_client.get(f"/endorsement/people/{nobody.id}?category=IFS&as_of=1900-01-01").status_code == 422
    assert staff_client.get("/endorsement/people/99999999999999").status_code == 404


def issue_through_the_page(client, person, category="IFS", as_of="2025-12-31"):
    page = client.get(f"/endorsement/people/{person.id}?category={category}&as_of={as_of}").get_data(as_text=True)
    return client.post(
        f"/endorsement/people/{person.id}/certificates",
        data={"csrf_token": csrf_token_from(page), "category": category, "as_of": as_of},
    )


def test_staff_issue_a_certificate_with_the_button(staff_client, eligible):
    response = issue_through_the_page(staff_client, eligible)
    assert response.status_code == 302
    (certificate,) = service.certificates_of(eligible)
    assert response.headers["Location"].endswith(f"/endorsement/certificates/{certificate.code}")
    page = text_of(staff_client.get(response.headers["Location"]))
    assert "Certificate issued to Jordan Avery for IFS." in page
    assert "24.00 h" in page and "requirement version 1" in page and f"/verify/{certificate.code}" in page
    packet = text_of(staff_client.get(f"/endorsement/people/{eligible.id}?category=IFS&as_of=2025-12-31"))
    assert "A valid certificate already certifies this judgement" in packet and "Issue certificate" not in packet


def test_the_button_refuses_with_the_reasons_when_not_eligible(staff_client, org, imhs):
    person = make_person(org, "participant", name="Short Span", pursuing_category="IFS")
    add_hours(person, imhs, monthly(date(2025, 6, 1), 7), 240)
    page = staff_client.get(f"/endorsement/people/{person.id}?category=IFS&as_of=2025-12-31").get_data(as_text=True)
    assert "Issue certificate" not in page  # no button for someone not eligible
    response = staff_client.post(
        f"/endorsement/people/{person.id}/certificates",
        data={"csrf_token": csrf_token_from(page), "category": "IFS", "as_of": "2025-12-31"},
    )
    assert response.status_code == 409
    assert "No certificate was issued" in text_of(response) and "Hours span 7 months, needs at least 12" in text_of(
        response
    )
    assert service.certificates_of(person) == []


def test_issuing_without_a_csrf_token_is_refused(staff_client, eligible):
    response = staff_client.post(
        f"/endorsement/people/{eligible.id}/certificates", data={"category": "IFS", "as_of": "2025-12-31"}
    )
    assert response.status_code == 400
    assert service.certificates_of(eligible) == []


# ----------------------------------------------------------------------------- certificate, PDF, revoke, verify


def test_the_pdf_is_a_pdf_with_the_persons_name(staff_client, certificate):
    response = staff_client.get(f"/endorsement/certificates/{certificate.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "Jordan Avery" in text and certificate.code in re.sub(r"\s+", "", text)
    assert "Transcript" in text


def test_the_holder_may_download_their_pdf_but_no_one_else(client, org, certificate, eligible):
    log_in(client, eligible)
    assert client.get(f"/endorsement/certificates/{certificate.code}.pdf").status_code == 200
    assert client.get(f"/endorsement/certificates/{certificate.code}").status_code == 403  # the staff page
    other_client = client.application.test_client()
    log_in(other_client, make_person(org, "participant"))
    assert other_client.get(f"/endorsement/certificates/{certificate.code}.pdf").status_code == 404


def test_staff_revoke_with_a_reason_and_the_public_page_says_when(staff_client, client, certificate, org):
    page = staff_client.get(f"/endorsement/certificates/{certificate.code}").get_data(as_text=True)
    token = csrf_token_from(page)
    empty = staff_client.post(
        f"/endorsement/certificates/{certificate.code}/revoke", data={"csrf_token": token, "reason": ""}
    )
    assert empty.status_code == 422 and certificate.status == "valid"
    response = staff_client.post(
        f"/endorsement/certificates/{certificate.code}/revoke",
        data={"csrf_token": token, "reason": "hours entered twice"},
    )
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.status == "revoked" and certificate.revoked_reason == "hours entered twice"
    staff_client.post("/logout", data={"csrf_token": token})
    public = text_of(staff_client.get(f"/verify/{certificate.code}"))
    revoked_on = local_time(certificate.revoked_at, org.timezone)  # the association's day, not UTC's
    assert "Revoked." in public and revoked_on in public
    assert "hours entered twice" not in public  # the reason stays with the association


def test_the_verify_page_needs_no_login_and_shows_only_what_a_reviewer_needs(client, certificate, org):
    response = client.get(f"/verify/{certificate.code}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = text_of(response)
    for shown in (
        "Jordan Avery",
        "Infant Family Specialist (IFS)",
        "24.00",
        "2024-01-01 to 2025-12-31",
        org.name,
        "Valid",
    ):
        assert shown in page
    assert "Alice Adams" not in page and "@" not in page  # no transcript, no email


def test_unknown_or_altered_codes_are_404_on_the_verify_page(client, certificate):
    altered = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    for code in (altered, "nope", certificate.code.upper() if certificate.code.upper() != certificate.code else "x"):
        assert client.get(f"/verify/{code}").status_code == 404


def test_a_flagged_certificate_can_be_cleared_after_review(staff_client, certificate):
    service.flag_certificates_for_entries([service.certified_entries(certificate)[0].id], "minutes corrected")
    db.session.commit()
    page = staff_client.get(f"/endorsement/certificates/{certificate.code}").get_data(as_text=True)
    assert "Under review since" in page and "minutes corrected" in page
    response = staff_client.post(
        f"/endorsement/certificates/{certificate.code}/review",
        data={"csrf_token": csrf_token_from(page), "note": "still over 24 h without it"},
    )
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.review_flagged_at is None


# ----------------------------------------------------------------------------- requirement versions


def test_the_requirements_page_shows_the_set_in_force_and_every_version(staff_client):
    page = text_of(staff_client.get("/endorsement/requirements"))
    assert "Version 1, in force from 2000-01-01: Alliance baseline" in page
    assert '<strong>IMHM-C</strong> <span class="muted">Infant Mental Health Mentor-Clinical</span>' in page
    assert "50.00 h" in page
    assert 'data-label="Qualifying providers"' in page
    assert staff_client.get("/endorsement/requirements/1").status_code == 200
    assert staff_client.get("/endorsement/requirements/2").status_code == 404


def submitted_form(page: str) -> MultiDict:
    """What a browser submits for the page unchanged: every named input, checkboxes only when checked."""
    data = MultiDict()
    for tag in re.findall(r"<input\b[^>]*>", page):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if "name" not in attributes or (attributes.get("type") == "checkbox" and not re.search(r"\bchecked\b", tag)):
            continue
        data.add(attributes["name"], html.unescape(attributes.get("value", "")))
    return data


def new_version_form(client) -> tuple[MultiDict, str]:
    """The unchanged form, and the field prefix of its IFS row (e.g. "requirements-1")."""
    data = submitted_form(client.get("/endorsement/requirements/new").get_data(as_text=True))
    ifs = next(key for key, value in data.items(multi=True) if key.endswith("-category") and value == "IFS")
    return data, ifs.rsplit("-", 1)[0]


def test_staff_create_a_new_version_and_the_old_one_stays(staff_client, org):
    data, ifs = new_version_form(staff_client)
    assert data[f"{ifs}-required_hours"] == "24.00"
    data[f"{ifs}-required_hours"] = "25.00"
    data["effective_from"] = "2026-01-01"
    data["note"] = "ORIMHA asks 25 h"
    response = staff_client.post("/endorsement/requirements/new", data=data)
    assert response.status_code == 302, text_of(response)[:2000]
    assert response.headers["Location"].endswith("/endorsement/requirements/2")
    v1 = {
        r.category: requirements.requirement_values(r)
        for r in requirements.requirement_set_version(org.id, 1).requirements
    }
    v2_set = requirements.requirement_set_version(org.id, 2)
    v2 = {r.category: requirements.requirement_values(r) for r in v2_set.requirements}
    assert v2_set.effective_from == date(2026, 1, 1) and v2_set.note == "ORIMHA asks 25 h"
    assert v1["IFS"]["required_minutes"] == 1440 and v2["IFS"]["required_minutes"] == 1500
    for values in (v1, v2):  # provider order is not a change
        for row in values.values():
            row["provider_categories"] = sorted(row["provider_categories"])
    assert {**v2, "IFS": {**v2["IFS"], "required_minutes": 1440}} == v1


def test_an_unchanged_or_invalid_version_is_422_and_saves_nothing(staff_client, org):
    data, ifs = new_version_form(staff_client)
    response = staff_client.post("/endorsement/requirements/new", data=data)
    assert response.status_code == 422 and "nothing changed" in text_of(response)

    bad = data.copy()
    bad[f"{ifs}-window_months"] = "-3"
    response = staff_client.post("/endorsement/requirements/new", data=bad)
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)

    no_providers = data.copy()
    no_providers.poplist(f"{ifs}-provider_categories")
    response = staff_client.post("/endorsement/requirements/new", data=no_providers)
    assert response.status_code == 422 and "needs at least one qualifying provider" in text_of(response)
    assert "check the values" in text_of(response)  # the category's section is marked and opened

    del data["csrf_token"]
    data[f"{ifs}-required_hours"] = "25.00"
    assert staff_client.post("/endorsement/requirements/new", data=data).status_code == 400
    assert db.session.scalar(db.select(db.func.count(RequirementSet.id))) == 1


# ----------------------------------------------------------------------------- the progress partial


def test_the_progress_partial_shows_progress_and_reasons(app, org, imhs, staff):
    person = make_person(org, "participant", pursuing_category="IFS")
    add_hours(person, imhs, monthly(date(2025, 1, 1), 12), 90)
    give_credential(person, "IFS", date(2023, 1, 1))
    progress = service.progress_for(person, AS_OF)
    template = (
        "{% with eligibility=progress.eligibility, renewal=progress.renewal, "
        'certificates=progress.certificates %}{% include "endorsement/_progress.html" %}{% endwith %}'
    )
    with app.test_request_context():
        html = re.sub(r"\s+", " ", render_template_string(template, progress=progress))
    assert "Infant Family Specialist (IFS)" in html
    assert "18.00 h</strong> of 24.00 h" in html and "Needs 24.00 h of qualifying RSC, has 18.00 h." in html
    assert 'role="img"' in html and 'width="75"' in html
    assert "Yearly renewal of the IFS endorsement" in html and "Renewal hours met" in html
    with app.test_request_context():
        empty = render_template_string('{% include "endorsement/_progress.html" %}', eligibility=None)
    assert "No Endorsement category is recorded" in empty
