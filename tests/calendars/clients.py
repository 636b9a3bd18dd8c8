"""Independent calendar clients for the cross-check: each reads a feed and answers every
occurrence it shows in a window as (summary, start, end), times in UTC.

* recurring-ical-events on icalendar (Python; resolves TZIDs with zoneinfo);
* Mozilla ical.js (Thunderbird's parser; only the VTIMEZONE blocks of the feed), `tests/js`;
* node-ical (npm; its own recurrence engine), `tests/js`;
* vobject (Python; dateutil rule sets and the feed's VTIMEZONE blocks);
* Radicale, a CalDAV server, started on a free port and asked with a time-range REPORT that
  expands recurrences on the server.

Install the Node parsers once with ``npm ci --prefix tests/js``.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import recurring_ical_events
import vobject

from tests.calendars.icaljs import JS_DIR, TIMEOUT_SECONDS, expand_with_icaljs

Span = tuple[str, datetime, datetime]
Window = tuple[datetime, datetime]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def with_recurring_ical_events(ics: bytes, window: Window) -> list[Span]:
    events = recurring_ical_events.of(icalendar.Calendar.from_ical(ics)).between(*window)
    return sorted((str(e["SUMMARY"]), _utc(e["DTSTART"].dt), _utc(e["DTEND"].dt)) for e in events)


def with_icaljs(ics: bytes, window: Window) -> list[Span]:
    return sorted((o["summary"], o["start"], o["end"]) for o in expand_with_icaljs(ics, *window))


def with_node_ical(ics: bytes, window: Window) -> list[Span]:
    if not (JS_DIR / "node_modules" / "node-ical" / "package.json").is_file():
        raise RuntimeError(f"node-ical is not installed in {JS_DIR}: run `npm ci --prefix tests/js`")
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    proc = subprocess.run(
        ["node", "node_ical_expand.mjs", window[0].strftime(stamp), window[1].strftime(stamp)],
        input=ics,
        capture_output=True,
        cwd=JS_DIR,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError("node-ical failed:\n" + proc.stderr.decode("utf-8", "replace"))
    occurrences = json.loads(proc.stdout)["occurrences"]
    return sorted((o["summary"], _iso(o["start"]), _iso(o["end"])) for o in occurrences)


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def with_vobject(ics: bytes, window: Window) -> list[Span]:
    """vobject parses and expands (its rule sets apply RRULE and EXDATE in the event's zone); the
    glue here is what any client does next: an override replaces the instance its RECURRENCE-ID
    names, and every instance lasts as long as the master (DTEND - DTSTART, in real time)."""
    calendar = vobject.readOne(ics.decode("utf-8"))
    by_uid: dict[str, list] = {}
    for event in calendar.vevent_list:
        by_uid.setdefault(event.uid.value, []).append(event)
    spans: list[Span] = []
    for events in by_uid.values():
        masters = [e for e in events if not hasattr(e, "recurrence_id")]
        overrides = {_utc(e.recurrence_id.value): e for e in events if hasattr(e, "recurrence_id")}
        for master in masters:
            spans += _vobject_instances(master, overrides)
        if not masters:
            spans += [_vobject_span(e) for e in overrides.values()]
    return sorted(span for span in spans if window[0] <= span[1] < window[1])


def _vobject_span(event) -> Span:
    start = _utc(event.dtstart.value)
    end = _utc(event.dtend.value) if hasattr(event, "dtend") else start + event.duration.value
    return event.summary.value, start, end


def _vobject_instances(master, overrides: dict) -> list[Span]:
    summary, start, end = _vobject_span(master)
    if not hasattr(master, "rrule"):
        return [(summary, start, end)]
    spans = []
    for instance in master.getrruleset(addRDate=True):
        override = overrides.get(_utc(instance))
        at = _utc(instance)
        spans.append(_vobject_span(override) if override is not None else (summary, at, at + (end - start)))
    return spans


# ----------------------------------------------------------------------------- Radicale


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Radicale:
    """A Radicale CalDAV server of its own on loopback, for one test module."""

    USER = "sweep"

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.calendars = 0

    def start(self) -> None:
        config = self.folder / "config"
        config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\ntype = none\n"
            "[rights]\ntype = owner_only\n"
            f"[storage]\nfilesystem_folder = {self.folder / 'collections'}\n"
            "[logging]\nlevel = warning\n"
            "[reporting]\nmax_expand_occurrence = 100000\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Radicale did not start:\n" + self.process.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Radicale did not answer within 30 seconds")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        credentials = base64.b64encode(f"{self.USER}:x".encode()).decode()
        try:
            connection.request(method, path, body, {"Authorization": f"Basic {credentials}", **(headers or {})})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def upload(self, ics: bytes) -> str:
        """A new calendar collection holding the feed (Radicale splits it into one item per UID)."""
        self.calendars += 1
        path = f"/{self.USER}/feed-{self.calendars}/"
        status, answer = self.request("PUT", path, ics, {"Content-Type": "text/calendar; charset=utf-8"})
        if status not in (200, 201, 204):
            raise RuntimeError(f"Radicale refused the feed ({status}): {answer[:500]!r}")
        return path

    def time_range_report(self, path: str, window: Window) -> list[Span]:
        """A CalDAV calendar-query for the window, the server expanding every recurrence (RFC 4791 9.6.5)."""
        start, end = (w.strftime("%Y%m%dT%H%M%SZ") for w in window)
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data><C:expand start="{start}" end="{end}"/></C:calendar-data></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start}" end="{end}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>""".encode()
        status, answer = self.request("REPORT", path, body, {"Depth": "1", "Content-Type": "application/xml"})
        if status != 207:
            raise RuntimeError(f"Radicale REPORT failed ({status}): {answer[:500]!r}")
        spans = []
        for data in ET.fromstring(answer).iter("{urn:ietf:params:xml:ns:caldav}calendar-data"):
            for event in icalendar.Calendar.from_ical(data.text or "").walk("VEVENT"):
                start_ = _utc(event["DTSTART"].dt)
                end_ = _utc(event["DTEND"].dt) if "DTEND" in event else start_ + event["DURATION"].dt
                spans.append((str(event["SUMMARY"]), start_, end_))
        return sorted(spans)


@contextmanager
def radicale_server(folder: Path) -> Iterator[Radicale]:
    server = Radicale(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def with_radicale(server: Radicale, ics: bytes, window: Window) -> list[Span]:
    return server.time_range_report(server.upload(ics), window)
