"""`rs scheduler`: the one process that runs the background jobs every minute.

Web workers never run jobs. Two schedulers by mistake would still send nothing twice (the outbox's
unique key and row locks see to that); they would only do the work twice.
"""

import logging
import signal

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from rs_service import clock
from rs_service.extensions import db
from rs_service.notifications.jobs import run_due_jobs

log = logging.getLogger(__name__)

JOB_ID = "run_due_jobs"


def run_jobs_now(app: Flask) -> None:
    """One run for the current minute, in its own app context and database session."""
    with app.app_context():
        try:
            run_due_jobs(clock.now())
        except Exception:  # the next minute must still come
            log.exception("background jobs failed")
        finally:
            db.session.remove()


def build_scheduler(app: Flask, scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    # coalesce: after a pause (laptop asleep, slow SMTP) run once, not once per missed minute;
    # max_instances=1: a slow run is never overlapped by the next one.
    scheduler = scheduler_class(
        timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 50}
    )
    scheduler.add_job(
        run_jobs_now,
        CronTrigger(second=0, timezone="UTC"),
        args=[app],
        id=JOB_ID,
        name="rs_service background jobs",
        replace_existing=True,
    )
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Block until Ctrl-C or SIGTERM, then let a running job finish and stop."""
    scheduler = build_scheduler(app)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # systemd and docker stop with SIGTERM: stop as cleanly as Ctrl-C
    log.info("scheduler started: background jobs run every minute (Ctrl-C to stop)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            log.info("stopping: waiting for a running job to finish")
            scheduler.shutdown(wait=True)
        log.info("scheduler stopped")
