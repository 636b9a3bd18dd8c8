"""Mail that leaves only once its transaction commits, sent on a thread of its own.

For messages carrying a link to a row written in the same transaction (a password link): sent
before the commit, a request that then fails would have mailed a link to nothing; sent inside the
request, the answer would wait on the mail server, and take longer exactly when an email address is
known. They are not kept in the outbox for retries: a link's token exists only in its message, so a
message that cannot be sent is logged and the person asks for a new link.
"""

import logging
import threading
from email.message import EmailMessage

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from rs_service.extensions import db
from rs_service.notifications.mail import MailError, MailSettings, send_message
from rs_service.notifications.service import mail_settings

log = logging.getLogger(__name__)

_QUEUE = "rs_service.mail_after_commit"


def send_after_commit(message: EmailMessage) -> None:
    db.session.info.setdefault(_QUEUE, []).append((message, mail_settings()))


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    queued = session.info.pop(_QUEUE, None)
    if queued:
        threading.Thread(target=_deliver, args=(queued,), name="mail-after-commit").start()


@event.listens_for(Session, "after_transaction_end")
def _forget_unsent(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ends without committing (after_commit has already taken the others)."""
    if transaction.parent is None:
        session.info.pop(_QUEUE, None)


def _deliver(queued: list[tuple[EmailMessage, MailSettings]]) -> None:
    for message, settings in queued:
        try:
            send_message(message, settings)
        except MailError as error:
            log.error("message %s to %s not sent: %s", message["Message-ID"], message["To"], error)
