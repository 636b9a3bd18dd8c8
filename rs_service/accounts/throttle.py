"""Login and password-link throttling, counted in Flask-Limiter's storage (memory, or Redis with
RATELIMIT_STORAGE_URI).

After LOGIN_FAILURES_PER_EMAIL (10 per 15 minutes) failed attempts for one email, every attempt for
that email, right password or not, is refused for the same 15 minutes, counted from the failure that
filled the window. Failures are counted in a moving window, so no burst at the edge of a fixed window
gets twice the tries; the refusal itself is a one-entry window of its own. Each address gets a moving
window of failures too (LOGIN_FAILURES_PER_ADDRESS), against one machine trying many emails.
Password links asked for on /password/forgot are limited per email and per address the same way, so
nobody can flood an inbox; unknown emails are counted like known ones, so a refusal reveals nothing.

Emails are kept in the storage only as digests.
"""

import hashlib
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, RateLimitItemPerSecond, parse
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter
from webargs.flaskparser import abort

from rs_service import clock
from rs_service.extensions import limiter

log = logging.getLogger(__name__)

# A limit, and the keys it counts under.
Count = tuple[RateLimitItem, str, str]


@dataclass(frozen=True)
class Wait:
    """How long before trying again."""

    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


def refusal(email: str) -> Wait | None:
    """The wait before anyone may try to log in as `email` from this request's address, if any."""
    return _longest_wait([(_lockout(), "login-locked", _digest(email)), _failures_of_address()])


def record_failure(email: str) -> None:
    """Count a failed attempt; the one that fills the email's window starts its refusal."""
    per_email: Count = (_setting("LOGIN_FAILURES_PER_EMAIL"), "login-failed", _digest(email))
    try:
        counters = _counters()
        counters.hit(*_failures_of_address())
        if not counters.hit(*per_email) or not counters.test(*per_email):
            counters.hit(_lockout(), "login-locked", _digest(email))
    except StorageError as error:
        _unavailable(error)


def reset_refusal(email: str) -> Wait | None:
    """The wait before another password link may be sent for `email` from this address, if any."""
    return _longest_wait(_password_links(email))


def record_reset(email: str) -> None:
    try:
        counters = _counters()
        for count in _password_links(email):
            counters.hit(*count)
    except StorageError as error:
        _unavailable(error)


def _failures_of_address() -> Count:
    return _setting("LOGIN_FAILURES_PER_ADDRESS"), "login-failed-address", get_remote_address()


def _password_links(email: str) -> list[Count]:
    return [
        (_setting("PASSWORD_LINKS_PER_EMAIL"), "password-links", _digest(email)),
        (_setting("PASSWORD_LINKS_PER_ADDRESS"), "password-links-address", get_remote_address()),
    ]


def _lockout() -> RateLimitItem:
    """One entry, lasting as long as the email's window of failures: present means refused."""
    return RateLimitItemPerSecond(1, _setting("LOGIN_FAILURES_PER_EMAIL").get_expiry())


def _longest_wait(counts: Iterable[Count]) -> Wait | None:
    counters, now = _counters(), clock.now().timestamp()
    waits = []
    try:
        for count in counts:
            if not counters.test(*count):
                reset_at, _remaining = counters.get_window_stats(*count)
                waits.append(Wait(max(1, math.ceil(reset_at - now))))
    except StorageError as error:
        _unavailable(error)
    return max(waits, key=lambda wait: wait.seconds) if waits else None


def _counters() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(limiter.storage)


def _setting(name: str) -> RateLimitItem:
    return parse(current_app.config[name])


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _unavailable(error: StorageError) -> None:
    log.error("throttle storage unavailable: %s", error.storage_error)
    abort(503, message=_("This is unavailable for a moment; try again shortly."))
