"""Instants shown as the wall-clock times people read, in a group's or association's zone.

One place for the format, so pages and emails agree: "Tue 3 Mar 2026, 10:00 AM EST".
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def time_of_day(value: datetime | time) -> str:
    return f"{value:%I:%M %p}".lstrip("0")


def long_date(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def local_day(instant: datetime, zone: str) -> str:
    return long_date(instant.astimezone(ZoneInfo(zone)).date())


def local_time(instant: datetime | None, zone: str) -> str:
    """The instant with the zone's abbreviation (EST, EDT, AWST), which changes with DST."""
    if instant is None:
        return ""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{long_date(local.date())}, {time_of_day(local)} {local:%Z}"


def local_span(instant: datetime, minutes: int, zone: str) -> str:
    """e.g. "10:00 AM–11:30 AM EST"; both abbreviations when the clocks change in between."""
    tz = ZoneInfo(zone)
    start, end = instant.astimezone(tz), (instant + timedelta(minutes=minutes)).astimezone(tz)
    if start.tzname() == end.tzname():
        return f"{time_of_day(start)}–{time_of_day(end)} {end:%Z}"
    return f"{time_of_day(start)} {start:%Z}–{time_of_day(end)} {end:%Z}"


def local_period(instant: datetime, minutes: int, zone: str) -> str:
    """e.g. "Tue 3 Mar 2026, 10:00 AM–11:30 AM EST"."""
    return f"{local_day(instant, zone)}, {local_span(instant, minutes, zone)}"
