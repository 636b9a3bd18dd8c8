"""Waiting in a real browser for the page a tap leads to."""

from collections.abc import Callable

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait


def to_next_page(browser, act: Callable[[], object]) -> None:
    """Do `act` (a tap or a choice that loads another page) and wait until that page has loaded.

    The old page's window is marked first and the wait is for a window without the mark: waiting for
    an old element to go stale breaks on Chromium builds that answer "Node with given id does not
    belong to the document" instead of "stale element" while the next page replaces it.
    """
    browser.execute_script("window.rsBeforeTap = true")
    act()
    WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,)).until(
        lambda b: b.execute_script("return document.readyState === 'complete' && !window.rsBeforeTap")
    )
