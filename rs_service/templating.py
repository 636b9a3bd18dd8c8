"""Jinja filters shared by every page."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask


def local_time(instant: datetime | None, zone: str) -> str:
    """An instant as wall-clock time in `zone`, with the zone's abbreviation (EST, EDT, AWST)."""
    if instant is None:
        return ""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a %-d %b %Y, %H:%M} {local.tzname()}"


def hours(minutes: int | None) -> str:
    """Clock hours with two decimals, as the domain asks."""
    return f"{(minutes or 0) / 60:.2f}"


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(local_time)
    app.add_template_filter(hours)
