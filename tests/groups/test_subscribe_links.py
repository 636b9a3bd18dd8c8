"""My schedule: the subscribe box first, one-tap links for each calendar app, and a new link only when asked twice."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from rs_service.extensions import db
from tests.factories import csrf_token_from, log_in, make_person


def links_of(html: str) -> dict[str, str]:
    return {
        id_: unescape(href) for href, id_ in re.findall(r'<a class="button" href="([^"]+)"[^>]* id="(add-\w+)"', html)
    }


def test_the_subscribe_box_comes_first_with_a_link_for_each_calendar_app(client, org):
    person = make_person(org, name="Ana Ruiz")
    log_in(client, person)
    html = client.get("/my/schedule").get_data(as_text=True)
    token = db.session.get(type(person), person.id).calendar_token
    feed, webcal = f"http://rs.test/calendar/{token}.ics", f"webcal://rs.test/calendar/{token}.ics"
    assert html.index('id="subscribe"') < html.index('id="upcoming-title"')

    links = links_of(html)
    google = urlsplit(links["add-google"])
    assert (google.netloc, google.path) == ("calendar.google.com", "/calendar/r")
    assert "cid=webcal%3A%2F%2Frs.test%2Fcalendar%2F" in google.query and parse_qs(google.query)["cid"] == [webcal]
    for key, host in (("add-outlook", "outlook.live.com"), ("add-office", "outlook.office.com")):
        outlook = urlsplit(links[key])
        assert (outlook.netloc, outlook.path) == (host, "/calendar/0/addfromweb")
        query = parse_qs(outlook.query)
        assert query["url"] == [feed] and query["name"] == [f"RS sessions · {org.name}"]
    assert links["add-apple"] == webcal
    # Without JavaScript the link is still there to copy, in a read-only field; the copy button needs JavaScript.
    assert re.search(rf'<input id="feed-url" type="url" value="{re.escape(feed)}" readonly', html)
    assert re.search(r'<button type="button"[^>]*id="copy-feed"[^>]*hidden>', html)


def test_a_new_link_is_made_only_after_a_page_that_says_old_subscriptions_stop(client, org):
    person = make_person(org)
    log_in(client, person)
    schedule = client.get("/my/schedule").get_data(as_text=True)
    old = db.session.get(type(person), person.id).calendar_token
    assert 'action="/my/schedule/new-link"' not in schedule and 'href="/my/schedule/new-link"' in schedule

    confirm = client.get("/my/schedule/new-link")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "stops getting your sessions at once" in html
    assert db.session.get(type(person), person.id).calendar_token == old  # asking changes nothing

    done = client.post("/my/schedule/new-link", data={"csrf_token": csrf_token_from(html)})
    assert done.status_code == 302
    assert db.session.get(type(person), person.id).calendar_token != old


def test_the_subscribe_box_reads_in_spanish(client, org):
    person = make_person(org)
    person.language = "es"
    db.session.commit()
    log_in(client, person)
    html = client.get("/my/schedule").get_data(as_text=True)
    assert "Agregar a Google Calendar" in html and "Copiar el enlace" in html
    confirm = client.get("/my/schedule/new-link").get_data(as_text=True)
    assert "¿Crear un nuevo enlace del calendario?" in confirm
