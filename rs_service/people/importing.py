"""Bulk import of people from a spreadsheet saved as CSV: check every row, then write all or nothing.

Columns `email,name,role` and optionally `pursuing,language,group_id`, named in a header row in any
order and case. What spreadsheets export is accepted: UTF-8 with or without a byte-order mark,
CRLF or LF line ends, comma or semicolon between cells, quoted cells (with the delimiter or a line
break inside). Rows are numbered as the spreadsheet numbers them: the header is row 1.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from rs_service import clock
from rs_service.accounts import invitations
from rs_service.accounts.auth import normalise_email
from rs_service.accounts.models import LANGUAGES, ROLES, Organization, Person
from rs_service.audit.models import AuditEvent
from rs_service.database import MAX_ID, refresh_planner_statistics
from rs_service.endorsement.categories import CATEGORY_CODES
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group
from rs_service.groups.service import enrolled_count, lock_group
from rs_service.text import single_line_problem

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("email", "name", "role", "pursuing", "language", "group_id")
REQUIRED_COLUMNS = ("email", "name", "role")
# Headings people write for the same column.
COLUMN_ALIASES = {"e_mail": "email", "email_address": "email", "pursuing_category": "pursuing", "group": "group_id"}
LANGUAGE_ALIASES = {"english": "en", "inglés": "en", "spanish": "es", "español": "es", "espanol": "es"}
DELIMITERS = (",", ";", "\t")


class FileRefused(Exception):
    """The file as a whole cannot be imported (too large, not UTF-8, no header); nothing is read from it."""

    def __init__(self, message: str, too_large: bool = False):
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    message: str


@dataclass(frozen=True)
class PersonRow:
    row: int
    email: str
    name: str
    role: str
    pursuing: str | None
    language: str
    group_id: int | None


@dataclass
class ImportCheck:
    rows: list[PersonRow] = field(default_factory=list)  # the rows without a problem
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0  # data rows, blank ones left out
    groups: dict[int, Group] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows_with_problems(self) -> int:
        return len({p.row for p in self.problems if p.row > 1})

    @property
    def to_enroll(self) -> int:
        return sum(1 for r in self.rows if r.group_id is not None)


@dataclass(frozen=True)
class ImportOutcome:
    created: list[Person]
    enrolled: int
    invited: int


# ----------------------------------------------------------------------------- reading the file


def read_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header's cells and every non-blank data row with its spreadsheet row number."""
    if len(data) > MAX_BYTES:
        raise FileRefused(_("The file is larger than 2 MB. Split it into smaller files."), too_large=True)
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”; "
                "in LibreOffice, choose the character set “Unicode (UTF-8)”."
            )
        ) from None
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter_of(content), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if header is None:
                header = cells
            elif any(cell.strip() for cell in cells):
                rows.append((number, cells))
                if len(rows) > MAX_ROWS:
                    raise FileRefused(
                        _(
                            "The file has more than %(count)d rows of people. Split it into smaller files.",
                            count=MAX_ROWS,
                        )
                    )
    except csv.Error as error:
        raise FileRefused(_("Row %(row)d cannot be read: %(problem)s.", row=number + 1, problem=str(error))) from None
    return header or [], rows


def delimiter_of(content: str) -> str:
    """The delimiter under which the header names an email column; else the commonest one in it."""
    first_line = content.split("\n", 1)[0]
    candidates = [d for d in DELIMITERS if d in first_line]
    for delimiter in candidates:
        cells = next(csv.reader([first_line], delimiter=delimiter))
        if "email" in (column_name(cell) for cell in cells):
            return delimiter
    return max(candidates, key=first_line.count) if candidates else ","


def column_name(heading: str) -> str:
    name = heading.replace("\ufeff", "").strip().lower().replace(" ", "_").replace("-", "_")
    return COLUMN_ALIASES.get(name, name)


def header_problems(columns: list[str]) -> list[RowProblem]:
    problems = []
    for column, count in Counter(columns).items():
        if column not in COLUMNS:
            problems.append(
                RowProblem(
                    1, column or "?", _("Unknown column; the columns are %(columns)s.", columns=", ".join(COLUMNS))
                )
            )
        elif count > 1:
            problems.append(RowProblem(1, column, _("This column appears more than once.")))
    problems += [RowProblem(1, c, _("This column is missing.")) for c in REQUIRED_COLUMNS if c not in columns]
    return problems


# ----------------------------------------------------------------------------- checking rows


def parse_row(number: int, columns: list[str], cells: list[str]) -> tuple[PersonRow | None, list[RowProblem]]:
    """One row's values as they will be stored, or the problems with it: checks that need no database."""
    extra = [c for c in cells[len(columns) :] if c.strip()]
    if extra:
        message = _("This row has more cells than the header has columns.")
        return None, [RowProblem(number, "row", message)]
    values = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(columns)}
    problems: list[RowProblem] = []

    def problem(column: str, message: str) -> None:
        problems.append(RowProblem(number, column, message))

    email = normalise_email(values.get("email", ""))
    if not email:
        problem("email", _("The email address is missing."))
    elif len(email) > 254 or not is_email(email):
        problem("email", _("“%(value)s” is not a valid email address.", value=shown(email)))
    name = values.get("name", "")
    if not name:
        problem("name", _("The name is missing."))
    elif len(name) > 200:
        problem("name", _("The name is longer than 200 characters."))
    elif single_line_problem(name):
        problem("name", _("The name contains a line break, tab or control character."))
    role = values.get("role", "").lower()
    if role not in ROLES:
        problem("role", _("“%(value)s” is not a role; use participant, facilitator or staff.", value=shown(role)))
    pursuing = values.get("pursuing", "").upper() or None
    if pursuing is not None and pursuing not in CATEGORY_CODES:
        problem("pursuing", _("“%(value)s” is not an Endorsement category such as IFS or IMHS.", value=shown(pursuing)))
    language = LANGUAGE_ALIASES.get(values.get("language", "").lower(), values.get("language", "").lower()) or "en"
    if language not in LANGUAGES:
        problem("language", _("“%(value)s” is not a language; use en or es.", value=shown(language)))
    group_id = None
    raw_group = values.get("group_id", "")
    if raw_group:
        if not raw_group.isdigit() or not 0 < int(raw_group) <= MAX_ID:
            problem("group_id", _("“%(value)s” is not a group number.", value=shown(raw_group)))
        else:
            group_id = int(raw_group)
    if problems:
        return None, problems
    return PersonRow(number, email, name, role, pursuing, language, group_id), []


