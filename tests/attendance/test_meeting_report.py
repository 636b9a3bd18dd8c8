"""Tests for rs_service.attendance.meeting_report (pure parsing and matching).

The sample reports in ./reports are fictional people written in the layout
Zoom and Teams export; see each test for what a file is meant to exercise.
"""

import codecs
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from rs_service.attendance.meeting_report import (
    MAX_REPORT_BYTES,
    Matched,
    MeetingReport,
    ReportError,
    ReportRow,
    Suggestion,
    parse_meeting_report,
    suggest_attendance,
    suggest_from_rows,
)

REPORTS = Path(__file__).parent / "reports"
SESSION = 90  # every sample is a 10:00-11:30 group

ROSTER = {
    "dana.whitfield@example.org": 1,
    "priya.natarajan@example.org": 2,
    "tomas.ibarra@example.org": 3,
    "grace.okafor@example.org": 4,
    "ben.carter@example.org": 5,
    "lee.chen@example.org": 6,
}


def load(name: str) -> MeetingReport:
    return parse_meeting_report((REPORTS / name).read_bytes())


def t(month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second)


def by_person(matched: Matched) -> dict[int, Suggestion]:
    return {s.person_id: s for s in matched.suggestions}


# ---------------------------------------------------------------------------
# Parsing the sample files
# ---------------------------------------------------------------------------


def test_zoom_participants_export_rows():
    report = load("zoom_participants.csv")
    assert report.source == "zoom"
    # The waiting-room row (Tomás, 10:19:48-10:21:30, "In Waiting Room: Yes")
    # is left out: Zoom does not count waiting-room time as meeting time.
    assert report.rows == (
        ReportRow("Maria Lopez", "maria.lopez@example.org", 102, t(3, 3, 9, 51, 7), t(3, 3, 11, 32, 40)),
        ReportRow("Dana Whitfield", "dana.whitfield@example.org", 93, t(3, 3, 9, 58, 12), t(3, 3, 11, 30, 55)),
        ReportRow(
            "Priya Natarajan (Priya's iPhone)",
            "priya.natarajan@example.org",
            42,
            t(3, 3, 9, 59, 30),
            t(3, 3, 10, 41, 2),
        ),
        ReportRow("Grace Okafor", "grace.okafor@example.org", 51, t(3, 3, 9, 59, 58), t(3, 3, 10, 50, 20)),
        ReportRow("Carter, Ben", "ben.carter@example.org", 91, t(3, 3, 10, 0, 41), t(3, 3, 11, 30, 44)),
        ReportRow("Sam Reyes", "sam.reyes@example.net", 88, t(3, 3, 10, 2, 33), t(3, 3, 11, 30, 2)),
        ReportRow("Jordan's iPad", None, 32, t(3, 3, 10, 6, 10), t(3, 3, 10, 37, 45)),
        ReportRow("Tomás Ibarra", "tomas.ibarra@example.org", 70, t(3, 3, 10, 21, 30), t(3, 3, 11, 30, 41)),
        ReportRow("Priya Natarajan", "priya.natarajan@example.org", 47, t(3, 3, 10, 44, 15), t(3, 3, 11, 30, 50)),
    )
    # A plain participants export does not say who hosted.
    assert not any(row.is_host for row in report.rows)


def test_zoom_export_with_meeting_data_skips_summary_and_marks_host():
    report = load("zoom_with_meeting_data.csv")
    assert report.source == "zoom"
    assert report.rows == (
        ReportRow("Maria Lopez", "maria.lopez@example.org", 99, t(3, 10, 9, 53, 2), t(3, 10, 11, 31, 20), is_host=True),
        ReportRow("Lee Chen", "lee.chen@example.org", 92, t(3, 10, 9, 59, 5), t(3, 10, 11, 30, 12)),
        ReportRow("Dana Whitfield", "dana.whitfield@example.org", 89, t(3, 10, 10, 1, 44), t(3, 10, 11, 30, 10)),
        ReportRow("Grace Okafor", "grace.okafor@example.org", 76, t(3, 10, 10, 14, 27), t(3, 10, 11, 30, 5)),
        ReportRow("Priya Natarajan", "priya.natarajan@example.org", 63, t(3, 10, 10, 0, 20), t(3, 10, 11, 2, 51)),
    )


