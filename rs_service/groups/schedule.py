"""Session times from a group's rule: pure functions, wall-clock time in the group's zone."""

import calendar
import re
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_day_names
from babel.lists import format_list
from dateutil.rrule import DAILY, rrulestr
from flask_babel import get_locale
from flask_babel import gettext as _

from rs_service.domain_errors import InvalidInput

MAX_SESSIONS = 400  # a group meeting daily for a year; anything more is a mistake in the rule
MAX_SPAN_YEARS = 10  # from a group's first date to its end date
_FORBIDDEN_PARTS = ("DTSTART", "UNTIL", "COUNT")
_NOT_RFC_5545 = ("BYEASTER",)  # python-dateutil's own extension: no calendar client understands it


class ScheduleError(InvalidInput):
    pass


@dataclass(frozen=True)
class Series:
    rrule: str
    timezone: str
    first_date: date
    until: date
    start_time: time
    blackout_dates: frozenset[date] = frozenset()


def validate_rule(rrule: str) -> str:
    """The rule normalised (upper case, no 'RRULE:' prefix), or ScheduleError naming what is wrong."""
    rule = rrule.strip().upper().removeprefix("RRULE:")
    parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
    if "FREQ" not in parts:
        raise ScheduleError(field="rrule", message=_("The rule needs FREQ, e.g. FREQ=WEEKLY;BYDAY=TU."))
    for forbidden in _FORBIDDEN_PARTS:
        if forbidden in parts:
            raise ScheduleError(
                field="rrule",
                message=_(
                    "Leave %(part)s out of the rule: the first date and the end date set the range.", part=forbidden
                ),
            )
    for extension in _NOT_RFC_5545:
        if extension in parts:
            raise ScheduleError(
                field="rrule",
                message=_("%(part)s is not part of RFC 5545; calendar apps would not understand it.", part=extension),
            )
    try:
        parsed = rrulestr(f"RRULE:{rule}", dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError) as error:
        raise ScheduleError(
            field="rrule", message=_("Not an RFC 5545 rule this service understands: %(error)s", error=error)
        ) from None
    if parsed._freq > DAILY:  # HOURLY, MINUTELY, SECONDLY
        raise ScheduleError(
            field="rrule", message=_("Sessions recur at most daily (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY).")
        )
    return rule


def local_starts(series: Series) -> list[datetime]:
    """Naive local start times the rule produces between first_date and until, minus blackout dates.

    Bounded by count (MAX_SESSIONS) and by time span: python-dateutil looks for the next occurrence
    until the year 9999 when none comes (a rule like FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 never
    matches), ignoring any UNTIL, and that took seconds of CPU. So the rule is expanded in the
    latest years before 9999 that have the same calendar as the group's years, where that search
    ends within a few decades, and the results are moved back.
    """
    shift = calendar_twin_shift(series.first_date.year, series.until.year)
    first = _years_later(datetime.combine(series.first_date, series.start_time), shift)
    last = _years_later(datetime.combine(series.until, time.max), shift)
    rule = rrulestr(f"RRULE:{validate_rule(series.rrule)}", dtstart=first)
    starts: list[datetime] = []
    for twin in rule.xafter(first, inc=True):
        if twin > last:  # compared among the twins: past `last` the calendars may differ
            break
        start = _years_later(twin, -shift)
        if start.date() not in series.blackout_dates:
            starts.append(start)
        if len(starts) > MAX_SESSIONS:
            raise ScheduleError(
                field="until",
                message=_("The rule gives more than %(count)d sessions; shorten the range.", count=MAX_SESSIONS),
            )
    return starts


def calendar_twin_shift(first_year: int, last_year: int) -> int:
    """How many years later the latest run of years before 9999 lies whose calendar (leap years and
    weekdays) is the same as first_year-1 .. last_year+1: every rule gives the same dates there."""
    wanted = [_calendar_of(year) for year in range(first_year - 1, last_year + 2)]
    for start in range(MAXYEAR - len(wanted) + 1, first_year - 1, -1):
        if [_calendar_of(year) for year in range(start, start + len(wanted))] == wanted:
            return start - (first_year - 1)
    return 0


