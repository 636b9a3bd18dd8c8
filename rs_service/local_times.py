"""Instants shown as the wall-clock times people read, in a group's or association's zone, in the
reader's language.

One place for the format, so pages, emails and PDFs agree. The words and the order come from the
locale (Babel's CLDR data): "Tue, Mar 3, 2026, 10:00 AM EST" in English, "mar, 3 mar 2026, 10:00 EST"
in Spanish. The locale is the request's, or the one `flask_babel.force_locale` sets for a message to
someone else; English outside both. Machine outputs (API, CSV, iCalendar) keep ISO 8601 and never
come here.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal
from flask_babel import get_locale

from rs_service.clock_hours import clock_hours

ENGLISH = Locale("en")
# CLDR puts a narrow no-break space before AM/PM; a plain space reads the same in every mail client and
# in the PDF font, and keeps "10:00 AM" searchable.
NARROW_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def reader_locale() -> Locale:
    """The locale of the page or message being written."""
    locale = get_locale()
    return locale if isinstance(locale, Locale) else ENGLISH


def _plain(text: str) -> str:
    return text.translate(NARROW_SPACES)


def time_of_day(value: datetime | time) -> str:
    """A wall-clock time as the locale writes it: "10:00 AM", "10:00"."""
    return _plain(format_time(value.replace(tzinfo=None), "short", locale=reader_locale()))


def long_date(day: date) -> str:
    """A calendar date, medium length: "Nov 30, 2026", "30 nov 2026"."""
    return _plain(format_date(day, "medium", locale=reader_locale()))


def weekday_date(day: date) -> str:
    """A session's day, with its weekday: "Mon, Nov 30, 2026", "lun, 30 nov 2026"."""
    return _plain(format_skeleton("yMMMEd", day, locale=reader_locale()))


def local_day(instant: datetime, zone: str) -> str:
    return weekday_date(instant.astimezone(ZoneInfo(zone)).date())


def _date_and_time(day: str, clock: str) -> str:
    """The locale's way of joining a date and a time ("{1}, {0}" in English and Spanish)."""
    pattern = str(reader_locale().datetime_formats.get("medium", "{1}, {0}"))
    return pattern.replace("{1}", day).replace("{0}", clock)


def local_time(instant: datetime | None, zone: str) -> str:
    """The instant with the zone's abbreviation (EST, EDT, AWST), which changes with DST."""
    if instant is None:
        return ""
    local = instant.astimezone(ZoneInfo(zone))
    return _date_and_time(weekday_date(local.date()), f"{time_of_day(local)} {local:%Z}")


def local_span(instant: datetime, minutes: int, zone: str) -> str:
    """e.g. "10:00 AM–11:30 AM EST"; both abbreviations when the clocks change in between."""
    tz = ZoneInfo(zone)
    start, end = instant.astimezone(tz), (instant + timedelta(minutes=minutes)).astimezone(tz)
    if start.tzname() == end.tzname():
        return f"{time_of_day(start)}–{time_of_day(end)} {end:%Z}"
    return f"{time_of_day(start)} {start:%Z}–{time_of_day(end)} {end:%Z}"


def local_period(instant: datetime, minutes: int, zone: str) -> str:
    """e.g. "Tue, Mar 3, 2026, 10:00 AM–11:30 AM EST"."""
    return _date_and_time(local_day(instant, zone), local_span(instant, minutes, zone))


def decimal_hours(minutes: int | None) -> str:
    """Clock hours with two decimals, as the domain asks, in the locale's digits: "12.50", "12,50"."""
    return _plain(format_decimal(Decimal(clock_hours(minutes or 0)), format="#,##0.00", locale=reader_locale()))
