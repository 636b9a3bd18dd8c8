"""Feeds and invites from rs_service.calendars.ics, read back by two
independent real parsers: recurring-ical-events (Python, resolves TZIDs with
zoneinfo) and Mozilla ical.js (Thunderbird's parser, via tests/js/expand.mjs;
it only knows the VTIMEZONE blocks we write).  Expected instants are computed
here, not taken from the module."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr

from rs_service.calendars.ics import (
    SeriesInfo,
    SessionOccurrence,
    build_feed,
    build_invite,
    session_uid,
    vtimezone,
)
from tests.calendars import icaljs
from tests.calendars.icaljs import expand_with_icaljs, run_icaljs

UTC = UTC
WINDOW = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
EDITED = datetime(2024, 12, 1, 9, 30, tzinfo=UTC)
SENT = datetime(2025, 11, 2, 8, 15, 30, tzinfo=UTC)
TUESDAYS = "FREQ=MONTHLY;BYDAY=1TU,3TU"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def series(uid="group-12@rs-service", zone="America/Detroit", rule=TUESDAYS, **kw) -> SeriesInfo:
    kw.setdefault("name", "Reflective supervision: Tuesday group")
    kw.setdefault("location", "Online")
    kw.setdefault("join_url", "https://meet.example.org/rs-12")
    return SeriesInfo(uid=uid, timezone=zone, rrule=rule, **kw)


def rule_starts(rule: str, zone: str, first: datetime, last: datetime) -> list[datetime]:
    """UTC instants of `rule` between two naive local times (inclusive)."""
    tz = ZoneInfo(zone)
    return [d.replace(tzinfo=tz).astimezone(UTC) for d in rrulestr(rule, dtstart=first).between(first, last, inc=True)]


def sessions_for(starts, first_id=1, minutes=90) -> list[SessionOccurrence]:
    return [
        SessionOccurrence(
            id=first_id + i,
            original_start=s,
            start=s,
            duration_minutes=minutes,
            cancelled=False,
            sequence=0,
            last_modified=EDITED,
        )
        for i, s in enumerate(starts)
    ]


def detroit_2025() -> list[datetime]:
    return rule_starts(TUESDAYS, "America/Detroit", datetime(2025, 1, 7, 10), datetime(2025, 12, 31, 23))


# -- the two parsers ---------------------------------------------------------


def _prop_utc(component, name):
    prop = component.get(name)
    return None if prop is None else prop.dt.astimezone(UTC)


def expand_with_python(ics: bytes, start: datetime, end: datetime) -> list[dict]:
    cal = icalendar.Calendar.from_ical(ics)
    # recurring-ical-events gives every occurrence a RECURRENCE-ID; keep it
    # only for events that recur (as ical.js does).
    recurring = {str(ev["UID"]) for ev in cal.walk("VEVENT") if "RRULE" in ev or "RECURRENCE-ID" in ev}
    out = []
    for ev in recurring_ical_events.of(cal).between(start, end):
        out.append(
            {
                "uid": str(ev["UID"]),
                "start": _prop_utc(ev, "DTSTART"),
                "end": _prop_utc(ev, "DTEND"),
                "recurrence_id": _prop_utc(ev, "RECURRENCE-ID") if str(ev["UID"]) in recurring else None,
                "status": str(ev["STATUS"]) if "STATUS" in ev else None,
                "summary": str(ev.get("SUMMARY")),
            }
        )
    return sorted(out, key=lambda o: (o["start"], o["uid"]))


def key(o: dict) -> tuple:
    return (o["uid"], o["start"], o["end"], o["recurrence_id"], o["status"], o["summary"])


def expand_both(ics: bytes, window=WINDOW) -> list[dict]:
    """Occurrences per ical.js, after checking recurring-ical-events agrees."""
    js = expand_with_icaljs(ics, *window)
    py = expand_with_python(ics, *window)
    assert sorted(map(key, js)) == sorted(map(key, py)), "parsers disagree"
    return js


def starts(occurrences) -> list[datetime]:
    return sorted(o["start"] for o in occurrences)


def lines(ics: bytes) -> list[str]:
    """Unfolded content lines."""
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def vevents(ics: bytes) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(ics).walk("VEVENT")


# -- recurrence and time zones ----------------------------------------------


def test_first_and_third_tuesday_keeps_10am_across_both_dst_changes():
    expected = detroit_2025()
    assert len(expected) == 24
    ics = build_feed([(series(), sessions_for(expected))], name="My groups")
    occ = expand_both(ics)
    assert starts(occ) == expected
    got = set(starts(occ))
    # EST -> EDT on 2025-03-09, EDT -> EST on 2025-11-02: 10:00 local both sides
    assert {utc(2025, 3, 4, 15), utc(2025, 3, 18, 14), utc(2025, 10, 21, 14), utc(2025, 11, 4, 15)} <= got
    for o in occ:
        local = o["start"].astimezone(ZoneInfo("America/Detroit"))
        assert (local.hour, local.minute, local.weekday()) == (10, 0, 1)
        assert o["end"] - o["start"] == timedelta(minutes=90)
        assert o["uid"] == "group-12@rs-service"
        assert o["summary"] == "Reflective supervision: Tuesday group"
    # a single series master, carrying everything
    (master,) = vevents(ics)
    assert master["RRULE"]["UNTIL"][0] == utc(2025, 12, 16, 15)
    assert "RRULE:FREQ=MONTHLY;UNTIL=20251216T150000Z;BYDAY=1TU,3TU" in lines(ics)
    assert "DTSTART;TZID=America/Detroit:20250107T100000" in lines(ics)
    assert "DTEND;TZID=America/Detroit:20250107T113000" in lines(ics)
    assert "EXDATE" not in ics.decode()


def test_southern_hemisphere_dst_goes_the_other_way():
    rule = "FREQ=WEEKLY;BYDAY=WE"
    expected = rule_starts(rule, "Australia/Sydney", datetime(2025, 3, 19, 10), datetime(2025, 10, 15, 10))
    ics = build_feed([(series(zone="Australia/Sydney", rule=rule), sessions_for(expected, minutes=60))], name="x")
    occ = expand_both(ics)
    assert starts(occ) == expected
    got = set(starts(occ))
    # AEDT (+11) until 2025-04-06, AEST (+10) until 2025-10-05, then AEDT again
    assert {utc(2025, 4, 1, 23), utc(2025, 4, 9, 0), utc(2025, 10, 1, 0), utc(2025, 10, 7, 23)} <= got


def test_cancelled_session_is_only_an_exdate():
    all_starts = detroit_2025()
    sessions = sessions_for(all_starts)
    sessions[5] = replace(sessions[5], cancelled=True, sequence=1, last_modified=utc(2025, 3, 1, 8))
    ics = build_feed([(series(), sessions)], name="x")
    occ = expand_both(ics)
    assert all_starts[5] == utc(2025, 3, 18, 14)
    assert starts(occ) == [s for i, s in enumerate(all_starts) if i != 5]
    assert "EXDATE;TZID=America/Detroit:20250318T100000" in lines(ics)
    assert "CANCELLED" not in ics.decode()  # no STATUS:CANCELLED anywhere
    (master,) = vevents(ics)
    assert master["SEQUENCE"] == 1  # the cancellation changed the series
    assert master["DTSTAMP"].dt == utc(2025, 3, 1, 8)
    assert master["LAST-MODIFIED"].dt == utc(2025, 3, 1, 8)


def test_moved_session_appears_once_at_new_time_with_original_recurrence_id():
    all_starts = detroit_2025()
    sessions = sessions_for(all_starts)
    original = all_starts[4]  # Tue 2025-03-04 10:00 EST
    new_start = utc(2025, 3, 12, 18, 30)  # Wed 2025-03-12 14:30 EDT
    sessions[4] = replace(sessions[4], start=new_start, sequence=3, last_modified=utc(2025, 2, 20, 12))
    ics = build_feed([(series(), sessions)], name="x")
    occ = expand_both(ics)
    expected = sorted([s for s in all_starts if s != original] + [new_start])
    assert starts(occ) == expected
    (moved,) = [o for o in occ if o["start"] == new_start]
    assert moved["recurrence_id"] == original
    assert moved["end"] == new_start + timedelta(minutes=90)
    assert moved["uid"] == "group-12@rs-service"
    assert moved["sequence"] == 3
    assert all(o["sequence"] == 0 for o in occ if o is not moved)
    text = lines(ics)
    assert "RECURRENCE-ID;TZID=America/Detroit:20250304T100000" in text
    assert "DTSTART;TZID=America/Detroit:20250312T143000" in text
    master, override = vevents(ics)
    assert "RECURRENCE-ID" not in master and master["SEQUENCE"] == 0
    assert override["SEQUENCE"] == 3 and override["DTSTAMP"].dt == utc(2025, 2, 20, 12)
    assert "STATUS" not in master


def test_longer_session_gets_an_override_and_master_keeps_usual_duration():
    all_starts = detroit_2025()
    sessions = sessions_for(all_starts)
    sessions[0] = replace(sessions[0], duration_minutes=120, sequence=1)  # the first one is longer
    ics = build_feed([(series(), sessions)], name="x")
    occ = expand_both(ics)
    assert starts(occ) == all_starts
    lengths = {o["start"]: o["end"] - o["start"] for o in occ}
    assert lengths[all_starts[0]] == timedelta(minutes=120)
    assert all(lengths[s] == timedelta(minutes=90) for s in all_starts[1:])
    master, override = vevents(ics)
    assert master["DTEND"].dt - master["DTSTART"].dt == timedelta(minutes=90)
    assert override["RECURRENCE-ID"].dt == master["DTSTART"].dt


def test_mid_cohort_joiner_sees_only_their_sessions():
    all_starts = detroit_2025()
    mine = sessions_for(all_starts, first_id=100)[7:]  # joined in April
    ics = build_feed([(series(), mine)], name="x")
    occ = expand_both(ics)
    assert starts(occ) == all_starts[7:]
    assert min(starts(occ)) == utc(2025, 4, 15, 14)
    assert "DTSTART;TZID=America/Detroit:20250415T100000" in lines(ics)
    assert "EXDATE" not in ics.decode()


def test_leaver_and_holiday_gap_are_excluded():
    all_starts = detroit_2025()
    sessions = sessions_for(all_starts)
    holiday = utc(2025, 7, 1, 14)  # no session row at all that day
    mine = [s for s in sessions if s.original_start != holiday][:-3]  # left in November
    ics = build_feed([(series(), mine)], name="x")
    occ = expand_both(ics)
    expected = [s for s in all_starts if s != holiday][:-3]
    assert starts(occ) == expected
    assert "EXDATE;TZID=America/Detroit:20250701T100000" in lines(ics)
    assert f"UNTIL={expected[-1].strftime('%Y%m%dT%H%M%SZ')}" in ics.decode()


def test_every_other_week_and_off_rule_extra_session():
    rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    regular = rule_starts(rule, "America/Detroit", datetime(2025, 9, 2, 10), datetime(2025, 12, 31, 10))
    extra_start = utc(2025, 9, 1, 14)  # an extra Monday session before the first regular one
    sessions = sessions_for(regular, first_id=10)
    extra = SessionOccurrence(9, extra_start, extra_start, 60, False, 2, utc(2025, 8, 1))
    sess_series = series(rule=rule)
    ics = build_feed([(sess_series, [extra, *sessions])], name="x")
    occ = expand_both(ics)
    assert starts(occ) == [extra_start, *regular]
    (standalone,) = [o for o in occ if o["start"] == extra_start]
    assert standalone["uid"] == session_uid(sess_series, extra)
    assert standalone["recurrence_id"] is None
    assert standalone["end"] == extra_start + timedelta(minutes=60)
    assert standalone["sequence"] == 2
    # the series master starts at the first regular session, not the extra one
    assert "DTSTART;TZID=America/Detroit:20250902T100000" in lines(ics)


def test_cancelled_first_and_all_cancelled_never_cancel_the_master():
    all_starts = detroit_2025()[:4]
    sessions = sessions_for(all_starts)
    first_cancelled = [replace(sessions[0], cancelled=True, sequence=1), *sessions[1:]]
    ics = build_feed([(series(), first_cancelled)], name="x")
    assert starts(expand_both(ics)) == all_starts[1:]
    everything_cancelled = [replace(s, cancelled=True, sequence=1) for s in sessions]
    ics = build_feed([(series(), everything_cancelled)], name="x")
    assert expand_both(ics) == []
    for ics_ in (ics, build_feed([(series(), first_cancelled)], name="x")):
        assert "STATUS:CANCELLED" not in ics_.decode()
        for ev in vevents(ics_):
            assert "STATUS" not in ev


@pytest.mark.parametrize(
    ("zone", "utc_hour"),
    [("Australia/Perth", 2), ("America/Phoenix", 17)],
)
def test_zones_without_dst(zone, utc_hour):
    rule = "FREQ=WEEKLY;BYDAY=TH"
    expected = rule_starts(rule, zone, datetime(2025, 1, 2, 10), datetime(2025, 12, 25, 10))
    ics = build_feed([(series(zone=zone, rule=rule), sessions_for(expected))], name="x")
    occ = expand_both(ics)
    assert starts(occ) == expected
    assert {o["start"].hour for o in occ} == {utc_hour}
    (tz,) = icalendar.Calendar.from_ical(ics).walk("VTIMEZONE")
    assert [c.name for c in tz.subcomponents] == ["STANDARD"]
    assert "RDATE" not in ics.decode() and "BEGIN:DAYLIGHT" not in ics.decode()
    assert f"X-WR-TIMEZONE:{zone}" in lines(ics)


def test_several_groups_in_several_zones_in_one_feed():
    detroit = detroit_2025()
    perth_rule = "FREQ=WEEKLY;BYDAY=TH"
    perth = rule_starts(perth_rule, "Australia/Perth", datetime(2025, 1, 2, 10), datetime(2025, 6, 26, 10))
    phoenix_rule = "FREQ=MONTHLY;BYDAY=-1FR"
    phoenix = rule_starts(phoenix_rule, "America/Phoenix", datetime(2025, 1, 31, 9), datetime(2025, 12, 31, 9))
    d_sessions = sessions_for(detroit, first_id=1)
    d_sessions[2] = replace(d_sessions[2], start=d_sessions[2].start + timedelta(hours=2), sequence=1)
    p_sessions = sessions_for(perth, first_id=100)
    p_sessions[3] = replace(p_sessions[3], start=p_sessions[3].start + timedelta(days=1), sequence=1)
    feed = [
        (series(uid="group-1@rs-service"), d_sessions),
        (series(uid="group-2@rs-service", zone="Australia/Perth", rule=perth_rule), p_sessions),
        (series(uid="group-3@rs-service", zone="America/Phoenix", rule=phoenix_rule), sessions_for(phoenix, 200)),
    ]
    ics = build_feed(feed, name="Everything")
    occ = expand_both(ics)
    by_uid = {}
    for o in occ:
        by_uid.setdefault(o["uid"], []).append(o["start"])
    assert sorted(by_uid["group-1@rs-service"]) == sorted(s.start for s in d_sessions)
    assert sorted(by_uid["group-2@rs-service"]) == sorted(s.start for s in p_sessions)
    assert sorted(by_uid["group-3@rs-service"]) == phoenix
    assert len(occ) == len(d_sessions) + len(perth) + len(phoenix)
    tzids = [str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(ics).walk("VTIMEZONE")]
    assert sorted(tzids) == ["America/Detroit", "America/Phoenix", "Australia/Perth"]
    assert "X-WR-TIMEZONE" not in ics.decode()


# -- VTIMEZONE ---------------------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    ["America/Detroit", "Europe/Berlin", "Australia/Sydney", "Australia/Perth", "America/Phoenix", "Asia/Kolkata"],
)
def test_vtimezone_is_rrule_style_and_matches_zoneinfo(zone):
    text = vtimezone(zone, 2025, 2026).to_ical().decode()
    tz = icalendar.Timezone.from_ical(text)
    assert "RDATE" not in text
    observances = tz.subcomponents
    if zone in ("Australia/Perth", "America/Phoenix", "Asia/Kolkata"):
        assert len(observances) == 1 and observances[0].name == "STANDARD" and "RRULE" not in text
    else:
        assert sorted(c.name for c in observances) == ["DAYLIGHT", "STANDARD"]
        for c in observances:
            rule = c["RRULE"]
            assert rule["FREQ"] == ["YEARLY"] and "UNTIL" not in rule
            assert c["DTSTART"].dt.year == 1970
    if zone == "America/Detroit":
        assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in text
        assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in text
    if zone == "Europe/Berlin":
        assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    # The block, read back as a tzinfo by icalendar, gives zoneinfo's offsets
    # every 6 hours across the covered years.
    as_tz = tz.to_tz()
    real = ZoneInfo(zone)
    t = utc(2025, 1, 1)
    while t < utc(2027, 1, 1):
        assert t.astimezone(as_tz).utcoffset() == t.astimezone(real).utcoffset(), t
        t += timedelta(hours=6)


def test_vtimezone_is_deterministic():
    assert vtimezone("America/Detroit", 2025, 2025).to_ical() == vtimezone("America/Detroit", 2025, 2025).to_ical()
    assert vtimezone("America/Detroit", 2024, 2025).to_ical() == vtimezone("America/Detroit", 2025, 2026).to_ical()


# -- the feed as bytes ---------------------------------------------------------


def long_series() -> SeriesInfo:
    return series(
        name="Supervisión reflexiva — grupo de los martes (Ürgent café ☕ edition)",
        location="Salle de réunion Ω, 1234 Très Longue Rue de l'Hôpital Général, Détroit, Michigan, États-Unis",
        description="Bring a case to discuss. ünïcödé ✓ " * 6,
        join_url="https://meet.example.org/rs-12?pwd=" + "x" * 80,
    )


def test_feed_is_byte_identical_for_same_input_in_any_order():
    sessions = sessions_for(detroit_2025())
    sessions[3] = replace(sessions[3], cancelled=True, sequence=1)
    sessions[6] = replace(sessions[6], start=sessions[6].start + timedelta(days=2), sequence=2)
    other = (
        series(uid="group-99@rs-service", zone="Australia/Perth", rule="FREQ=WEEKLY;BYDAY=FR"),
        sessions_for(
            rule_starts("FREQ=WEEKLY;BYDAY=FR", "Australia/Perth", datetime(2025, 1, 3, 9), datetime(2025, 3, 28, 9)),
            500,
        ),
    )
    first = build_feed([(long_series(), sessions), other], name="Feed")
    shuffled = list(sessions)
    random.Random(4).shuffle(shuffled)
    second = build_feed([other, (long_series(), shuffled)], name="Feed")
    assert first == second
    # stamps come from the data, not the clock
    stamps = {line for line in lines(first) if line.startswith(("DTSTAMP", "LAST-MODIFIED"))}
    assert stamps == {"DTSTAMP:20241201T093000Z", "LAST-MODIFIED:20241201T093000Z"}


def test_crlf_and_folding_at_75_octets():
    ics = build_feed([(long_series(), sessions_for(detroit_2025()))], name="Ünïcödé feed name " * 5)
    assert ics.endswith(b"\r\n")
    raw_lines = ics.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(raw_lines) and b"\r" not in b"".join(raw_lines)
    assert max(len(line) for line in raw_lines) <= 75
    assert any(line.startswith(b" ") for line in raw_lines)  # something was folded
    for line in raw_lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    (master,) = vevents(ics)
    assert str(master["LOCATION"]) == long_series().location
    assert str(master["SUMMARY"]) == long_series().name
    assert str(master["URL"]) == long_series().join_url
    assert long_series().join_url in str(master["DESCRIPTION"])
    assert "Bring a case to discuss." in str(master["DESCRIPTION"])
    occ = expand_both(ics)
    assert occ[0]["location"] == long_series().location
    assert occ[0]["url"] == long_series().join_url


def test_calendar_properties():
    ics = build_feed([(series(), sessions_for(detroit_2025()))], name="RS – Dana")
    text = lines(ics)
    assert text[:4] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//rs_service//Reflective supervision//EN",
        "CALSCALE:GREGORIAN",
    ]
    assert not any(line.startswith("METHOD") for line in text)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in text
    assert "X-PUBLISHED-TTL:PT12H" in text
    assert "X-WR-CALNAME:RS – Dana" in text
    assert "X-WR-TIMEZONE:America/Detroit" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:America/Detroit" in text
    assert run_icaljs(ics, *WINDOW)["method"] is None
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in lines(
        build_feed([(series(), sessions_for(detroit_2025()))], name="x", refresh_minutes=360)
    )


def test_empty_feed_is_still_a_valid_calendar():
    ics = build_feed([(series(), [])], name="Nothing yet", home_zone="Australia/Perth", home_year=2026)
    assert expand_both(ics) == []
    assert "BEGIN:VEVENT" not in ics.decode()
    (component,) = icalendar.Calendar.from_ical(ics).subcomponents  # RFC 5545 requires one
    assert component.name == "VTIMEZONE" and str(component["TZID"]) == "Australia/Perth"
    assert "X-WR-TIMEZONE:Australia/Perth" in lines(ics)


def test_naive_datetimes_are_rejected():
    bad = sessions_for([datetime(2025, 1, 7, 15)])
    with pytest.raises(ValueError):
        build_feed([(series(), bad)], name="x")


# -- invites -----------------------------------------------------------------


def invite(method, occurrence):
    return build_invite(
        series(),
        occurrence,
        method=method,
        organizer_email="coordinator@example.org",
        organizer_name="Pat Coordinator, LMSW",
        attendee_email="dana@example.org",
        attendee_name="Dana Müller",
        stamp=SENT,
    )


@pytest.mark.parametrize(("method", "status"), [("REQUEST", "CONFIRMED"), ("CANCEL", "CANCELLED")])
def test_invite_read_by_both_parsers(method, status):
    original = utc(2025, 11, 4, 15)
    moved = utc(2025, 11, 5, 15)  # Wed 10:00 EST
    occurrence = SessionOccurrence(42, original, moved, 90, method == "CANCEL", 4, utc(2025, 10, 30, 16, 5))
    ics = invite(method, occurrence)
    result = run_icaljs(ics, *WINDOW)
    assert result["method"] == method
    (occ,) = result["occurrences"]
    assert occ["uid"] == session_uid(series(), occurrence) == "session-42-group-12@rs-service"
    assert occ["start"] == moved and occ["end"] == moved + timedelta(minutes=90)
    assert occ["recurrence_id"] is None
    assert occ["status"] == status
    assert occ["sequence"] == 4
    assert occ["tzid"] == "America/Detroit"
    assert occ["organizer"] == {"email": "coordinator@example.org", "cn": "Pat Coordinator, LMSW"}
    assert occ["attendees"] == [
        {
            "email": "dana@example.org",
            "cn": "Dana Müller",
            "role": "REQ-PARTICIPANT",
            "partstat": "NEEDS-ACTION",
            "rsvp": "FALSE",
        }
    ]
    (py,) = expand_with_python(ics, *WINDOW)
    assert key(py) == key(occ)
    cal = icalendar.Calendar.from_ical(ics)
    assert str(cal["METHOD"]) == method
    (ev,) = cal.walk("VEVENT")
    assert ev["DTSTAMP"].dt == SENT  # when the message was created (RFC 5546)
    assert ev["LAST-MODIFIED"].dt == utc(2025, 10, 30, 16, 5)
    assert "DTSTART;TZID=America/Detroit:20251105T100000" in lines(ics)
    assert len(cal.walk("VTIMEZONE")) == 1
    assert max(len(line) for line in ics.split(b"\r\n")) <= 75
    assert ics == invite(method, occurrence)


def test_invite_rejects_other_methods():
    occurrence = sessions_for([utc(2025, 11, 4, 15)])[0]
    with pytest.raises(ValueError):
        invite("PUBLISH", occurrence)


def test_icaljs_harness_rejects_missing_vtimezone():
    ics = invite("REQUEST", sessions_for([utc(2025, 11, 4, 15)])[0])
    stripped = re.sub(rb"BEGIN:VTIMEZONE.*END:VTIMEZONE\r\n", b"", ics, flags=re.S)
    with pytest.raises(RuntimeError, match="no VTIMEZONE"):
        expand_with_icaljs(stripped, *WINDOW)


def test_icaljs_helper_says_how_to_install_when_node_modules_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(icaljs, "JS_DIR", tmp_path)
    with pytest.raises(icaljs.IcalJsError, match="npm ci"):
        expand_with_icaljs(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", *WINDOW)


def test_series_rule_with_until_or_count_is_cleaned():
    expected = detroit_2025()[:6]
    ics = build_feed([(series(rule="RRULE:FREQ=MONTHLY;BYDAY=1TU,3TU;COUNT=2"), sessions_for(expected))], name="x")
    assert starts(expand_both(ics)) == expected
    assert "COUNT" not in ics.decode()
    with pytest.raises(ValueError):
        build_feed([(series(rule="BYDAY=TU"), sessions_for(expected))], name="x")


def test_unusual_zones_resolve_the_same_in_icaljs():
    # half-hour DST, southern DST, negative DST, Ramadan one-offs, Friday rule
    zones = ["Australia/Lord_Howe", "America/Santiago", "Europe/Dublin", "Africa/Casablanca", "Asia/Jerusalem"]
    rule = "FREQ=WEEKLY;BYDAY=MO,TH"
    feed, expected = [], {}
    for n, zone in enumerate(zones):
        instants = rule_starts(rule, zone, datetime(2025, 1, 2, 12), datetime(2025, 12, 29, 12))
        uid = f"group-{n}@rs-service"
        feed.append((series(uid=uid, zone=zone, rule=rule), sessions_for(instants, first_id=1000 * n)))
        expected[uid] = instants
    occ = expand_both(build_feed(feed, name="x"))
    for uid, instants in expected.items():
        assert [o["start"] for o in occ if o["uid"] == uid] == instants, uid


# -- hostile text ------------------------------------------------------------

HOSTILE_NAMES = [
    "Infant, Early; Childhood\nGroup",
    "Carriage\rreturn\r\nand CRLF",
    "Back\\slash \"quoted\" 'single' ; , : ^",
    "Emoji group 🌱👶🏽 día",
    "Bell\x07 and escape\x1b[31m and NUL\x00 and DEL\x7f and \u2028 separator",
    "Very long name " + "ü" * 285,
]


def shown(value: str) -> str:
    """What a reader should see: the name on one line, with no control character in it."""
    return " ".join("".join(" " if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c == "\u2028" else c for c in value).split())


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_escaped_and_read_back_on_one_line(name):
    hostile = series(name=name, location=name, description=f"First line\n{name}\nlast line")
    starts_ = detroit_2025()[:3]
    ics = build_feed([(hostile, sessions_for(starts_))], name=name)
    raw = ics.split(b"\r\n")
    assert max(len(line) for line in raw) <= 75
    assert not any(c < 32 and c != 9 for line in raw for c in line)  # no control character but folding
    occ = expand_both(ics)
    assert starts(occ) == starts_
    assert {o["summary"] for o in occ} == {shown(name)}
    assert {o["location"] for o in occ} == {shown(name)}
    description = occ[0]["description"]  # may span lines: its line breaks stay, nothing else does
    assert description.startswith("First line\n") and description.endswith(f"last line\n\nJoin: {hostile.join_url}")
    assert shown(description) == shown(f"First line {name} last line Join: {hostile.join_url}")
    assert not any(ord(c) < 32 and c != "\n" for c in description)
    assert str(icalendar.Calendar.from_ical(ics)["X-WR-CALNAME"]) == shown(name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_invites_carry_hostile_names_as_readable_one_line_cn(name):
    occurrence = sessions_for([utc(2025, 11, 4, 15)])[0]
    ics = build_invite(
        series(name=name),
        occurrence,
        method="REQUEST",
        organizer_email="coordinator@example.org",
        organizer_name=name,
        attendee_email="dana@example.org",
        attendee_name=name,
        stamp=utc(2025, 11, 3, 15),
    )
    (occ,) = run_icaljs(ics, *WINDOW)["occurrences"]
    readable = shown(name).replace('"', "'")
    assert occ["organizer"]["cn"] == readable and occ["attendees"][0]["cn"] == readable
    assert occ["summary"] == shown(name)


# -- DST edges ---------------------------------------------------------------


def wall_starts(rule: str, zone: str, first: datetime, last: datetime) -> list[datetime]:
    """Instants as the service schedules them: a wall time in a skipped or repeated hour takes the
    offset in force before the change (RFC 5545, zoneinfo's fold=0)."""
    tz = ZoneInfo(zone)
    return [d.replace(tzinfo=tz).astimezone(UTC) for d in rrulestr(rule, dtstart=first).between(first, last, inc=True)]


@pytest.mark.parametrize(
    ("zone", "wall", "minutes"),
    [
        ("America/Detroit", (2, 30), 60),  # skipped on 9 Mar 2025 and 8 Mar 2026
        ("America/Detroit", (1, 30), 60),  # repeated on 2 Nov 2025: ends when it starts, as a wall time
        ("America/Detroit", (0, 30), 150),  # spans both changes
        ("Europe/London", (1, 30), 90),
        ("Australia/Lord_Howe", (1, 45), 60),  # a half-hour change
        ("America/Santiago", (23, 30), 90),  # the change is at midnight
    ],
)
def test_sessions_on_dst_edges_are_where_the_service_says_in_both_parsers(zone, wall, minutes):
    rule = "FREQ=WEEKLY;BYDAY=SU" if zone != "America/Santiago" else "FREQ=WEEKLY;BYDAY=SA"
    first = datetime(2025, 1, 4 if zone == "America/Santiago" else 5, *wall)
    expected = wall_starts(rule, zone, first, datetime(2026, 12, 31, 23, 59))
    sessions = sessions_for(expected, minutes=minutes)
    ics = build_feed([(series(zone=zone, rule=rule), sessions)], name="x")
    wanted = [(s, s + timedelta(minutes=minutes)) for s in expected]
    # Each parser resolves an ambiguous RECURRENCE-ID its own way, but as it resolved the instance
    # from the rule: the override replaces that instance, and the times shown are the service's.
    for parser in (expand_with_icaljs, expand_with_python):
        assert [(o["start"], o["end"]) for o in parser(ics, *WINDOW)] == wanted, parser.__name__
    # Edge instances are overrides with UTC times; all others come from the rule with local times.
    overrides = [e for e in vevents(ics) if "RECURRENCE-ID" in e]
    assert 0 < len(overrides) < len(expected) / 4


def test_invite_for_a_session_in_the_repeated_hour_has_its_real_length():
    first_of_two = utc(2025, 11, 2, 5, 30)  # 01:30 EDT; an hour later it is 01:30 EST
    occurrence = SessionOccurrence(7, first_of_two, first_of_two, 60, False, 0, EDITED)
    ics = build_invite(
        series(),
        occurrence,
        method="REQUEST",
        organizer_email="coordinator@example.org",
        organizer_name="Pat",
        attendee_email="dana@example.org",
        attendee_name="Dana",
        stamp=SENT,
    )
    (event,) = vevents(ics)
    assert event["DTSTART"].dt == first_of_two and event["DTEND"].dt == first_of_two + timedelta(hours=1)
    assert "DTSTART:20251102T053000Z" in lines(ics) and "DTEND:20251102T063000Z" in lines(ics)
    (occ,) = run_icaljs(ics, *WINDOW)["occurrences"]
    assert (occ["start"], occ["end"]) == (first_of_two, first_of_two + timedelta(hours=1))
    (py,) = expand_with_python(ics, *WINDOW)
    assert (py["start"], py["end"]) == (first_of_two, first_of_two + timedelta(hours=1))


@pytest.mark.parametrize(
    ("zone", "first_year", "last_year"),
    [
        ("America/Santiago", 2022, 2022),  # 2022's DST began a week late: the rules are one-offs
        ("America/Santiago", 2019, 2021),
        ("Africa/Cairo", 2023, 2026),  # DST back in 2023 after years without
        ("Africa/Casablanca", 2015, 2017),  # DST suspended for Ramadan
    ],
)
def test_vtimezone_describes_the_offset_in_force_when_the_years_begin(zone, first_year, last_year):
    rule = "FREQ=DAILY;INTERVAL=3"
    expected = rule_starts(rule, zone, datetime(first_year, 1, 1, 12), datetime(last_year, 12, 31, 12))
    ics = build_feed([(series(zone=zone, rule=rule), sessions_for(expected, minutes=60))], name="x")
    assert starts(expand_with_icaljs(ics, *window_around(first_year, last_year))) == expected
    (tz,) = icalendar.Calendar.from_ical(ics).walk("VTIMEZONE")
    assert "RDATE" not in tz.to_ical().decode()


def window_around(first_year: int, last_year: int) -> tuple[datetime, datetime]:
    return utc(first_year - 1, 1, 1), utc(last_year + 1, 12, 31)
