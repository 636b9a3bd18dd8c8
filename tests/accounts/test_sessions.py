"""Web sessions end on the server: a cookie kept from before logout or deactivation opens nothing."""

from rs_service.accounts.auth import end_sessions
from rs_service.extensions import db
from tests.factories import PASSWORD, csrf_token_from, log_in, make_org, make_person, token_for


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def opens_home(app, cookie: str) -> bool:
    """Whether a browser holding only this session cookie is logged in."""
    with app.test_client() as browser:
        browser.set_cookie("session", cookie)
        return browser.get("/").status_code == 200


def log_out(client):
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_token_from(page)}).status_code == 302


def test_a_session_cookie_copied_before_logout_no_longer_logs_anyone_in(client, app):
    person = make_person(make_org())
    log_in(client, person)
    copied = session_cookie(client)
    assert opens_home(app, copied)
    log_out(client)
    assert not opens_home(app, copied)


def test_logging_out_ends_the_persons_sessions_in_other_browsers_too(client, app):
    person = make_person(make_org())
    with app.test_client() as phone:
        log_in(phone, person)
        log_in(client, person)
        log_out(client)
        assert phone.get("/").headers["Location"].startswith("/login")


def test_logging_in_again_after_logout_works(client, app):
    person = make_person(make_org())
    log_in(client, person)
    log_out(client)
    log_in(client, person)
    assert client.get("/").status_code == 200


def test_a_cookie_naming_only_a_person_id_opens_nothing_even_signed_with_the_real_key(client, app):
    """Forging needs the secret key and the person's current session key, which no cookie reveals."""
    staff = make_person(make_org(), "staff")
    log_in(client, staff)  # the person has a live session, so a session key exists
    serializer = app.session_interface.get_signing_serializer(app)
    for forged_id in (str(staff.id), f"{staff.id}:", f"{staff.id}:guess"):
        forged = serializer.dumps({"_user_id": forged_id, "_fresh": True})
        assert not opens_home(app, forged)


def test_ending_every_session_logs_out_browsers_and_revokes_tokens(client, app, api):
    person = make_person(make_org())
    token = token_for(person)
    log_in(client, person)
    end_sessions(person)
    db.session.commit()
    assert client.get("/").headers["Location"].startswith("/login")
    assert api.get(f"/people/{person.id}", token).status_code == 401
    log_in(client, person)  # nothing else changed: they may log in again


def test_a_deactivated_person_is_logged_out_and_cannot_log_in(client, app, api):
    person = make_person(make_org())
    token = token_for(person)
    log_in(client, person)
    copied = session_cookie(client)
    person.active = False
    db.session.commit()
    assert not opens_home(app, copied)
    response = api.get(f"/people/{person.id}", token)
    assert response.status_code == 401 and "deactivated" in response.get_json()["message"]
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 422
    assert "This account is deactivated" in response.get_data(as_text=True)
    answer = api.post("/auth/tokens", json={"email": person.email, "password": PASSWORD})
    assert answer.status_code == 401 and "deactivated" in answer.get_json()["message"]


def test_a_deactivated_person_with_a_wrong_password_hears_only_that_it_is_wrong(client, app):
    person = make_person(make_org())
    person.active = False
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"email": person.email, "password": "not the password", "csrf_token": csrf_token_from(page)}
    )
    html = response.get_data(as_text=True)
    assert "Email or password is incorrect." in html and "deactivated" not in html
