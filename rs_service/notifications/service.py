"""The outbox: every message is a Notification row first, then a delivery attempt.

The row's unique key (kind, subject_key, recipient_id, sequence) is the idempotency key: a job
that runs twice, or two schedulers started by mistake, insert the same key and the database keeps
one. Rows are claimed one at a time with a row lock (SKIP LOCKED on PostgreSQL), so concurrent
runners never send the same row twice. The job runner is its own transaction boundary: it commits
after each batch of new rows and after each delivery, so a crash loses nothing and the next run
resumes where this one stopped.

Delivery is at least once. A message is recorded as sent only after the mail server accepted it;
a crash between the two sends it again on the next run, with the same Message-ID, so mail clients
show one message. A message that fails is retried with growing pauses (1, 2, 4 ... minutes, then
hourly) for RETRY_SPAN after its first failure, so an outage shorter than that loses nothing; only
then is it given up, with the reason recorded, and staff can send it again from the undelivered
messages page.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import ColumnElement, or_
from sqlalchemy.dialects import postgresql, sqlite

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.extensions import db
from rs_service.groups.models import Session
from rs_service.notifications.mail import MailError, MailSettings, send_message
from rs_service.notifications.models import Notification

log = logging.getLogger(__name__)

RETRY_SPAN = timedelta(hours=48)  # how long a failing message is retried before it is given up
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
UNIQUE_KEY = ("kind", "subject_key", "recipient_id", "sequence")
INSERT_BATCH = 100  # rows per INSERT: far below SQLite's limit on bound parameters
_INSERTS: dict[str, Callable[..., postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}


def mail_settings(config=None) -> MailSettings:
    config = config if config is not None else current_app.config
    return MailSettings(
        host=config.get("SMTP_HOST") or None,
        port=int(config.get("SMTP_PORT") or 25),
        username=config.get("SMTP_USERNAME") or None,
        password=config.get("SMTP_PASSWORD") or None,
        use_tls=bool(config.get("SMTP_STARTTLS")),
        use_ssl=bool(config.get("SMTP_SSL")),
        mail_from=config["MAIL_FROM"],
        outbox_dir=config["OUTBOX_DIR"],
    )


def set_reminders(person: Person, enabled: bool) -> None:
    person.reminders_enabled = enabled
    db.session.flush()


@dataclass(frozen=True)
class Planned:
    """A message a job decided someone should get; becomes a Notification row."""

    organization_id: int
    kind: str
    subject_key: str
    recipient_id: int
    sequence: int = 0
    session_id: int | None = None

    def key(self) -> tuple:
        return self.kind, self.subject_key, self.recipient_id, self.sequence


def record_planned(planned: Iterable[Planned]) -> None:
    """Insert the rows that do not exist yet and commit (with the job's marks); existing keys are left as they are.

    Sorted, so that concurrent runners lock the same keys in the same order and never deadlock.
    """
    rows = [
        {
            "organization_id": p.organization_id,
            "kind": p.kind,
            "subject_key": p.subject_key,
            "recipient_id": p.recipient_id,
            "sequence": p.sequence,
            "session_id": p.session_id,
            "created_at": clock.now(),
            "attempts": 0,
        }
        for p in sorted(set(planned), key=Planned.key)
    ]
    if not rows:
        db.session.commit()  # what the job remembers of how far it got (JobMark), if anything
        return
    dialect = db.session.get_bind().dialect.name
    if dialect not in _INSERTS:
        raise RuntimeError(f"notifications need PostgreSQL or SQLite, not {dialect}")
    for start in range(0, len(rows), INSERT_BATCH):
        statement = _INSERTS[dialect](Notification).values(rows[start : start + INSERT_BATCH])
        db.session.execute(statement.on_conflict_do_nothing(index_elements=list(UNIQUE_KEY)))
    db.session.commit()


def retry_pause(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4 ... minutes, at most an hour."""
    return min(FIRST_PAUSE * 2 ** min(attempts - 1, 16), LONGEST_PAUSE)


def waiting_query(due: ColumnElement[bool], at):
    """Unsent rows not given up whose next attempt has come; `due` may use Session columns (outer-joined)."""
    return (
        db.select(Notification)
        .outerjoin(Session, Notification.session_id == Session.id)
        .where(
            Notification.sent_at.is_(None),
            Notification.given_up_at.is_(None),
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= at),
            due,
        )
    )


def waiting_ids(due: ColumnElement[bool], at: datetime) -> list[int]:
    query = waiting_query(due, at).with_only_columns(Notification.id).order_by(Notification.id)
    return list(db.session.scalars(query))


def claim(notification_id: int, due: ColumnElement[bool], at: datetime) -> Notification | None:
    """The row, locked until the next commit, if it still waits, is still due and no other runner has it.

    Only the notification row is locked (OF notifications): staff editing the session never wait.
    """
    return db.session.scalar(
        waiting_query(due, at)
        .where(Notification.id == notification_id)
        .with_for_update(skip_locked=True, of=Notification)
        .execution_options(populate_existing=True)
    )


