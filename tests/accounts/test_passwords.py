"""Forgotten passwords, changing one's password, and the password rule."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from rs_service.accounts.passwords import password_problem
from rs_service.extensions import db
from tests.accounts.conftest import link_in, wait_for_mail
from tests.factories import PASSWORD, csrf_token_from, log_in, make_org, make_person, token_for

NEW_PASSWORD = "home visits on thursdays"
MORNING = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def person(org):
    return make_person(org, "participant", name="Zoë Lindqvist")


def ask_for_a_link(client, email):
    page = client.get("/password/forgot")
    assert page.status_code == 200
    return client.post(
        "/password/forgot", data={"email": email, "csrf_token": csrf_token_from(page.get_data(as_text=True))}
    )


def set_password_from(client, path, password=NEW_PASSWORD):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    csrf = csrf_token_from(page.get_data(as_text=True))
    return client.post(path, data={"password": password, "repeat": password, "csrf_token": csrf})


def logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_a_forgotten_password_is_reset_from_the_emailed_link_and_other_logins_end(app, client, api, person, mailbox):
    with app.test_client() as phone:
        log_in(phone, person)
        answer = ask_for_a_link(client, person.email)
        assert answer.status_code == 200
        [message] = wait_for_mail(mailbox, person)
        assert message["Subject"] == "Reset your password for MI-AIMH association"
        assert "within 1 hour" in message.get_body(preferencelist=("plain",)).get_content()
        response = set_password_from(client, link_in(message))
        assert response.status_code == 302
        assert logged_in(client)
        assert not logged_in(phone)  # setting a password ended the other login
    assert api.post("/auth/tokens", json={"email": person.email, "password": PASSWORD}).status_code == 401
    assert api.post("/auth/tokens", json={"email": person.email, "password": NEW_PASSWORD}).status_code == 201


def test_the_answer_is_the_same_whether_or_not_the_email_is_known(client, person, mailbox):
    with time_machine.travel(MORNING, tick=False):  # the pages' CSRF tokens carry the second they were made
        unknown = ask_for_a_link(client, "nobody@example.org")
        known = ask_for_a_link(client, person.email)
    assert unknown.status_code == known.status_code == 200
    unknown_page = unknown.get_data(as_text=True).replace("nobody@example.org", "EMAIL")
    known_page = known.get_data(as_text=True).replace(person.email, "EMAIL")
    assert unknown_page == known_page
    assert "If EMAIL belongs to an account, we have sent it a link" in known_page
    wait_for_mail(mailbox, person)
    assert len(mailbox.received) == 1  # nothing went to the unknown address


def test_a_reset_link_works_for_one_hour(client, person, mailbox):
    with time_machine.travel(MORNING, tick=False) as clock:
        ask_for_a_link(client, person.email)
        path = link_in(wait_for_mail(mailbox, person)[0])
        clock.move_to(MORNING + timedelta(minutes=59, seconds=59))
        assert client.get(path).status_code == 200
        clock.move_to(MORNING + timedelta(hours=1))
        gone = client.get(path)
    assert gone.status_code == 410 and "This link has expired or was already used" in gone.get_data(as_text=True)


def test_a_reset_supersedes_an_invitation_and_an_invitation_a_reset(api, client, staff, person, mailbox):
    api.post(f"/people/{person.id}/invite", token_for(staff))
    invitation = link_in(wait_for_mail(mailbox, person)[0])
    ask_for_a_link(client, person.email)
    reset = link_in(wait_for_mail(mailbox, person, count=2)[1])
    assert client.get(invitation).status_code == 410
    api.post(f"/people/{person.id}/invite", token_for(staff))
    newest = link_in(wait_for_mail(mailbox, person, count=3)[2])
    assert client.get(reset).status_code == 410
    assert set_password_from(client, newest).status_code == 302


def test_a_password_changed_on_the_profile_closes_an_open_reset_link(app, client, person, mailbox):
    ask_for_a_link(client, person.email)
    path = link_in(wait_for_mail(mailbox, person)[0])
    with app.test_client() as browser:
        log_in(browser, person)
        assert change_password(browser, PASSWORD, NEW_PASSWORD).status_code == 302
    assert client.get(path).status_code == 410


def test_a_deactivated_person_gets_no_reset_link(client, person, mailbox):
    other = make_person(person.organization)
    person.active = False
    db.session.commit()
    assert ask_for_a_link(client, person.email).status_code == 200
    ask_for_a_link(client, other.email)
    wait_for_mail(mailbox, other)
    assert mailbox.to(person) == []


def test_an_email_in_two_associations_gets_a_link_for_each(client, person, mailbox):
    elsewhere = make_person(make_org("ct-aimh"), "facilitator", email=person.email)
    ask_for_a_link(client, person.email)
    messages = wait_for_mail(mailbox, person, count=2)
    subjects = sorted(m["Subject"] for m in messages)
    assert subjects == ["Reset your password for CT-AIMH association", "Reset your password for MI-AIMH association"]
    assert elsewhere.email == person.email


def test_links_asked_for_one_email_are_limited_to_three_an_hour(client, person, mailbox):
    with time_machine.travel(MORNING, tick=False) as clock:
        for _ in range(3):
            assert ask_for_a_link(client, person.email).status_code == 200
        refused = ask_for_a_link(client, person.email)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "3600"
        assert "Too many links asked for. Wait 60 minutes" in refused.get_data(as_text=True)
        assert ask_for_a_link(client, "nobody@example.org").status_code == 200  # other emails go on
        clock.shift(timedelta(hours=1, seconds=1))
        assert ask_for_a_link(client, person.email).status_code == 200
        wait_for_mail(mailbox, person, count=4)


def change_password(client, current, new, repeat=None):
    page = client.get("/profile").get_data(as_text=True)
    return client.post(
        "/profile/password",
        data={
            "current_password": current,
            "password": new,
            "repeat": new if repeat is None else repeat,
            "csrf_token": csrf_token_from(page),
        },
    )


def test_changing_the_password_needs_the_current_one_and_logs_out_other_devices(app, client, api, person):
    log_in(client, person)
    with app.test_client() as phone:
        log_in(phone, person)
        wrong = change_password(client, "not my password", NEW_PASSWORD)
        assert wrong.status_code == 422
        assert "That is not your current password." in wrong.get_data(as_text=True)
        assert logged_in(phone)
        response = change_password(client, PASSWORD, NEW_PASSWORD)
        assert response.status_code == 302
        assert "You are logged out on every other device" in client.get("/profile").get_data(as_text=True)
        assert not logged_in(phone)
    assert api.post("/auth/tokens", json={"email": person.email, "password": NEW_PASSWORD}).status_code == 201


def test_a_new_password_on_the_profile_follows_the_same_rule(client, person):
    log_in(client, person)
    for new, repeat, message in [
        ("too short", None, "Use at least 12 characters."),
        ("qwerty123456", None, "one of the most common ones"),
        (NEW_PASSWORD, "something else entirely", "The two passwords differ."),
    ]:
        response = change_password(client, PASSWORD, new, repeat)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    page = change_password(client, PASSWORD, "too short").get_data(as_text=True)
    assert re.search(r'<input [^>]*checked id="reminders_enabled"', page)  # the other sections show what is saved


def test_guessing_the_current_password_on_the_profile_counts_toward_the_login_throttle(client, api, person):
    log_in(client, person)
    for _ in range(10):
        assert change_password(client, "a wrong guess", NEW_PASSWORD).status_code == 422
    assert change_password(client, PASSWORD, NEW_PASSWORD).status_code == 429
    assert api.post("/auth/tokens", json={"email": person.email, "password": PASSWORD}).status_code == 429


@pytest.mark.parametrize(
    "password, problem",
    [
        ("eleven char", "Use at least 12 characters."),
        ("x" * 501, "Use at most 500 characters."),
        ("PASSWORD1234", "one of the most common ones"),
        ("Correct Horse Battery Staple", "one of the most common ones"),
        ("abababababababab", "one of the most common ones"),
        ("zoe@mi-aimh.example.org!", "may not contain your email address"),
    ],
)
def test_the_password_rule_refuses(app, password, problem):
    assert problem in password_problem(password, "zoe@mi-aimh.example.org")


@pytest.mark.parametrize("password", ["home visits on thursdays", "Tuesday RS group, 10am", "ñandú café crème 42"])
def test_the_password_rule_accepts_long_uncommon_passwords(app, password):
    assert password_problem(password, "zoe@mi-aimh.example.org") is None


def test_create_user_on_the_command_line_follows_the_password_rule(runner, org):
    args = ["rs", "create-user", "a@example.org", "--org", org.slug, "--role", "staff", "--name", "A", "--password"]
    result = runner.invoke(args=[*args, "password1234"])
    assert result.exit_code != 0 and "one of the most common ones" in result.output
    assert runner.invoke(args=[*args, "a long and uncommon one"]).exit_code == 0
