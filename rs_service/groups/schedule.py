"""Session times from a group's rule: pure functions, wall-clock time in the group's zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, rrulestr

from rs_service.errors import InvalidInput

MAX_SESSIONS = 400  # a group meeting daily for a year; anything more is a mistake in the rule
_FORBIDDEN_PARTS = ("DTSTART", "UNTIL", "COUNT")


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
        raise ScheduleError("rrule", "the rule needs FREQ, e.g. FREQ=WEEKLY;BYDAY=TU")
    for forbidden in _FORBIDDEN_PARTS:
        if forbidden in parts:
            raise ScheduleError("rrule", f"leave {forbidden} out of the rule: first_date and until set the range")
    try:
        parsed = rrulestr(f"RRULE:{rule}", dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError) as error:
        raise ScheduleError("rrule", f"not an RFC 5545 rule python-dateutil understands: {error}") from None
    if parsed._freq > DAILY:  # HOURLY, MINUTELY, SECONDLY
        raise ScheduleError("rrule", "sessions recur at most daily (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)")
    return rule


def local_starts(series: Series) -> list[datetime]:
    """Naive local start times the rule produces between first_date and until, minus blackout dates."""
    rule = rrulestr(
        f"RRULE:{validate_rule(series.rrule)}", dtstart=datetime.combine(series.first_date, series.start_time)
    )
    last = datetime.combine(series.until, time.max)
    starts = []
    for start in rule.xafter(datetime.combine(series.first_date, series.start_time), inc=True):
        if start > last:
            break
        if start.date() not in series.blackout_dates:
            starts.append(start)
        if len(starts) > MAX_SESSIONS:
            raise ScheduleError("until", f"the rule gives more than {MAX_SESSIONS} sessions; shorten the range")
    return starts


def to_instant(local: datetime, zone: str) -> datetime:
    """The UTC instant of a local wall-clock time (a time skipped by DST moves forward by the gap)."""
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def session_starts(series: Series) -> list[datetime]:
    return [to_instant(local, series.timezone) for local in local_starts(series)]


def overlaps(start_a: datetime, minutes_a: int, start_b: datetime, minutes_b: int) -> bool:
    return start_a < start_b + timedelta(minutes=minutes_b) and start_b < start_a + timedelta(minutes=minutes_a)
