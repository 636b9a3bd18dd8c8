"""iCalendar output for reflective-supervision groups: subscription feeds and
emailed invites.

Pure functions (no Flask, no database).  See the "Calendar interoperability"
section of the domain notes for the client constraints these follow:

* one series master per group (UID = the group's UID) with an RRULE whose UNTIL
  is the person's last session, EXDATEs for every occurrence the person should
  not see (cancelled, holiday gaps, outside their enrolment window), and
  RECURRENCE-ID overrides (at the *original* local time) for rescheduled ones;
  the master never carries STATUS:CANCELLED;
* every time carries a TZID with a VTIMEZONE written with yearly RRULE
  observances (no RDATE lists: Outlook mishandles those), except on a DST
  edge: a session in a skipped or repeated hour, or across a change of
  offset, is an override with UTC start and end, which no client can resolve
  differently, and never the master's DTSTART;
* DTSTAMP / LAST-MODIFIED are when the data last changed, never "now", so the
  same input always gives byte-identical output (an invite's DTSTAMP is when
  the message is made, as iTIP asks);
* stored text is put on one line without control characters before it is
  escaped: the database may hold what entry would now refuse;
* feeds have no METHOD; invites have METHOD:REQUEST or METHOD:CANCEL;
* words come in already in the reader's language (SeriesInfo's description and
  join_label, the feed's name): this module writes no sentence of its own.
"""

from __future__ import annotations

import calendar as _calendar
import copy
import functools
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import FR, MO, SA, SU, TH, TU, WE, YEARLY, rrule, rrulestr
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from rs_service.plain_text import one_line, paragraphs

__all__ = [
    "DEFAULT_PRODID",
    "SeriesInfo",
    "SessionOccurrence",
    "build_feed",
    "build_invite",
    "session_uid",
    "vtimezone",
]

DEFAULT_PRODID = "-//rs_service//Reflective supervision//EN"
UTC = UTC
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DATEUTIL_WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
_INVITE_METHODS = ("REQUEST", "CANCEL")
_MAX_EXPANSION = 100_000


@dataclass(frozen=True)
class SeriesInfo:
    """One group: its recurring schedule and what a calendar shows about it."""

    uid: str  # stable, e.g. "group-12@rs-service"
    name: str  # SUMMARY
    timezone: str  # IANA, e.g. "America/Detroit"
    rrule: str  # RFC 5545 rule without DTSTART/UNTIL/COUNT
    location: str | None = None
    join_url: str | None = None  # URL property and in DESCRIPTION
    description: str | None = None
    sequence: int = 0  # the series master's SEQUENCE never goes below this
    join_label: str = "Join"  # before the join link in DESCRIPTION, in the reader's language


@dataclass(frozen=True)
class SessionOccurrence:
    """One session row of a group."""

    id: int
    original_start: datetime  # aware; where the rule put it
    start: datetime  # aware; current start (== original unless rescheduled)
    duration_minutes: int
    cancelled: bool
    sequence: int  # goes up on every change
    last_modified: datetime  # aware; becomes DTSTAMP / LAST-MODIFIED


def session_uid(series: SeriesInfo, occurrence: SessionOccurrence) -> str:
    """UID of a session as a stand-alone event (invites, off-rule sessions)."""
    return f"session-{occurrence.id}-{series.uid}"


# --------------------------------------------------------------------------
# small helpers


