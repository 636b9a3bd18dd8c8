"""A real Chromium, driven by Selenium through Debian's chromedriver, against the app on loopback."""

import shutil
import tempfile
import threading

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def start_phone() -> tuple[webdriver.Chrome, str]:
    """Chromium the size of a phone (390 x 844 CSS pixels), and the profile folder it writes to."""
    profile = tempfile.mkdtemp(prefix="rs-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3, "touch": True}}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver, profile


def stop_phone(driver: webdriver.Chrome, profile: str) -> None:
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def phone():
    driver, profile = start_phone()
    yield driver
    stop_phone(driver, profile)


@pytest.fixture(scope="module")
def module_phone():
    """One phone for a whole module of tests that each start from no cookies."""
    driver, profile = start_phone()
    yield driver
    stop_phone(driver, profile)
