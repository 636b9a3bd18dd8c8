"""The people pages, driven through the test client as staff would: find, add, edit, credentials, status."""

import re
from datetime import date

import pytest

from rs_service.accounts.models import Credential, Person
from rs_service.extensions import db
from tests.factories import (
    PASSWORD,
    QueryCounter,
    csrf_token_from,
    enroll,
    give_credential,
    log_in,
    make_group,
    make_org,
    make_person,
)


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff)
    return client


def submit(client, page, action, data):
    """Post `data` to `action` with the CSRF token of `page`, as a browser would after opening it."""
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def names_listed(html: str) -> list[str]:
    return re.findall(r'<a href="/people/\d+">([^<]+)</a>', html)


# ----------------------------------------------------------------------------- the directory


def test_two_keystrokes_find_someone_among_many(staff_client, org):
    for n in range(40):
        make_person(org, name=f"Participant {n:02}")
    make_person(org, name="Zoë Lindqvist", email="zoe@example.org")
    html = staff_client.get("/people?q=zo").get_data(as_text=True)
    assert names_listed(html) == ["Zoë Lindqvist"]
    assert "1–1 of 1" in html


def test_the_list_pages_and_sorts(staff_client, org):
    for n in range(60):
        make_person(org, name=f"Participant {n:02}")
    first = staff_client.get("/people?role=participant").get_data(as_text=True)
    assert names_listed(first)[:2] == ["Participant 00", "Participant 01"] and len(names_listed(first)) == 50
    assert "1–50 of 60" in first and "Page 1 of 2" in first and 'rel="next"' in first
    second = staff_client.get("/people?role=participant&page=2").get_data(as_text=True)
    assert names_listed(second) == [f"Participant {n}" for n in range(50, 60)]
    backwards = staff_client.get("/people?role=participant&sort=-name").get_data(as_text=True)
    assert names_listed(backwards)[0] == "Participant 59"


def test_deactivated_people_are_hidden_until_asked_for(staff_client, org, staff):
    make_person(org, name="Ana Ruiz")
    gone = make_person(org, name="Gone Person")
    gone.active = False
    db.session.commit()
    assert "Gone Person" not in staff_client.get("/people").get_data(as_text=True)
    html = staff_client.get("/people?status=deactivated").get_data(as_text=True)
    assert names_listed(html) == ["Gone Person"] and "Deactivated" in html
    assert len(names_listed(staff_client.get("/people?status=all").get_data(as_text=True))) == 3


def test_nonsense_filters_fall_back_to_the_defaults(staff_client, org):
    make_person(org, name="Ana Ruiz")
    response = staff_client.get("/people?role=admin&status=x&sort=evil&page=-3")
    assert response.status_code == 200 and "Ana Ruiz" in response.get_data(as_text=True)


def test_the_list_shows_each_persons_groups_in_the_same_queries_for_3_and_30(staff_client, org, facilitator):
    group = make_group(org, [facilitator], name="Tuesday group", capacity=40)

    def add(count):
        for _ in range(count):
            enroll(group, make_person(org))

    def queries():
        with QueryCounter() as counter:
            response = staff_client.get("/people?role=participant")
        assert response.status_code == 200
        return response.get_data(as_text=True), counter.count

    add(3)
    html, few = queries()
    assert html.count("Tuesday group") == 3
    add(27)
    html, many = queries()
    assert html.count("Tuesday group") == 30 and many == few


def test_only_staff_see_the_people_pages(client, org):
    participant = make_person(org)
    log_in(client, participant)
    assert client.get("/people").status_code == 403
    assert client.get(f"/people/{participant.id}").status_code == 403
    assert client.get("/people/import").status_code == 403


def test_another_associations_person_is_404(staff_client):
    stranger = make_person(make_org("ct-aimh"))
    assert staff_client.get(f"/people/{stranger.id}").status_code == 404


# ----------------------------------------------------------------------------- adding and editing


