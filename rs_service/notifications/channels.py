"""How session mail reaches each person: with a calendar invite, or as a plain email.

Google Calendar and Outlook keep a subscribed feed in a calendar of its own and add emailed invites
to the primary one, never merging the two: someone who subscribes and also gets invites sees every
reminded session twice, and after a late move at two different times. So each person has one
channel. Their choice on the profile page wins; without one, reminders and changes carry an
invite until their feed has been fetched once, and come as plain emails after that.

Whatever the channel, a person whose calendar already holds an invite for a session gets that
session's changes and cancellation as invites too: otherwise the stale invite would stay.
"""

from email.utils import parseaddr

from rs_service.accounts.models import Organization, Person
from rs_service.extensions import db
from rs_service.notifications.models import Notification

SESSION_MAIL = ("session_reminder", "session_update", "session_cancel")


def wants_invites(person: Person) -> bool:
    """The person's channel for reminders and changes: their choice, else invites until they subscribe."""
    if person.calendar_invites is not None:
        return person.calendar_invites
    return person.feed_first_fetched_at is None


def set_channel(person: Person, invites: bool | None) -> None:
    """True: invites; False: plain emails; None: automatic."""
    person.calendar_invites = invites
    db.session.flush()


def holds_invite(notification: Notification) -> bool:
    """Was the recipient already sent an invite for this session (so their calendar holds it)?"""
    return bool(
        db.session.scalar(
            db.select(Notification.id)
            .where(
                Notification.session_id == notification.session_id,
                Notification.recipient_id == notification.recipient_id,
                Notification.kind.in_(SESSION_MAIL),
                Notification.sent_at.is_not(None),
                Notification.with_invite.is_(True),
                Notification.id != notification.id,
            )
            .limit(1)
        )
    )


def carries_invite(notification: Notification) -> bool:
    """Whether this session message carries an invite; recorded on the row, which is committed with
    `sent_at` once it is delivered."""
    if notification.kind == "session_cancel":
        invite = holds_invite(notification)
    else:
        invite = holds_invite(notification) or wants_invites(notification.recipient)
    notification.with_invite = invite
    return invite


def organizer_address(association: Organization, mail_from: str) -> str:
    """The ORGANIZER of the association's invites: its configured address, else MAIL_FROM's."""
    return association.organizer_email or parseaddr(mail_from)[1]
