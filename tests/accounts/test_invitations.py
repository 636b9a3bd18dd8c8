"""Staff invite people by email; the link in the email sets their password once, within 7 days.

Mail goes through a real SMTP server (aiosmtpd) and the tests follow the link they receive.
"""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from rs_service.accounts.invitations import invite
from rs_service.accounts.models import PasswordLink
from rs_service.extensions import db
from tests.accounts.conftest import link_in, wait_for_mail
from tests.factories import csrf_token_from, log_in, make_org, make_person, token_for

NEW_PASSWORD = "tuesday group at ten"
MORNING = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def newcomer(org):
    """Someone staff just added: no password yet."""
    return make_person(org, "participant", name="Priya Raman", password=None)


def app_client(client):
    """Another browser."""
    return client.application.test_client()


def set_password_from(client, path, password=NEW_PASSWORD, repeat=None):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(
        path,
        data={
            "password": password,
            "repeat": password if repeat is None else repeat,
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )


def set_password_attempt(client, path):
    """A POST to the link without reading it first (it answers 410 before looking at the form)."""
    login_page = client.get("/login").get_data(as_text=True)
    return client.post(
        path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD, "csrf_token": csrf_token_from(login_page)}
    )


def test_staff_invite_through_the_api_and_the_person_sets_a_password_from_the_email(
    api, client, staff, newcomer, mailbox
):
    with time_machine.travel(MORNING, tick=False):
        response = api.post(f"/people/{newcomer.id}/invite", token_for(staff))
    assert response.status_code == 202
    assert datetime.fromisoformat(response.get_json()["expires_at"]) == MORNING + timedelta(days=7)

    [message] = wait_for_mail(mailbox, newcomer)
    assert message["Subject"] == "Set your password for MI-AIMH association"
    assert message["To"] == f"Priya Raman <{newcomer.email}>"
    path = link_in(message)
    assert "within 7 days" in message.get_body(preferencelist=("plain",)).get_content()

    with time_machine.travel(MORNING + timedelta(days=6), tick=False):
        response = set_password_from(client, path)
        assert response.status_code == 302 and response.headers["Location"] == "/"
        assert "Welcome, Priya Raman" in client.get("/").get_data(as_text=True)
    assert api.post("/auth/tokens", json={"email": newcomer.email, "password": NEW_PASSWORD}).status_code == 201


