"""The password rule, and setting a password: at least 12 characters and none of the common ones.

Setting a password ends the person's other web sessions and every password link still open.
"""

import functools
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext

from rs_service import clock
from rs_service.accounts import throttle
from rs_service.accounts.auth import end_web_sessions, hash_password, password_matches
from rs_service.accounts.models import PasswordLink, Person
from rs_service.extensions import db

MIN_LENGTH = 12
MAX_LENGTH = 500
MIN_DISTINCT_CHARACTERS = 5  # "aaaaaaaaaaaa" or "121212121212" is long but guessed at once
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why `password` may not be used (for the person with `email`), or None when it may."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(count)d characters.", count=MAX_LENGTH)
    if simplified(password) in common_passwords() or len(set(password.lower())) < MIN_DISTINCT_CHARACTERS:
        return _("That password is one of the most common ones; choose another, such as a few unrelated words.")
    if email and simplified(email) in simplified(password):
        return _("Your password may not contain your email address.")
    return None


def simplified(text: str) -> str:
    return "".join(text.lower().split())


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(simplified(line) for line in lines if line.strip() and not line.startswith("#"))


class PasswordRefused(Exception):
    """A new password refused, with the form field to blame; `wait` when guesses are throttled."""

    def __init__(self, field: str, message: str, wait: throttle.Wait | None = None):
        super().__init__(message)
        self.field, self.message, self.wait = field, message, wait


def change_password(person: Person, current: str, new: str) -> None:
    """The person's own change: the current password is required, and wrong guesses count toward
    the login throttle (else a borrowed session could guess it unthrottled)."""
    wait = throttle.refusal(person.email)
    if wait is not None:
        message = ngettext(
            "Too many wrong passwords. Wait %(num)d minute, then try again.",
            "Too many wrong passwords. Wait %(num)d minutes, then try again.",
            wait.minutes,
        )
        raise PasswordRefused("current_password", message, wait)
    if not password_matches(person, current):
        throttle.record_failure(person.email)
        raise PasswordRefused("current_password", _("That is not your current password."))
    problem = password_problem(new, person.email)
    if problem:
        raise PasswordRefused("password", problem)
    set_password(person, new)


def set_password(person: Person, password: str) -> None:
    """Give `person` this password (already checked); their other logins and open links end."""
    person.password_hash = hash_password(password)
    close_links(person)
    end_web_sessions(person)


def close_links(person: Person) -> None:
    """Every link of theirs still open stops working (a newer link, or a password set)."""
    db.session.execute(
        db.update(PasswordLink)
        .where(PasswordLink.person_id == person.id, PasswordLink.closed_at.is_(None))
        .values(closed_at=clock.now())
    )
    db.session.flush()
