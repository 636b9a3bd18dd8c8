"""Jinja filters shared by every page: dates, times and hours in the reader's language."""

from flask import Flask

from rs_service import local_times
from rs_service.listing import url_with

DATE_FILTERS = ("time_of_day", "long_date", "weekday_date", "local_day", "local_time", "local_span", "local_period")


def hours(minutes: int | None) -> str:
    """Clock hours with two decimals, as the domain asks, written the reader's way ("12.50", "12,50")."""
    return local_times.decimal_hours(minutes)


def register_template_helpers(app: Flask) -> None:
    for name in DATE_FILTERS:
        app.add_template_filter(getattr(local_times, name), name)
    app.add_template_filter(hours)
    app.add_template_global(url_with)
