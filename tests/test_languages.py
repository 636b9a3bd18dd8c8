"""Which language a page is read in: the person's own, else the footer switch, else the browser's."""

from rs_service.extensions import db
from tests.factories import csrf_token_from, log_in, make_org, make_person


def html_lang(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_an_anonymous_reader_gets_their_browsers_language(client):
    assert html_lang(client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})) == "es"
    assert html_lang(client.get("/login", headers={"Accept-Language": "fr-FR,en;q=0.5"})) == "en"
    assert html_lang(client.get("/login", headers={"Accept-Language": "de"})) == "en"


def test_flask_babel_translates_with_the_shipped_catalog(client):
    response = client.get("/", headers={"Accept-Language": "es"}, follow_redirects=True)
    assert "Inicie sesión para ver esa página." in response.get_data(as_text=True)


def test_the_footer_switch_keeps_the_choice_and_stays_on_the_site(client):
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    token = csrf_token_from(page)
    response = client.post("/language", data={"csrf_token": token, "language": "es", "next": "/login?x=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/login?x=1"
    assert html_lang(client.get("/login", headers={"Accept-Language": "en"})) == "es"
    away = client.post("/language", data={"csrf_token": token, "language": "en", "next": "//evil.example/"})
    assert away.headers["Location"] == "/login"
    assert html_lang(client.get("/login")) == "en"


def test_an_unknown_language_changes_nothing(client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"csrf_token": token, "language": "xx", "next": "/login"})
    assert html_lang(client.get("/login", headers={"Accept-Language": "es"})) == "es"


def test_a_logged_in_person_reads_their_own_language_whatever_the_browser_says(client):
    person = make_person(make_org(), "participant")
    person.language = "es"
    db.session.commit()
    log_in(client, person)
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "es"