def test_teams_report_reads_only_the_participants_section():
    data = (REPORTS / "teams_attendance.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF16_LE)  # the sample is what Teams gives
    report = parse_meeting_report(data)
    assert report.source == "teams"
    # Teams durations are clock time; attendance is credited in whole minutes,
    # so the seconds are dropped (rounded down): "1h 28m 5s" -> 88.
    assert report.rows == (
        ReportRow("Maria Lopez", "maria.lopez@example.org", 101, t(3, 3, 9, 51, 7), t(3, 3, 11, 32, 40), is_host=True),
        ReportRow("Dana Whitfield", "dana.whitfield@example.org", 92, t(3, 3, 9, 58, 12), t(3, 3, 11, 30, 55)),
        ReportRow("Priya Natarajan", "priya.natarajan@example.org", 88, t(3, 3, 9, 59, 30), t(3, 3, 11, 30, 50)),
        ReportRow("Grace Okafor", "grace.okafor@example.org", 50, t(3, 3, 9, 59, 58), t(3, 3, 10, 50, 20)),
        ReportRow("Ben Carter", "ben.carter@example.org", 45, t(3, 3, 10, 0, 41), t(3, 3, 10, 45, 51)),
        ReportRow("Sam Reyes", "sam.reyes@example.net", 87, t(3, 3, 10, 2, 33), t(3, 3, 11, 30, 2)),
        ReportRow("Jordan Blake (Guest)", None, 31, t(3, 3, 10, 6, 10), t(3, 3, 10, 37, 45)),
        ReportRow("Tomás Ibarra", "tomas.ibarra@example.org", 69, t(3, 3, 10, 21, 30), t(3, 3, 11, 30, 41)),
    )
    # Section 3 ("In-Meeting Activities") repeats Priya once per connection;
    # reading it as well would count her twice.
    assert [r.name for r in report.rows].count("Priya Natarajan") == 1


def test_utf8_bom_and_windows_line_endings():
    data = (REPORTS / "zoom_excel_utf8_bom_crlf.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and b"\r\n" in data
    report = parse_meeting_report(data)
    assert report.source == "zoom"
    assert report.rows == (
        ReportRow("Maria Lopez", "maria.lopez@example.org", 96, t(3, 17, 9, 55), t(3, 17, 11, 31)),
        ReportRow("Zoë Müller", "zoe.muller@example.org", 91, t(3, 17, 9, 59), t(3, 17, 11, 30)),
        ReportRow("Ben Carter", "ben.carter@example.org", 78, t(3, 17, 10, 12), t(3, 17, 11, 30)),
        ReportRow("Grace Okafor", "grace.okafor@example.org", 65, t(3, 17, 10, 0), t(3, 17, 11, 5)),
    )


def test_teams_report_as_utf8_with_narrow_space_before_am_pm():
    # Newer systems write U+202F between the time and AM/PM.
    text = (
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
        "Dana Whitfield\t3/3/26, 9:58:12\u202fAM\t3/3/26, 11:30:55\u202fAM\t"
        "1h 32m 43s\tdana.whitfield@example.org\tdana.whitfield@example.org\tAttendee\n"
    )
    (row,) = parse_meeting_report(text.encode("utf-8")).rows
    assert row.joined_at == t(3, 3, 9, 58, 12)
    assert row.minutes == 92


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1h 28m 5s", 88), ("45m 10s", 45), ("45m 59s", 45), ("2h", 120), ("40s", 0), ("1h 0m 0s", 60), ("1:28:05", 88)],
)
def test_teams_duration_rounds_down_to_whole_minutes(text, minutes):
    data = f"Name\tIn-Meeting Duration\tEmail\nDana\t{text}\tdana@example.org\n"
    assert parse_meeting_report(data.encode()).rows[0].minutes == minutes


# ---------------------------------------------------------------------------
# Errors shown to the facilitator
# ---------------------------------------------------------------------------


def test_file_that_is_not_a_report():
    with pytest.raises(ReportError, match="does not look like a meeting participants report"):
        load("not_a_report_group_roster.csv")


def test_missing_email_column_says_so():
    data = b"Name (Original Name),Join Time,Duration (Minutes)\nDana,03/03/2026 10:00:00 AM,90\n"
    with pytest.raises(ReportError, match="no 'User Email' or 'Email' column"):
        parse_meeting_report(data)


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_empty_file(data):
    with pytest.raises(ReportError, match="empty"):
        parse_meeting_report(data)


def test_oversized_file():
    header = b"Name (Original Name),User Email,Duration (Minutes)\n"
    row = b"Dana Whitfield,dana.whitfield@example.org,90\n"
    data = header + row * (MAX_REPORT_BYTES // len(row) + 1)
    assert len(data) > MAX_REPORT_BYTES
    with pytest.raises(ReportError, match="limit is 2 MB"):
        parse_meeting_report(data)


def test_file_at_the_size_limit_is_accepted():
    header = b"Name (Original Name),User Email,Duration (Minutes)\n"
    row = b"Dana Whitfield,dana.whitfield@example.org,90\n"
    data = header + row
    while len(data) < MAX_REPORT_BYTES:  # pad with long blank lines, exactly to the limit
        data += b" " * min(100_000, MAX_REPORT_BYTES - len(data) - 1) + b"\n"
    assert len(data) == MAX_REPORT_BYTES
    assert len(parse_meeting_report(data).rows) == 1


def test_zoom_summary_without_participants():
    data = (
        b"Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
        b"81234567890,Reflective Supervision Group,03/03/2026 09:51:07 AM,"
        b"03/03/2026 11:32:40 AM,maria.lopez@example.org,102,8\n"
    )
    with pytest.raises(ReportError, match="only the meeting summary"):
        parse_meeting_report(data)


def test_excel_workbook_and_binary_files():
    with pytest.raises(ReportError, match="Excel"):
        parse_meeting_report(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))
    with pytest.raises(ReportError, match="not a text"):
        parse_meeting_report(bytes(range(256)) * 4)


def test_header_without_rows():
    with pytest.raises(ReportError, match="no participant rows"):
        parse_meeting_report(b"Name (Original Name),User Email,Duration (Minutes)\n")


def test_bad_duration_names_the_line():
    data = (
        b"Name (Original Name),User Email,Duration (Minutes)\n"
        b"Dana Whitfield,dana.whitfield@example.org,90\n"
        b"Grace Okafor,grace.okafor@example.org,about an hour\n"
    )
    with pytest.raises(ReportError, match=r"Line 3 \(Grace Okafor\).*'about an hour'"):
        parse_meeting_report(data)


# ---------------------------------------------------------------------------
# Suggestions
# ---------------------------------------------------------------------------


def test_suggestions_from_zoom_participants_export():
    report = load("zoom_participants.csv")
    matched = suggest_attendance(report, ROSTER, SESSION, host_emails=["Maria.Lopez@example.org"])
    assert matched.suggestions == (
        Suggestion(1, "present", None, 93),
        # dropped at 10:41 and rejoined at 10:44: 42 + 47 = 89 >= 90 - 5
        Suggestion(2, "present", None, 89),
        # first join 10:21:30 is past 09:58:12 (first non-host) + 5 min
        Suggestion(3, "late", 70, 70),
        # on time, gone at 10:50
        Suggestion(4, "left_early", 51, 51),
        Suggestion(5, "present", None, 91),
        # Lee (6) is not in the report: no suggestion, never "absent" for not matching
    )
    # A guest with an email that is not on the roster, and a guest with no
    # email at all: listed for the facilitator, never guessed.  The host
    # (the facilitator) is left out.
    assert [(r.name, r.email) for r in matched.unknown_rows] == [
        ("Sam Reyes", "sam.reyes@example.net"),
        ("Jordan's iPad", None),
    ]


def test_without_host_information_the_earliest_row_sets_the_start():
    # A plain Zoom export does not say who hosted.  Without host_emails the
    # host's 09:51 join counts as the start, so Grace (09:59:58) reads as late.
    # Her credited minutes are the same either way.
    matched = suggest_attendance(load("zoom_participants.csv"), ROSTER, SESSION)
    assert by_person(matched)[4] == Suggestion(4, "late", 51, 51)
    assert by_person(matched)[3] == Suggestion(3, "late", 70, 70)


def test_suggestions_from_zoom_export_with_meeting_data():
    matched = suggest_attendance(load("zoom_with_meeting_data.csv"), ROSTER, SESSION)
    # The host comes from the summary block, so the start is Lee's 09:59:05.
    assert matched.suggestions == (
        Suggestion(1, "present", None, 89),
        Suggestion(2, "left_early", 63, 63),
        Suggestion(4, "late", 76, 76),
        Suggestion(6, "present", None, 92),
    )
    assert matched.unknown_rows == ()  # the host, named in the summary block, is left out


def test_suggestions_from_teams_report():
    matched = suggest_attendance(load("teams_attendance.csv"), ROSTER, SESSION)
    assert matched.suggestions == (
        Suggestion(1, "present", None, 92),
        Suggestion(2, "present", None, 88),
        Suggestion(3, "late", 69, 69),
        Suggestion(4, "left_early", 50, 50),
        Suggestion(5, "left_early", 45, 45),
    )
    assert [(r.name, r.email) for r in matched.unknown_rows] == [  # the organizer is left out
        ("Sam Reyes", "sam.reyes@example.net"),
        ("Jordan Blake (Guest)", None),
    ]


def row(email, minutes, joined=None, name="Someone", is_host=False):
    return ReportRow(name, email, minutes, joined, None, is_host)


def test_rejoined_rows_are_summed_and_capped_at_session_length():
    report = MeetingReport(
        rows=(
            row("dana.whitfield@example.org", 50, t(3, 3, 10, 0)),
            row("dana.whitfield@example.org", 30, t(3, 3, 10, 52)),
            # a second device (phone for audio) can overlap: the sum is capped
            row("grace.okafor@example.org", 60, t(3, 3, 10, 0)),
            row("grace.okafor@example.org", 55, t(3, 3, 10, 1)),
        ),
        source="zoom",
    )
    roster = {"dana.whitfield@example.org": 1, "grace.okafor@example.org": 4}
    matched = suggest_attendance(report, roster, 130)
    assert matched.suggestions == (
        Suggestion(1, "left_early", 80, 80),
        Suggestion(4, "left_early", 115, 115),
    )
    # 115 minutes in a 100-minute session: credited 100, i.e. present; the
    # raw 115 is still reported so the facilitator can see the overlap.
    matched = suggest_attendance(report, roster, 100, grace_minutes=0)
    assert matched.suggestions == (
        Suggestion(1, "left_early", 80, 80),
        Suggestion(4, "present", None, 115),
    )


def test_grace_boundaries():
    start = t(3, 3, 10, 0)
    report = MeetingReport(
        rows=(
            row("a@example.org", 85, start),  # exactly session - grace
            row("b@example.org", 84, t(3, 3, 10, 5)),  # joined exactly at grace
            row("c@example.org", 84, t(3, 3, 10, 5, 1)),  # one second past it
        ),
        source="zoom",
    )
    roster = {"a@example.org": 1, "b@example.org": 2, "c@example.org": 3}
    assert suggest_attendance(report, roster, 90).suggestions == (
        Suggestion(1, "present", None, 85),
        Suggestion(2, "left_early", 84, 84),
        Suggestion(3, "late", 84, 84),
    )


def test_roster_emails_match_case_insensitively_and_order_is_roster_order():
    report = MeetingReport(rows=(row("dana@example.org", 90),), source="zoom")
    roster = {"lee@example.org": 6, "Dana@Example.ORG": 1}
    matched = suggest_attendance(report, roster, 90)
    assert matched.suggestions == (Suggestion(1, "present", None, 90),)
    assert matched.unknown_rows == ()


def test_person_with_two_emails_gets_one_suggestion():
    report = MeetingReport(
        rows=(row("dana@example.org", 40), row("dana.w@example.net", 45)),
        source="zoom",
    )
    roster = {"dana@example.org": 1, "dana.w@example.net": 1}
    assert suggest_attendance(report, roster, 90).suggestions == (Suggestion(1, "present", None, 85),)


def test_no_join_times_means_left_early_and_at_least_one_minute():
    report = MeetingReport(rows=(row("dana@example.org", 0),), source="teams")
    assert suggest_attendance(report, {"dana@example.org": 1}, 90).suggestions == (Suggestion(1, "left_early", 1, 0),)


def test_unknown_rows_keep_report_order():
    report = MeetingReport(
        rows=(row(None, 10, name="Call-in"), row("x@example.org", 20, name="X")),
        source="zoom",
    )
    matched = suggest_attendance(report, {}, 90)
    assert matched.suggestions == ()
    assert matched.unknown_rows == report.rows


def test_facilitators_are_left_out_by_email_or_by_name_but_names_never_match_anyone():
    report = MeetingReport(
        rows=(
            row("maria.lopez@example.org", 95, name="Maria Lopez"),
            row(None, 90, name="  maria   LOPEZ "),  # her phone, dialled in without an email
            row(None, 90, name="Dana Whitfield"),  # a roster person's name, but no email: not guessed
        ),
        source="zoom",
    )
    matched = suggest_attendance(
        report, {"dana@example.org": 1}, 90, host_emails=["Maria.Lopez@example.org"], host_names=["Maria Lopez"]
    )
    assert matched.suggestions == ()
    assert [r.name for r in matched.unknown_rows] == ["Dana Whitfield"]


def test_rows_linked_by_hand_follow_the_same_rule():
    start = t(3, 3, 10, 0)
    late_after = start + timedelta(minutes=5)
    phone_and_laptop = [row(None, 30, t(3, 3, 10, 20)), row(None, 40, t(3, 3, 10, 50))]
    assert suggest_from_rows(7, phone_and_laptop, 90, late_after) == Suggestion(7, "late", 70, 70)
    assert suggest_from_rows(7, [row(None, 88, start)], 90, late_after) == Suggestion(7, "present", None, 88)
    assert suggest_from_rows(7, [row(None, 20, None)], 90, None) == Suggestion(7, "left_early", 20, 20)
    matched = suggest_attendance(MeetingReport(rows=(row("a@example.org", 10, start),), source="zoom"), {}, 90)
    assert matched.late_after == late_after


def test_bad_session_length():
    report = MeetingReport(rows=(row("dana@example.org", 10),), source="zoom")
    with pytest.raises(ValueError):
        suggest_attendance(report, {"dana@example.org": 1}, 0)


def test_a_refused_upload_is_explained_in_the_facilitators_language(app):
    from flask_babel import force_locale

    with (
        app.test_request_context(),
        force_locale("es"),
        pytest.raises(ReportError, match="Esto parece un libro de Excel"),
    ):
        parse_meeting_report(b"PK\x03\x04 a workbook")
    with pytest.raises(ReportError, match="This looks like an Excel workbook"):  # English outside a request
        parse_meeting_report(b"PK\x03\x04 a workbook")
