"""The three core jobs on a phone, in a real Chromium at 390 px, counting the taps.

A facilitator signs off ten people, fixes every mistake from one list, links a meeting-report row
to a person; a participant subscribes to their calendar and is asked before their link changes.
"""

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from rs_service.extensions import db
from rs_service.hours.models import HourEntry
from tests.browser.test_phone_attendance import log_in_with_browser, thumb
from tests.browser.waiting import to_next_page
from tests.factories import enroll, give_credential, make_group, make_org, make_person

REPORTS = Path(__file__).parent.parent / "attendance" / "reports"


class Taps:
    """Every click goes through here, so the test can say how many a job took."""

    def __init__(self, phone):
        self.phone, self.count = phone, 0

    def tap(self, selector: str, *, new_page: bool = False) -> None:
        def press():
            thumb(self.phone, self.phone.find_element(By.CSS_SELECTOR, selector))

        if new_page:
            to_next_page(self.phone, press)
        else:
            press()
        self.count += 1


def group_of(size: int, name_prefix: str = "Participant"):
    org = make_org("mi-aimh")
    facilitator = make_person(org, "facilitator", name="Maya Okafor", email="maya.okafor@example.org")
    give_credential(facilitator, "IMHM-C", date(2019, 1, 1))
    group = make_group(org, [facilitator], capacity=max(size, 8))
    people = [make_person(org, name=f"{name_prefix} {n:02d}") for n in range(1, size + 1)]
    for person in people:
        enroll(group, person)
    from rs_service.groups.service import sessions_of

    return org, facilitator, people, sessions_of(group)[4]


def in_view(phone, selector: str) -> bool:
    return phone.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;",
        selector,
    )


def test_ten_people_who_all_came_are_signed_off_in_two_taps(app, live_server, phone):
    _, facilitator, people, session = group_of(10)
    log_in_with_browser(phone, live_server, facilitator)
    phone.get(f"{live_server}/sessions/{session.id}/attendance")
    assert phone.execute_script("return window.innerWidth") == 390
    # The primary action is on screen from the start, at the bottom, and stays there while scrolling.
    assert in_view(phone, "button[value=sign_off]")
    phone.execute_script("window.scrollTo(0, document.body.scrollHeight / 2)")
    assert in_view(phone, "button[value=sign_off]")

    taps = Taps(phone)
    taps.tap("#all-present")
    taps.tap("button[value=sign_off]", new_page=True)
    assert taps.count <= 4

    flash = phone.find_element(By.CSS_SELECTOR, ".flash")
    assert "signed off" in flash.text
    phone.save_screenshot("/tmp/rs-phone-ten-signed-off.png")
    db.session.expire_all()
    credited = dict(db.session.execute(db.select(HourEntry.person_id, HourEntry.minutes)).all())
    assert credited == {p.id: 90 for p in people}


def test_the_error_summary_lists_and_links_every_field_in_error(app, live_server, phone):
    _, facilitator, people, session = group_of(4)
    first, second, third, _ = people
    log_in_with_browser(phone, live_server, facilitator)
    phone.get(f"{live_server}/sessions/{session.id}/attendance")
    taps = Taps(phone)
    taps.tap("#all-present")
    taps.tap(f"label:has(#status-{first.id}-late)")  # late, but no minutes given
    taps.tap(f"label:has(#status-{third.id}-left_early)")  # left early, no minutes either
    taps.tap(".action-bar button[value=save]", new_page=True)

    summary = phone.find_element(By.ID, "error-summary")
    assert phone.execute_script("return document.activeElement.id") == "error-summary"
    links = summary.find_elements(By.CSS_SELECTOR, "li a")
    assert [link.get_attribute("hash") for link in links] == [f"#minutes-{first.id}", f"#minutes-{third.id}"]
    assert first.name in links[0].text and third.name in links[1].text
    assert "There are 2 problems to fix" in summary.text
    for link in links:  # every link leads to a field that is there
        assert phone.find_elements(By.CSS_SELECTOR, link.get_attribute("hash"))
    links[1].click()
    assert phone.execute_script("return location.hash") == f"#minutes-{third.id}"
    assert in_view(phone, f"#minutes-{third.id}") or phone.execute_script(
        "return document.querySelector(arguments[0]).getBoundingClientRect().top < window.innerHeight",
        f"#minutes-{third.id}",
    )
    # What was tapped is still there.
    assert phone.find_element(By.ID, f"status-{second.id}-present").is_selected()
    assert phone.find_element(By.ID, f"status-{third.id}-left_early").is_selected()
    phone.save_screenshot("/tmp/rs-phone-error-summary.png")


