import os
import subprocess
import sys

from rs_service.accounts.models import Person
from rs_service.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_create_org_user_and_token_from_the_command_line(runner, api):
    assert (
        runner.invoke(
            args=["rs", "create-org", "mi-aimh", "--name", "MI-AIMH", "--timezone", "America/Detroit"]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        args=[
            "rs",
            "create-user",
            "Staff@Example.org",
            "--org",
            "mi-aimh",
            "--role",
            "staff",
            "--name",
            "Dana",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["rs", "create-token", "staff@example.org"])
    token = result.output.strip().splitlines()[-1]
    person = db.session.scalar(db.select(Person).where(Person.email == "staff@example.org"))
    assert api.get(f"/people/{person.id}", token).status_code == 200


def test_cli_errors_are_messages_with_a_non_zero_exit(runner):
    cases = [
        ["rs", "create-org", "x", "--name", "X", "--timezone", "Mars/Olympus"],
        [
            "rs",
            "create-user",
            "a@example.org",
            "--org",
            "nowhere",
            "--role",
            "staff",
            "--name",
            "A",
            "--password",
            "long enough password",
        ],
        ["rs", "create-token", "nobody@example.org"],
    ]
    for args in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_duplicate_association_is_refused(runner):
    args = ["rs", "create-org", "mi-aimh", "--name", "MI", "--timezone", "America/Detroit"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "already exists" in result.output


def test_demo_seeds_a_cohort_once_and_prints_logins_that_work(runner, client):
    from rs_service.groups.models import Group, Session
    from rs_service.hours.models import HourEntry

    first = runner.invoke(args=["rs", "demo"])
    assert first.exit_code == 0, first.output
    counts = [
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (Person, Group, Session, HourEntry)
    ]
    assert counts[1] == 23 and counts[2] == 23 * 12 and counts[3] > 0
    second = runner.invoke(args=["rs", "demo"])
    assert second.exit_code == 0 and "already present" in second.output
    assert counts == [
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (Person, Group, Session, HourEntry)
    ]
    logins = [line.split()[-1] for line in first.output.splitlines() if "@demo.example.org" in line]
    assert len(logins) == 3
    for email in logins:
        with client.application.test_client() as browser:
            page = browser.get("/login").get_data(as_text=True)
            from tests.factories import csrf_token_from

            response = browser.post(
                "/login", data={"email": email, "password": "demo-password", "csrf_token": csrf_token_from(page)}
            )
            assert response.status_code == 302, email


def test_real_cli_process_prints_no_traceback(database_url, app):
    environ = dict(os.environ, DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "rs", "create-token", "ghost@example.org"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "no person with the email" in result.stderr and "Traceback" not in result.stderr
