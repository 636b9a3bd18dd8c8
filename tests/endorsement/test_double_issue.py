"""One valid certificate per person, category and window, however many requests race to issue it.

The requests really run at once: each thread has its own test client, so its own app context,
database session and connection, and a barrier releases them together.
"""

import threading

import pytest
from sqlalchemy.exc import IntegrityError

from rs_service.endorsement import service
from rs_service.endorsement.models import Certificate
from rs_service.extensions import db
from tests.endorsement.helpers import AS_OF, full_year, provider
from tests.factories import csrf_token_from, log_in, make_person, token_for

RACERS = 20


@pytest.fixture
def eligible(org):
    person = make_person(org, "participant", name="Jordan Avery", pursuing_category="IFS")
    full_year(person, provider(org, "IMHS", name="Alice Adams"))
    return person


def at_once(count: int, request) -> list:
    """Run `request(n)` in `count` threads released together; their answers in order."""
    barrier = threading.Barrier(count)
    answers: list = [None] * count
    failures: list = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[n] = request(n)
        except Exception as error:  # a crash in a thread must fail the test, not vanish
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    return answers


def valid_certificates(person) -> list[Certificate]:
    db.session.expire_all()
    return [c for c in service.certificates_of(person) if c.status == "valid"]


def test_twenty_parallel_api_requests_issue_one_certificate(app, org, eligible):
    staff = make_person(org, "staff")
    tokens = [token_for(staff) for _ in range(RACERS)]  # one each: a shared token row would queue them
    body = {"person_id": eligible.id, "category": "IFS", "as_of": AS_OF.isoformat()}

    def issue(n: int):
        response = app.test_client().post(
            "/api/v1/certificates", json=body, headers={"Authorization": f"Bearer {tokens[n]}"}
        )
        return response.status_code, response.get_json()

    answers = at_once(RACERS, issue)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * (RACERS - 1), statuses
    (certificate,) = valid_certificates(eligible)
    (issued,) = [body for status, body in answers if status == 201]
    assert issued["code"] == certificate.code
    refusal = next(body for status, body in answers if status == 409)
    assert set(refusal) == {"code", "status", "message", "errors"}
    assert "already holds a valid IFS certificate" in refusal["message"]


def test_a_double_click_on_issue_makes_one_certificate_and_says_so(app, org, eligible):
    staff = make_person(org, "staff")
    clients = [app.test_client() for _ in range(2)]
    log_in(clients[0], staff)
    page = clients[0].get(f"/endorsement/people/{eligible.id}?category=IFS&as_of=2025-12-31")
    form = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "category": "IFS", "as_of": "2025-12-31"}
    # One browser clicking twice: both requests carry the same session cookie and the same form.
    clients[1].set_cookie("session", clients[0].get_cookie("session").value)

    issue_url = f"/endorsement/people/{eligible.id}/certificates"
    answers = at_once(2, lambda n: clients[n].post(issue_url, data=form))

    (certificate,) = valid_certificates(eligible)
    assert [a.status_code for a in answers] == [302, 302]
    assert all(a.headers["Location"].endswith(f"/endorsement/certificates/{certificate.code}") for a in answers)
    pages = [clients[n].get(answers[n].headers["Location"]).get_data(as_text=True) for n in range(2)]
    assert sum("Certificate issued to Jordan Avery for IFS." in page for page in pages) == 1
    assert sum("was already issued" in page for page in pages) == 1


def test_the_database_itself_refuses_a_second_valid_certificate_for_a_window(org, eligible):
    staff = make_person(org, "staff")
    first = service.issue_certificate(eligible, "IFS", staff, as_of=AS_OF)
    db.session.commit()
    twin = Certificate(
        organization_id=org.id,
        code=service.new_certificate_code(),
        person_id=eligible.id,
        category="IFS",
        requirement_id=first.requirement_id,
        counted_minutes=first.counted_minutes,
        window_start=first.window_start,
        window_end=first.window_end,
        status_index=(first.status_index + 1) % 131_072,
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

    service.revoke_certificate(db.session.get(Certificate, first.id), staff, "issued in error")
    db.session.commit()
    again = service.issue_certificate(eligible, "IFS", staff, as_of=AS_OF)  # a revoked one leaves room
    db.session.commit()
    assert [c.code for c in valid_certificates(eligible)] == [again.code]
