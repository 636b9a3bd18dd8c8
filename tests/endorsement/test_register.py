"""The certificate register (page, CSV and API), issuing after a confirmation, and the PDF's name."""

import csv
import io
import re
from datetime import date

import pytest

from rs_service.endorsement import service
from rs_service.extensions import db
from tests.endorsement.helpers import AS_OF, add_hours, full_year, provider
from tests.factories import QueryCounter, csrf_token_from, log_in, make_org, make_person, token_for


@pytest.fixture
def imhs(org):
    return provider(org, "IMHS", name="Alice Adams")


def certify(person, staff, category="IFS", as_of=AS_OF):
    certificate = service.issue_certificate(person, category, staff, as_of=as_of)
    db.session.commit()
    return certificate


@pytest.fixture
def issued(org, staff, imhs):
    """Three holders: a valid IFS, a revoked IFS, and a valid IFS flagged for review."""
    people = {}
    for name in ("Jordan Avery", "Casey Lin", "Zoë Lindqvist"):
        people[name] = make_person(org, "participant", name=name, pursuing_category="IFS")
        full_year(people[name], imhs, minutes=60 + len(people))
    certificates = {name: certify(person, staff) for name, person in people.items()}
    service.revoke_certificate(certificates["Casey Lin"], staff, "issued in error")
    service.flag_certificates_for_entries(
        [service.certified_entries(certificates["Zoë Lindqvist"])[0].id], "attendance corrected"
    )
    db.session.commit()
    return certificates


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# ----------------------------------------------------------------------------- API


def test_the_register_lists_every_certificate_with_holder_status_and_review_flag(api, staff, issued):
    response = api.get("/certificates?sort=holder", token_for(staff))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 50)
    assert [(i["holder"], i["status"], i["under_review"]) for i in body["items"]] == [
        ("Casey Lin", "revoked", False),
        ("Jordan Avery", "valid", False),
        ("Zoë Lindqvist", "valid", True),
    ]
    jordan = body["items"][1]
    assert jordan | {"issued_at": None, "verify_url": None} == {
        "code": issued["Jordan Avery"].code,
        "verify_url": None,
        "person_id": issued["Jordan Avery"].person_id,
        "holder": "Jordan Avery",
        "holder_email": issued["Jordan Avery"].person.email,
        "category": "IFS",
        "counted_minutes": 24 * 61,
        "hours": "24.40",
        "window_start": "2024-01-01",
        "window_end": "2025-12-31",
        "issued_at": None,
        "status": "valid",
        "revoked_at": None,
        "under_review": False,
        "review_since": None,
        "rule_version": 1,
    }
    assert body["items"][2]["review_since"] is not None


def test_the_register_filters_sorts_and_pages(api, staff, issued):
    token = token_for(staff)

    def holders(query):
        response = api.get(f"/certificates?{query}", token)
        assert response.status_code == 200, response.get_json()
        return [i["holder"] for i in response.get_json()["items"]]

    assert holders("status=revoked") == ["Casey Lin"]
    assert holders("status=valid&sort=holder") == ["Jordan Avery", "Zoë Lindqvist"]
    assert holders("under_review=true") == ["Zoë Lindqvist"]
    assert holders(f"person_id={issued['Jordan Avery'].person_id}") == ["Jordan Avery"]
    assert holders("category=IMHS") == []
    assert holders("holder=LIND") == ["Zoë Lindqvist"]
    assert holders("holder=%25") == []  # a wildcard typed in is a character, not a pattern
    assert holders("sort=-hours") == ["Zoë Lindqvist", "Casey Lin", "Jordan Avery"]
    assert holders("sort=holder&per_page=2&page=2") == ["Zoë Lindqvist"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=lost", "status"),
        ("sort=colour", "sort"),
        ("per_page=500", "per_page"),
        ("page=0", "page"),
        ("person_id=99999999999", "person_id"),
        ("category=NOPE", "category"),
        ("colour=red", "colour"),
    ],
)
def test_bad_register_queries_are_422(api, staff, query, field):
    response = api.get(f"/certificates?{query}", token_for(staff))
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_only_staff_of_the_association_read_its_register(api, org, issued):
    holder = issued["Jordan Avery"].person
    assert api.get("/certificates", token_for(holder)).status_code == 403
    stranger = token_for(make_person(make_org("ct-aimh"), "staff"))
    assert api.get("/certificates", stranger).get_json()["items"] == []
    assert api.get("/certificates").status_code == 401


# ----------------------------------------------------------------------------- the page and its CSV


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff)
    return client


def test_staff_find_certificates_again_on_the_register_page(staff_client, issued):
    page = text_of(staff_client.get("/endorsement/certificates"))
    assert "3 certificates" in page
    for name in ("Jordan Avery", "Casey Lin", "Zoë Lindqvist"):
        assert name in page
    assert "Under review since" in page and "Revoked" in page
    assert f"/endorsement/certificates/{issued['Casey Lin'].code}" in page
    only_flagged = text_of(staff_client.get("/endorsement/certificates?review=yes"))
    assert "Zoë Lindqvist" in only_flagged and "Jordan Avery" not in only_flagged
    by_name = text_of(staff_client.get("/endorsement/certificates?holder=avery"))
    assert "1 certificate" in by_name and "Jordan Avery" in by_name
    assert staff_client.get("/endorsement/certificates?status=lost").status_code == 422
    assert staff_client.get("/endorsement/certificates?sort=colour").status_code == 422


