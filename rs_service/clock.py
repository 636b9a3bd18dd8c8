"""The one clock of the service.

Every "now" comes from `now()` and every "today" is a local date of an association or a group,
`today_in(zone)`: never the server's own date, which is a different day for part of every night
(02:30 UTC is still the evening before in America/Detroit). Tests move this clock with time-machine.
"""

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


@functools.cache
def _zone(name: str) -> ZoneInfo:
    # ZoneInfo keeps only a few zones strongly cached: a feed or job alternating between many
    # zones would otherwise read the tz database again for every session.
    return ZoneInfo(name)


def local_date(instant: datetime, zone: str) -> date:
    """The calendar date of `instant` on the wall clocks of `zone`."""
    return instant.astimezone(_zone(zone)).date()


def today_in(zone: str) -> date:
    """Today's date where `zone` is the time zone of an association or a group."""
    return local_date(now(), zone)


def is_time_zone(name: str) -> bool:
    """An IANA zone such as America/Detroit (or UTC); not an abbreviation or a bare offset."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"