def _calendar_of(year: int) -> tuple[bool, int]:
    return calendar.isleap(year), date(year, 1, 1).weekday()


def _years_later(moment: datetime, years: int) -> datetime:
    return moment.replace(year=moment.year + years)


def to_instant(local: datetime, zone: str) -> datetime:
    """The UTC instant of a local wall-clock time (a time skipped by DST moves forward by the gap)."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def session_starts(series: Series) -> list[datetime]:
    return [to_instant(local, series.timezone) for local in local_starts(series)]


def overlaps(start_a: datetime, minutes_a: int, start_b: datetime, minutes_b: int) -> bool:
    return start_a < start_b + timedelta(minutes=minutes_b) and start_b < start_a + timedelta(minutes=minutes_a)


# A rule in words ---------------------------------------------------------------------------------

_BYDAY_INDEX = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}  # Babel's weekday numbers
# Ordinal endings by the CLDR ordinal category Babel gives each number (Spanish before a masculine
# weekday: 1.er, 2.º, 3.er).
_ORDINAL_ENDINGS = {
    "en": {"one": "st", "two": "nd", "few": "rd", "other": "th"},
    "es": {"one": ".er", "other": ".º"},
}


def ordinal(number: int, locale: str) -> str:
    """ "1st", "2nd", "3rd" in English; "1.er", "2.º", "3.er" in Spanish; "last" / "second-to-last" for -1 / -2."""
    if number == -1:
        return str(_("last"))
    if number == -2:
        return str(_("second-to-last"))
    endings = _ORDINAL_ENDINGS.get(Locale.parse(locale).language, _ORDINAL_ENDINGS["en"])
    category = Locale.parse(locale).ordinal_form(number)
    return f"{number}{endings.get(category, endings['other'])}"


def describe_rule(rule: str, locale: str | None = None) -> str | None:
    """The common rules in words, in the reader's language: "Every Tuesday", "1st and 3rd Tuesday of the
    month" ("1.er y 3.er martes del mes"); None for a rule these words cannot say."""
    locale = locale or str(get_locale() or "en")
    parts = dict(part.partition("=")[::2] for part in rule.upper().removeprefix("RRULE:").split(";") if part)
    interval = parts.get("INTERVAL", "1")
    if set(parts) - {"FREQ", "INTERVAL", "BYDAY", "WKST"}:
        return None
    if not parts.get("BYDAY"):
        if parts.get("FREQ") != "WEEKLY":
            return None
        return {"1": str(_("Every week")), "2": str(_("Every other week"))}.get(interval)
    day_names = get_day_names("wide", locale=locale)
    days = parts["BYDAY"].split(",")
    if parts.get("FREQ") == "WEEKLY" and all(d in _BYDAY_INDEX for d in days) and interval in ("1", "2"):
        listed = format_list([day_names[_BYDAY_INDEX[d]] for d in days], locale=locale)
        return str(_("Every %(days)s", days=listed) if interval == "1" else _("Every other %(days)s", days=listed))
    matches = [re.fullmatch(r"\+?(-?\d)(MO|TU|WE|TH|FR|SA|SU)", d) for d in days]
    if parts.get("FREQ") != "MONTHLY" or interval != "1" or not all(matches):
        return None
    numbers = [int(m.group(1)) for m in matches if m]
    weekdays = {m.group(2) for m in matches if m}
    if len(weekdays) != 1 or not all(1 <= n <= 5 or n in (-1, -2) for n in numbers):
        return None
    ordinals = format_list([ordinal(n, locale) for n in numbers], locale=locale)
    weekday = day_names[_BYDAY_INDEX[weekdays.pop()]]
    return str(_("%(ordinals)s %(weekday)s of the month", ordinals=ordinals, weekday=weekday))
