"""Jinja filters shared by every page."""

from flask import Flask

from rs_service import local_times
from rs_service.endorsement.rules import clock_hours
from rs_service.listing import url_with


def hours(minutes: int | None) -> str:
    """Clock hours with two decimals, as the domain asks."""
    return clock_hours(minutes or 0)


def register_template_helpers(app: Flask) -> None:
    for name in ("time_of_day", "long_date", "local_day", "local_time", "local_span", "local_period"):
        app.add_template_filter(getattr(local_times, name), name)
    app.add_template_filter(hours)
    app.add_template_global(url_with)
