"""Read a Zoom or Microsoft Teams participants report and suggest attendance.

Pure module: no Flask, no database.  ``parse_meeting_report`` turns the
uploaded bytes into rows; ``suggest_attendance`` turns rows plus the group
roster into one suggested status per roster person, which the facilitator
reviews before anything is saved.

Formats understood:

* Zoom "Participants" export (web portal > Reports > Usage), comma separated,
  optionally preceded by the meeting-summary block that Zoom adds when
  "Export with meeting data" is ticked.  Durations are whole minutes.
* Microsoft Teams attendance report: UTF-16 with BOM, tab separated, in
  numbered sections ("1. Summary", "2. Participants", "3. In-Meeting
  Activities").  Only "2. Participants" is read (one row per person);
  section 3 repeats the same people once per join/leave and would double
  count.  Durations look like "1h 28m 5s".

Matching is by email only.  Rows without an email, or with an email that is
not on the roster, are handed back as ``unknown_rows`` for the facilitator to
link to a roster person or ignore; names are never used to guess who someone
is.  Nobody is suggested absent for not being found, and the facilitators'
own rows are left out.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import flask_babel

__all__ = [
    "MAX_REPORT_BYTES",
    "Matched",
    "MeetingReport",
    "ReportError",
    "ReportRow",
    "Suggestion",
    "parse_meeting_report",
    "suggest_attendance",
    "suggest_from_rows",
]

#: Uploads larger than this are refused.  A participants report for a group
#: session is a few kilobytes; 2 MB leaves room for very large meetings.
MAX_REPORT_BYTES = 2 * 1024 * 1024


def _(message: str, **variables: object) -> str:
    """The facilitator's words for a refusal, in their language (English outside a request)."""
    return str(flask_babel.gettext(message, **variables))


@dataclass(frozen=True)
class ReportRow:
    name: str
    email: str | None  # lower-cased, stripped; None when the report has none
    minutes: int  # this row's duration in whole minutes
    joined_at: datetime | None  # naive local time as written in the file
    left_at: datetime | None
    # True for the meeting's host: Teams role "Organizer", or the host email
    # given in Zoom's meeting-summary block.  A plain Zoom participants export
    # does not say who the host is, so there it is always False.
    is_host: bool = False


@dataclass(frozen=True)
class MeetingReport:
    rows: tuple[ReportRow, ...]
    source: str  # "zoom" or "teams"


class ReportError(ValueError):
    """The upload is not a usable participants report.

    The message is shown to the facilitator as is, so it says in plain words
    what is wrong and what to upload instead.
    """


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

# Header names, compared after _norm_header (lower case, single spaces).
_NAME_COLUMNS = (
    "name (original name)",
    "user name (original name)",
    "name",
    "full name",
    "participant",
    "participant name",
    "display name",
)
_EMAIL_COLUMNS = ("user email", "email", "email address", "e-mail")
_MINUTES_COLUMNS = (  # Zoom: a plain number of minutes
    "duration (minutes)",
    "duration (mins)",
    "total duration (minutes)",
)
_CLOCK_COLUMNS = (  # Teams: "1h 28m 5s"
    "in-meeting duration",
    "in meeting duration",
    "duration",
    "attendance duration",
)
_JOIN_COLUMNS = ("join time", "first join", "first join time", "join")
_LEAVE_COLUMNS = ("leave time", "last leave", "last leave time", "leave")
_TEAMS_ONLY_COLUMNS = ("participant id (upn)", "role", "first join", "last leave")

_SECTION_TITLE = re.compile(r"^\d+\.\s+\S")  # "2. Participants"
_CLOCK_DURATION = re.compile(
    r"^(?:(?P<h>\d+)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<m>\d+)\s*m(?:in(?:ute)?s?)?)?\s*"
    r"(?:(?P<s>\d+)\s*s(?:ec(?:ond)?s?)?)?$"
)
_HMS_DURATION = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{2})$")
_TIME_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",  # Zoom: 03/03/2026 09:58:12 AM
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y, %I:%M:%S %p",  # Teams: 3/3/26, 9:58:12 AM
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M:%S %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%y %I:%M:%S %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",  # as re-saved by a spreadsheet program
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
)


