"""The outbox: every message is a Notification row first, then a delivery attempt.

The row's unique key (kind, subject_key, recipient_id, sequence) is the idempotency key: a job
that runs twice, or two schedulers started by mistake, insert the same key and the database keeps
one. Rows are claimed one at a time with a row lock (SKIP LOCKED on PostgreSQL), so concurrent
runners never send the same row twice. The job runner is its own transaction boundary: it commits
after each batch of new rows and after each delivery, so a crash loses nothing and the next run
resumes where this one stopped.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import ColumnElement
from sqlalchemy.dialects import postgresql, sqlite

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.extensions import db
from rs_service.groups.models import Session
from rs_service.notifications.mail import MailError, MailSettings, send_message
from rs_service.notifications.models import Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
UNIQUE_KEY = ("kind", "subject_key", "recipient_id", "sequence")
INSERT_BATCH = 100  # rows per INSERT: far below SQLite's limit on bound parameters
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


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
    """Insert the rows that do not exist yet and commit; existing keys are left as they are.

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
        return
    dialect = db.session.get_bind().dialect.name
    if dialect not in _INSERTS:
        raise RuntimeError(f"notifications need PostgreSQL or SQLite, not {dialect}")
    for start in range(0, len(rows), INSERT_BATCH):
        statement = _INSERTS[dialect](Notification).values(rows[start : start + INSERT_BATCH])
        db.session.execute(statement.on_conflict_do_nothing(index_elements=list(UNIQUE_KEY)))
    db.session.commit()


def waiting_query(due: ColumnElement[bool]):
    """Unsent rows still worth sending; `due` may use Session columns (outer-joined)."""
    return (
        db.select(Notification)
        .outerjoin(Session, Notification.session_id == Session.id)
        .where(Notification.sent_at.is_(None), Notification.attempts < MAX_ATTEMPTS, due)
    )


def waiting_ids(due: ColumnElement[bool]) -> list[int]:
    return list(db.session.scalars(waiting_query(due).with_only_columns(Notification.id).order_by(Notification.id)))


def claim(notification_id: int, due: ColumnElement[bool]) -> Notification | None:
    """The row, locked until the next commit, if it still waits, is still due and no other runner has it.

    Only the notification row is locked (OF notifications): staff editing the session never wait.
    """
    return db.session.scalar(
        waiting_query(due)
        .where(Notification.id == notification_id)
        .with_for_update(skip_locked=True, of=Notification)
        .execution_options(populate_existing=True)
    )


@dataclass
class Delivery:
    sent: Counter = field(default_factory=Counter)  # kind -> messages sent
    failed: int = 0  # will be retried on the next run
    given_up: int = 0


def deliver_waiting(
    due: ColumnElement[bool], compose: Callable[[Notification], EmailMessage], settings: MailSettings
) -> Delivery:
    """Send every waiting row that is still `due`, oldest first, committing after each one."""
    delivery = Delivery()
    for notification_id in waiting_ids(due):
        db.session.rollback()  # end the listing's transaction: each claim sees what others committed
        notification = claim(notification_id, due)
        if notification is None:
            continue  # another runner has it or sent it, or it stopped being due
        try:
            send_message(compose(notification), settings)
        except Exception as error:  # one bad message must never stop the others
            record_failure(notification_id, error, due, delivery)
            continue
        notification.sent_at, notification.last_error = clock.now(), None
        notification.attempts += 1
        delivery.sent[notification.kind] += 1
        db.session.commit()
    return delivery


def record_failure(notification_id: int, error: Exception, due: ColumnElement[bool], delivery: Delivery) -> None:
    detail = str(error) if isinstance(error, MailError) else f"{error.__class__.__name__}: {error}"
    db.session.rollback()  # a database error leaves the transaction unusable: start clean, claim again
    notification = claim(notification_id, due)
    if notification is None:
        db.session.rollback()
        return
    notification.attempts += 1
    notification.last_error = detail[:2000]
    if isinstance(error, MailError) and error.permanent:
        notification.attempts = max(notification.attempts, MAX_ATTEMPTS)  # retrying cannot help
    key = f"{notification.kind} {notification.subject_key} to person {notification.recipient_id}"
    trace = None if isinstance(error, MailError) else error  # a bug in composing deserves its traceback
    if notification.attempts >= MAX_ATTEMPTS:
        delivery.given_up += 1
        log.error(
            "giving up on notification %s (%s) after %s attempts: %s",
            notification_id,
            key,
            notification.attempts,
            detail,
            exc_info=trace,
        )
    else:
        delivery.failed += 1
        log.warning(
            "notification %s (%s) not sent, attempt %s of %s, will retry on the next run: %s",
            notification_id,
            key,
            notification.attempts,
            MAX_ATTEMPTS,
            detail,
            exc_info=trace,
        )
    db.session.commit()
