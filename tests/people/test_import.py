"""Bulk import of people from real spreadsheet exports, through the API and the page: all or nothing."""

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import event, func, text

from rs_service.accounts.models import Person
from rs_service.audit.models import AuditEvent
from rs_service.extensions import db
from rs_service.groups.models import Enrollment
from rs_service.people import importing
from tests.accounts.conftest import link_in, wait_for_mail
from tests.accounts.test_invitations import app_client, set_password_from
from tests.factories import csrf_token_from, enroll, log_in, make_group, make_org, make_person, token_for

SPREADSHEETS = Path(__file__).parent / "spreadsheets"
EXCEL_184 = SPREADSHEETS / "excel_csv_utf8_184_participants.csv"
LIBREOFFICE_SEMICOLONS = SPREADSHEETS / "libreoffice_calc_semicolons.csv"
BAD_ROW_97 = SPREADSHEETS / "libreoffice_calc_bad_row_97.csv"


def people_count(organization) -> int:
    return db.session.scalar(db.select(func.count(Person.id)).where(Person.organization_id == organization.id))


def post_csv(api, token, body: bytes, query: str = "", content_type="text/csv; charset=utf-8"):
    return api.post(f"/people/import{query}", token, data=body, headers={"Content-Type": content_type})


def csv_bytes(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


# ----------------------------------------------------------------------------- through the API


def test_an_excel_export_of_184_participants_imports_whole(api, org, staff):
    response = post_csv(api, token_for(staff), EXCEL_184.read_bytes())
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 184, "enrolled": 0, "invited": 0, "dry_run": False}
    names = set(db.session.scalars(db.select(Person.name).where(Person.role == "participant")))
    assert len(names) == 184
    assert {"Carter, Ben", 'Rosa "Rosie" Peña', "Héctor Peña", "Zoë Martínez", "Óscar Moreno"} <= names
    first = db.session.scalar(db.select(Person).where(Person.email == "ana.ruiz1@homevisiting.example.org"))
    assert (first.name, first.pursuing_category, first.language, first.active) == ("Ana Ruiz", "IFS", "en", True)
    assert db.session.scalar(db.select(func.count(Person.id)).where(Person.language == "es")) == 36


def test_a_dry_run_checks_everything_and_writes_nothing(api, org, staff):
    response = post_csv(api, token_for(staff), EXCEL_184.read_bytes(), "?dry_run=true")
    assert response.status_code == 200
    assert response.get_json()["created"] == 184 and response.get_json()["dry_run"] is True
    assert people_count(org) == 1


def test_a_bad_row_on_line_97_is_named_and_nothing_is_written(api, org, staff):
    response = post_csv(api, token_for(staff), BAD_ROW_97.read_bytes())
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    [problem] = body["errors"]["rows"]
    assert (problem["row"], problem["field"]) == (97, "email")
    assert "rosa.haddad96@homevisiting" in problem["message"]
    assert people_count(org) == 1


def test_libreoffice_semicolons_and_capitalised_headings_are_read(api, org, staff):
    response = post_csv(api, token_for(staff), LIBREOFFICE_SEMICOLONS.read_bytes())
    assert response.status_code == 200 and response.get_json()["created"] == 30
    assert db.session.scalar(db.select(Person).where(Person.name == "Nadia Haddad; MSW")) is not None


def test_every_invalid_row_is_listed_with_its_field(api, org, staff):
    make_person(org, name="Ana Ruiz", email="ana@example.org")
    body = csv_bytes(
        "email,name,role,pursuing,language",
        "ANA@example.org,Ana Again,participant,,",
        "ben@example.org,Ben Carter,volunteer,,",
        "",
        "carla@example.org,,participant,IFZ,fr",
        "dan@example.org,Dan Ortiz,participant,ifs,ES",
        "dan@example.org,Dan Twice,participant,,",
    )
    response = post_csv(api, token_for(staff), body)
    assert response.status_code == 422
    problems = [(p["row"], p["field"]) for p in response.get_json()["errors"]["rows"]]
    assert problems == [
        (2, "email"),  # already in the association
        (3, "role"),
        (5, "name"),
        (5, "pursuing"),
        (5, "language"),
        (7, "email"),  # the same email as row 6
    ]
    messages = {(p["row"], p["field"]): p["message"] for p in response.get_json()["errors"]["rows"]}
    assert "already belongs to Ana Ruiz" in messages[(2, "email")] and "row 6" in messages[(7, "email")]
    assert people_count(org) == 2


