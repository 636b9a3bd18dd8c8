"""A facilitator who uses no pointer logs in, takes attendance and signs it off with the keyboard alone."""

from datetime import date

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from rs_service.extensions import db
from rs_service.groups.service import sessions_of
from rs_service.hours.models import HourEntry
from tests.factories import PASSWORD, enroll, give_credential, make_group, make_org, make_person

MOST_TAB_STOPS = 60


def press(driver, *keys):
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, selector: str) -> None:
    """Press Tab until the focus is on `selector`, as a keyboard user would; fail if it never gets there."""
    visited = []
    for _ in range(MOST_TAB_STOPS):
        press(driver, Keys.TAB)
        focused = driver.execute_script(
            "const e = document.activeElement; return [e.matches(arguments[0]), e.outerHTML.slice(0, 80),"
            " getComputedStyle(e).outlineStyle];",
            selector,
        )
        if focused[0]:
            assert focused[2] != "none", f"the focus on {focused[1]} cannot be seen"
            return
        visited.append(focused[1])
    raise AssertionError(f"Tab never reaches {selector}; it visits: {visited}")


def test_a_facilitator_signs_off_attendance_with_the_keyboard_alone(app, live_server, phone):
    org = make_org("mi-aimh")
    facilitator = make_person(org, "facilitator", name="Maya Okafor")
    give_credential(facilitator, "IMHM-C", date(2019, 1, 1))
    group = make_group(org, [facilitator])
    ana, ben = make_person(org, name="Ana Ruiz"), make_person(org, name="Ben Carter")
    enroll(group, ana), enroll(group, ben)
    session_id = sessions_of(group)[0].id

    phone.get(f"{live_server}/login")
    tab_to(phone, "#email")
    press(phone, facilitator.email)
    tab_to(phone, "#password")
    press(phone, PASSWORD, Keys.ENTER)
    WebDriverWait(phone, 10).until(lambda driver: "/login" not in driver.current_url)

    phone.get(f"{live_server}/sessions/{session_id}/attendance")
    tab_to(phone, f"input[name='status-{ana.id}'][value='present']")
    press(phone, Keys.SPACE)
    tab_to(phone, f"input[name='status-{ben.id}'][value='present']")
    press(phone, Keys.SPACE, Keys.ARROW_RIGHT)  # the arrows move through a radio group: present, then late
    tab_to(phone, f"#minutes-{ben.id}")
    press(phone, "70")
    tab_to(phone, "button[value=sign_off]")
    press(phone, Keys.ENTER)

    flash = WebDriverWait(phone, 10).until(lambda driver: driver.find_elements("css selector", ".flash"))
    assert "signed off" in flash[0].text
    db.session.expire_all()
    credited = dict(db.session.execute(db.select(HourEntry.person_id, HourEntry.minutes)).all())
    assert credited == {ana.id: 90, ben.id: 70}