def _utc(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(UTC).replace(microsecond=0)


@functools.cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError for bad keys
        raise ValueError(f"unknown time zone {name!r}") from exc


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    """Aware local time in `zone` (icalendar writes it with TZID=zone.key)."""
    return instant.astimezone(zone)


def _clean_rrule(rule: str) -> str:
    """The series rule without an RRULE: prefix, UNTIL, COUNT or DTSTART."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not value:
            raise ValueError(f"malformed RRULE part {part!r} in {rule!r}")
        key = key.strip().upper()
        if key in ("UNTIL", "COUNT", "DTSTART"):
            continue
        parts.append(f"{key}={value.strip().upper()}")
    if not any(p.startswith("FREQ=") for p in parts):
        raise ValueError(f"RRULE without FREQ: {rule!r}")
    return ";".join(parts)


@dataclass(frozen=True)
class _Instance:
    """One instance of a series rule: the wall time a client computes from the rule, and its
    instant (a wall time in a skipped or repeated hour resolved as RFC 5545 and zoneinfo's fold=0
    do: with the offset in force before the change)."""

    wall: datetime  # naive, local to the series' zone
    instant: datetime  # UTC


def _expand(rule: str, dtstart_utc: datetime, until_utc: datetime, zone: ZoneInfo) -> list[_Instance]:
    """Instances of `rule` from dtstart to until (inclusive), expanded in
    local wall time of `zone` (so 10:00 stays 10:00 across DST).  As in
    dateutil (and unlike RFC 5545), dtstart is included only if it matches."""
    local_start = dtstart_utc.astimezone(zone).replace(tzinfo=None)
    local_limit = until_utc.astimezone(zone).replace(tzinfo=None) + timedelta(days=2)
    out = []
    for i, naive in enumerate(rrulestr(rule, dtstart=local_start)):
        if naive > local_limit or i > _MAX_EXPANSION:
            break
        instant = naive.replace(tzinfo=zone).astimezone(UTC)
        if instant > until_utc:
            continue
        if instant >= dtstart_utc:
            out.append(_Instance(naive, instant))
    return out


def _unambiguous(wall: datetime, zone: ZoneInfo) -> bool:
    """Is this local wall time one instant: neither skipped nor repeated by a change of offset?"""
    return wall.replace(tzinfo=zone, fold=0).utcoffset() == wall.replace(tzinfo=zone, fold=1).utcoffset()


def _on_dst_edge(start: datetime, end: datetime, zone: ZoneInfo) -> bool:
    """Could a client get these times wrong when written as local times with a TZID: a start or
    end in a repeated hour (clients pick either one), or a span across a change of offset (clients
    count its length in wall time or in real time)?"""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        local_start.utcoffset() != local_end.utcoffset()
        or not _unambiguous(local_start.replace(tzinfo=None), zone)
        or not _unambiguous(local_end.replace(tzinfo=None), zone)
    )


def _add_times(event: Event, zone: ZoneInfo, start: datetime, end: datetime) -> None:
    """DTSTART and DTEND as local times with the zone's TZID; on a DST edge both in UTC instead,
    which every client reads as the same instants.  (Not DURATION: some clients add it to the
    start as wall-clock time, which is an hour off across the change.)"""
    if _on_dst_edge(start, end, zone):
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        event.add("dtstart", _local(start, zone))
        event.add("dtend", _local(end, zone))


def _description(series: SeriesInfo) -> str | None:
    parts = []
    if series.description:
        parts.append(paragraphs(series.description))
    if series.join_url:
        parts.append(f"{one_line(series.join_label)}: {one_line(series.join_url)}")
    return "\n\n".join(part for part in parts if part) or None


def _add_common(event: Event, series: SeriesInfo) -> None:
    # Whatever the database holds, names stay on one line and no control character reaches the
    # output; icalendar then escapes backslash, ";", "," and newline in TEXT values.
    event.add("summary", one_line(series.name))
    if series.location and one_line(series.location):
        event.add("location", one_line(series.location))
    if series.join_url and one_line(series.join_url):
        event.add("url", one_line(series.join_url))
    desc = _description(series)
    if desc:
        event.add("description", desc)


def _parameter(value: str) -> str:
    """A parameter value (e.g. CN) readable by every client: one line, and no DQUOTE, which RFC 5545
    forbids in parameters (RFC 6868's ^' escape is unknown to many readers)."""
    return one_line(value).replace('"', "'")


def _new_event(
    uid: str,
    series: SeriesInfo,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    sequence: int,
    changed: datetime,
    stamp: datetime | None = None,
) -> Event:
    """`stamp` (DTSTAMP) defaults to `changed`: in a feed, when the session last changed."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", changed if stamp is None else stamp)
    event.add("last-modified", changed)
    event.add("sequence", max(int(sequence), 0))
    _add_times(event, zone, start, end)
    return event


# --------------------------------------------------------------------------
# VTIMEZONE with yearly RRULE observances