def test_unknown_and_missing_columns_are_named_on_row_1(api, org, staff):
    response = post_csv(api, token_for(staff), csv_bytes("e-mail,full name,role", "a@example.org,Ana,participant"))
    assert response.status_code == 422
    assert [(p["row"], p["field"]) for p in response.get_json()["errors"]["rows"]] == [(1, "full_name"), (1, "name")]


def test_group_id_enrolls_them_from_the_groups_today(api, org, staff, facilitator):
    group = make_group(org, [facilitator], capacity=3, until="2026-12-31")
    body = csv_bytes(
        "email,name,role,group_id",
        f"ana@example.org,Ana Ruiz,participant,{group.id}",
        f"ben@example.org,Ben Carter,participant,{group.id}",
        "carla@example.org,Carla Anand,participant,",
    )
    # 02:30 UTC on 4 March is still 3 March in Detroit, the group's zone.
    with time_machine.travel(datetime(2026, 3, 4, 2, 30, tzinfo=UTC), tick=False):
        response = post_csv(api, token_for(staff), body)
    assert response.get_json() == {"created": 3, "enrolled": 2, "invited": 0, "dry_run": False}
    joined = set(db.session.execute(db.select(Enrollment.joined_on, Enrollment.waitlisted)).tuples())
    assert joined == {(date(2026, 3, 3), False)}


def test_a_group_without_room_or_of_another_association_is_refused(api, org, staff, facilitator):
    group = make_group(org, [facilitator], capacity=2)
    enroll(group, make_person(org))
    other = make_org("ct-aimh")
    elsewhere = make_group(other, [make_person(other, "facilitator")], name="Elsewhere")
    body = csv_bytes(
        "email,name,role,group_id",
        f"ana@example.org,Ana Ruiz,participant,{group.id}",
        f"ben@example.org,Ben Carter,participant,{group.id}",
        f"carla@example.org,Carla Anand,participant,{elsewhere.id}",
        "dan@example.org,Dan Ortiz,participant,twelve",
    )
    response = post_csv(api, token_for(staff), body)
    assert response.status_code == 422
    rows = response.get_json()["errors"]["rows"]
    assert [(p["row"], p["field"]) for p in rows] == [(3, "group_id"), (4, "group_id"), (5, "group_id")]
    assert "full" in rows[0]["message"] and "no group" in rows[1]["message"]
    assert db.session.scalar(db.select(func.count(Enrollment.id))) == 1


def test_more_than_5000_rows_is_refused_with_a_clear_message(api, org, staff):
    lines = ["email,name,role"] + [f"p{n}@example.org,P {n},participant" for n in range(5001)]
    response = post_csv(api, token_for(staff), csv_bytes(*lines))
    assert response.status_code == 422
    assert "more than 5000 rows" in response.get_json()["errors"]["file"][0]
    assert people_count(org) == 1


def test_a_file_over_2_mb_is_refused(api, org, staff):
    body = csv_bytes("email,name,role", *[f"p{n}@example.org,{'x' * 190},participant" for n in range(11000)])
    assert len(body) > 2 * 1024 * 1024
    response = post_csv(api, token_for(staff), body)
    assert response.status_code == 413 and "2 MB" in response.get_json()["message"]


