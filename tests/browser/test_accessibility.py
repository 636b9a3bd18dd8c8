"""Every page, in English and in Spanish, on a phone, read by axe-core as assistive technology would.

axe-core comes from tests/js/node_modules (pinned in tests/js/package.json, installed by `make install-js`)
and is put into each page by the test: nothing is downloaded while the tests run.
"""

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from rs_service.extensions import db
from tests.factories import PASSWORD
from tests.pages import ANONYMOUS, PAGES, ROLES, build_scenario

AXE = Path(__file__).resolve().parent.parent / "js/node_modules/axe-core/axe.min.js"
BLOCKING = ("serious", "critical")
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then(results => done(results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)
  }))))
  .catch(error => done([{id: "axe-error", impact: "critical", help: String(error), targets: []}]));
"""


def read_as(phone, live_server, role, person, language):
    """Start from no cookies, then log in (or, anonymous, choose the language as the footer switch does)."""
    phone.get(f"{live_server}/healthz")
    phone.delete_all_cookies()
    if role == ANONYMOUS:
        phone.add_cookie({"name": "language", "value": language, "path": "/"})
        return
    phone.get(f"{live_server}/login")
    phone.find_element(By.ID, "email").send_keys(person.email)
    phone.find_element(By.ID, "password").send_keys(PASSWORD)
    phone.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(phone, 10).until(lambda driver: "/login" not in driver.current_url)


def violations_on(phone) -> list[dict]:
    phone.execute_script(AXE.read_text())
    return [v for v in phone.execute_async_script(RUN_AXE) if v["impact"] in BLOCKING]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_has_no_serious_accessibility_violation(app, live_server, module_phone, language):
    scenario = build_scenario()
    for person in scenario.people.values():
        person.language = language
    db.session.commit()
    module_phone.set_script_timeout(60)
    problems = []
    for role in ROLES:
        read_as(module_phone, live_server, role, scenario.people.get(role), language)
        for page in (p for p in PAGES if p.role == role):
            module_phone.get(live_server + page.path(scenario))
            lang = module_phone.find_element(By.TAG_NAME, "html").get_attribute("lang")
            assert lang == language, f"{page.name} is in {lang!r}, not {language!r}"
            problems += [
                f"{page.name} ({role}): {v['impact']} {v['id']}: {v['help']} at {v['targets']}"
                for v in violations_on(module_phone)
            ]
    assert not problems, f"{len(problems)} serious or critical violations in {language}:\n" + "\n".join(problems)