@dataclass(frozen=True)
class _Transition:
    utc: datetime  # instant of the change
    local: datetime  # naive wall time just before it (in the old offset)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    return local.utcoffset() or timedelta(0), local.tzname() or "", bool(local.dst())


def _transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[_Transition]:
    """Offset/name changes of `zone` in the given years, found by a daily scan
    and bisection to the second."""
    out = []
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    prev = _state(zone, t)
    step = timedelta(hours=12)
    while t < stop:
        nxt = t + step
        cur = _state(zone, nxt)
        if cur != prev:
            lo, hi = int(t.timestamp()), int(nxt.timestamp())  # state(lo)=prev, state(hi)!=prev
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _state(zone, datetime.fromtimestamp(mid, UTC)) == prev:
                    lo = mid
                else:
                    hi = mid
            at = datetime.fromtimestamp(hi, UTC)
            offset_to, name, daylight = _state(zone, at)
            out.append(
                _Transition(
                    utc=at,
                    local=(at + prev[0]).replace(tzinfo=None),
                    offset_from=prev[0],
                    offset_to=offset_to,
                    name=name,
                    daylight=daylight,
                )
            )
            prev = (offset_to, name, daylight)
        t = nxt
    return out


def _byday_options(day: date) -> set[int]:
    """Ordinals (1..5, or -1 for last) that describe `day` within its month."""
    options = {(day.day - 1) // 7 + 1}
    if day.day + 7 > _calendar.monthrange(day.year, day.month)[1]:
        options.add(-1)
    return options


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    days = _calendar.monthrange(year, month)[1]
    matching = [d for d in range(1, days + 1) if date(year, month, d).weekday() == weekday]
    return date(year, month, matching[ordinal - 1 if ordinal > 0 else ordinal])


_Signature = tuple[bool, int, int, time, timedelta, timedelta, str]


def _signature(tr: _Transition) -> _Signature:
    return (
        tr.daylight,
        tr.local.month,
        tr.local.weekday(),
        tr.local.time(),
        tr.offset_from,
        tr.offset_to,
        tr.name,
    )


@dataclass
class _Run:
    """Changes of one kind and pattern in consecutive years, which one yearly rule describes."""

    signature: _Signature
    ordinals: set[int]  # the nth (or -1: last) weekdays of the month that fit every change so far
    items: list[_Transition]


@dataclass(frozen=True)
class _Observance:
    """A STANDARD or DAYLIGHT block: the change it describes, its first onset (naive local time,
    in the offset before the change) and, when it recurs, its yearly rule."""

    change: _Transition
    dtstart: datetime
    ordinal: int | None = None  # None: a one-off change
    until: datetime | None = None  # UTC; None: still in force

    def latest_onset(self, at: datetime) -> datetime | None:
        """The UTC instant of its last onset at or before `at`, as a client expanding it finds it."""
        offset = self.change.offset_from
        if self.ordinal is None:
            onset = (self.dtstart - offset).replace(tzinfo=UTC)
            return onset if onset <= at else None
        until = None if self.until is None else (self.until + offset).replace(tzinfo=None)
        weekday = _DATEUTIL_WEEKDAYS[self.dtstart.weekday()](self.ordinal)
        rule = rrule(YEARLY, dtstart=self.dtstart, bymonth=self.dtstart.month, byweekday=weekday, until=until)
        local = rule.before((at + offset).replace(tzinfo=None), inc=True)
        return None if local is None else (local - offset).replace(tzinfo=UTC)

    def component(self) -> TimezoneDaylight | TimezoneStandard:
        change = self.change
        comp: TimezoneDaylight | TimezoneStandard = TimezoneDaylight() if change.daylight else TimezoneStandard()
        comp.add("dtstart", self.dtstart)
        comp.add("tzname", change.name)
        comp.add("tzoffsetfrom", change.offset_from)
        comp.add("tzoffsetto", change.offset_to)
        if self.ordinal is not None:
            rule: dict[str, object] = {
                "FREQ": "YEARLY",
                "BYMONTH": self.dtstart.month,
                "BYDAY": f"{self.ordinal}{_WEEKDAYS[self.dtstart.weekday()]}",
            }
            if self.until is not None:
                rule["UNTIL"] = self.until
            comp.add("rrule", vRecur(rule))
        return comp


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `tzid` valid for the given years (a copy of the one built once per process:
    every invite and feed of a zone and years carries the same one, and building it scans the years)."""
    return copy.deepcopy(_vtimezone(tzid, first_year, last_year))


@functools.lru_cache(maxsize=256)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `tzid` valid for the given years.

    Regular DST zones give one STANDARD and one DAYLIGHT observance with an
    open-ended yearly RRULE (e.g. ``FREQ=YEARLY;BYMONTH=3;BYDAY=2SU``) and a
    fixed 1970 DTSTART; zones without DST a single STANDARD observance.  Rule
    changes inside the years give extra observances bounded by UNTIL, and the
    offset in force when the years begin is always described (a one-off block
    at the last change before them when the rules would say otherwise).  Never
    RDATE.  Deterministic for a given tz database.
    """
    zone = _zone(tzid)
    # Look one year past the end, to tell a rule still in force from one that
    # stopped (an observance whose pattern still holds then is open-ended).
    transitions = _transitions(zone, first_year, last_year + 1)
    tz = Timezone()
    tz.add("tzid", tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    if not transitions:  # one offset all along: a single STANDARD block
        offset, name, _daylight = _state(zone, start)
        fixed = _Transition(start, datetime(1970, 1, 1), offset, offset, name, False)
        tz.add_component(_Observance(fixed, datetime(1970, 1, 1)).component())
        return tz
    runs, in_force = _runs(transitions), _state(zone, start)
    observances = _observances(runs, first_year, last_year + 1, backdate=True)
    if _in_force(observances, start) != in_force:
        # Rules back-dated to 1970 claim changes in years that did not have them: start each
        # rule at its first real change, and describe the offset in force when the years begin.
        observances = _observances(runs, first_year, last_year + 1, backdate=False)
        if _in_force(observances, start) != in_force:
            observances.insert(0, _observance_before(zone, start))
    for observance in observances:
        tz.add_component(observance.component())
    return tz


def _runs(transitions: list[_Transition]) -> list[_Run]:
    """Transitions grouped into runs that one yearly rule (nth or last weekday of the month) describes."""
    runs: list[_Run] = []
    for tr in transitions:
        signature = _signature(tr)
        ordinals = _byday_options(tr.local.date())
        same = next((run for run in reversed(runs) if run.signature == signature), None)
        if same is not None and same.ordinals & ordinals and same.items[-1].local.year == tr.local.year - 1:
            same.ordinals &= ordinals
            same.items.append(tr)
        else:
            runs.append(_Run(signature, ordinals, [tr]))
    return runs


def _observances(runs: list[_Run], first_year: int, final_year: int, *, backdate: bool) -> list[_Observance]:
    """One observance per run of changes before `final_year` (the year after the covered ones);
    `backdate` starts the first rule of each kind in 1970 when it is in force from `first_year`."""
    observances: list[_Observance] = []
    kinds_seen: set[bool] = set()
    for run in runs:
        first, last = run.items[0], run.items[-1]
        if first.local.year == final_year:
            continue  # a change after the covered years: irrelevant here
        open_ended = last.local.year == final_year
        first_of_kind = first.daylight not in kinds_seen
        kinds_seen.add(first.daylight)
        if len(run.items) == 1 and not open_ended:
            observances.append(_Observance(first, first.local))  # a one-off change: no RRULE, no RDATE
            continue
        # "last <weekday>" when it fits every year (a last-Sunday rule may look
        # like a 4th-Sunday one in some years), else the nth weekday.
        ordinal = -1 if -1 in run.ordinals else min(run.ordinals)
        dtstart = first.local
        if backdate and first_of_kind and first.local.year == first_year:
            # In force since the years began: start it at the 1970 onset of the same rule (fixed, so
            # the block does not change from year to year).  A rule that begins later starts then.
            onset = _nth_weekday(1970, first.local.month, first.local.weekday(), ordinal)
            dtstart = datetime.combine(onset, first.local.time())
        observances.append(_Observance(first, dtstart, ordinal, None if open_ended else last.utc))
    return observances


def _in_force(observances: list[_Observance], at: datetime) -> tuple[timedelta, str, bool] | None:
    """Offset, name and kind the observances give at `at` (the one with the latest onset), if any."""
    onsets = [(onset, o) for o in observances if (onset := o.latest_onset(at)) is not None]
    if not onsets:
        return None
    change = max(onsets, key=lambda pair: pair[0])[1].change
    return change.offset_to, change.name, change.daylight


def _observance_before(zone: ZoneInfo, start: datetime) -> _Observance:
    """A one-off observance for the offset in force at `start`: onset at the last change before it
    (searched back to 1970), else in 1970."""
    for year in range(start.year - 1, 1969, -1):
        earlier = _transitions(zone, year, year)
        if earlier:
            return _Observance(earlier[-1], earlier[-1].local)
    offset, name, daylight = _state(zone, start)
    return _Observance(_Transition(start, datetime(1970, 1, 1), offset, offset, name, daylight), datetime(1970, 1, 1))


# --------------------------------------------------------------------------
# feed


def _sort_sessions(sessions: list[SessionOccurrence]) -> list[SessionOccurrence]:
    for s in sessions:
        _utc(s.original_start, f"session {s.id} original_start")
        _utc(s.start, f"session {s.id} start")
        _utc(s.last_modified, f"session {s.id} last_modified")
        if s.duration_minutes <= 0:
            raise ValueError(f"session {s.id}: duration_minutes must be positive")
    return sorted(sessions, key=lambda s: (_utc(s.original_start, ""), s.cancelled, s.id))


def _normal_duration(sessions: list[SessionOccurrence]) -> int:
    counts = Counter(s.duration_minutes for s in sessions)
    first_seen: dict[int, int] = {}
    for i, s in enumerate(sessions):
        first_seen.setdefault(s.duration_minutes, i)
    return max(counts, key=lambda d: (counts[d], -first_seen[d]))


@dataclass(frozen=True)
class _Phase:
    """Where the series master starts, the rule instances it generates from there up to the last
    session on the rule (UTC), and the sessions at those instances."""

    dtstart: datetime
    instances: list[_Instance]
    on_rule: dict[datetime, SessionOccurrence]


def _series_components(series: SeriesInfo, sessions: list[SessionOccurrence]) -> list[Event]:
    """Master (with EXDATEs), overrides and stand-alone events of one series."""
    zone = _zone(series.timezone)
    rule = _clean_rrule(series.rrule)
    sessions = _sort_sessions(sessions)
    if not sessions:
        return []
    duration = timedelta(minutes=_normal_duration(sessions))
    phase = _choose_phase(rule, _by_original_start(sessions), zone, duration)
    events: list[Event] = []
    on_rule_ids: set[int] = set()
    if phase is not None:
        events += _rule_events(series, zone, rule, phase, duration)
        on_rule_ids = {s.id for s in phase.on_rule.values()}
    off_rule = [s for s in sessions if s.id not in on_rule_ids and not s.cancelled]
    events += [_standalone_event(series, zone, s) for s in sorted(off_rule, key=lambda s: (_utc(s.start, ""), s.id))]
    return events


def _by_original_start(sessions: list[SessionOccurrence]) -> dict[datetime, SessionOccurrence]:
    """Sessions by where the rule put them; for two at one time the first in sort order (non-cancelled
    preferred, lowest id) wins."""
    originals: dict[datetime, SessionOccurrence] = {}
    for s in sessions:
        originals.setdefault(_utc(s.original_start, ""), s)
    return originals


def _choose_phase(
    rule: str, originals: dict[datetime, SessionOccurrence], zone: ZoneInfo, duration: timedelta
) -> _Phase | None:
    """The master DTSTART: the earliest session on the rule, unless a later one puts the rule in a
    phase that matches more sessions (possible with INTERVAL>1, when an extra off-rule session
    happens to come first).  Never a session on a DST edge: the master's DTSTART and DTEND set the
    length of every instance, so they must be unambiguous.  None when no session can start it."""
    last_original = max(originals)
    best: tuple[int, datetime, list[_Instance]] | None = None
    covered: set[datetime] = set()
    for candidate in sorted(originals):
        if candidate in covered or _on_dst_edge(candidate, candidate + duration, zone):
            continue  # same phase as an earlier candidate, which matches more; or not a safe start
        expansion = _expand(rule, candidate, last_original, zone)
        if not expansion or expansion[0].instant != candidate:
            continue  # not on the rule
        covered.update(i.instant for i in expansion)
        matched = sum(1 for i in expansion if i.instant in originals)
        if best is None or matched > best[0]:
            best = (matched, candidate, expansion)
    if best is None:
        return None
    _matched, dtstart, expansion = best
    on_rule = {i.instant: originals[i.instant] for i in expansion if i.instant in originals}
    until = max(on_rule)
    return _Phase(dtstart, [i for i in expansion if i.instant <= until], on_rule)


def _rule_events(series: SeriesInfo, zone: ZoneInfo, rule: str, phase: _Phase, duration: timedelta) -> list[Event]:
    """The series master and an override for every session on the rule that differs from it or that
    clients could place differently (a DST edge): those are written with unambiguous times."""
    plain: list[SessionOccurrence] = []
    overrides: list[tuple[_Instance, SessionOccurrence]] = []
    for instance in phase.instances:
        s = phase.on_rule.get(instance.instant)
        if s is None:
            continue
        if not s.cancelled and _needs_override(instance, s, duration, zone):
            overrides.append((instance, s))
        else:
            plain.append(s)
    master = _master_event(series, zone, rule, phase, plain, duration)
    return [master, *(_override_event(series, zone, instance, s) for instance, s in overrides)]


def _needs_override(instance: _Instance, s: SessionOccurrence, duration: timedelta, zone: ZoneInfo) -> bool:
    start = _utc(s.start, "")
    end = start + timedelta(minutes=s.duration_minutes)
    moved = start != instance.instant or end - start != duration
    return moved or not _unambiguous(instance.wall, zone) or _on_dst_edge(start, end, zone)


def _master_event(
    series: SeriesInfo,
    zone: ZoneInfo,
    rule: str,
    phase: _Phase,
    plain: list[SessionOccurrence],
    duration: timedelta,
) -> Event:
    """The recurring event: RRULE up to the last session on the rule, an EXDATE for every instance
    that is not a session or is cancelled; its stamps from the sessions it stands for."""
    represented = plain or list(phase.on_rule.values())
    master = _new_event(
        series.uid,
        series,
        zone,
        phase.dtstart,
        phase.dtstart + duration,
        max([series.sequence, *(s.sequence for s in plain)]),
        max(_utc(s.last_modified, "") for s in represented),
    )
    _add_common(master, series)
    until = phase.instances[-1].instant
    master.add("rrule", vRecur.from_ical(f"{rule};UNTIL={until.strftime('%Y%m%dT%H%M%SZ')}"))
    for instance in phase.instances:
        s = phase.on_rule.get(instance.instant)
        if s is None or s.cancelled:
            # The wall time the client computed from the rule, so the client matches it its own way.
            master.add("exdate", instance.wall.replace(tzinfo=zone))
    return master


def _override_event(series: SeriesInfo, zone: ZoneInfo, instance: _Instance, s: SessionOccurrence) -> Event:
    """A moved, resized or DST-edge session: the series UID, RECURRENCE-ID at the wall time the
    rule gives (as the client computed it, so the client matches it its own way)."""
    start = _utc(s.start, "")
    end = start + timedelta(minutes=s.duration_minutes)
    event = _new_event(series.uid, series, zone, start, end, s.sequence, _utc(s.last_modified, ""))
    event.add("recurrence-id", instance.wall.replace(tzinfo=zone))
    _add_common(event, series)
    return event


def _standalone_event(series: SeriesInfo, zone: ZoneInfo, s: SessionOccurrence) -> Event:
    """A session off the rule: an event of its own, with the session's UID."""
    start = _utc(s.start, "")
    end = start + timedelta(minutes=s.duration_minutes)
    event = _new_event(session_uid(series, s), series, zone, start, end, s.sequence, _utc(s.last_modified, ""))
    _add_common(event, series)
    return event


def _years(instants: list[datetime], zone_name: str) -> tuple[int, int]:
    zone = _zone(zone_name)
    years = [i.astimezone(zone).year for i in instants]
    return min(years), max(years)


def _duration_text(minutes: int) -> str:
    if minutes <= 0:
        raise ValueError("refresh_minutes must be positive")
    hours, mins = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    text = "P"
    if days:
        text += f"{days}D"
    if hours or mins:
        text += "T" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return text


def _new_calendar(prodid: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    return cal


def build_feed(
    calendars: list[tuple[SeriesInfo, list[SessionOccurrence]]],
    *,
    name: str,
    home_zone: str = "UTC",
    home_year: int = 2000,
    refresh_minutes: int = 720,
    prodid: str = DEFAULT_PRODID,
) -> bytes:
    """A subscription feed (no METHOD) for one person.

    `calendars` pairs each group with exactly the sessions this person should
    see.  Output depends only on the input: the same input gives the same
    bytes.  A feed without sessions carries the VTIMEZONE of `home_zone`
    (rules as of `home_year`): RFC 5545 requires at least one component, and
    clients ignore a time zone nothing uses.
    """
    refresh = _duration_text(refresh_minutes)
    cal = _new_calendar(prodid)
    cal.add("x-wr-calname", one_line(name))

    events: list[Event] = []
    zone_instants: dict[str, list[datetime]] = {}
    for series, sessions in sorted(calendars, key=lambda item: item[0].uid):
        components = _series_components(series, list(sessions))
        if not components:
            continue
        events.extend(components)
        instants = zone_instants.setdefault(series.timezone, [])
        for s in sessions:
            instants.append(_utc(s.original_start, ""))
            instants.append(_utc(s.start, ""))

    if not zone_instants:
        zone_instants[home_zone] = [datetime(home_year, 7, 1, tzinfo=UTC)]
    if len(zone_instants) == 1:
        cal.add("x-wr-timezone", next(iter(zone_instants)))
    # Written by hand: icalendar 7's refresh_interval omits VALUE=DURATION.
    cal.add("refresh-interval", timedelta(minutes=refresh_minutes), parameters={"VALUE": "DURATION"})
    cal["X-PUBLISHED-TTL"] = refresh  # plain text value, as clients expect
    for tzid in sorted(zone_instants):
        cal.add_component(vtimezone(tzid, *_years(zone_instants[tzid], tzid)))
    for event in events:
        cal.add_component(event)
    return bytes(cal.to_ical())


# --------------------------------------------------------------------------
# invites


def build_invite(
    series: SeriesInfo,
    occurrence: SessionOccurrence,
    *,
    method: str,
    organizer_email: str,
    organizer_name: str,
    attendee_email: str,
    attendee_name: str,
    stamp: datetime,
    prodid: str = DEFAULT_PRODID,
) -> bytes:
    """A single-session iTIP message (METHOD:REQUEST or METHOD:CANCEL) for
    email; send it as ``Content-Type: text/calendar; method=<method>``.

    `stamp` is when the message is created: an iTIP DTSTAMP (RFC 5546 2.1.5),
    unlike a feed's, which says when the session last changed."""
    method = method.upper()
    if method not in _INVITE_METHODS:
        raise ValueError(f"method must be one of {_INVITE_METHODS}, got {method!r}")
    zone = _zone(series.timezone)
    start = _utc(occurrence.start, "occurrence start")
    end = start + timedelta(minutes=occurrence.duration_minutes)
    changed = _utc(occurrence.last_modified, "occurrence last_modified")

    cal = _new_calendar(prodid)
    cal.add("method", method)
    cal.add_component(vtimezone(series.timezone, *_years([start, end], series.timezone)))
    event = _new_event(
        session_uid(series, occurrence), series, zone, start, end, occurrence.sequence, changed, _utc(stamp, "stamp")
    )
    _add_common(event, series)
    event.add("organizer", f"mailto:{organizer_email}", parameters={"CN": _parameter(organizer_name)})
    event.add(
        "attendee",
        f"mailto:{attendee_email}",
        parameters={
            "CN": _parameter(attendee_name),
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "FALSE",
        },
    )
    event.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    cal.add_component(event)
    return bytes(cal.to_ical())