def test_an_unmatched_report_row_is_linked_to_a_roster_person(app, live_server, phone):
    org = make_org("mi-aimh")
    facilitator = make_person(org, "facilitator", name="Maria Lopez", email="maria.lopez@example.org")
    give_credential(facilitator, "IMHS", date(2022, 1, 1))
    group = make_group(org, [facilitator])
    ben = make_person(org, name="Ben Carter", email="ben.carter@example.org")
    jordan = make_person(org, name="Jordan Blake", email="jordan.blake@example.org")
    for person in (ben, jordan):
        enroll(group, person)
    from rs_service.groups.service import sessions_of

    session = sessions_of(group)[4]
    log_in_with_browser(phone, live_server, facilitator)
    phone.get(f"{live_server}/sessions/{session.id}/attendance")
    phone.find_element(By.ID, "report").send_keys(str(REPORTS / "zoom_participants.csv"))
    Taps(phone).tap("#import-form button[type=submit]", new_page=True)

    unmatched = phone.find_element(By.ID, "unmatched")
    assert "Jordan's iPad" in unmatched.text and "Maria Lopez" not in unmatched.text  # the host is left out
    assert unmatched.rect["y"] < phone.find_element(By.CSS_SELECTOR, ".action-bar").rect["y"]
    assert not any(e.is_selected() for e in phone.find_elements(By.CSS_SELECTOR, f"input[name=status-{jordan.id}]"))
    assert phone.find_element(By.ID, f"status-{ben.id}-present").is_selected()

    select = next(
        s
        for s in unmatched.find_elements(By.CSS_SELECTOR, "select.link-row")
        if "Jordan's iPad" in phone.find_element(By.CSS_SELECTOR, f"label[for={s.get_attribute('id')}]").text
    )
    to_next_page(phone, lambda: Select(select).select_by_visible_text("Jordan Blake"))  # JavaScript fills in at once
    # 32 minutes, joined 10:06, more than 5 minutes after the first participant (09:58): late, 32 minutes.
    assert phone.find_element(By.ID, f"status-{jordan.id}-late").is_selected()
    assert phone.find_element(By.ID, f"minutes-{jordan.id}").get_attribute("value") == "32"
    assert "Jordan's iPad" not in phone.find_element(By.ID, "unmatched").text
    assert db.session.scalar(db.select(db.func.count()).select_from(HourEntry)) == 0
    phone.save_screenshot("/tmp/rs-phone-import-linked.png")


def test_subscribing_comes_first_and_a_new_link_is_confirmed(app, live_server, phone):
    *_, (ana, *_), _ = group_of(1)
    log_in_with_browser(phone, live_server, ana)
    phone.get(f"{live_server}/my/schedule")
    assert phone.find_element(By.ID, "subscribe").rect["y"] < phone.find_element(By.ID, "upcoming-title").rect["y"]
    assert in_view(phone, "#add-google")
    feed = phone.find_element(By.ID, "feed-url").get_attribute("value")
    webcal = "webcal://" + feed.split("://", 1)[1]

    google = urlsplit(phone.find_element(By.ID, "add-google").get_attribute("href"))
    assert google.netloc == "calendar.google.com" and parse_qs(google.query)["cid"] == [webcal]
    for key, host in (("add-outlook", "outlook.live.com"), ("add-office", "outlook.office.com")):
        outlook = urlsplit(phone.find_element(By.ID, key).get_attribute("href"))
        assert outlook.netloc == host and outlook.path == "/calendar/0/addfromweb"
        assert parse_qs(outlook.query)["url"] == [feed]
    assert phone.find_element(By.ID, "add-apple").get_attribute("href") == webcal
    copy = phone.find_element(By.ID, "copy-feed")
    assert copy.is_displayed()  # shown once JavaScript can copy
    copy.click()
    assert phone.execute_script("return document.activeElement.id") == "feed-url" or copy.text != "Copy link"
    phone.save_screenshot("/tmp/rs-phone-subscribe.png")

    taps = Taps(phone)
    taps.tap("#new-link", new_page=True)
    assert "stops getting your sessions at once" in phone.find_element(By.TAG_NAME, "main").text
    db.session.expire_all()
    old = db.session.get(type(ana), ana.id).calendar_token
    assert old in feed  # asking changed nothing
    taps.tap("#confirm-new-link", new_page=True)
    assert "The old link no longer works" in phone.find_element(By.CSS_SELECTOR, ".flash").text
    assert phone.find_element(By.ID, "feed-url").get_attribute("value") != feed


def test_the_hours_chart_is_legible_on_a_phone(app, live_server, phone):
    from tests.factories import signed_off_hours

    org = make_org("mi-aimh")
    mentor = make_person(org, "facilitator", name="Rosa Diaz")
    give_credential(mentor, "IMHM-C", date(2015, 1, 1))
    ana = make_person(org, name="Ana Ruiz", pursuing_category="IFS")
    for day in (date(2026, 1, 6), date(2026, 2, 3), date(2026, 3, 3)):
        signed_off_hours(ana, mentor, 90, day)
    db.session.commit()
    log_in_with_browser(phone, live_server, ana)
    phone.get(f"{live_server}/my/hours")
    sizes = phone.execute_script(
        "const svg = document.querySelector('svg.hours-chart');"
        "const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;"
        "return [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);"
    )
    assert sizes and min(sizes) >= 12, sizes  # CSS pixels on a 390 px screen
    assert len(sizes) <= 5  # 0, the top, "required", the first and the last date
    caption = phone.find_element(By.CSS_SELECTOR, "figure.chart figcaption").text
    assert caption.startswith("4.50 h counted by")
    phone.save_screenshot("/tmp/rs-phone-hours-chart.png")