def test_staff_add_a_person(staff_client, org):
    response = submit(
        staff_client,
        "/people/new",
        "/people/new",
        {"name": "Ana Ruiz", "email": "Ana@Example.org", "role": "participant", "pursuing": "IFS", "language": "es"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    person = db.session.scalar(db.select(Person).where(Person.email == "ana@example.org"))
    assert (person.name, person.pursuing_category, person.language) == ("Ana Ruiz", "IFS", "es")
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ana Ruiz is added." in page and " added Ana Ruiz" in page


def test_adding_someone_already_there_says_so_on_the_email_field(staff_client, org):
    make_person(org, name="Ana Ruiz", email="ana@example.org")
    response = submit(
        staff_client,
        "/people/new",
        "/people/new",
        {"name": "Ana Again", "email": "ana@example.org", "role": "participant", "pursuing": "", "language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="email-error"' in html and "already belongs to Ana Ruiz" in html


def test_staff_fix_a_misspelt_name_and_set_the_category_pursued(staff_client, org):
    person = make_person(org, name="Ana Ruis")
    page = f"/people/{person.id}"
    response = submit(
        staff_client,
        page,
        page,
        {"name": "Ana Ruiz", "email": person.email, "role": "participant", "pursuing": "IMHS", "language": "en"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (person.name, person.pursuing_category) == ("Ana Ruiz", "IMHS")
    html = staff_client.get(page).get_data(as_text=True)
    assert "Saved." in html and "Ana Ruis" in html  # the audit trail keeps the old spelling


def test_a_bad_edit_is_shown_on_the_field_and_changes_nothing(staff_client, org):
    person = make_person(org, name="Ana Ruiz")
    page = f"/people/{person.id}"
    response = submit(
        staff_client,
        page,
        page,
        {"name": "Ana\tRuiz", "email": "nope", "role": "participant", "pursuing": "", "language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in html and 'id="email-error"' in html and "There is a problem" in html
    db.session.expire_all()
    assert person.name == "Ana Ruiz"


# ----------------------------------------------------------------------------- credentials


def test_staff_record_a_facilitators_yearly_renewal_and_end_the_old_credential(staff_client, org, facilitator):
    old = give_credential(facilitator, "IMHM-C", date(2024, 7, 1), date(2025, 6, 30), number="MI-1234")
    page = f"/people/{facilitator.id}"
    assert "MI-1234" in staff_client.get(page).get_data(as_text=True)

    renewed = submit(
        staff_client,
        page,
        f"{page}/credentials",
        {"category": "IMHM-C", "number": "MI-1234", "valid_from": "2025-07-01", "valid_until": "2026-06-30"},
    )
    assert renewed.status_code == 302, renewed.get_data(as_text=True)
    valid = {(c.valid_from, c.valid_until) for c in db.session.scalars(db.select(Credential))}
    assert valid == {(date(2024, 7, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2026, 6, 30))}
    assert "IMHM-C MI-1234 is recorded." in staff_client.get(page).get_data(as_text=True)

    ended = submit(staff_client, page, f"{page}/credentials/{old.id}/end", {f"end-{old.id}-valid_until": "2025-03-31"})
    assert ended.status_code == 302
    db.session.expire_all()
    assert db.session.get(Credential, old.id).valid_until == date(2025, 3, 31)


def test_a_credential_ending_before_it_starts_is_refused_on_the_page(staff_client, org, facilitator):
    page = f"/people/{facilitator.id}"
    response = submit(
        staff_client,
        page,
        f"{page}/credentials",
        {"category": "IMHS", "number": "MI-1", "valid_from": "2025-07-01", "valid_until": "2025-01-01"},
    )
    assert response.status_code == 422 and 'id="valid_until-error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Credential)) is None


# ----------------------------------------------------------------------------- status


def test_staff_deactivate_with_a_reason_and_the_person_can_no_longer_log_in(staff_client, org, app):
    person = make_person(org, name="Ana Ruiz")
    their_browser = app.test_client()
    log_in(their_browser, person)
    assert their_browser.get("/").status_code == 200

    page = f"/people/{person.id}"
    without_reason = submit(staff_client, page, f"{page}/deactivate", {"reason": ""})
    assert without_reason.status_code == 422 and 'id="reason-error"' in without_reason.get_data(as_text=True)

    response = submit(staff_client, page, f"{page}/deactivate", {"reason": "Left the program in May"})
    assert response.status_code == 302
    html = staff_client.get(page).get_data(as_text=True)
    assert "Ana Ruiz is deactivated" in html and "Reason: Left the program in May" in html

    assert their_browser.get("/").headers["Location"].startswith("/login")  # the open session ends too
    login_page = their_browser.get("/login").get_data(as_text=True)
    again = their_browser.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token_from(login_page)}
    )
    assert again.status_code == 422

    response = submit(staff_client, page, f"{page}/reactivate", {"reason": "Came back"})
    assert response.status_code == 302
    log_in(app.test_client(), person)


def test_staff_see_no_deactivate_button_on_their_own_page(staff_client, staff):
    assert "Deactivate" not in staff_client.get(f"/people/{staff.id}").get_data(as_text=True)


def test_a_write_the_database_refuses_answers_a_page_not_a_server_error(staff_client, staff, monkeypatch):
    """Two staff adding the same person at once: the second flush fails, and the page still shows
    who is logged in (the failed transaction is rolled back before it is drawn)."""
    from rs_service.people import service

    def add_the_same_person_twice(organization, actor, changes):
        db.session.add(Person(organization_id=organization.id, email=staff.email, name="Twin", role="participant"))
        db.session.flush()

    monkeypatch.setattr(service, "add_person", add_the_same_person_twice)
    response = submit(
        staff_client,
        "/people/new",
        "/people/new",
        {"name": "Ana Ruiz", "email": "ana@example.org", "role": "participant"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "That conflicts with existing data" in page and staff.name in page
    assert db.session.scalar(db.select(Person).where(Person.name == "Twin")) is None
