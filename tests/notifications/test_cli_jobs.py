"""`rs run-jobs --at` and `rs scheduler`, through the test runner and as a real process."""

import os
import subprocess
import sys

from tests.notifications.conftest import calendar_part

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_run_jobs_sends_what_is_due_and_prints_a_summary(runner, cohort, mailbox):
    result = runner.invoke(args=["rs", "run-jobs", "--at", "2026-03-02T15:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "Jobs due at 2026-03-02T15:00:00Z: sent 3 reminders" in result.output
    assert sorted(r.rcpt_tos[0] for r in mailbox.received) == sorted(
        p.email for p in [*cohort.participants, cohort.facilitator]
    )
    assert all(calendar_part(m).get_param("method") == "REQUEST" for m in mailbox.messages)

    again = runner.invoke(args=["rs", "run-jobs", "--at", "2026-03-02T10:00:00-05:00"])  # the same moment
    assert again.exit_code == 0 and "sent 0 reminders" in again.output
    assert len(mailbox.received) == 3


def test_bad_moments_are_refused_with_a_message(runner):
    for value, expected in [
        ("yesterday", "not an ISO 8601 date and time"),
        ("2026-03-02T15:00:00", "has no UTC offset"),
        ("2026-02-30T15:00:00Z", "not an ISO 8601 date and time"),
    ]:
        result = runner.invoke(args=["rs", "run-jobs", "--at", value])
        assert result.exit_code != 0
        assert expected in result.output and "Traceback" not in result.output


def test_run_jobs_fails_visibly_when_mail_cannot_be_sent(runner, cohort, mailbox):
    mailbox.stop()
    result = runner.invoke(args=["rs", "run-jobs", "--at", "2026-03-02T15:00:00Z"])
    assert result.exit_code == 1
    assert "Not sent: 3 (retried on the next run)" in result.output
    assert "Error: not everything due was sent" in result.output and "Traceback" not in result.output


def test_real_process_sends_through_smtp_and_never_twice(database_url, cohort, mailbox):
    environ = dict(
        os.environ,
        DATABASE_URL=database_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(mailbox.port),
        MAIL_FROM="MI-AIMH RS <rs@mi-aimh.example.org>",
        PUBLIC_URL="https://rs.example.org",
    )
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "rs", "run-jobs", "--at", "2026-03-04T17:00:00Z"]
    first = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "sent 0 reminders, 0 updates, 0 cancellations, 1 overdue-attendance notices" in first.stdout
    [notice] = mailbox.messages
    session = cohort.session_on("2026-03-03")
    assert f"https://rs.example.org/sessions/{session.id}/attendance" in notice.get_body(("plain",)).get_content()

    second = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "sent 0 reminders, 0 updates, 0 cancellations, 0 overdue" in second.stdout
    assert len(mailbox.received) == 1


def test_real_process_refuses_a_naive_moment_without_a_traceback(database_url, app):
    environ = dict(os.environ, DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "rs", "run-jobs", "--at", "2026-03-02 15:00"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "has no UTC offset" in result.stderr and "Traceback" not in result.stderr


def test_scheduler_command_is_there(runner):
    result = runner.invoke(args=["rs", "scheduler", "--help"])
    assert result.exit_code == 0 and "every minute" in result.output


def test_scheduler_process_stops_cleanly_on_ctrl_c(database_url, app, tmp_path):
    import signal
    import time

    environ = dict(os.environ, DATABASE_URL=database_url, OUTBOX_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    environ.pop("SMTP_HOST", None)
    log_file = tmp_path / "scheduler.log"
    with open(log_file, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "rs", "scheduler"],
            cwd=ROOT,
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while "scheduler started" not in log_file.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "scheduler started" in log_file.read_text()
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
    output = log_file.read_text()
    assert "scheduler stopped" in output and "Traceback" not in output
