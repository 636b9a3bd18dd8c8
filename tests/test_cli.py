import os
import subprocess
import sys

from rs_service.accounts.models import Person
from rs_service.extensions import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_create_org_user_and_token_from_the_command_line(runner, api):
    assert runner.invoke(args=["rs", "create-org", "mi-aimh", "--name", "MI-AIMH",
                               "--timezone", "America/Detroit"]).exit_code == 0
    result = runner.invoke(args=["rs", "create-user", "Staff@Example.org", "--org", "mi-aimh", "--role", "staff",
                                 "--name", "Dana", "--password", "long enough"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["rs", "create-token", "staff@example.org"])
    token = result.output.strip().splitlines()[-1]
    person = db.session.scalar(db.select(Person).where(Person.email == "staff@example.org"))
    assert api.get(f"/people/{person.id}", token).status_code == 200


def test_cli_errors_are_messages_with_a_non_zero_exit(runner):
    cases = [
        ["rs", "create-org", "x", "--name", "X", "--timezone", "Mars/Olympus"],
        ["rs", "create-user", "a@example.org", "--org", "nowhere", "--role", "staff", "--name", "A",
         "--password", "long enough"],
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


def test_demo_is_idempotent_and_prints_logins(runner):
    first = runner.invoke(args=["rs", "demo"])
    second = runner.invoke(args=["rs", "demo"])
    assert first.exit_code == second.exit_code == 0
    assert "staff@demo.rs-service.test" in first.output and "already present" in second.output
    assert db.session.scalar(db.select(db.func.count(Person.id)).where(
        Person.email.like("%@demo.rs-service.test"))) == first.output.count("@demo.rs-service.test")


def test_real_cli_process_prints_no_traceback(database_url, app):
    environ = dict(os.environ, DATABASE_URL=database_url)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "rs", "create-token", "ghost@example.org"],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "no person with the email" in result.stderr and "Traceback" not in result.stderr