def parse_meeting_report(data: bytes) -> MeetingReport:
    """Parse an uploaded Zoom or Teams participants report.

    Raises ``ReportError`` with a message meant for the facilitator when the
    file is empty, too large, not text, or not a participants report.
    """
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(
            _(
                "This file is %(size).1f MB; the limit is %(limit)d MB. A participants report is much smaller, "
                "so please check that you picked the right file and upload the participants report exported "
                "from Zoom or Teams.",
                size=len(data) / (1024 * 1024),
                limit=MAX_REPORT_BYTES // (1024 * 1024),
            )
        )
    text = _decode(data)
    if not text.strip():
        raise ReportError(_("The file is empty; upload the participants report exported from Zoom or Teams."))

    # Try the delimiters in turn and keep the first that yields a recognisable
    # participants header.  Tab goes first: Teams reports are tab separated
    # but their times contain commas ("3/3/26, 9:58:12 AM").
    table: list[tuple[int, list[str]]] = []
    found: tuple[int, Columns] | None = None
    unreadable: str | None = None
    for delimiter in ("\t", ",", ";"):
        try:
            table = _read_table(text, delimiter)
        except ReportError as exc:
            unreadable = unreadable or str(exc)
            continue
        found = _find_participants_header(table)
        if found is not None:
            break
    if found is None:
        raise ReportError(unreadable or _explain_missing_header(text))
    header_index, columns = found

    header_cells = table[header_index][1]
    if "email" not in columns.positions:
        raise ReportError(
            _(
                "This file has no 'User Email' or 'Email' column, so nobody can be matched to the group; "
                "upload the participants report exported from Zoom or Teams."
            )
        )

    normalized_header = {_norm_header(c) for c in header_cells}
    source = (
        "zoom"
        if columns.duration_kind == "minutes" or not normalized_header.intersection(_TEAMS_ONLY_COLUMNS)
        else "teams"
    )
    host_email = _zoom_host_email(table[:header_index])

    rows: list[ReportRow] = []
    for line_no, cells in table[header_index + 1 :]:
        if _is_blank(cells):
            continue
        if _is_section_title(cells) or _header_columns(cells) is not None:
            break  # next section (Teams "3. In-Meeting Activities") or table
        row = _parse_row(line_no, cells, columns, host_email)
        if row is not None:
            rows.append(row)

    if not rows:
        raise ReportError(
            _(
                "The participants report has a header but no participant rows. "
                "Please export the report again after the meeting has ended."
            )
        )
    return MeetingReport(rows=tuple(rows), source=source)