def test_the_register_csv_exports_every_match_safely(staff_client, org, staff, imhs, issued):
    sly = make_person(org, "participant", name="@SUM(1+1)*cmd", pursuing_category="IFS")
    full_year(sly, imhs)
    certify(sly, staff)
    response = staff_client.get("/endorsement/certificates?status=valid&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["holder"] for r in rows) == sorted(["Jordan Avery", "Zoë Lindqvist", "'@SUM(1+1)*cmd"])
    flagged = next(r for r in rows if r["holder"] == "Zoë Lindqvist")
    assert (flagged["under_review"], flagged["status"], flagged["category"]) == ("yes", "valid", "IFS")
    assert flagged["verify_url"].endswith(f"/verify/{issued['Zoë Lindqvist'].code}")


def register_queries(client, org, staff, imhs, count: int) -> int:
    for n in range(count):
        person = make_person(org, "participant", pursuing_category="IFS")
        full_year(person, imhs, minutes=60 + n)
        certify(person, staff)
    with QueryCounter() as queries:
        assert client.get("/endorsement/certificates").status_code == 200
    return queries.count


def test_a_register_page_takes_the_same_number_of_queries_for_2_and_12_certificates(staff_client, app, staff, imhs):
    staff_client.get("/endorsement/certificates")  # the login and caches are not what is counted
    few = register_queries(staff_client, staff.organization, staff, imhs, 2)
    other = make_org("ct-aimh")
    other_staff = make_person(other, "staff")
    other_client = app.test_client()
    log_in(other_client, other_staff)
    other_client.get("/endorsement/certificates")
    many = register_queries(other_client, other, other_staff, provider(other, "IMHS"), 12)
    assert few == many


# ----------------------------------------------------------------------------- issuing asks first


@pytest.fixture
def eligible(org, imhs):
    person = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    full_year(person, imhs)
    return person


def test_issuing_shows_the_evidence_and_asks_for_confirmation(staff_client, eligible):
    packet = staff_client.get(f"/endorsement/people/{eligible.id}?category=IFS&as_of=2025-12-31")
    html = packet.get_data(as_text=True)
    assert 'method="post" action="/endorsement/people/' not in html  # no one-click issue any more
    confirm_url = f"/endorsement/people/{eligible.id}/certificates/new?category=IFS&amp;as_of=2025-12-31"
    assert confirm_url in html
    confirm = staff_client.get(confirm_url.replace("&amp;", "&"))
    page = text_of(confirm)
    assert confirm.status_code == 200 and service.certificates_of(eligible) == []
    assert "Issue a certificate to Jordan Avery?" in page and "24.00 h of 24.00 h required" in page
    assert "2024-01-01 – 2025-12-31" in page and "Alice Adams" in page and eligible.email in page
    form = confirm.get_data(as_text=True)
    evidence = re.search(r'name="evidence" type="hidden" value="([0-9a-f]+)"', form).group(1)
    response = staff_client.post(
        f"/endorsement/people/{eligible.id}/certificates",
        data={"csrf_token": csrf_token_from(form), "category": "IFS", "as_of": "2025-12-31", "evidence": evidence},
    )
    assert response.status_code == 302
    assert len(service.certificates_of(eligible)) == 1


def test_confirming_evidence_that_changed_since_issues_nothing(staff_client, eligible, imhs):
    form = staff_client.get(f"/endorsement/people/{eligible.id}/certificates/new?category=IFS&as_of=2025-12-31")
    form = form.get_data(as_text=True)
    evidence = re.search(r'name="evidence" type="hidden" value="([0-9a-f]+)"', form).group(1)
    add_hours(eligible, imhs, [date(2025, 12, 30)], 90)  # a colleague records more hours meanwhile
    response = staff_client.post(
        f"/endorsement/people/{eligible.id}/certificates",
        data={"csrf_token": csrf_token_from(form), "category": "IFS", "as_of": "2025-12-31", "evidence": evidence},
    )
    assert response.status_code == 409 and "The evidence changed since it was shown" in text_of(response)
    assert service.certificates_of(eligible) == []


def test_the_confirmation_page_for_someone_not_eligible_has_no_button(staff_client, org, imhs):
    person = make_person(org, "participant", pursuing_category="IFS")
    add_hours(person, imhs, [date(2025, 6, 1)], 60)
    page = text_of(staff_client.get(f"/endorsement/people/{person.id}/certificates/new?category=IFS&as_of=2025-12-31"))
    assert "Nothing can be certified" in page and "Confirm and issue" not in page
    assert staff_client.get(f"/endorsement/people/{person.id}/certificates/new?category=NOPE").status_code == 422


def test_the_pdf_is_named_after_the_holder_and_category(staff_client, org, staff, imhs):
    holder = make_person(org, "participant", name='Zoë "Z" Lindqvist/..', pursuing_category="IFS")
    full_year(holder, imhs)
    certificate = certify(holder, staff)
    response = staff_client.get(f"/endorsement/certificates/{certificate.code}.pdf")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Zo%C3%AB%20Z%20Lindqvist%20..%20-%20IFS%20RSC%20certificate.pdf" in disposition
    assert "/" not in disposition.split("filename*=")[1].replace("%2F", "")
