"""Sessions from the database into the pure iCalendar builder; private subscription tokens."""

import functools
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import icalendar
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, literal, null, true, union_all
from sqlalchemy.orm import joinedload

from rs_service import clock
from rs_service.accounts.models import Organization, Person
from rs_service.calendars import ics
from rs_service.calendars.ics import SeriesInfo, SessionOccurrence, build_feed
from rs_service.extensions import db
from rs_service.groups.models import Enrollment, Group, Session, group_facilitators
from rs_service.groups.service import schedule_of, sessions_of
from rs_service.urls import external_url


def series_info(group: Group, session_sequence: int = 0, *, language: str | None = None) -> SeriesInfo:
    """`session_sequence`: the highest SEQUENCE of any of the group's sessions. With the group's own,
    it keeps the series master's SEQUENCE from ever going back, whatever a person's window shows.

    The words around the group's own (its kind, "Facilitated by", the join label) are in `language`
    when given (an invite's recipient), else in the language in force (a subscriber's, a page's).
    """
    if language is not None:
        with force_locale(language):
            return series_info(group, session_sequence)
    # The UID must never change for the life of the group, so it names nothing that can be edited.
    return SeriesInfo(
        uid=f"rs-group-{group.id}@rs-service",
        name=group.name,
        timezone=group.timezone,
        rrule=group.rrule,
        location=group.location,
        join_url=group.join_url,
        description=_description(group),
        sequence=max(group.sequence, session_sequence),
        join_label=_("Join"),
    )


def _description(group: Group) -> str:
    names = ", ".join(f.name for f in group.facilitators)
    if group.kind == "peer":
        about = (
            _("Peer supervision group. Facilitated by %(names)s.", names=names)
            if names
            else _("Peer supervision group.")
        )
    else:
        about = (
            _("Reflective supervision group. Facilitated by %(names)s.", names=names)
            if names
            else _("Reflective supervision group.")
        )
    return f"{about}\n\n{group.description}" if group.description else about


def occurrence(session: Session) -> SessionOccurrence:
    return SessionOccurrence(
        id=session.id,
        original_start=session.original_starts_at,
        start=session.starts_at,
        duration_minutes=session.duration_minutes,
        cancelled=session.status == "cancelled",
        sequence=session.sequence,
        last_modified=session.updated_at,
    )


def group_calendar(group: Group) -> bytes:
    sessions = sessions_of(group)
    return build_feed(
        [(series_info(group, max((s.sequence for s in sessions), default=0)), [occurrence(s) for s in sessions])],
        name=group.name,
        home_zone=group.timezone,
        home_year=clock.today_in(group.timezone).year,
    )


def person_calendar(person: Person) -> bytes:
    """The subscriber's feed, in the subscriber's language (a calendar app sends no useful Accept-Language)."""
    with force_locale(person.language or "en"):
        return _person_calendar(person)


def _person_calendar(person: Person) -> bytes:
    schedule = schedule_of(person)
    highest = highest_sequences([group.id for group, _ in schedule])
    calendars = [
        (series_info(group, highest.get(group.id, 0)), [occurrence(s) for s in sessions])
        for group, sessions in schedule
    ]
    zone = person.organization.timezone
    return build_feed(
        calendars,
        name=_("Reflective supervision: %(name)s", name=person.name),
        home_zone=zone,
        home_year=clock.today_in(zone).year,
    )


def highest_sequences(group_ids: list[int]) -> dict[int, int]:
    """The highest session SEQUENCE of each group, in one query."""
    if not group_ids:
        return {}
    rows = db.session.execute(
        db.select(Session.group_id, func.max(Session.sequence))
        .where(Session.group_id.in_(group_ids))
        .group_by(Session.group_id)
    )
    return dict(rows.tuples().all())


def person_for_feed(token: str) -> Person | None:
    if not token:
        return None
    return db.session.scalar(_person_for_feed_statement(), {"token": token})


@functools.cache
def _person_for_feed_statement() -> Select:
    """The subscriber with their association (whose zone the feed is written in), built once."""
    return (
        db.select(Person)
        .options(joinedload(Person.organization))
        .where(Person.calendar_token == bindparam("token"), Person.active.is_(True))
    )


def feed_url(person: Person) -> str:
    """The person's private subscription URL, made on first use."""
    if person.calendar_token is None:
        rotate_token(person)
    return external_url("calendars.feed", token=person.calendar_token)


def rotate_feed(person: Person) -> str:
    """A new private URL; the old one answers 404 from now on."""
    rotate_token(person)
    return feed_url(person)