def _decode(data: bytes) -> str:
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith(codecs.BOM_UTF16_LE):
            return data[len(codecs.BOM_UTF16_LE) :].decode("utf-16-le")
        if data.startswith(codecs.BOM_UTF16_BE):
            return data[len(codecs.BOM_UTF16_BE) :].decode("utf-16-be")
    except UnicodeDecodeError:
        raise ReportError(
            _(
                "This file starts like a text file but its contents are damaged; please download it again and "
                "upload the participants report exported from Zoom or Teams."
            )
        ) from None

    if data.startswith(b"PK\x03\x04"):
        raise ReportError(
            _(
                "This looks like an Excel workbook (.xlsx), not a CSV file. Download the participants report as "
                "CSV from Zoom or Teams, or save it as CSV, and upload that."
            )
        )
    if data.startswith(b"%PDF"):
        raise ReportError(
            _("This is a PDF, not a CSV file: upload the .csv participants report exported from Zoom or Teams.")
        )
    head = data[:4096]
    if b"\x00" in head:
        # UTF-16 saved without a BOM: every ASCII character has a zero byte.
        even_zeros = head[0::2].count(0)
        odd_zeros = head[1::2].count(0)
        half = len(head) // 2
        encoding = None
        if odd_zeros > half * 0.6 and even_zeros == 0:
            encoding = "utf-16-le"
        elif even_zeros > half * 0.6 and odd_zeros == 0:
            encoding = "utf-16-be"
        if encoding is not None:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                pass
        raise ReportError(
            _(
                "This is not a text (CSV) file, so it cannot be a participants report; upload the participants "
                "report exported from Zoom or Teams."
            )
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Files re-saved by Excel on Windows are often in this code page.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ReportError(
            _(
                "The text in this file could not be read (unknown character encoding); please upload the "
                "participants report exported from Zoom or Teams without editing it."
            )
        ) from None


def _read_table(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """All rows with the (1-based) line number each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = []
    line_no = 1
    try:
        for cells in reader:
            table.append((line_no, [c.strip() for c in cells]))
            line_no = reader.line_num + 1
    except csv.Error as exc:
        raise ReportError(
            _(
                "Line %(line)d of this file could not be read (%(error)s); please upload the participants report "
                "exported from Zoom or Teams without editing it.",
                line=line_no,
                error=exc,
            )
        ) from None
    return table


def _norm_header(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).lower()


@dataclass(frozen=True)
class Columns:
    """Where a participants header puts each field, and whether durations are minutes or clock time."""

    positions: dict[str, int]
    duration_kind: str


def _header_columns(cells: list[str]) -> Columns | None:
    """Column positions if this row is a participants header, else None.

    A participants header has a name column and a duration column.  (Zoom's
    meeting-summary header has a duration but no name, so it is skipped.)
    """
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        header = _norm_header(cell)
        for key, names in (
            ("name", _NAME_COLUMNS),
            ("email", _EMAIL_COLUMNS),
            ("minutes", _MINUTES_COLUMNS),
            ("clock", _CLOCK_COLUMNS),
            ("join", _JOIN_COLUMNS),
            ("leave", _LEAVE_COLUMNS),
        ):
            if header in names and key not in positions:
                positions[key] = index
        if header == "role":
            positions.setdefault("role", index)
        if header == "in waiting room":
            positions.setdefault("waiting", index)
    if "name" not in positions:
        return None
    if "minutes" in positions:
        positions["duration"] = positions.pop("minutes")
        positions.pop("clock", None)
        return Columns(positions, "minutes")
    if "clock" in positions:
        positions["duration"] = positions.pop("clock")
        return Columns(positions, "clock")
    return None


def _find_participants_header(table: list[tuple[int, list[str]]]) -> tuple[int, Columns] | None:
    for index, (_line_no, cells) in enumerate(table):
        columns = _header_columns(cells)
        if columns is not None:
            return index, columns
    return None


def _explain_missing_header(text: str) -> str:
    lowered = text.lower()
    if "meeting id" in lowered and "topic" in lowered:
        return _(
            "This file has only the meeting summary, not the list of participants. In Zoom, open the meeting's "
            "participants report (Reports > Usage > Participants) and export that."
        )
    if "user action" in lowered:
        return _(
            "This is Teams' older attendance list (one line per join or leave), which has no durations. "
            "Download the attendance report from the meeting's Attendance tab in Teams instead."
        )
    return _(
        "This file does not look like a meeting participants report: no header with 'Name' and 'Duration' "
        "columns was found. Please upload the participants report exported from Zoom or Teams."
    )


def _zoom_host_email(preamble: list[tuple[int, list[str]]]) -> str | None:
    """The host email from Zoom's meeting-summary block, if there is one."""
    for index, (_line_no, cells) in enumerate(preamble):
        headers = [_norm_header(c) for c in cells]
        if "meeting id" in headers and "user email" in headers and index + 1 < len(preamble):
            values = preamble[index + 1][1]
            position = headers.index("user email")
            if position < len(values):
                return _clean_email(values[position])
    return None


def _is_blank(cells: list[str]) -> bool:
    return not any(cells)


def _is_section_title(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) == 1 and bool(_SECTION_TITLE.match(filled[0]))


def _cell(cells: list[str], columns: Columns, key: str) -> str:
    index = columns.positions.get(key)
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _parse_row(line_no: int, cells: list[str], columns: Columns, host_email: str | None) -> ReportRow | None:
    # Zoom lists the time someone spent in the waiting room as a separate row
    # marked "In Waiting Room: Yes"; Zoom itself does not count that time as
    # meeting minutes, and neither do we.
    if _cell(cells, columns, "waiting").lower() == "yes":
        return None
    name = _cell(cells, columns, "name")
    email = _clean_email(_cell(cells, columns, "email"))
    raw_duration = _cell(cells, columns, "duration")
    minutes = _parse_duration(raw_duration, columns.duration_kind)
    if minutes is None:
        raise ReportError(
            _(
                "Line %(line)d (%(name)s): the duration '%(duration)s' is not a length of time. Please upload the "
                "report exactly as Zoom or Teams exported it.",
                line=line_no,
                name=name or "?",
                duration=raw_duration,
            )
        )
    role = _cell(cells, columns, "role").lower()
    is_host = role == "organizer" or (host_email is not None and email == host_email)
    return ReportRow(
        name=name,
        email=email,
        minutes=minutes,
        joined_at=_parse_time(_cell(cells, columns, "join")),
        left_at=_parse_time(_cell(cells, columns, "leave")),
        is_host=is_host,
    )


def _clean_email(value: str) -> str | None:
    value = value.strip().lower()
    return value if "@" in value else None


def _parse_duration(value: str, kind: str) -> int | None:
    """Whole minutes, rounded down; None if the text is not a duration.

    Zoom already writes whole minutes.  Teams writes clock time ("1h 28m 5s");
    attendance is credited in whole minutes, so the seconds are dropped:
    "1h 28m 5s" -> 88, "45m 59s" -> 45, "40s" -> 0.
    """
    value = " ".join(value.split()).lower()
    if not value:
        return None
    if kind == "minutes" or re.fullmatch(r"\d+(?:\.\d+)?", value):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number >= 0 else None
    match = _CLOCK_DURATION.match(value) or _HMS_DURATION.match(value)
    if match is None or not any(match.groupdict().values()):
        return None
    hours = int(match.group("h") or 0)
    minutes = int(match.group("m") or 0)
    seconds = int(match.group("s") or 0)
    return (hours * 3600 + minutes * 60 + seconds) // 60


def _parse_time(value: str) -> datetime | None:
    # Teams may put a narrow no-break space before AM/PM.
    value = " ".join(value.replace("\u202f", " ").replace("\xa0", " ").split())
    if not value:
        return None
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    # Unknown layout (e.g. a day-first locale): leave it out rather than guess.
    return None


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    status: str  # "present", "late" or "left_early"
    minutes: int | None  # credited minutes for late/left_early, else None
    report_minutes: int  # raw sum of the person's rows in the report


@dataclass(frozen=True)
class Matched:
    # One per roster person found in the report, roster order.  Nobody is
    # suggested absent: someone the report does not show may have joined by
    # phone or under another name, so the facilitator decides.
    suggestions: tuple[Suggestion, ...]
    unknown_rows: tuple[ReportRow, ...]  # no email, or email not on roster; never the facilitators
    late_after: datetime | None  # joining after this is late (None when the report has no join times)


def suggest_attendance(
    report: MeetingReport,
    roster: Mapping[str, int],
    session_minutes: int,
    *,
    grace_minutes: int = 5,
    host_emails: Collection[str] = (),
    host_names: Collection[str] = (),
) -> Matched:
    """Suggest a status for every roster person the report shows.

    ``roster`` maps email -> person_id; a person may appear under several
    emails.  ``host_emails`` and ``host_names`` name the facilitator(s): their
    rows never count as participants' and are never listed as unknown, even
    when the report does not say who the host was (a plain Zoom participants
    export does not).  Names only ever leave a row out; they never match one.

    The rule, as shown to facilitators:

    * No row with the person's email: no suggestion (the facilitator decides).
    * Rows add up (a dropped connection and rejoin is two rows), capped at the
      session length.  At least ``session_minutes - grace_minutes``: present.
    * Otherwise they get the minutes they were there (at least 1) and are
      marked late if they first joined more than ``grace_minutes`` after the
      first non-host participant joined; in every other case (including when
      the report has no join times) they are marked as having left early.
    """
    if session_minutes <= 0:
        raise ValueError("session_minutes must be positive")
    if grace_minutes < 0:
        raise ValueError("grace_minutes must not be negative")

    hosts = {e.strip().lower() for e in host_emails}
    host_name_keys = {_name_key(n) for n in host_names if n.strip()}
    by_email = {email.strip().lower(): pid for email, pid in roster.items()}
    rows_by_person: dict[int, list[ReportRow]] = {}
    unknown: list[ReportRow] = []
    for row in report.rows:
        person_id = by_email.get(row.email) if row.email else None
        if person_id is not None:
            rows_by_person.setdefault(person_id, []).append(row)
        elif not (row.is_host or row.email in hosts or _name_key(row.name) in host_name_keys):
            unknown.append(row)

    non_host_joins = [
        row.joined_at for row in report.rows if row.joined_at is not None and not row.is_host and row.email not in hosts
    ]
    late_after = min(non_host_joins) + timedelta(minutes=grace_minutes) if non_host_joins else None

    suggestions: list[Suggestion] = []
    seen: set[int] = set()
    for person_id in by_email.values():
        if person_id in seen or person_id not in rows_by_person:
            continue
        seen.add(person_id)
        suggestions.append(
            suggest_from_rows(person_id, rows_by_person[person_id], session_minutes, late_after, grace_minutes)
        )
    return Matched(suggestions=tuple(suggestions), unknown_rows=tuple(unknown), late_after=late_after)


def suggest_from_rows(
    person_id: int,
    rows: Collection[ReportRow],
    session_minutes: int,
    late_after: datetime | None,
    grace_minutes: int = 5,
) -> Suggestion:
    """One person's status from their rows (at least one), by the rule in ``suggest_attendance``."""
    report_minutes = sum(row.minutes for row in rows)
    credited = min(report_minutes, session_minutes)
    if credited >= session_minutes - grace_minutes:
        return Suggestion(person_id, "present", None, report_minutes)
    joins = [row.joined_at for row in rows if row.joined_at is not None]
    status = "late" if late_after is not None and joins and min(joins) > late_after else "left_early"
    return Suggestion(person_id, status, max(1, credited), report_minutes)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()
