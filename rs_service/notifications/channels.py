"""How session mail reaches each person: with a calendar invite, or as a plain email.

Google Calendar and Outlook keep a subscribed feed in a calendar of its own and add emailed invites
to the primary one, never merging the two: someone who subscribes and also gets invites sees every
reminded session twice, and after a late move at two different times. So each person has one
channel. Their choice on the profile page wins; without one, reminders and changes carry an
invite until their feed has been fetched once, and come as plain emails after that.

Whatever the channel, a person whose calendar already holds an invite for a session gets that
session's changes and cancellation as invites too: otherwise the stale invite would stay.
"""

from dataclasses import dataclass
from email.utils import parseaddr

from sqlalchemy import case, func

from rs_service.accounts.models import Organization, Person
from rs_service.extensions import db
from rs_service.notifications.models import CANCELLATION, INVITES, Notification

SESSION_MAIL = (*INVITES, CANCELLATION)


def wants_invites(person: Person) -> bool:
    """The person's channel for reminders and changes: their choice, else invites until they subscribe."""
    if person.calendar_invites is not None:
        return person.calendar_invites
    return person.feed_first_fetched_at is None


def set_channel(person: Person, invites: bool | None) -> None:
    """True: invites; False: plain emails; None: automatic."""
    person.calendar_invites = invites
    db.session.flush()


@dataclass(frozen=True)
class SentBefore:
    """What a person was already sent about a session: the newest SEQUENCE of the reminders and updates
    (None: none yet), and whether any of its messages carried an invite (their calendar holds it)."""

    newest_invite: int | None = None
    with_invite: bool = False


def sent_before(session_ids: list[int]) -> dict[tuple[int, int], SentBefore]:
    """(session, person) -> what was sent, for every person sent anything about these sessions; one query."""
    invite_sequence = case((Notification.kind.in_(INVITES), Notification.sequence))
    carried = case((Notification.with_invite.is_(True), 1), else_=0)
    rows = db.session.execute(
        db.select(Notification.session_id, Notification.recipient_id, func.max(invite_sequence), func.max(carried))
        .where(
            Notification.session_id.in_(session_ids),
            Notification.kind.in_(SESSION_MAIL),
            Notification.sent_at.is_not(None),
        )
        .group_by(Notification.session_id, Notification.recipient_id)
    ).tuples()
    return {
        (session_id, person_id): SentBefore(newest, bool(carried)) for session_id, person_id, newest, carried in rows
    }


def carries_invite(notification: Notification, before: SentBefore) -> bool:
    """Whether this session message carries an invite; recorded on the row, which is committed with
    `sent_at` once it is delivered."""
    invite = before.with_invite
    if notification.kind != CANCELLATION:
        invite = invite or wants_invites(notification.recipient)
    notification.with_invite = invite
    return invite


def organizer_address(association: Organization, mail_from: str) -> str:
    """The ORGANIZER of the association's invites: its configured address, else MAIL_FROM's."""
    return association.organizer_email or parseaddr(mail_from)[1]
