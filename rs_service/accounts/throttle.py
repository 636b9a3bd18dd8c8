"""Login throttling, counted in Flask-Limiter's storage (memory, or Redis with RATELIMIT_STORAGE_URI).

After LOGIN_FAILURES_PER_EMAIL (10 per 15 minutes) failed attempts for one email, every attempt for
that email, right password or not, is refused for the same 15 minutes, counted from the failure that
filled the window. Failures are counted in a moving window, so no burst at the edge of a fixed window
gets twice the tries; the refusal itself is a one-entry window of its own. Each address gets a moving
window of failures too (LOGIN_FAILURES_PER_ADDRESS), against one machine trying many emails.

Emails are kept in the storage only as digests.
"""

import hashlib
import logging
import math
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_smorest import abort
from limits import RateLimitItem, RateLimitItemPerSecond, parse
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter

from rs_service import clock
from rs_service.extensions import limiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wait:
    """How long before a login may be tried again."""

    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


def refusal(email: str) -> Wait | None:
    """The wait before anyone may try to log in as `email` from this request's address, if any."""
    counters = _counters()
    waits = []
    try:
        if not counters.test(_lockout(), "login-locked", _digest(email)):
            waits.append(_wait_for(counters, _lockout(), "login-locked", _digest(email)))
        if not counters.test(_per_address(), "login-failed-address", _address()):
            waits.append(_wait_for(counters, _per_address(), "login-failed-address", _address()))
    except StorageError as error:
        _unavailable(error)
    return max(waits, key=lambda w: w.seconds) if waits else None


def record_failure(email: str) -> None:
    """Count a failed attempt; the one that fills the email's window starts its refusal."""
    counters = _counters()
    try:
        counters.hit(_per_address(), "login-failed-address", _address())
        counted = counters.hit(_per_email(), "login-failed", _digest(email))
        if not counted or not counters.test(_per_email(), "login-failed", _digest(email)):
            counters.hit(_lockout(), "login-locked", _digest(email))
    except StorageError as error:
        _unavailable(error)


def _counters() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(limiter.storage)


def _per_email() -> RateLimitItem:
    return parse(current_app.config["LOGIN_FAILURES_PER_EMAIL"])


def _per_address() -> RateLimitItem:
    return parse(current_app.config["LOGIN_FAILURES_PER_ADDRESS"])


def _lockout() -> RateLimitItem:
    """One entry, lasting as long as the email's window: present means refused."""
    return RateLimitItemPerSecond(1, _per_email().get_expiry())


def _wait_for(counters: MovingWindowRateLimiter, item: RateLimitItem, *keys: str) -> Wait:
    reset_at, _remaining = counters.get_window_stats(item, *keys)
    return Wait(max(1, math.ceil(reset_at - clock.now().timestamp())))


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _address() -> str:
    return get_remote_address()


def _unavailable(error: StorageError) -> None:
    log.error("login throttle storage unavailable: %s", error.storage_error)
    abort(503, message=_("Logging in is unavailable for a moment; try again shortly."))