@dataclass
class Delivery:
    sent: Counter = field(default_factory=Counter)  # kind -> messages sent
    failed: int = 0  # will be retried after a pause
    given_up: int = 0


def deliver_waiting(
    due: ColumnElement[bool],
    compose: Callable[[Notification], EmailMessage],
    settings: MailSettings,
    at: datetime | None = None,
    load: Callable[[list[int]], None] | None = None,
) -> Delivery:
    """Send every waiting row that is still `due` at `at` (default now), oldest first, committing after each one.

    `load(ids)` may load in bulk what the messages are composed from, before the first is sent: what it
    loads stays loaded across the commit after each message, so each costs its claim and its record.
    """
    at = at or clock.now()
    delivery = Delivery()
    ids = waiting_ids(due, at)
    if not ids:
        return delivery
    with kept_across_commits():
        if load is not None:
            load(ids)
        for notification_id in ids:
            db.session.commit()  # end the last read: each claim sees what others committed
            send_one(notification_id, due, compose, settings, at, delivery)
    return delivery


@contextmanager
def kept_across_commits():
    """Objects loaded stay loaded when a transaction commits (they are only read while sending)."""
    session = db.session()
    kept, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = kept


def send_one(
    notification_id: int,
    due: ColumnElement[bool],
    compose: Callable[[Notification], EmailMessage],
    settings: MailSettings,
    at: datetime,
    delivery: Delivery,
) -> None:
    notification = claim(notification_id, due, at)
    if notification is None:
        return  # another runner has it or sent it, or it stopped being due
    try:
        send_message(compose(notification), settings)
    except Exception as error:  # one bad message must never stop the others
        record_failure(notification_id, error, due, at, delivery)
        return
    record_sent(notification)
    delivery.sent[notification.kind] += 1


def record_sent(notification: Notification) -> None:
    """Mark the message sent; until this commit, a crash means it is sent again (same Message-ID)."""
    notification.sent_at, notification.last_error, notification.next_attempt_at = clock.now(), None, None
    notification.attempts += 1
    db.session.commit()


def record_failure(
    notification_id: int, error: Exception, due: ColumnElement[bool], at: datetime, delivery: Delivery
) -> None:
    detail = str(error) if isinstance(error, MailError) else f"{error.__class__.__name__}: {error}"
    db.session.rollback()  # a database error leaves the transaction unusable: start clean, claim again
    notification = claim(notification_id, due, at)
    if notification is None:
        db.session.rollback()
        return
    notification.attempts += 1
    notification.last_error = detail[:2000]
    notification.first_failed_at = notification.first_failed_at or at
    permanent = isinstance(error, MailError) and error.permanent  # retrying cannot help
    key = f"{notification.kind} {notification.subject_key} to person {notification.recipient_id}"
    trace = None if isinstance(error, MailError) else error  # a bug in composing deserves its traceback
    if permanent or at - notification.first_failed_at >= RETRY_SPAN:
        give_up(
            notification,
            at,
            detail
            if permanent
            else f"still failing {RETRY_SPAN.total_seconds() / 3600:g} hours after the first attempt",
        )
        delivery.given_up += 1
        log.error(
            "giving up on notification %s (%s): %s", notification_id, key, notification.given_up_reason, exc_info=trace
        )
    else:
        notification.next_attempt_at = at + retry_pause(notification.attempts)
        delivery.failed += 1
        log.warning(
            "notification %s (%s) not sent, attempt %s, will retry at %s: %s",
            notification_id,
            key,
            notification.attempts,
            notification.next_attempt_at.isoformat(),
            detail,
            exc_info=trace,
        )
    db.session.commit()


def give_up(notification: Notification, at: datetime, why: str) -> None:
    notification.given_up_at, notification.next_attempt_at = at, None
    notification.given_up_reason = f"{why}; last error: {notification.last_error}"[:2000]


def undelivered(organization_id: int, limit: int = 200) -> list[Notification]:
    """The association's messages that failed at least once and were never sent: given up first, newest first."""
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(
                Notification.organization_id == organization_id,
                Notification.sent_at.is_(None),
                Notification.attempts > 0,
            )
            .options(db.joinedload(Notification.recipient))
            .order_by(Notification.given_up_at.is_(None), Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def undelivered_count(organization_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count(Notification.id)).where(
            Notification.organization_id == organization_id,
            Notification.sent_at.is_(None),
            Notification.attempts > 0,
        )
    )


def send_again(notification: Notification) -> None:
    """A fresh retry span from the next run: for a message given up, once the cause is fixed."""
    notification.given_up_at = notification.given_up_reason = None
    notification.first_failed_at = notification.next_attempt_at = None
    db.session.flush()
