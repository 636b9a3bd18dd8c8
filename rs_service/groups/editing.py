"""Changing a group after it is created: its name, places, facilitators, provider of record, location,
join link and description. Plain functions that flush and never commit.

What a calendar shows (name, location, join link, description, facilitators) reaches subscribed
feeds at their next fetch and, through the notification jobs, everyone already sent an invite for a
session still to come: those sessions' SEQUENCE goes up, exactly as a reschedule raises it.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from rs_service import clock
from rs_service.accounts.models import Person
from rs_service.audit.service import record_event
from rs_service.domain_errors import Conflict, InvalidInput
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group
from rs_service.groups.service import (
    enrolled_count,
    ensure_no_double_booking,
    facilitators_for,
    lock_group,
    promote_from_waitlist,
    sessions_of,
    touch,
)
from rs_service.notifications.models import INVITES, Notification
from rs_service.text import single_line_problem

CALENDAR_FIELDS = ("name", "location", "join_url", "description", "facilitator_ids")
EDITABLE = ("name", "capacity", "provider_id", *CALENDAR_FIELDS[1:])
MAX_CAPACITY = 500
MAX_FACILITATORS = 10


@dataclass
class GroupEdit:
    changed: dict = field(default_factory=dict)  # field -> (before, after)
    sessions_updated: int = 0  # future sessions whose SEQUENCE went up
    people_to_update: int = 0  # already sent an invite for one of them: they get an updated one
    off_the_waitlist: list[Enrollment] = field(default_factory=list)


def edit_group(group: Group, changes: dict, actor: Person) -> GroupEdit:
    """Apply `changes` (API field names; a missing key changes nothing), or InvalidInput / Conflict naming the field."""
    lock_group(group)
    today = clock.today_in(group.timezone)
    before = current_values(group)
    wanted = {name: checked_value(group, name, value, today) for name, value in changes.items()}
    facilitators = None
    if "facilitator_ids" in wanted:
        facilitators = checked_facilitators(group, wanted["facilitator_ids"])
        wanted["facilitator_ids"] = [f.id for f in facilitators]
    check_provider(group, wanted, before)
    edit = GroupEdit(changed={n: (before[n], v) for n, v in wanted.items() if before[n] != v})
    if not edit.changed:
        return edit
    for name, (_before, after) in edit.changed.items():
        if name == "facilitator_ids":
            group.facilitators = facilitators or []
        else:
            setattr(group, name, after)
    db.session.flush()
    if any(name in CALENDAR_FIELDS for name in edit.changed):
        announce_to_calendars(group, edit)
    if "capacity" in edit.changed:
        edit.off_the_waitlist = fill_from_waitlist(group, today)
    record_event(
        group.organization_id,
        actor,
        "group.changed",
        before={"group_id": group.id, **{n: pair[0] for n, pair in edit.changed.items()}},
        after={"group_id": group.id, **{n: pair[1] for n, pair in edit.changed.items()}},
    )
    return edit


def current_values(group: Group) -> dict:
    values = {name: getattr(group, name) for name in EDITABLE if name != "facilitator_ids"}
    values["facilitator_ids"] = sorted(f.id for f in group.facilitators)
    return values


def checked_value(group: Group, name: str, value, today: date):
    if name == "name":
        return checked_line(name, value, 200, required=True)
    if name == "capacity":
        return checked_capacity(group, value, today)
    if name == "facilitator_ids":
        ids = sorted(set(value or []))
        if not ids:
            raise InvalidInput(field=name, message=_("A group needs at least one facilitator."))
        if len(ids) > MAX_FACILITATORS:
            raise InvalidInput(field=name, message=_("At most %(count)d facilitators.", count=MAX_FACILITATORS))
        return ids
    if name == "provider_id":
        return value or None
    if name == "location":
        return checked_line(name, value, 300)
    if name == "join_url":
        link = checked_line(name, value, 500)
        if link is not None and not link.lower().startswith(("https://", "http://")):
            raise InvalidInput(field=name, message=_("Give a full link starting with https://"))
        return link
    if name == "description":
        return checked_description(value)
    raise InvalidInput(field=name, message=_("This field cannot be changed."))


def checked_line(name: str, value, max_length: int, required: bool = False) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(field=name, message=_("This field is required."))
        return None
    if len(text) > max_length:
        raise InvalidInput(field=name, message=_("At most %(count)d characters.", count=max_length))
    if single_line_problem(text):
        raise InvalidInput(field=name, message=_("Write it on one line, without tabs or control characters."))
    return text


def checked_description(value) -> str | None:
    """Several lines are fine (calendars show them); other control characters are not."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        return None
    if len(text) > 2000:
        raise InvalidInput(field="description", message=_("At most %(count)d characters.", count=2000))
    if any(single_line_problem(line) for line in text.split("\n")):
        raise InvalidInput(field="description", message=_("The description contains a tab or a control character."))
    return text


