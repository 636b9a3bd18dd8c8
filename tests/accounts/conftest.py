"""The real SMTP server of the notification tests, and reading the password links it receives."""

import re
import time

from tests.notifications.conftest import Mailbox, mailbox  # noqa: F401  (the fixture, shared)

LINK = re.compile(r"http://rs\.test(/password/set/[A-Za-z0-9_-]+)")


def wait_for_mail(box: Mailbox, person, count: int = 1, timeout: float = 10.0) -> list:
    """The messages to `person` once `count` have arrived (they are sent after the commit, on a thread)."""
    deadline = time.monotonic() + timeout
    while len(box.to(person)) < count:
        assert time.monotonic() < deadline, f"{len(box.to(person))} of {count} messages to {person.email} arrived"
        time.sleep(0.02)
    return box.to(person)


def link_in(message) -> str:
    """The path of the password link in the plain-text part (the HTML part carries the same one)."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    paths = LINK.findall(text)
    assert len(paths) == 1 and paths[0] in html, text
    return paths[0]