def test_a_file_that_is_not_utf8_says_how_to_save_it(api, org, staff):
    body = "email,name,role\r\njose@example.org,José Núñez,participant\r\n".encode("cp1252")
    response = post_csv(api, token_for(staff), body)
    assert response.status_code == 422 and "CSV UTF-8" in response.get_json()["errors"]["file"][0]


def test_a_broken_quote_names_its_row(api, org, staff):
    body = csv_bytes("email,name,role", "ana@example.org,Ana,participant", 'ben@example.org,"Ben" Carter,participant')
    response = post_csv(api, token_for(staff), body)
    assert response.status_code == 422 and "Row 3" in response.get_json()["errors"]["file"][0]


def test_control_characters_in_a_name_are_refused(api, org, staff):
    response = post_csv(
        api, token_for(staff), csv_bytes("email,name,role", "ana@example.org,Ana\x1b[31mRuiz,participant")
    )
    assert response.status_code == 422
    assert [(p["row"], p["field"]) for p in response.get_json()["errors"]["rows"]] == [(2, "name")]


def test_only_staff_import_and_only_csv(api, org, staff):
    participant = make_person(org)
    assert post_csv(api, token_for(participant), EXCEL_184.read_bytes()).status_code == 403
    wrong_type = api.post("/people/import", token_for(staff), json={"email": "a@example.org"})
    assert wrong_type.status_code == 415 and "text/csv" in wrong_type.get_json()["message"]
    assert people_count(org) == 2


def test_an_import_leaves_the_planner_statistics_up_to_date(api, org, staff):
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = post_csv(api, token_for(staff), EXCEL_184.read_bytes())
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 200
    analyzed = [s for s in statements if s.startswith("ANALYZE")]
    if db.engine.dialect.name == "postgresql":
        assert analyzed == ["ANALYZE people", "ANALYZE audit_events"]
        estimate = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'people'"))
        assert estimate == 185  # the 184 imported and the staff member: what the planner now expects
    else:
        assert analyzed == []  # SQLite's planner keeps no statistics to refresh


def test_every_imported_person_has_it_in_their_audit_trail(api, org, staff):
    post_csv(api, token_for(staff), LIBREOFFICE_SEMICOLONS.read_bytes())
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "person.imported")).all()
    assert len(events) == 30 and {e.actor_id for e in events} == {staff.id}
    assert sorted(e.after["row"] for e in events) == list(range(2, 32))


# ----------------------------------------------------------------------------- reading files


@pytest.mark.parametrize(
    "data",
    [
        b"email,name,role\nana@example.org,Ana,participant\n",
        b"\xef\xbb\xbfemail;name;role\r\nana@example.org;Ana;participant\r\n",
        b'"email","name","role"\r\n"ana@example.org","Ana","participant"',
        b"Email\tName\tRole\nana@example.org\tAna\tparticipant\n",
        b"email,name,role,,\nana@example.org,Ana,participant,,\n,,,,\n",
    ],
)
def test_what_spreadsheets_export_reads_the_same(data):
    header, rows = importing.read_table(data)
    columns = [importing.column_name(cell) for cell in header]
    assert columns[:3] == ["email", "name", "role"]
    assert [(number, cells[:3]) for number, cells in rows] == [(2, ["ana@example.org", "Ana", "participant"])]


def test_a_line_break_inside_a_quoted_cell_keeps_the_spreadsheets_row_numbers():
    data = b'email,name,role\nana@example.org,"Ana\nRuiz",participant\nben@example.org,Ben,participant\n'
    _, rows = importing.read_table(data)
    assert [number for number, _ in rows] == [2, 3]


# ----------------------------------------------------------------------------- through the page


@pytest.fixture
def staff_client(client, staff):
    log_in(client, staff)
    return client


def upload(client, path_or_bytes, name="people.csv", **fields):
    page = client.get("/people/import").get_data(as_text=True)
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    return client.post(
        "/people/import",
        data={"csrf_token": csrf_token_from(page), "file": (io.BytesIO(data), name), "action": "check", **fields},
        content_type="multipart/form-data",
    )