def checked_capacity(group: Group, value, today: date) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CAPACITY:
        raise InvalidInput(field="capacity", message=_("Places must be 1 to %(count)d.", count=MAX_CAPACITY))
    enrolled = enrolled_count(group, today)
    if value < enrolled:
        raise Conflict(
            message=ngettext(
                "%(num)d person is enrolled: the places cannot be fewer. Withdraw someone first.",
                "%(num)d people are enrolled: the places cannot be fewer. Withdraw someone first.",
                enrolled,
            ),
            field="capacity",
        )
    return value


def checked_facilitators(group: Group, ids: list[int]) -> list[Person]:
    """The people, if they may facilitate and have no other session at the group's future times."""
    people = facilitators_for(group.organization_id, ids)
    current = {f.id for f in group.facilitators}
    added = [p for p in people if p.id not in current]
    inactive = [p.name for p in added if not p.active]
    if inactive:
        raise InvalidInput(
            field="facilitator_ids",
            message=_("Deactivated people cannot facilitate: %(names)s.", names=", ".join(inactive)),
        )
    ahead = [s for s in sessions_of(group) if s.status == "scheduled" and s.starts_at > clock.now()]
    ensure_no_double_booking(added, [(s.starts_at, s.duration_minutes) for s in ahead], {s.id for s in ahead})
    return people


def check_provider(group: Group, wanted: dict, before: dict) -> None:
    """The provider of record must be one of the group's facilitators (None: the first of them)."""
    facilitator_ids = wanted.get("facilitator_ids", before["facilitator_ids"])
    provider_id = wanted.get("provider_id", before["provider_id"])
    if provider_id is None or provider_id in facilitator_ids:
        return
    if "provider_id" in wanted:
        raise InvalidInput(
            field="provider_id", message=_("The provider of record must be one of the group's facilitators.")
        )
    raise InvalidInput(
        field="provider_id",
        message=_("The provider of record would no longer facilitate the group: choose another provider of record."),
    )


def announce_to_calendars(group: Group, edit: GroupEdit) -> None:
    """Raise SEQUENCE (and DTSTAMP) on every session still to come, so feeds and invites take the change."""
    ahead = [
        s for s in sessions_of(group) if s.status == "scheduled" and not s.signed_off and s.starts_at > clock.now()
    ]
    for session in ahead:
        touch(session)
    edit.sessions_updated = len(ahead)
    edit.people_to_update = invited_count([s.id for s in ahead])


def invited_count(session_ids: list[int]) -> int:
    """People sent an invite for any of these sessions: the notification jobs send them an update."""
    if not session_ids:
        return 0
    return (
        db.session.scalar(
            db.select(db.func.count(db.distinct(Notification.recipient_id))).where(
                Notification.session_id.in_(session_ids),
                Notification.kind.in_(INVITES),
                Notification.sent_at.is_not(None),
            )
        )
        or 0
    )


def fill_from_waitlist(group: Group, today: date) -> list[Enrollment]:
    """Give new places to whoever has waited longest, in order, from today."""
    promoted = []
    while (enrollment := promote_from_waitlist(group, today)) is not None:
        promoted.append(enrollment)
    return promoted