def test_only_a_hash_of_the_links_token_is_stored(api, staff, newcomer, mailbox):
    api.post(f"/people/{newcomer.id}/invite", token_for(staff))
    token = link_in(wait_for_mail(mailbox, newcomer)[0]).rsplit("/", 1)[1]
    stored = db.session.scalars(db.select(PasswordLink.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_a_used_link_answers_410_with_what_to_do(api, client, staff, newcomer, mailbox):
    api.post(f"/people/{newcomer.id}/invite", token_for(staff))
    path = link_in(wait_for_mail(mailbox, newcomer)[0])
    assert set_password_from(client, path).status_code == 302
    with app_client(client) as other:
        gone = other.get(path)
    assert gone.status_code == 410
    html = gone.get_data(as_text=True)
    assert "This link has expired or was already used" in html
    assert 'href="/password/forgot"' in html and "ask your association's staff to invite you again" in html
    assert gone.headers["Referrer-Policy"] == "no-referrer"


def test_an_invitation_expires_after_7_days(api, client, staff, newcomer, mailbox):
    with time_machine.travel(MORNING, tick=False) as clock:
        api.post(f"/people/{newcomer.id}/invite", token_for(staff))
        path = link_in(wait_for_mail(mailbox, newcomer)[0])
        clock.move_to(MORNING + timedelta(days=7) - timedelta(seconds=1))
        assert client.get(path).status_code == 200
        clock.move_to(MORNING + timedelta(days=7))
        assert client.get(path).status_code == 410
        assert set_password_attempt(client, path).status_code == 410


def test_a_newer_invitation_makes_the_older_link_answer_410(api, client, staff, newcomer, mailbox):
    token = token_for(staff)
    api.post(f"/people/{newcomer.id}/invite", token)
    first = link_in(wait_for_mail(mailbox, newcomer)[0])
    api.post(f"/people/{newcomer.id}/invite", token)
    second = link_in(wait_for_mail(mailbox, newcomer, count=2)[1])
    assert client.get(first).status_code == 410
    assert set_password_from(client, second).status_code == 302


def test_passwords_must_be_long_uncommon_and_typed_twice_the_same(api, client, staff, newcomer, mailbox):
    api.post(f"/people/{newcomer.id}/invite", token_for(staff))
    path = link_in(wait_for_mail(mailbox, newcomer)[0])
    for password, repeat, message in [
        ("short pass", None, "Use at least 12 characters."),
        ("Password 1234", None, "That password is one of the most common ones"),
        ("121212121212", None, "That password is one of the most common ones"),
        (f"my {newcomer.email} pw", None, "Your password may not contain your email address."),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords differ."),
    ]:
        response = set_password_from(client, path, password, repeat)
        assert response.status_code == 422, password
        assert message in response.get_data(as_text=True), password
    assert set_password_from(client, path).status_code == 302  # the refusals did not use the link up


def test_the_staff_person_page_sends_an_invitation(client, staff, newcomer, mailbox):
    log_in(client, staff)
    page = client.get(f"/people/{newcomer.id}").get_data(as_text=True)
    assert "Priya Raman has not set a password yet." in page
    assert "Email an invitation to set a password" in page
    response = client.post(
        f"/people/{newcomer.id}/invite",
        data={"csrf_token": csrf_token_from(page), "next": f"/people/{newcomer.id}"},
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{newcomer.id}"
    assert f"Invitation sent to {newcomer.email}" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app_client(client) as browser:
        assert set_password_from(browser, link_in(wait_for_mail(mailbox, newcomer)[0])).status_code == 302


def test_only_staff_of_the_association_invite_and_never_a_deactivated_person(api, org, staff, newcomer, mailbox):
    participant_token = token_for(make_person(org, "participant"))
    assert api.post(f"/people/{newcomer.id}/invite", participant_token).status_code == 403
    stranger = make_person(make_org("ct-aimh"), "participant")
    assert api.post(f"/people/{stranger.id}/invite", token_for(staff)).status_code == 404
    newcomer.active = False
    db.session.commit()
    response = api.post(f"/people/{newcomer.id}/invite", token_for(staff))
    assert response.status_code == 409 and "reactivate" in response.get_json()["message"]
    assert db.session.scalar(db.select(db.func.count(PasswordLink.id))) == 0


def test_a_link_stops_working_when_its_person_is_deactivated(api, client, staff, newcomer, mailbox):
    api.post(f"/people/{newcomer.id}/invite", token_for(staff))
    path = link_in(wait_for_mail(mailbox, newcomer)[0])
    newcomer.active = False
    db.session.commit()
    assert client.get(path).status_code == 410


def test_invite_sends_once_the_transaction_commits_and_never_after_a_rollback(app, org, newcomer, mailbox):
    """How a bulk import calls it: many invitations in one transaction, mailed after the commit."""
    others = [make_person(org, "participant", password=None) for _ in range(3)]
    invite(newcomer)
    db.session.rollback()
    for person in others:
        invite(person)
    assert mailbox.received == []  # nothing leaves before the commit
    db.session.commit()
    for person in others:
        wait_for_mail(mailbox, person)
    assert mailbox.to(newcomer) == []
    assert db.session.scalar(db.select(db.func.count(PasswordLink.id))) == 3


def test_names_are_escaped_in_the_html_email(api, org, staff, mailbox):
    person = make_person(org, "participant", name="Ana <b>Ruiz</b>", password=None)
    api.post(f"/people/{person.id}/invite", token_for(staff))
    [message] = wait_for_mail(mailbox, person)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in html and "<b>Ruiz" not in html