def is_email(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def shown(value: str) -> str:
    """A cell's value quoted in a message: short, and without anything that breaks a line."""
    cleaned = "".join(c if c.isprintable() else "�" for c in value)
    return cleaned if len(cleaned) <= 60 else cleaned[:59] + "…"


def check_import(
    organization: Organization, data: bytes, default_group_id: int | None = None, *, lock: bool = False
) -> ImportCheck:
    """Every problem of every row, in a fixed number of queries; with `lock`, the groups are held for writing."""
    header, table = read_table(data)
    columns = [column_name(cell) for cell in header]
    while columns and not columns[-1]:
        columns.pop()  # spreadsheets export empty headings for formatted but unused columns
    check = ImportCheck(rows_read=len(table), problems=header_problems(columns))
    if check.problems:
        return check
    for number, cells in table:
        row, problems = parse_row(number, columns, cells)
        if row is not None and row.group_id is None and default_group_id:
            row = PersonRow(**{**row.__dict__, "group_id": default_group_id})
        check.problems += problems
        if row is not None:
            check.rows.append(row)
    check_against_association(organization, check, lock)
    check.problems.sort(key=lambda p: (p.row, COLUMNS.index(p.field) if p.field in COLUMNS else -1))
    return check


def check_against_association(organization: Organization, check: ImportCheck, lock: bool) -> None:
    """Emails already taken (in the file or the association), unknown groups and groups without room."""
    first_row: dict[str, int] = {}
    for row in check.rows:
        first_row.setdefault(row.email, row.row)
    taken = dict(
        db.session.execute(
            db.select(Person.email, Person.name).where(
                Person.organization_id == organization.id, Person.email.in_(list(first_row))
            )
        )
        .tuples()
        .all()
    )
    group_ids = sorted({r.group_id for r in check.rows if r.group_id is not None})
    check.groups = {
        g.id: g
        for g in db.session.scalars(
            db.select(Group).where(Group.organization_id == organization.id, Group.id.in_(group_ids))
        )
    }
    if lock:
        for group_id in sorted(check.groups):
            lock_group(check.groups[group_id])
    room = {g.id: g.capacity - enrolled_count(g, clock.today_in(g.timezone)) for g in check.groups.values()}
    valid = []
    for row in check.rows:
        problem = row_conflict(row, first_row, taken, check.groups, room)
        if problem:
            check.problems.append(RowProblem(row.row, *problem))
        else:
            valid.append(row)
    check.rows = valid


def row_conflict(row: PersonRow, first_row: dict, taken: dict, groups: dict, room: dict) -> tuple[str, str] | None:
    if first_row[row.email] != row.row:
        return "email", _("%(email)s is also on row %(row)d.", email=row.email, row=first_row[row.email])
    if row.email in taken:
        return "email", _("%(email)s already belongs to %(name)s.", email=row.email, name=taken[row.email])
    if row.group_id is None:
        return None
    group = groups.get(row.group_id)
    if group is None:
        return "group_id", _("There is no group %(id)d in this association.", id=row.group_id)
    room[group.id] -= 1
    if room[group.id] < 0:
        return "group_id", _(
            "%(group)s is full: it has %(capacity)d places. Raise its capacity or choose another group.",
            group=group.name,
            capacity=group.capacity,
        )
    return None


# ----------------------------------------------------------------------------- writing


def import_people(
    organization: Organization,
    actor: Person,
    data: bytes,
    default_group_id: int | None = None,
    *,
    invite: bool = False,
) -> tuple[ImportCheck, ImportOutcome | None]:
    """Check the file and, when every row is valid, create everyone (and enroll them) in one transaction."""
    check = check_import(organization, data, default_group_id, lock=True)
    if not check.ok:
        return check, None
    people = [
        Person(
            organization_id=organization.id,
            email=row.email,
            name=row.name,
            role=row.role,
            pursuing_category=row.pursuing,
            language=row.language,
        )
        for row in check.rows
    ]
    db.session.add_all(people)
    db.session.flush()
    enrollments = [
        Enrollment(
            group_id=row.group_id,
            person_id=person.id,
            joined_on=clock.today_in(check.groups[row.group_id].timezone),
            placed_at=clock.now(),
        )
        for row, person in zip(check.rows, people, strict=True)
        if row.group_id is not None
    ]
    db.session.add_all(enrollments)
    db.session.add_all(
        AuditEvent(
            organization_id=organization.id,
            actor_id=actor.id,
            action="person.imported",
            person_id=person.id,
            after={"row": row.row, "group": check.groups[row.group_id].name if row.group_id else None},
        )
        for row, person in zip(check.rows, people, strict=True)
    )
    db.session.flush()
    refresh_planner_statistics(db.session, ["people", "audit_events"] + (["enrollments"] if enrollments else []))
    if invite:
        for person in people:
            invitations.invite(person)
    return check, ImportOutcome(people, len(enrollments), len(people) if invite else 0)
