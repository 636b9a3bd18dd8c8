"""Staff check and import a spreadsheet of people on a phone-sized screen, in a real browser."""

from pathlib import Path

from selenium.webdriver.common.by import By
from sqlalchemy import func

from rs_service.accounts.models import Person
from rs_service.extensions import db
from tests.browser.test_phone_attendance import log_in_with_browser
from tests.browser.waiting import to_next_page
from tests.factories import make_group, make_org, make_person

SPREADSHEETS = Path(__file__).parent.parent / "people" / "spreadsheets"


def overflowing(phone) -> tuple[int, list[str]]:
    """How wide the page is, and the first few elements reaching past a 390 px screen."""
    width = phone.execute_script("return document.documentElement.scrollWidth")
    wide = phone.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)"
    )
    return width, wide


def press_and_wait(phone, selector: str) -> None:
    """Press the button and wait for the next page."""
    to_next_page(phone, phone.find_element(By.CSS_SELECTOR, selector).click)


def choose_file_and_check(phone, path: Path) -> None:
    phone.find_element(By.ID, "file").send_keys(str(path))
    press_and_wait(phone, "#import-form button[value=check]")


def test_the_import_preview_names_the_bad_row_then_imports_a_good_file_on_a_phone(app, live_server, phone):
    org = make_org("mi-aimh")
    staff = make_person(org, "staff", name="Dana Whitfield")
    group = make_group(org, [make_person(org, "facilitator")], name="Group 2", capacity=40)
    log_in_with_browser(phone, live_server, staff)
    phone.get(f"{live_server}/people/import")
    assert phone.execute_script("return window.innerWidth") == 390

    choose_file_and_check(phone, SPREADSHEETS / "libreoffice_calc_bad_row_97.csv")
    preview = phone.find_element(By.ID, "preview")
    assert "Problems to fix, nothing saved" in preview.text
    assert "120 rows read" in preview.text and "1 with problems" in preview.text
    problem = phone.find_element(By.CSS_SELECTOR, "#problems tbody tr")
    assert problem.is_displayed() and "97" in problem.text and "rosa.haddad96@homevisiting" in problem.text
    width, wide = overflowing(phone)
    assert width <= 390, f"the preview scrolls sideways on a phone ({width}px wide): {wide}"
    assert not phone.find_elements(By.CSS_SELECTOR, "button[value=import]")
    phone.save_screenshot("/tmp/rs-phone-import-problems.png")  # to look at after a run

    choose_file_and_check(phone, SPREADSHEETS / "libreoffice_calc_semicolons.csv")
    phone.find_element(By.CSS_SELECTOR, f"#group_id option[value='{group.id}']").click()
    press_and_wait(phone, "#import-form button[value=check]")
    assert "30 to enroll in a group" in phone.find_element(By.ID, "preview").text
    width, wide = overflowing(phone)
    assert width <= 390, f"the preview scrolls sideways on a phone ({width}px wide): {wide}"
    phone.save_screenshot("/tmp/rs-phone-import-ready.png")
    press_and_wait(phone, "button[value=import]")

    flash = phone.find_elements(By.CSS_SELECTOR, ".flash")
    assert "30 people imported. 30 enrolled in Group 2." in flash[0].text
    db.session.expire_all()
    assert db.session.scalar(db.select(func.count(Person.id)).where(Person.role == "participant")) == 30
