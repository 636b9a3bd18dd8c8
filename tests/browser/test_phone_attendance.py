"""A facilitator takes attendance and signs it off on a phone-sized screen, in a real browser."""

from datetime import date

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from rs_service.extensions import db
from rs_service.hours.models import HourEntry
from tests.factories import PASSWORD, enroll, give_credential, make_group, make_org, make_person


def log_in_with_browser(phone, live_server, person):
    phone.get(f"{live_server}/login")
    phone.find_element(By.ID, "email").send_keys(person.email)
    phone.find_element(By.ID, "password").send_keys(PASSWORD)
    phone.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(phone, 10).until(lambda driver: "/login" not in driver.current_url)


def thumb(phone, element):
    """Scroll the element to the middle of the screen, as a thumb would, then tap it.

    The roster's action bar stays at the bottom of the screen, so a row right above it is
    scrolled up before it is tapped.
    """
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_facilitator_signs_off_attendance_on_a_phone(app, live_server, phone):
    org = make_org("mi-aimh")
    facilitator = make_person(org, "facilitator", name="Maya Okafor")
    give_credential(facilitator, "IMHM-C", date(2019, 1, 1))
    group = make_group(org, [facilitator])
    ana, ben = make_person(org, name="Ana Ruiz"), make_person(org, name="Ben Carter")
    enroll(group, ana), enroll(group, ben)
    from rs_service.groups.service import sessions_of

    session_id = sessions_of(group)[0].id

    log_in_with_browser(phone, live_server, facilitator)
    phone.get(f"{live_server}/sessions/{session_id}/attendance")

    assert phone.execute_script("return window.innerWidth") == 390
    width = phone.execute_script("return document.documentElement.scrollWidth")
    wide = phone.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)"
    )
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide): {wide}"
    label = f"input[name='status-{ana.id}'][value='present']"
    thumb(phone, phone.find_element(By.CSS_SELECTOR, label).find_element(By.XPATH, ".."))  # the label
    label = f"input[name='status-{ben.id}'][value='late']"
    thumb(phone, phone.find_element(By.CSS_SELECTOR, label).find_element(By.XPATH, ".."))
    phone.find_element(By.ID, f"minutes-{ben.id}").send_keys("70")
    phone.find_element(By.CSS_SELECTOR, "button[value=sign_off]").click()

    flash = WebDriverWait(phone, 10).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, ".flash"))
    assert "signed off" in flash[0].text
    phone.save_screenshot("/tmp/rs-phone-attendance.png")  # to look at after a run
    db.session.expire_all()
    credited = dict(db.session.execute(db.select(HourEntry.person_id, HourEntry.minutes)).all())
    assert credited == {ana.id: 90, ben.id: 70}


def test_a_mistake_is_shown_next_to_the_person_and_keeps_the_taps(app, live_server, phone):
    org = make_org("mi-aimh")
    facilitator = make_person(org, "facilitator")
    group = make_group(org, [facilitator])
    ana = make_person(org, name="Ana Ruiz")
    enroll(group, ana)
    from rs_service.groups.service import sessions_of

    session_id = sessions_of(group)[0].id

    log_in_with_browser(phone, live_server, facilitator)
    phone.get(f"{live_server}/sessions/{session_id}/attendance")
    label = f"input[name='status-{ana.id}'][value='left_early']"
    thumb(phone, phone.find_element(By.CSS_SELECTOR, label).find_element(By.XPATH, ".."))
    phone.find_element(By.CSS_SELECTOR, ".action-bar button[value=save]").click()

    error = WebDriverWait(phone, 10).until(lambda driver: driver.find_element(By.ID, f"error-{ana.id}"))
    assert "minutes present" in error.text
    assert phone.find_element(By.CSS_SELECTOR, f"input[name='status-{ana.id}'][value='left_early']").is_selected()
