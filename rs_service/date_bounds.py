"""The dates the service accepts: 1900 to 2200, on every path.

Dates outside the range mean nothing for reflective supervision and break date arithmetic near the
ends of Python's calendar (year 1 minus a day, year 9999 plus a session). Every date a client types
is checked here, so the answer is a 422 naming the field, never a 500.
"""

from datetime import date

from flask_babel import gettext as _
from wtforms.validators import ValidationError

from rs_service.domain_errors import InvalidInput

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2200, 12, 31)
OUT_OF_RANGE = f"must be between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"


def day_problem(day: date) -> str | None:
    """Why a date cannot be accepted, or None when it can."""
    return None if within_bounds(day) else OUT_OF_RANGE


def within_bounds(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def check_day(day: date, field: str) -> None:
    if not within_bounds(day):
        raise InvalidInput(
            field=field,
            message=_(
                "%(day)s: a date must be between %(earliest)s and %(latest)s",
                day=day.isoformat(),
                earliest=EARLIEST_DAY.isoformat(),
                latest=LATEST_DAY.isoformat(),
            ),
        )


def day_within_bounds(form, field) -> None:
    """A WTForms validator for date fields on pages."""
    if field.data is not None and not within_bounds(field.data):
        raise ValidationError(
            _(
                "Choose a date between %(earliest)s and %(latest)s.",
                earliest=EARLIEST_DAY.isoformat(),
                latest=LATEST_DAY.isoformat(),
            )
        )
