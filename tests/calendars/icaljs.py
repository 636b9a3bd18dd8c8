"""Run Mozilla's ical.js (Thunderbird's parser) on an iCalendar document.

Test helper around the Node harness in ``tests/js/expand.mjs``.  Install the
harness once with ``npm ci --prefix tests/js`` (or ``cd tests/js && npm ci``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

JS_DIR = Path(__file__).resolve().parent.parent / "js"
HARNESS = JS_DIR / "expand.mjs"
TIMEOUT_SECONDS = 60


class IcalJsError(RuntimeError):
    """ical.js could not be run or rejected the calendar."""


def _utc_iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"window bound must be timezone-aware: {value!r}")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_utc(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _check_installed() -> str:
    node = shutil.which("node")
    if node is None:
        raise IcalJsError("node is not installed; ical.js tests need Node.js (>= 18)")
    if not (JS_DIR / "node_modules" / "ical.js" / "package.json").is_file():
        raise IcalJsError(
            f"ical.js is not installed in {JS_DIR}: run `npm ci` in tests/js "
            "(e.g. `npm ci --prefix tests/js` from the repository root)"
        )
    return node


def run_icaljs(ics_bytes: bytes, start: datetime, end: datetime) -> dict:
    """Parse and expand with ical.js; return ``{"method", "occurrences"}``.

    Occurrences overlap the window [start, end); their times are aware UTC
    datetimes.  Each occurrence dict also carries the calendar's ``method``.
    """
    node = _check_installed()
    proc = subprocess.run(
        [node, str(HARNESS), _utc_iso(start), _utc_iso(end)],
        input=ics_bytes,
        capture_output=True,
        cwd=JS_DIR,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if proc.returncode != 0:
        raise IcalJsError(
            f"ical.js harness failed (exit {proc.returncode}):\n" + proc.stderr.decode("utf-8", "replace")
        )
    data = json.loads(proc.stdout)
    for occ in data["occurrences"]:
        occ["start"] = _parse_utc(occ["start"])
        occ["end"] = _parse_utc(occ["end"])
        occ["recurrence_id"] = _parse_utc(occ["recurrence_id"])
        occ["method"] = data["method"]
    return data


def expand_with_icaljs(ics_bytes: bytes, start: datetime, end: datetime) -> list[dict]:
    """Occurrences overlapping [start, end) as expanded by ical.js.

    Each dict has ``uid``, ``start``/``end``/``recurrence_id`` (aware UTC, the
    latter None for non-recurring events), ``status``, ``sequence``,
    ``summary``, and also ``location``, ``url``, ``description``, ``tzid``,
    ``organizer`` ({email, cn} or None), ``attendees`` (list of {email, cn,
    role, partstat, rsvp}) and ``method`` (the VCALENDAR's METHOD or None).
    Sorted by start.
    """
    return run_icaljs(ics_bytes, start, end)["occurrences"]
