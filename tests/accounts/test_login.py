from rs_service.extensions import db
from tests.factories import PASSWORD, csrf_token_from, log_in, make_org, make_person


def test_login_page_carries_a_csrf_token(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert csrf_token_from(response.get_data(as_text=True))


def test_login_without_csrf_token_is_refused(client, app):
    person = make_person(make_org(), "staff")
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # still logged out


def test_staff_logs_in_sees_their_home_and_logs_out(client, app):
    person = make_person(make_org(), "staff", name="Dana Whitfield")
    log_in(client, person)
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome, Dana Whitfield" in home.get_data(as_text=True)
    token = csrf_token_from(home.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_wrong_password_and_unknown_email_get_the_same_message(client, app):
    person = make_person(make_org())
    messages = []
    for email, password in ((person.email, "wrong password"), ("nobody@example.org", PASSWORD)):
        page = client.get("/login").get_data(as_text=True)
        response = client.post(
            "/login", data={"email": email, "password": password, "csrf_token": csrf_token_from(page)}
        )
        assert response.status_code == 422
        messages.append("Email or password is incorrect." in response.get_data(as_text=True))
    assert messages == [True, True]


def test_login_does_not_redirect_to_another_site(client, app):
    person = make_person(make_org())
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login?next=//evil.example/",
        data={"email": person.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)},
    )
    assert response.headers["Location"] == "/"


def test_passwords_are_stored_hashed_with_the_configured_method(app):
    person = make_person(make_org())
    stored = db.session.get(type(person), person.id).password_hash
    assert stored.startswith(app.config["PASSWORD_HASH_METHOD"].split(":")[0] + ":") and PASSWORD not in stored


def test_each_role_gets_navigation_of_its_own(client, app):
    organization = make_org()
    for role in ("staff", "facilitator", "participant"):
        person = make_person(organization, role)
        with app.test_client() as fresh:
            log_in(fresh, person)
            html = fresh.get("/").get_data(as_text=True)
            assert f"signed in as {role}" in html
            assert 'name="viewport"' in html


def test_facilitator_home_lists_rosters_waiting_for_sign_off(client, app):
    from tests.factories import make_group

    organization = make_org()
    facilitator = make_person(organization, "facilitator")
    make_group(organization, [facilitator], name="Past group")
    make_group(
        organization, [make_person(organization, "facilitator")], name="Someone else's group", start_time="14:00"
    )
    log_in(client, facilitator)
    html = client.get("/").get_data(as_text=True)
    assert "Attendance waiting to be signed off" in html
    assert html.count("Past group, Tue") == 12 and "Someone else" not in html