def record_fetch(person: Person) -> None:
    """Remember the first fetch of the person's feed: they have subscribed (or downloaded it), so
    by default their session mail stops carrying invites (see notifications.channels)."""
    if person.feed_first_fetched_at is None:
        person.feed_first_fetched_at = clock.now()
        db.session.flush()


def rotate_token(person: Person) -> None:
    person.calendar_token = secrets.token_urlsafe(24)  # 192 bits
    db.session.flush()


def entity_tag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


# What a feed's bytes depend on besides the data: the code that builds it and the iCalendar library.
FEED_BUILDER = hashlib.sha256(
    b"".join(Path(module).read_bytes() for module in (ics.__file__, __file__)) + icalendar.__version__.encode()
).hexdigest()


@dataclass(frozen=True)
class FeedTag:
    tag: str
    fetched_before: bool  # the feed was fetched since its link was made: a 304 needs no write


def feed_tag(token: str) -> FeedTag | None:
    """The ETag of the feed behind `token` from what the feed is made of, in one statement, before
    anything is built; None when no active person holds the token.

    It changes whenever the feed's bytes can: the person's name, language and association's zone,
    their enrolments and the groups they facilitate, every column of those groups a calendar shows,
    the facilitators' names, and for each group the sessions' count, ids, SEQUENCEs and last change
    (every change a calendar must notice raises SEQUENCE and moves `updated_at`: groups.service.touch).
    """
    if not token:
        return None
    rows = db.session.connection().execute(_feed_tag_statement(), {"token": token}).tuples().all()
    if not rows:
        return None
    name, language, zone, first_fetched = rows[0][:4]
    places = sorted((row[4:] for row in rows if row[4] is not None), key=repr)
    made_of = (FEED_BUILDER, name, language, zone, clock.today_in(zone).year, places)
    return FeedTag(hashlib.sha256(repr(made_of).encode()).hexdigest()[:32], first_fetched is not None)


@functools.cache
def _feed_tag_statement() -> Select:
    """Built once: a 304 then costs this one statement's execution."""
    subscriber = (
        db.select(
            Person.id.label("person_id"),
            Person.name.label("person_name"),
            Person.language.label("person_language"),
            Organization.timezone.label("zone"),
            Person.feed_first_fetched_at.label("first_fetched"),
        )
        .join(Organization, Organization.id == Person.organization_id)
        .where(Person.calendar_token == bindparam("token"), Person.active.is_(True))
        .cte("subscriber")
    )
    whose = db.select(subscriber.c.person_id)
    member = db.select(
        Enrollment.group_id.label("group_id"),
        Enrollment.joined_on.label("joined_on"),
        Enrollment.left_on.label("left_on"),
        literal("member").label("place"),
    ).where(Enrollment.person_id.in_(whose), Enrollment.waitlisted.is_(False))
    leads = db.select(group_facilitators.c.group_id, null(), null(), literal("facilitator")).where(
        group_facilitators.c.person_id.in_(whose)
    )
    places = union_all(member, leads).cte("places")
    in_places = db.select(places.c.group_id)
    sessions = (
        db.select(
            Session.group_id,
            func.count(Session.id).label("count"),
            func.sum(Session.id).label("ids"),
            func.sum(Session.sequence).label("sequences"),
            func.max(Session.updated_at).label("changed"),
        )
        .where(Session.group_id.in_(in_places))
        .group_by(Session.group_id)
        .subquery()
    )
    # The order of names inside the aggregate may vary; a varied tag only costs a full answer.
    facilitators = (
        db.select(
            group_facilitators.c.group_id,
            func.count(Person.id).label("count"),
            func.sum(Person.id).label("ids"),
            func.aggregate_strings(Person.name, "\n").label("names"),
        )
        .join(Person, Person.id == group_facilitators.c.person_id)
        .where(group_facilitators.c.group_id.in_(in_places))
        .group_by(group_facilitators.c.group_id)
        .subquery()
    )
    shown = [Group.name, Group.kind, Group.timezone, Group.rrule, Group.first_date, Group.until, Group.start_time]
    shown += [Group.duration_minutes, Group.location, Group.join_url, Group.description, Group.sequence]
    # One row per place (or one row with no place), each led by the subscriber's own columns.
    return (
        db.select(
            *(subscriber.c[name] for name in ("person_name", "person_language", "zone", "first_fetched")),
            places,
            *shown,
            *(sessions.c[name] for name in ("count", "ids", "sequences", "changed")),
            *(facilitators.c[name] for name in ("count", "ids", "names")),
        )
        .select_from(subscriber)
        .outerjoin(places, true())
        .outerjoin(Group, Group.id == places.c.group_id)
        .outerjoin(sessions, sessions.c.group_id == Group.id)
        .outerjoin(facilitators, facilitators.c.group_id == Group.id)
    )