def carried_content(html: str) -> str:
    match = re.search(r'name="content" value="([^"]*)"', html)
    assert match, "the preview carries no file"
    return match.group(1)


def test_the_preview_lists_the_problem_and_offers_no_import(staff_client, org):
    response = upload(staff_client, BAD_ROW_97, BAD_ROW_97.name)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Problems to fix, nothing saved" in html and BAD_ROW_97.name in html
    assert "<strong>120</strong> rows read" in html and "<strong>119</strong> ready" in html
    assert "<strong>1</strong> with problems" in html
    assert re.search(r'<td data-label="Row" class="num">97</td><td data-label="Column">email</td>', html)
    assert 'value="import"' not in html
    assert people_count(org) == 1


def test_check_then_import_from_the_page_and_enroll_everyone_in_a_group(staff_client, org, facilitator):
    group = make_group(org, [facilitator], name="Group 2", capacity=30)
    preview = upload(staff_client, LIBREOFFICE_SEMICOLONS, group_id=str(group.id))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Ready to import, nothing saved yet" in html
    assert "<strong>30</strong> to enroll in a group" in html and "Import 30 people" in html
    assert people_count(org) == 2

    response = staff_client.post(
        "/people/import",
        data={
            "csrf_token": csrf_token_from(html),
            "content": carried_content(html),
            "file_name": LIBREOFFICE_SEMICOLONS.name,
            "group_id": str(group.id),
            "action": "import",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert people_count(org) == 32
    assert db.session.scalar(db.select(func.count(Enrollment.id)).where(Enrollment.group_id == group.id)) == 30
    listing = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "30 people imported. 30 enrolled in Group 2." in listing


def test_the_page_refuses_a_file_it_cannot_read_with_the_reason(staff_client, org):
    response = upload(staff_client, "email,name,role\njosé@example.org,José,participant\n".encode("latin-1"))
    assert response.status_code == 422 and "CSV UTF-8" in response.get_data(as_text=True)
    nothing = staff_client.post(
        "/people/import",
        data={"csrf_token": csrf_token_from(staff_client.get("/people/import").get_data(as_text=True))},
    )
    assert nothing.status_code == 422 and "Choose the CSV file to import." in nothing.get_data(as_text=True)


def test_importing_with_invitations_emails_each_person_a_link_that_sets_their_password(staff_client, org, mailbox):
    csv_text = "email,name,role\nana.ruiz@example.org,Ana Ruiz,participant\nben.ode@example.org,Ben Ode,facilitator\n"
    html = upload(staff_client, csv_text.encode(), invite="y").get_data(as_text=True)
    assert 'name="invite"' in html
    response = staff_client.post(
        "/people/import",
        data={"csrf_token": csrf_token_from(html), "content": carried_content(html), "invite": "y", "action": "import"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "2 invitations sent." in staff_client.get(response.headers["Location"]).get_data(as_text=True)
    for email in ("ana.ruiz@example.org", "ben.ode@example.org"):
        person = db.session.scalar(db.select(Person).where(Person.email == email))
        path = link_in(wait_for_mail(mailbox, person)[0])
        with app_client(staff_client) as newcomer:
            assert set_password_from(newcomer, path).status_code == 302


def test_a_file_near_the_limits_goes_from_the_preview_to_the_import(staff_client, org):
    lines = ["email,name,role,pursuing,language"] + [
        f"participant.{n}@home-visiting-program.example.org,Participant Number {n:04},participant,IFS,en"
        for n in range(5000)
    ]
    data = csv_bytes(*lines)
    assert 400_000 < len(data) < importing.MAX_BYTES
    preview = upload(staff_client, data)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Import 5000 people" in html
    response = staff_client.post(
        "/people/import",
        data={"csrf_token": csrf_token_from(html), "content": carried_content(html), "action": "import"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.status_code
    assert people_count(org) == 5001
